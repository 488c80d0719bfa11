"""Analytics' pure rules: what each event adds to the daily aggregates, and the tables charts and downloads show."""
import json
from datetime import UTC, date, datetime, timedelta

from services.domain.analytics import (
    NO_AGENT,
    AnalyticsTally,
    Chart,
    answered_in_target,
    daily_table,
    handling_table,
    percent,
    rated_fact,
    skills_table,
    volume_table,
)
from services.domain.events import EventKind, GameEvent
from services.domain.projection import GameProjection

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
DAY = T0.date()


def event(event_id: int, kind: EventKind, *, at: datetime = T0, agent_id: int | None = 1, conversation_id: int = 7,
          **data: object) -> GameEvent:
    return GameEvent(id=event_id, key=f'k{event_id}', kind=kind, occurred_at=at, agent_id=agent_id,
                     conversation_id=conversation_id, data=data)


def resolved(event_id: int, *, at: datetime, created: datetime, inbound: int = 1, channel: str = 'chat',
             agent_id: int = 1) -> GameEvent:
    return event(event_id, EventKind.RESOLVED, at=at, agent_id=agent_id, channel=channel,
                 created_at=created.isoformat(), sla_due_at=(created + timedelta(hours=1)).isoformat(),
                 inbound_count=inbound)


def folded(*events: GameEvent) -> AnalyticsTally:
    """The events through the game's projection, then the tally, as the live writer and the rebuild do."""
    projection, tally, rated = GameProjection(), AnalyticsTally(), {}
    for item in events:
        outcome = projection.apply(item)
        if item.kind == EventKind.RATED:
            rated[item.id] = rated_fact(item)
        tally.add(outcome, rated=rated.get(item.data.get('rated_event_id', 0)))
    return tally


def test_a_resolution_counts_on_its_agent_day_and_channel_with_its_sla_contact_and_handling_time() -> None:
    tally = folded(event(1, EventKind.CONVERSATION_CREATED, agent_id=None, channel='chat'),
                   event(2, EventKind.REPLIED, at=T0 + timedelta(seconds=45), channel='chat',
                         first_response_seconds=45),
                   resolved(3, at=T0 + timedelta(minutes=20), created=T0))
    row = tally.rows()[(DAY, 1, 'chat')]
    assert (row['answered'], row['answered_in_target'], row['resolved'], row['resolved_in_sla'],
            row['first_contact'], row['handle_seconds']) == (1, 1, 1, 1, 1, 1200)
    assert row['points_speed'] > 0 and row['points_productivity'] > 0 and row['points_quality'] > 0
    assert tally.hours() == {(DAY, 9, 'chat'): 1}


def test_a_reopen_counts_on_the_resolver_and_the_resolution_channel_and_takes_its_points_back() -> None:
    later = T0 + timedelta(days=1)
    tally = folded(resolved(1, at=T0 + timedelta(hours=2), created=T0, inbound=2, channel='email'),
                   event(2, EventKind.REOPENED, at=later, agent_id=None, reason='customer wrote again'))
    first, second = tally.rows()[(DAY, 1, 'email')], tally.rows()[(later.date(), 1, 'email')]
    assert (first['resolved'], first['resolved_in_sla'], first['first_contact']) == (1, 0, 0)
    assert second['reopened'] == 1
    assert sum(first[f'points_{d}'] + second[f'points_{d}'] for d in ('quality', 'speed', 'productivity')) == 0


def test_a_rating_invalidated_later_is_taken_back_from_the_day_and_channel_it_counted_in() -> None:
    later = T0 + timedelta(days=3)
    tally = folded(resolved(1, at=T0, created=T0 - timedelta(minutes=5), channel='phone'),
                   event(2, EventKind.RATED, at=T0, rating='good', channel='phone'),
                   event(3, EventKind.RATED, at=T0, conversation_id=8, rating='bad', channel='phone'),
                   event(4, EventKind.RATING_INVALIDATED, at=later, rated_event_id=3, rating='bad', reason='r',
                         by=9, awards=[]))
    row = tally.rows()[(DAY, 1, 'phone')]
    assert (row['rated'], row['rated_good']) == (1, 1)
    assert (later.date(), 1, 'phone') not in tally.rows()  # nothing left on the day of the invalidation


