"""The Scoring tab, "My team" and the minimum volume through NiceGUI's simulated users."""

from nicegui.testing import User

from models import ScoringPolicyRow, StoredEvent
from services.domain.scoring import ScoringPolicy, policy_as_dict
from tests.ui.support import agent, demote, log_in, notified, pair_kiosk, services, until


async def open_scoring(user: User) -> None:
    await log_in(user, 'lead')
    await user.open('/admin/game')
    user.find(marker='tab-scoring').click()
    await user.should_see(marker='scoring-input-fast_resolution', retries=50)


async def test_a_lead_edits_a_value_and_is_refused_an_invalid_one(user: User) -> None:
    await open_scoring(user)
    await user.should_see('Speed points for resolving a conversation within the fast limit.', retries=50)
    with user.scope(marker='scoring-fast_resolution'):
        await user.should_see('now +10 points', retries=50)
    user.find(marker='scoring-input-fast_resolution').clear().type('700')
    user.find(marker='scoring-save').click()
    await user.should_see('Fast resolution: a whole number of points from 0 to 500 (0 switches it off).', retries=50)
    assert not await StoredEvent.filter(kind='scoring_changed').exists()

    user.find(marker='scoring-input-fast_resolution').clear().type('20')
    user.find(marker='scoring-input-minimum_resolved').clear().type('5')
    user.find(marker='scoring-save').click()
    await user.should_see('Scoring saved: it applies from now on.', retries=50)
    with user.scope(marker='scoring-fast_resolution'):
        await user.should_see('now +20 points', retries=50)
    assert services().scoring.policy == ScoringPolicy(fast_resolution=20, minimum_resolved=5)

    user.find(marker='scoring-reset').click()
    await user.should_see('The default scoring applies again from now on.', retries=50)
    with user.scope(marker='scoring-minimum_resolved'):
        await user.should_see('now 0 (everyone ranked)', retries=50)
    assert await ScoringPolicyRow.all().count() == 3


async def test_a_lead_prices_notes_and_sets_their_daily_cap(user: User) -> None:
    await open_scoring(user)
    with user.scope(marker='scoring-low_value_daily_cap'):
        await user.should_see('now 20 points a day', retries=50)
        await user.should_see('Default 20 points a day.')
    user.find(marker='scoring-input-low_value_daily_cap').clear().type('-1')
    user.find(marker='scoring-save').click()
    await user.should_see('Daily cap on notes and tags: a whole number of points from 0 to 5000 (0: no cap).',
                          retries=50)
    user.find(marker='scoring-input-low_value_daily_cap').clear().type('0')
    user.find(marker='scoring-input-note_points').clear().type('2')
    user.find(marker='scoring-save').click()
    await user.should_see('Scoring saved: it applies from now on.', retries=50)
    with user.scope(marker='scoring-low_value_daily_cap'):
        await user.should_see('now 0 (no cap)', retries=50)
    assert services().scoring.policy == ScoringPolicy(note_points=2, low_value_daily_cap=0)


async def test_a_lead_demoted_while_the_tab_is_open_changes_nothing(user: User) -> None:
    await open_scoring(user)
    demote('lead')
    user.find(marker='scoring-input-happy_customer').clear().type('50')
    user.find(marker='scoring-save').click()
    await user.should_see('Only a lead can do that.', retries=50)
    user.find(marker='scoring-reset').click()
    await until(lambda: notified(user, 'Only a lead can do that.') == 2,  # the reset's handler refused too
                message='the reset to be refused with "Only a lead can do that."')
    assert not await StoredEvent.filter(kind='scoring_changed').exists()
    assert services().scoring.policy == ScoringPolicy()


async def test_an_agent_sees_my_team_and_how_far_they_are_from_being_ranked(user: User) -> None:
    lead = agent('lead')
    await services().scoring.save(lead, policy_as_dict(ScoringPolicy()) | {'minimum_resolved': 5})
    await log_in(user, 'ana')
    with user.scope(marker='team-board'):
        await user.should_see('My team · Aurora', retries=50)
        await user.should_see('Bruno Dubois', retries=50)  # a team-mate, below the minimum like Ana
        await user.should_see('Not ranked yet: 0 of 5 resolved', retries=50)
        await user.should_not_see('Emma Jansen')  # of team Borealis
        await user.should_see('Not ranked yet: 0 of 5 resolved today.', retries=50)
    with user.scope(marker='leaderboard'):  # the floor's board says the same of her
        await user.should_see('Not ranked yet: 0 of 5 resolved today.', retries=50)

    await services().scoring.reset(lead)  # everyone is ranked again: Ana shares the first place in her team
    with user.scope(marker='team-board'):
        await user.should_see('You are 1st in your team', retries=50)


async def test_a_lead_picks_any_teams_board(user: User) -> None:
    await log_in(user, 'lead')
    with user.scope(marker='team-board'):
        await user.should_see('Ana Ozola', retries=50)  # Aurora, first by name
        user.find(marker='team-choice').click()
        user.find('Comet').click()
        await user.should_see('Inès Moreau', retries=50)
        await user.should_not_see('Ana Ozola')


async def test_the_kiosks_week_slide_shows_each_team(user: User) -> None:
    await pair_kiosk(user, slides=('week',))
    with user.scope(marker='slide-week'):
        for team in services().directory.teams.values():
            await user.should_see(team, retries=50)
