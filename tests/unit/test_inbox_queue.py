"""Pure rules of the agent's queue: filters, search, sort, SLA countdowns, tag normalisation, who else is viewing."""
from datetime import UTC, datetime, timedelta

import pytest

from services.domain.errors import ActionError
from services.domain.events import Channel
from services.domain.i18n import speaking
from services.domain.inbox import InboxItem, call_duration, normalise_tag
from services.helpdesk.viewing import Viewer, others
from services.platform.clock import ManualClock
from services.platform.directory import AgentView
from ui.format import sla_countdown
from ui.inbox_panel import AGEING_SHARDS, QueueFilter, QueueViews, queue, text_matches

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
ANA = AgentView(id=1, username='ana', name='Ana Ozola', role='agent', team_id=1, team_name='Aurora', style='',
                is_demo=True)
LEAD = AgentView(id=9, username='lead', name='Lena Lead', role='lead', team_id=None, team_name='', style='',
                 is_demo=True)


def item(conversation_id: int, *, assignee: int | None = None, waiting: int | None = 0, due: int = 480,
         first_due: int | None = None, answered: bool = False, channel: Channel = Channel.EMAIL,
         status: str = 'new', priority: str = 'normal', department: int | None = None, tags: tuple[str, ...] = (),
         name: str = 'Marie Laurent', subject: str = 'Refund') -> InboxItem:
    """An open conversation; times are minutes after T0."""
    return InboxItem(id=conversation_id, channel=channel, customer_name=name, subject=subject, status=status,
                     priority=priority, assignee_id=assignee, created_at=T0,
                     waiting_since=T0 + timedelta(minutes=waiting) if waiting is not None else None,
                     sla_due_at=T0 + timedelta(minutes=due),
                     first_response_due_at=T0 + timedelta(minutes=first_due) if first_due is not None else None,
                     first_response_at=T0 if answered else None, department_id=department, tags=tags)


def ids(items: list[InboxItem]) -> list[int]:
    return [i.id for i in items]


ITEMS = [
    item(1, waiting=30, due=60),
    item(2, assignee=1, waiting=None, due=20, status='pending', channel=Channel.CHAT),
    item(3, assignee=2, waiting=5, due=10, priority='high', department=7, tags=('vip',)),
    item(4, waiting=10, due=500, first_due=15, channel=Channel.PHONE, tags=('vip', 'refund'), name='John Carter',
         subject='Where is my parcel?'),
    item(5, assignee=1, waiting=1, due=900, status='open', department=7),
]


def test_the_default_queue_is_mine_then_unassigned_waiting_longest_first() -> None:
    assert ids(queue(ITEMS, ANA, QueueFilter())) == [5, 2, 4, 1]  # a reply is not waiting: last of its group
    assert ids(queue(ITEMS, LEAD, QueueFilter())) == [5, 3, 4, 1, 2]  # a lead sees everyone's


@pytest.mark.parametrize('changes, expected', [
    ({'scope': 'mine'}, [5, 2]),
    ({'scope': 'unassigned'}, [4, 1]),
    ({'scope': 'all'}, [5, 2, 3, 4, 1]),
    ({'channel': 'chat'}, [2]),
    ({'status': 'pending'}, [2]),
    ({'priority': 'high', 'scope': 'all'}, [3]),
    ({'department_id': 7, 'scope': 'all'}, [5, 3]),
    ({'tag': 'vip', 'scope': 'all'}, [3, 4]),
    ({'tag': 'vip'}, [4]),
    ({'text': 'JOHN'}, [4]),
    ({'text': 'parcel'}, [4]),
    ({'text': '#5'}, [5]),
    ({'text': 'nothing like it'}, []),
    ({'text': 'tracking code', 'text_ids': frozenset({1})}, [1]),  # found in a message by the database
    ({'sort': 'sla'}, [2, 5, 4, 1]),  # #4's first response is due before #1's resolution
    ({'sort': 'sla', 'scope': 'all'}, [2, 5, 3, 4, 1]),
])
def test_filters_search_and_sort(changes: dict, expected: list[int]) -> None:
    assert ids(queue(ITEMS, ANA, QueueFilter(**changes))) == expected


def test_the_first_response_target_counts_only_until_someone_answers() -> None:
    assert item(1, due=500, first_due=15).next_due == (T0 + timedelta(minutes=15), True)
    assert item(1, due=500, first_due=15, answered=True).next_due == (T0 + timedelta(minutes=500), False)
    assert item(1, due=500).next_due == (T0 + timedelta(minutes=500), False)


def test_views_are_computed_once_per_change_and_filter() -> None:
    views = QueueViews(ManualClock(T0))
    items = list(ITEMS)
    first = views.visible(items, ANA, QueueFilter())
    assert views.visible(items, ANA, QueueFilter()) is first  # another tab of Ana's: the same list
    assert ids(views.visible(items, ANA, QueueFilter(sort='sla'))) == [2, 5, 4, 1]
    changed = items + [item(6, waiting=0)]
    assert ids(views.visible(changed, ANA, QueueFilter())) == [5, 2, 6, 4, 1]