def test_an_abandoned_arrival_is_the_floors_and_answered_late_in_the_service_level() -> None:
    tally = folded(event(1, EventKind.ABANDONED, agent_id=None, channel='phone', waited_seconds=90))
    assert list(tally.rows()) == [(DAY, NO_AGENT, 'phone')]
    assert tally.rows()[(DAY, NO_AGENT, 'phone')]['abandoned'] == 1
    assert answered_in_target('phone', 30) and not answered_in_target('phone', 31)
    assert answered_in_target('email', 4 * 3600) and not answered_in_target('fax', 0)


def test_events_that_change_no_counter_leave_no_row() -> None:
    tally = folded(event(1, EventKind.TAGGED, tag='vip'), event(2, EventKind.REPLIED, channel='chat'))
    assert tally.rows() == {} and tally.hours() == {}


def test_daily_tables_have_every_day_and_no_rate_without_data() -> None:
    sums = {DAY: {'rated_good': 3, 'rated': 4, 'answered': 3, 'answered_in_target': 2, 'abandoned': 1,
                  'resolved': 5, 'resolved_in_sla': 4, 'first_contact': 2, 'reopened': 1}}
    first = DAY - timedelta(days=1)
    csat = daily_table(Chart.CSAT, sums, first, DAY)
    assert csat.rows == ((first.isoformat(), 0, 0, None), (DAY.isoformat(), 3, 4, 75.0))
    service = daily_table(Chart.SERVICE, sums, DAY, DAY)
    assert service.records() == [{'day': DAY.isoformat(), 'answered_in_target': 2, 'offered': 4,
                                  'service_level_percent': 50.0, 'resolved_in_sla': 4, 'resolved': 5,
                                  'sla_compliance_percent': 80.0}]
    assert daily_table(Chart.REOPEN, sums, DAY, DAY).rows[0][-1] == 20.0
    assert daily_table(Chart.FIRST_CONTACT, sums, DAY, DAY).rows[0][-1] == 40.0
    assert percent(1, 3) == 33.3 and percent(0, 0) is None


def test_handling_volume_and_skills_tables() -> None:
    handling = handling_table({'chat': {'resolved': 2, 'handle_seconds': 900}})
    assert handling.records()[:2] == [{'channel': 'email', 'resolved': 0, 'average_minutes': None},
                                      {'channel': 'chat', 'resolved': 2, 'average_minutes': 7.5}]
    volume = volume_table({(9, 'phone'): 4})
    assert len(volume.rows) == 24 * 4 and (9, 'phone', 4) in volume.rows and (10, 'phone', 0) in volume.rows
    team = {1: {'points_quality': 10, 'points_speed': 0, 'points_productivity': 6},
            2: {'points_quality': 20, 'points_speed': 5, 'points_productivity': 0}}
    assert skills_table(team[1], team).rows == (('quality', 10, 15.0), ('speed', 0, 2.5), ('productivity', 6, 3.0))
    assert skills_table(None, {}).rows[0] == ('quality', None, None)


def test_downloads_are_machine_readable() -> None:
    table = daily_table(Chart.CSAT, {date(2026, 3, 2): {'rated_good': 1, 'rated': 3}}, date(2026, 3, 1),
                        date(2026, 3, 2))
    assert table.as_csv().decode() == 'day,good,rated,csat_percent\r\n2026-03-01,0,0,\r\n2026-03-02,1,3,33.3\r\n'
    data = json.loads(table.as_json(chart='csat', first='2026-03-01'))
    assert data == {'chart': 'csat', 'first': '2026-03-01',
                    'rows': [{'day': '2026-03-01', 'good': 0, 'rated': 0, 'csat_percent': None},
                             {'day': '2026-03-02', 'good': 1, 'rated': 3, 'csat_percent': 33.3}]}
