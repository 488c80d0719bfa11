"""The What-if tab (issue 18) through NiceGUI's simulated users: draft → preview → publish, or → discard."""
import json
import time
from collections.abc import Callable
from dataclasses import replace

import pytest
from nicegui.elements.upload_files import SmallFileUpload
from nicegui.testing import User

from models import LedgerEntry, StoredEvent
from services.domain.business_hours import format_calendar
from services.domain.events import EventKind
from services.domain.scoring import ScoringPolicy
from services.domain.whatif import rules_as_document
from services.game import whatif as whatif_service
from services.game.quests import QuestDraft
from tests.ui.support import agent, demote, log_in, notified, services, set_value, until


async def open_whatif(user: User) -> None:
    for username in ('ana', 'ana', 'ana', 'bruno'):  # some history to replay: fast resolutions
        conversation_id = min(item.id for item in services().inbox.items() if item.assignee_id is None)
        await services().inbox.reply(agent(username), conversation_id, 'All sorted!')
        await services().inbox.resolve(agent(username), conversation_id)
    await log_in(user, 'lead')
    await user.open('/admin/game')
    user.find(marker='tab-what-if').click()
    await until(lambda: user.find(marker='draft-fast_resolution').elements.pop().value == 10,
                message='the draft to start from the live values')


async def preview(user: User) -> None:
    shown = result_tables(user)  # a previous preview's, replaced by this one's
    user.find(marker='whatif-preview').click()
    await until(lambda: result_tables(user) - shown, message='the preview\'s results to be shown', timeout=30)
    await user.should_see('Replayed', retries=50)


def result_tables(user: User) -> set[int]:
    try:
        return {table.id for table in user.find(marker='whatif-table').elements}
    except AssertionError:  # none shown
        return set()


async def test_a_lead_previews_a_draft_then_publishes_it(user: User) -> None:
    await open_whatif(user)
    events = await StoredEvent.all().count()
    ledger = await LedgerEntry.all().count()
    set_value(user, 'draft-fast_resolution', 40)
    set_value(user, 'draft-level-2-condition', 'points >= 20')
    await preview(user)
    await user.should_see(marker='whatif-chart')
    await user.should_see('Most affected:')
    with user.scope(marker='whatif-changes'):
        await user.should_see('level 1 → 2', retries=50)  # the easier level 2, reached by some under the draft
    assert await StoredEvent.all().count() == events and await LedgerEntry.all().count() == ledger  # nothing written
    assert services().scoring.policy == ScoringPolicy()

    user.find(marker='whatif-publish').click()
    await user.should_see('Published (scoring values and levels): the draft applies from now on.', retries=50)
    assert services().scoring.policy.fast_resolution == 40
    assert services().levels.levels[1].condition == 'points >= 20'
    kinds = await StoredEvent.filter(id__gt=events).values_list('kind', flat=True)
    assert sorted(kinds)[:2] == ['levels_changed', 'scoring_changed'] and kinds.count('scoring_changed') == 1


async def test_discard_leaves_no_trace_and_a_bad_value_is_refused(user: User) -> None:
    await open_whatif(user)
    events = await StoredEvent.all().count()
    set_value(user, 'draft-fast_resolution', 9999)
    user.find(marker='whatif-preview').click()
    await user.should_see('scoring: Fast resolution: a whole number of points from 0 to 500', retries=50)
    set_value(user, 'draft-fast_resolution', 0)
    set_value(user, 'draft-minimum_resolved', 3)
    await preview(user)
    user.find(marker='whatif-discard').click()
    await user.should_see('Draft discarded: the live rules are unchanged.', retries=50)
    await until(lambda: user.find(marker='draft-fast_resolution').elements.pop().value == 10,
                message='the draft to be the live values again')
    await user.should_not_see(marker='whatif-table')
    assert await StoredEvent.all().count() == events
    assert services().scoring.policy == ScoringPolicy()


async def test_a_lead_demoted_while_the_tab_is_open_can_neither_preview_nor_publish(user: User) -> None:
    await open_whatif(user)
    events = await StoredEvent.all().count()
    demote('lead')
    set_value(user, 'draft-fast_resolution', 30)
    user.find(marker='whatif-preview').click()
    user.find(marker='whatif-publish').click()
    await until(lambda: notified(user, 'Only a lead can do that.') == 2,
                message='the preview and the publish to be refused with "Only a lead can do that."')
    await user.should_not_see(marker='whatif-table')
    assert await StoredEvent.filter(id__gt=events, kind='scoring_changed').count() == 0