def test_row_props_are_made_once_for_every_tab_and_age_with_the_shared_tick() -> None:
    clock = ManualClock(T0 + timedelta(minutes=40))
    views = QueueViews(clock)
    ticks = []
    views.ageing().subscribe(lambda: ticks.append(clock.now()))  # the second shard: the first tick redraws others
    items = list(ITEMS)
    views.visible(items, ANA, QueueFilter())
    first = views.row_props(items[0], mine=False)
    assert views.row_props(items[0], mine=False) is first  # another tab showing #1: the same props
    assert first['waiting'] == 'waiting 10 min' and first['sla'] == 'due in 20 min'
    assert views.row_props(items[0], mine=True)['badge'] == 'mine'
    clock.advance(timedelta(minutes=5))
    assert views.row_props(items[0], mine=False) is first  # times move only with a change or a tick
    views.age()
    assert ticks == []
    views.age()
    aged = views.row_props(items[0], mine=False)
    assert ticks == [clock.now()] and aged['waiting'] == 'waiting 15 min' and aged['sla'] == 'due in 15 min'
    changed = [item(1, waiting=30, due=60, tags=('vip',))] + items[1:]
    views.visible(changed, ANA, QueueFilter())
    assert views.row_props(changed[0], mine=False)['tags'] == ('vip',)  # a changed conversation: new props


def test_row_props_are_made_once_per_language_in_use_not_once_per_tab() -> None:
    clock = ManualClock(T0 + timedelta(minutes=40))
    views = QueueViews(clock)
    items = list(ITEMS)
    views.visible(items, ANA, QueueFilter())
    with speaking('fr'):
        french = views.row_props(items[0], mine=False)
        assert views.row_props(items[0], mine=False) is french  # every French tab: the same props
    with speaking('lv'):
        latvian = views.row_props(items[0], mine=True)
    english = views.row_props(items[0], mine=False)
    assert (french['waiting'], french['sla'], french['tip']) == (
        'en attente depuis 10\u00a0min', 'échéance dans 20\u00a0min', 'E-mail · priorité normale')
    assert (latvian['waiting'], latvian['badge'], latvian['tip']) == (
        'gaida 10 min', 'mana', 'E-pasts · prioritāte: normāla')
    assert (english['waiting'], english['tip']) == ('waiting 10 min', 'Email · normal priority')


def test_every_tab_is_redrawn_once_per_round_of_ticks() -> None:
    views = QueueViews(ManualClock(T0))
    redrawn = []
    for tab in range(AGEING_SHARDS * 2 + 1):
        views.ageing().subscribe(lambda tab=tab: redrawn.append(tab))
    for _ in range(AGEING_SHARDS):
        views.age()
    assert sorted(redrawn) == list(range(AGEING_SHARDS * 2 + 1))


def test_text_search_ignores_case_and_blank() -> None:
    marie = item(1, name='Marie Laurent', subject='Cannot log in')
    assert text_matches(marie, 'laur') and text_matches(marie, 'LOG') and text_matches(marie, '  ')
    assert text_matches(marie, '1') and not text_matches(marie, '#12')


@pytest.mark.parametrize('minutes, text, color', [
    (90, 'due in 1 h 30 min', 'green-8'),
    (12, 'due in 12 min', 'orange-9'),
    (0, 'due in 0 s', 'orange-9'),
    (-5, 'overdue by 5 min', 'red-7'),
])
def test_sla_countdown(minutes: int, text: str, color: str) -> None:
    assert sla_countdown(T0 + timedelta(minutes=minutes), T0) == (text, color)
    assert sla_countdown(T0 + timedelta(minutes=minutes), T0, first_response=True) == (f'reply {text}', color)


@pytest.mark.parametrize('text, tag', [('VIP', 'vip'), ('  #Refund  Request ', 'refund-request'),
                                       ('öffnungszeiten', 'öffnungszeiten'), ('a_b-c', 'a_b-c'), ('x' * 32, 'x' * 32)])
def test_tags_are_normalised(text: str, tag: str) -> None:
    assert normalise_tag(text) == tag


@pytest.mark.parametrize('text', ['', '#', '   ', 'x' * 33, '-x', '_x', 'a,b', 'a/b', '<b>', 'a.b'])
def test_invalid_tags_are_refused(text: str) -> None:
    with pytest.raises(ActionError):
        normalise_tag(text)


def test_call_duration() -> None:
    assert call_duration(T0, T0 + timedelta(minutes=7, seconds=5)) == {
        'started_at': T0.isoformat(), 'ended_at': (T0 + timedelta(seconds=425)).isoformat(), 'duration_seconds': 425}
    assert call_duration(None, T0) == {'started_at': None, 'ended_at': T0.isoformat(), 'duration_seconds': 0}


def test_what_an_agent_is_told_about_the_others() -> None:
    ana, ben, cy = (Viewer(agent_id=1, name='Ana', typing=False), Viewer(agent_id=2, name='Ben', typing=False),
                    Viewer(agent_id=3, name='Cy', typing=True))
    assert others([ana], 1) == ''
    assert others([ana, ben], 1) == 'Ben is also viewing'
    assert others([ana, ben], 2) == 'Ana is also viewing'
    assert others([ana, ben, cy], 1) == 'Cy is typing… · Ben is also viewing'
    assert others([ana, ben, Viewer(agent_id=3, name='Cy', typing=False)], 1) == 'Ben and Cy are also viewing'
