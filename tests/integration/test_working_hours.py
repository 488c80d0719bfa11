"""Business hours on a real database (issue 18): a conversation written in on Friday evening and resolved on Monday
morning is fast and on time for a team whose week ends on Friday at 17:00, and late for a team working 24/7; the
receipt says so, a restart keeps the hours, and a replay of the log agrees."""
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from models import Customer, LedgerEntry, StoredEvent
from services.container import Services
from services.domain.business_hours import parse_calendar
from services.domain.errors import ActionError
from services.domain.events import Channel, EventKind
from services.game.rebuild import differences, replay
from services.platform.clock import ManualClock
from services.platform.directory import AgentView
from tests.integration.support import agent

FRIDAY_EVENING = datetime(2026, 11, 6, 16, 50, tzinfo=UTC)
MONDAY_MORNING = datetime(2026, 11, 9, 9, 20, tzinfo=UTC)


async def resolved_over_the_weekend(services: Services, clock: ManualClock, who: AgentView, *, week: int = 0) -> int:
    """An urgent conversation (1-hour SLA; none waits before it, so no queue jump) taken on Friday evening and
    resolved on Monday morning (``week`` weeks later): its event."""
    customer = await Customer.all().order_by('id').first()
    assert customer is not None
    clock.advance(FRIDAY_EVENING + timedelta(weeks=week) - clock.now())
    conversation_id = await services.inbox.create_conversation(
        customer_id=customer.id, channel=Channel.EMAIL, subject='Invoice', body='Wrong amount.', priority='urgent')
    await services.inbox.take(who, conversation_id)
    clock.advance(MONDAY_MORNING + timedelta(weeks=week) - clock.now())
    await services.inbox.resolve(who, conversation_id)
    event = await StoredEvent.filter(kind=EventKind.RESOLVED.value, conversation_id=conversation_id).get()
    return event.id


async def kinds(event_id: int) -> set[str]:
    return set(await LedgerEntry.filter(event_id=event_id).values_list('kind', flat=True))


async def test_a_weekend_is_not_late_for_a_team_off_at_weekends(services: Services, clock: ManualClock,
                                                                ana: AgentView, lead: AgentView) -> None:
    emma = agent(services, 'emma')  # team Borealis: no calendar, 24/7
    aurora = ana.team_id
    assert aurora is not None and emma.team_id != aurora
    await services.working_hours.save(lead, aurora, 'Mon-Fri 09:00-17:00\nbreak 12:00-13:00')
    await services.game.load()  # a restart: the hours in force come back from the log
    await services.working_hours.load()
    assert services.working_hours.calendar(aurora) is not None

    ana_event = await resolved_over_the_weekend(services, clock, ana)
    emma_event = await resolved_over_the_weekend(services, clock, emma, week=1)
    assert {'fast_resolution', 'on_time_resolution'} <= await kinds(ana_event)  # 30 min of working hours
    assert 'late_resolution' in await kinds(emma_event) and 'fast_resolution' not in await kinds(emma_event)
    receipt = await services.receipts.detail(event_id=ana_event, agent_id=ana.id, kind='fast_resolution')
    assert '30 min in working hours (Fri 16:50 → Mon 09:20)' in receipt.facts[0]
    assert await differences(await replay()) == []


async def test_a_refused_calendar_changes_nothing(services: Services, ana: AgentView, lead: AgentView) -> None:
    assert ana.team_id is not None
    for actor, text, message in ((ana, 'Mon-Fri 09:00-17:00', 'Only a team lead'),
                                 (lead, 'Mon 09:00-08:00', 'ends before it starts'),
                                 (lead, '', 'in force already')):
        try:
            await services.working_hours.save(actor, ana.team_id, text)
        except ActionError as error:
            assert message in str(error)
        else:
            raise AssertionError(f'{text!r} by {actor.username} was saved')
    assert not await StoredEvent.filter(kind=EventKind.WORKING_HOURS_CHANGED.value).exists()
    assert services.working_hours.calendar(ana.team_id) is None


async def test_what_if_previews_and_publishes_a_draft_of_working_hours(services: Services, ana: AgentView,
                                                                        lead: AgentView) -> None:
    assert ana.team_id is not None
    live = await services.rules.live()
    assert live.working_hours == {}  # exported as no team's hours: 24/7 everywhere
    office = parse_calendar('Mon-Fri 09:00-17:00', zone='UTC')
    published = await services.rules.publish(lead, replace(live, working_hours={ana.team_id: office}))
    assert published == ['working hours of 1 team']
    event = await StoredEvent.get(kind=EventKind.WORKING_HOURS_CHANGED.value)
    assert (event.agent_id, event.data['team_id']) == (lead.id, ana.team_id)
    assert services.working_hours.calendar(ana.team_id) == office
    assert (await services.rules.live()).working_hours == {ana.team_id: office}
