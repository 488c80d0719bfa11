"""The live monitor's pure figures: service level, averages, CSAT, the day's fold of the log and what a table sends."""
from datetime import UTC, date, datetime, timedelta

from services.domain.events import Channel, EventKind, GameEvent
from services.domain.inbox import InboxItem
from services.domain.monitor import DayFold, average, channel_rows, percent, row_changes, service_level, sparkline

NOON = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
ids = iter(range(1, 10_000))


def event(kind: EventKind, at: datetime = NOON, agent_id: int | None = None, **data) -> GameEvent:
    return GameEvent(id=next(ids), key=f'k{next(ids)}', kind=kind, occurred_at=at, agent_id=agent_id, data=data)


def test_service_level_counts_answered_within_target_over_answered_and_abandoned() -> None:
    assert service_level(3, 4, 1) == 60
    assert service_level(0, 0, 2) == 0
    assert service_level(0, 0, 0) is None  # nothing stopped waiting: no figure, not 0 %


def test_percent_and_average_round_and_say_none_for_nothing() -> None:
    assert percent(2, 3) == 67 and percent(0, 0) is None
    assert average(10, 4) == 2 and average(0, 0) is None


def test_sparkline_scales_to_the_largest_value() -> None:
    assert sparkline(range(8)) == '▁▂▃▄▅▆▇█'
    assert sparkline([0, 2, 8]) == '▁▃█'
    assert sparkline([0, 0]) == '▁▁'


def test_the_fold_counts_a_first_response_within_its_due_time_and_abandons() -> None:
    fold = DayFold(NOON.date())
    due = (NOON + timedelta(minutes=5)).isoformat()
    fold.apply(event(EventKind.REPLIED, agent_id=1, channel='chat', first_response_seconds=30,
                     first_response_due_at=due))
    fold.apply(event(EventKind.REPLIED, NOON + timedelta(minutes=10), agent_id=1, channel='chat',
                     first_response_seconds=900, first_response_due_at=due))
    fold.apply(event(EventKind.REPLIED, agent_id=1, channel='chat'))  # a later reply: not a first response
    fold.apply(event(EventKind.ABANDONED, channel='chat', waited_seconds=80))
    chat = fold.channels['chat']
    assert (chat.answered, chat.within, chat.abandoned) == (2, 1, 1)
    assert chat.service_level == 33


def test_the_fold_gives_csat_per_channel_and_agent_and_takes_back_an_upheld_dispute() -> None:
    fold = DayFold(NOON.date())
    for rating in ('good', 'good', 'bad'):
        fold.apply(event(EventKind.RATED, agent_id=2, channel='email', rating=rating))
    assert fold.channels['email'].csat == 67 and fold.agent(2).csat == 67
    fold.apply(event(EventKind.RATING_INVALIDATED, agent_id=2, rating='bad'))
    assert fold.agent(2).csat == 100


def test_handling_time_averages_timed_resolutions_only() -> None:
    fold = DayFold(NOON.date())
    fold.apply(event(EventKind.RESOLVED, agent_id=3, channel='phone', duration_seconds=300))
    fold.apply(event(EventKind.RESOLVED, agent_id=3, channel='chat', duration_seconds=100))
    fold.apply(event(EventKind.RESOLVED, agent_id=3, channel='email'))
    assert fold.agent(3).handled == 3 and fold.agent(3).average_handle_seconds == 200


def test_a_new_day_starts_the_tallies_again_but_keeps_the_trend() -> None:
    fold = DayFold(NOON.date())
    fold.apply(event(EventKind.CONVERSATION_CREATED, channel='phone'))
    fold.apply(event(EventKind.ABANDONED, channel='phone'))
    late = NOON + timedelta(hours=12, minutes=30)  # 00:30 the next day
    fold.apply(event(EventKind.CONVERSATION_CREATED, late, channel='phone'))
    assert fold.day == date(2026, 12, 8) and fold.channels['phone'].abandoned == 0
    assert fold.trend('phone', late) == (0, 0, 0, 0, 0, 0, 0, 1)  # noon is more than 8 hours back
    assert fold.trend('phone', NOON)[-1] == 1
    fold.apply(event(EventKind.ABANDONED, NOON, channel='phone'))  # yesterday's, late: ignored
    assert fold.channels['phone'].abandoned == 0


def test_channel_rows_measure_the_waiting_queue() -> None:
    def item(conversation_id: int, waited: int, assignee_id: int | None = None, status: str = 'new') -> InboxItem:
        return InboxItem(id=conversation_id, channel=Channel.CHAT, customer_name='C', subject='S', status=status,
                         priority='normal', assignee_id=assignee_id, created_at=NOON - timedelta(seconds=waited),
                         waiting_since=NOON - timedelta(seconds=waited), sla_due_at=NOON + timedelta(hours=1))
    rows = {row.channel: row for row in channel_rows(
        DayFold(NOON.date()), [item(1, 60), item(2, 180), item(3, 999, assignee_id=1, status='open')], NOON)}
    chat = rows['chat']
    assert (chat.waiting, chat.longest_wait_seconds, chat.average_wait_seconds) == (2, 180, 120)
    assert rows['email'].waiting == 0 and rows['email'].average_wait_seconds is None
    assert chat.service_level is None and chat.csat is None


def test_row_changes_are_the_new_and_different_rows_in_order_and_the_gone_keys() -> None:
    before = {1: ('Ana', 3), 2: ('Bruno', 1), 3: ('Chloé', 0)}
    after = {4: ('Daan', 0), 2: ('Bruno', 2), 1: ('Ana', 3)}
    assert row_changes(before, after) == ([4, 2], [3])
    assert row_changes(after, dict(after)) == ([], [])  # equal rows, even as other objects: nothing to send
    assert row_changes({}, after) == ([4, 2, 1], [])
