"""Personal bests, streaks and the monthly recap (issue 20) on a real database: the card's bests follow the days, a
beaten record is told to the agent alone, and the recap reads the month back, for the agent and for a lead only."""
from datetime import timedelta

import pytest

from services.container import Services
from services.domain.errors import ActionError
from services.domain.events import Rating
from services.domain.personal_bests import Best, Record, month_period
from services.game.rebuild import differences, replay
from services.platform.clock import ManualClock
from services.platform.directory import AgentView
from services.platform.notices import Notice
from tests.integration.support import until, waiting_ids


async def resolve(services: Services, who: AgentView, *, rating: Rating | None = None, comment: str = '') -> None:
    conversation_id = (await waiting_ids())[0]
    await services.inbox.reply(who, conversation_id, 'All sorted!')
    await services.inbox.resolve(who, conversation_id)
    if rating is not None:
        await services.inbox.rate(conversation_id, rating, comment=comment)


async def test_a_beaten_best_is_told_to_the_agent_and_the_month_is_recapped(
        services: Services, clock: ManualClock, ana: AgentView, bruno: AgentView, lead: AgentView) -> None:
    told: dict[int, list[Notice]] = {ana.id: [], bruno.id: []}
    for agent_id, notices in told.items():
        services.notices.for_agent(agent_id).subscribe(notices.append)
    services.progress.changed(ana.id)  # ana's card is open
    monday = clock.now().date()
    await resolve(services, ana, rating=Rating.GOOD, comment='Lovely help, thank you')
    card = await services.progress.view(ana.id)
    assert card.bests is not None and card.bests.current_streak == 1
    first_day = card.bests.bests.records[Best.BEST_DAY]
    assert first_day.day == monday and told[ana.id] == []  # a first day beats nothing

    clock.advance(timedelta(days=1))
    await resolve(services, ana)
    await resolve(services, ana)
    await until(lambda: any('2 resolutions in a day' in notice.text for notice in told[ana.id]),
                message='ana to be told of her new best')
    assert [notice.text for notice in told[ana.id]].count('New personal best: 2 resolutions in a day') == 1
    assert told[bruno.id] == []  # to the agent alone
    card = await services.progress.view(ana.id)
    assert card.bests is not None and card.bests.current_streak == 2
    assert card.bests.bests.records[Best.MOST_RESOLVED] == Record(value=2, day=monday + timedelta(days=1))
    await resolve(services, ana)  # a third: no second notice for the same record today
    await until(lambda: services.bests.live(ana.id, clock.now().date()).records[Best.MOST_RESOLVED].value == 3,
                message='the third resolution to count')
    assert sum('resolutions in a day' in notice.text for notice in told[ana.id]) == 1
    await services.kudos.send(bruno, ana.id, 'You saved my shift')

    november = month_period(2026, 11)
    recap = await services.recap.recap(ana, november)
    # Tuesday's three conversations had waited a day: their aging bounties (issue 18) outweigh Monday's good rating
    assert (recap.resolved, recap.best_day[0]) == (4, monday + timedelta(days=1))
    assert recap.points == sum(points for _, points in services.leaderboard.tally.daily(ana.id, november.end, 30))
    assert dict(recap.bests_set)[Best.MOST_RESOLVED].value == 3
    assert recap.longest_streak.length == 2 and recap.current_streak == 2
    assert [(word.text, word.by) for word in recap.kind_words] == [('Lovely help, thank you', ''),
                                                                   ('You saved my shift', bruno.name)]
    assert recap.skills['quality'] > 0 and recap.previous_skills == {'quality': 0, 'speed': 0, 'productivity': 0}
    assert recap.growth('quality') == recap.skills['quality']
    assert len(recap.days) == 3  # 1 to 3 November: the month so far

    assert (await services.recap.recap(lead, november, ana.id)).points == recap.points  # a lead reads anyone's
    with pytest.raises(ActionError, match='only your own'):
        await services.recap.recap(bruno, november, ana.id)
    with pytest.raises(ActionError, match='only your own'):
        await services.recap.image(bruno, november, ana.id)
    with pytest.raises(ActionError, match='No active agent'):
        await services.recap.recap(lead, november, 999_999)
    for text, reason in (('2026-13', 'YYYY-MM'), ('soon', 'YYYY-MM'), ('1999-01', 'YYYY-MM'), ('2026-11-02', 'YYYY-MM'),
                         ('2026-12', 'has not begun')):
        with pytest.raises(ActionError, match=reason):
            services.recap.month(text)
    assert services.recap.month('') == november
    svg = await services.recap.image(ana, november)
    assert svg.startswith('<svg') and f'{ana.name}’s recap' in svg and 'Lovely help' in svg
    assert await differences(await replay()) == []  # nothing stored beside the log's own projections


async def test_a_late_fact_on_a_past_day_refolds_the_closed_days(
        services: Services, clock: ManualClock, ana: AgentView) -> None:
    services.progress.changed(ana.id)
    await resolve(services, ana)
    clock.advance(timedelta(days=1))
    await services.progress.view(ana.id)
    conversation_id = (await waiting_ids())[0]
    yesterday = clock.now() - timedelta(days=1)
    await services.inbox.reply(ana, conversation_id, 'Late but sorted', at=yesterday + timedelta(minutes=5))
    await services.inbox.resolve(ana, conversation_id, at=yesterday + timedelta(minutes=10))
    bests = services.bests.live(ana.id, clock.now().date())
    assert bests.records[Best.MOST_RESOLVED] == Record(value=2, day=yesterday.date())