async def test_the_draft_is_exported_and_imported_as_the_rules_document(user: User) -> None:
    await open_whatif(user)
    set_value(user, 'draft-happy_customer', 12)
    user.find(marker='whatif-export').click()
    document = json.loads((await user.download.next()).content)
    assert document == rules_as_document(replace(await services().rules.live(),
                                                 policy=replace(ScoringPolicy(), happy_customer=12)))

    upload, = user.find(marker='whatif-import').elements
    document['scoring']['fast_resolution'] = 35
    await upload.handle_uploads([SmallFileUpload(name='rules.json', content_type='application/json',
                                                 _data=json.dumps(document).encode())])
    await user.should_see('Draft imported: preview it, then publish or discard it.', retries=50)
    assert user.find(marker='draft-fast_resolution').elements.pop().value == 35
    assert user.find(marker='draft-happy_customer').elements.pop().value == 12

    await upload.handle_uploads([SmallFileUpload(name='bad.json', content_type='application/json',
                                                 _data=b'{"deskquest_rules": 1}')])
    await user.should_see('Import refused: The rules document lacks: scoring, levels, badges, quests, incentives.',
                          retries=50)
    assert user.find(marker='draft-fast_resolution').elements.pop().value == 35  # the draft stays as it was


async def test_a_running_preview_shows_its_progress_and_can_be_cancelled(user: User,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    def endless(events: list, *, progress: Callable[[int], None], **_: object) -> None:
        """A fold that never ends by itself (in its worker thread): it reports progress until it is cancelled."""
        done = 0
        while True:
            done = min(done + 1, len(events))
            progress(done)
            time.sleep(0.01)

    monkeypatch.setattr(whatif_service, 'what_if', endless)
    await open_whatif(user)
    user.find(marker='whatif-preview').click()
    await user.should_see('Replaying:', retries=100)
    await user.should_see(marker='whatif-progress')
    user.find(marker='whatif-cancel').click()
    await user.should_see('Preview cancelled: nothing was changed.', retries=100)
    await user.should_not_see(marker='whatif-table')
    await user.should_not_see(marker='whatif-cancel')


async def test_a_draft_without_an_incentive_is_previewed_then_published(user: User) -> None:
    live = await services().rules.live()
    incentive = live.incentives[0]  # the demo's
    await open_whatif(user)
    await user.should_see(marker=f'draft-incentive-{incentive.id}', retries=50)
    set_value(user, f'draft-incentive-{incentive.id}', False)
    await preview(user)
    assert [i.id for i in services().incentives.in_force()] == [i.id for i in live.incentives]  # still live
    user.find(marker='whatif-publish').click()
    await user.should_see('Published (1 incentive change): the draft applies from now on.', retries=50)
    assert incentive.id not in {i.id for i in services().incentives.in_force()}
    deleted = await StoredEvent.filter(kind='incentive_deleted').values_list('data', flat=True)
    assert [data['incentive_id'] for data in deleted] == [incentive.id]


async def test_a_badge_dropped_from_the_draft_no_longer_changes_hands_and_discard_keeps_it(user: User) -> None:
    await open_whatif(user)
    events = await StoredEvent.all().count()
    await user.should_see(marker='draft-badge-cleaner', retries=50)
    await preview(user)
    with user.scope(marker='whatif-changes'):
        await user.should_see('No badge, level or quest would change hands.')
    set_value(user, 'draft-badge-cleaner', False)  # Cleaner: most resolutions in 7 days, Ana's under the live rules
    await preview(user)
    with user.scope(marker='whatif-changes'):
        await user.should_see('Badge Cleaner: gained by nobody; lost by Ana', retries=50)

    user.find(marker='whatif-publish').click()  # no tab removes a badge: refused, with the reason
    await user.should_see('This draft removes badges, which the game cannot do', retries=50)
    user.find(marker='whatif-discard').click()
    await user.should_see('Draft discarded: the live rules are unchanged.', retries=50)
    await until(lambda: user.find(marker='draft-badge-cleaner').elements.pop().value is True,
                message='the badge back in the draft')
    assert services().badges.definition('cleaner') is not None
    assert await StoredEvent.all().count() == events


async def test_a_badge_edited_in_the_draft_is_published(user: User) -> None:
    await open_whatif(user)
    await user.should_see(marker='draft-badge-cleaner', retries=50)
    set_value(user, 'draft-badge-cleaner-minimum', 0)
    user.find(marker='whatif-preview').click()  # refused: the reason shown, nothing run
    await user.should_see('badges #', retries=50)
    await user.should_see('The minimum volume is at least 1')
    await user.should_not_see(marker='whatif-table')
    set_value(user, 'draft-badge-cleaner-minimum', None)
    user.find(marker='whatif-preview').click()
    await user.should_see('badge Cleaner: the minimum volume is a whole number.', retries=50)

    set_value(user, 'draft-badge-cleaner-minimum', 4)  # Ana resolved 3: nobody reaches it
    set_value(user, 'draft-badge-cleaner-name', 'Sweeper')
    await preview(user)
    with user.scope(marker='whatif-changes'):
        await user.should_see('Badge Sweeper: gained by nobody; lost by Ana', retries=50)
    assert services().badges.definition('cleaner').name == 'Cleaner'  # the preview wrote nothing
    user.find(marker='whatif-publish').click()
    await user.should_see('Published (1 badge): the draft applies from now on.', retries=50)
    cleaner = services().badges.definition('cleaner')
    assert (cleaner.name, cleaner.minimum_volume) == ('Sweeper', 4)


async def test_a_badges_event_and_filters_are_edited_in_the_draft_as_in_the_badge_editor(user: User) -> None:
    await open_whatif(user)
    await user.should_see(marker='draft-badge-cleaner', retries=50)
    set_value(user, 'draft-badge-cleaner-event', 'replied')  # Cleaner: most replies, not resolutions
    set_value(user, 'draft-badge-cleaner-filter-field-0', 'channel')
    user.find(marker='whatif-preview').click()  # a filter without values: refused as the badge editor refuses it
    await user.should_see("The filter on 'channel' needs at least one value", retries=50)
    await user.should_not_see(marker='whatif-table')
    set_value(user, 'draft-badge-cleaner-filter-values-0', 'carrier pigeon')  # no reply came that way
    await preview(user)
    with user.scope(marker='whatif-changes'):
        await user.should_see('Badge Cleaner: gained by nobody; lost by Ana', retries=50)
    assert services().badges.definition('cleaner').metric.kind == EventKind.RESOLVED  # the preview wrote nothing
    user.find(marker='whatif-publish').click()
    await user.should_see('Published (1 badge): the draft applies from now on.', retries=50)
    metric = services().badges.definition('cleaner').metric
    assert metric.kind == EventKind.REPLIED
    assert [(where.field, where.operator.value, where.values) for where in metric.where] == \
        [('channel', 'is', ('carrier pigeon',))]


async def test_a_quest_target_changed_in_the_draft_completes_it_in_the_preview(user: User) -> None:
    quest = await services().quests.save(agent('lead'), QuestDraft(title='Resolve 5 today', target=5, preset='today',
                                                                  reward_points=30, repeat='daily'))
    await open_whatif(user)
    await user.should_see(marker=f'draft-quest-{quest.key}', retries=50)
    set_value(user, f'draft-quest-{quest.key}-target', 3)  # Ana resolved 3 today
    await preview(user)
    with user.scope(marker='whatif-changes'):
        await user.should_see(f'Quest {quest.title} (individual #{agent("ana").id}): completed', retries=50)
        await user.should_not_see(f'(individual #{agent("bruno").id})')

    set_value(user, f'draft-quest-{quest.key}-target', 2.5)
    user.find(marker='whatif-preview').click()
    await user.should_see(f'quest {quest.title}: the target is a whole number.', retries=50)
    set_value(user, f'draft-quest-{quest.key}-target', 3)
    events = await StoredEvent.filter(kind=EventKind.QUESTS_CHANGED.value).count()
    user.find(marker='whatif-publish').click()
    await user.should_see('Published (1 quest): the draft applies from now on.', retries=50)
    assert services().quests.definition(quest.key).target == 3  # live now, in one quest edit
    assert await StoredEvent.filter(kind=EventKind.QUESTS_CHANGED.value).count() == events + 1


async def test_a_one_off_quests_period_in_the_draft_is_checked(user: User) -> None:
    quest = await services().quests.save(agent('lead'), QuestDraft(title='Resolve 3 today', target=3, preset='today',
                                                                  reward_points=30))
    await open_whatif(user)
    await user.should_see(marker=f'draft-quest-{quest.key}', retries=50)
    first_day, = user.find(marker=f'draft-quest-{quest.key}-first-day').elements
    with user.client:
        first_day.set_value('2030-01-01')  # after the last day
    user.find(marker='whatif-preview').click()
    await user.should_see(f'quest {quest.title}: The last day comes after the first', retries=50)
    await user.should_not_see(marker='whatif-table')
    with user.client:
        first_day.set_value(quest.starts_at.date().isoformat())
    set_value(user, f'draft-quest-{quest.key}', False)  # dropped: Ana's completion no longer counts
    await preview(user)
    with user.scope(marker='whatif-changes'):
        await user.should_see(f'Quest {quest.title} (individual #{agent("ana").id}): no longer completed', retries=50)


async def test_working_hours_set_in_the_draft_are_published(user: User) -> None:
    aurora = next(team_id for team_id, name in services().directory.teams.items() if name == 'Aurora')
    await open_whatif(user)
    await user.should_see(marker=f'draft-hours-{aurora}', retries=50)
    user.find(marker=f'draft-hours-{aurora}').type('Mon-Fri 09:00-17:00\nholiday 2026-02-30')
    user.find(marker='whatif-preview').click()
    await user.should_see('“2026-02-30” is not a date like 2026-12-25.', retries=50)
    await user.should_not_see(marker='whatif-table')

    user.find(marker=f'draft-hours-{aurora}').clear().type('Mon-Fri 09:00-17:00\nbreak 12:00-12:30')
    await preview(user)
    assert services().working_hours.calendar(aurora) is None  # still 24/7
    user.find(marker='whatif-publish').click()
    await user.should_see('Published (working hours of 1 team): the draft applies from now on.', retries=50)
    assert format_calendar(services().working_hours.calendar(aurora)) == 'Mon-Fri 09:00-17:00\nbreak 12:00-12:30'
    assert await StoredEvent.filter(kind='working_hours_changed').count() == 1
