"""Fair-play scoring (issue 18): queue jumps, aging bounties, and the bad ratings and reopens that cancel what speed and
the SLA paid for, as rules and through the projection."""
import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from services.domain.events import EventKind, GameEvent, Rating
from services.domain.projection import GameProjection
from services.domain.receipts import facts
from services.domain.scoring import (
    FAIR_PLAY_FIELDS,
    POLICY_FIELDS,
    AwardKind,
    Domain,
    PolicyError,
    ScoringPolicy,
    check_policy,
    policy_as_dict,
    policy_from_dict,
    resolution_awards,
)
from services.domain.whatif import RuleSet, rules_as_document, rules_from_document
from tests.unit.test_floor_calendar import riga_floor  # noqa: F401  (a fixture: the floor's zone is Riga's)
from tests.unit.test_scoring import rated, reopened  # the same agent, ticket and times

CREATED = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
AGENT = 7
TICKET = 123


def resolved(*, after: timedelta = timedelta(minutes=20), event_id: int = 1, **taken: int) -> GameEvent:
    """A fast, on-time, first-contact resolution of #123 by agent 7, with how it was taken (``passed_over``,
    ``waited_seconds``) as the inbox records it."""
    return GameEvent(id=event_id, key=f'resolved:{event_id}', kind=EventKind.RESOLVED, occurred_at=CREATED + after,
                     agent_id=AGENT, conversation_id=TICKET,
                     data={'channel': 'chat', 'created_at': CREATED.isoformat(),
                           'sla_due_at': (CREATED + timedelta(hours=8)).isoformat(), 'inbound_count': 1} | taken)


def kinds_and_points(awards: list) -> list[tuple[AwardKind, int]]:
    return [(award.kind, award.points) for award in awards]


def test_a_queue_jump_earns_the_penalty_instead_of_the_fast_points() -> None:
    policy = ScoringPolicy()
    awards = resolution_awards(resolved(passed_over=2, waited_seconds=5), policy=policy)
    assert kinds_and_points(awards) == [(AwardKind.QUEUE_JUMP, policy.queue_jump),
                                        (AwardKind.ON_TIME_RESOLUTION, 5), (AwardKind.FIRST_CONTACT, 5)]
    assert awards[0].domain == Domain.SPEED and policy.queue_jump < 0
    assert awards[0].reason == 'queue jump on #123: taken while 2 older conversations waited (no fast points)'
    honest = resolution_awards(resolved(waited_seconds=5), policy=policy)
    assert AwardKind.FAST_RESOLUTION in [award.kind for award in honest]
    assert AwardKind.QUEUE_JUMP not in [award.kind for award in honest]
    switched_off = resolution_awards(resolved(passed_over=2), policy=replace(policy, queue_jump=0))
    assert [award.kind for award in switched_off] == [kind for kind, _ in kinds_and_points(honest)]


@pytest.mark.parametrize(('waited_minutes', 'steps'), [(0, 0), (9.9, 0), (10, 1), (25, 2), (500, 5)])
def test_the_aging_bounty_grows_with_each_aging_limit_waited_up_to_a_cap(waited_minutes: float, steps: int) -> None:
    policy = replace(ScoringPolicy(), aging_bounty=4, aging_limit=timedelta(minutes=10))
    awards = resolution_awards(resolved(waited_seconds=round(waited_minutes * 60)), policy=policy)
    bounty = [award for award in awards if award.kind == AwardKind.AGING_BOUNTY]
    assert [award.points for award in bounty] == ([4 * steps] if steps else [])
    assert all(award.domain == Domain.PRODUCTIVITY for award in bounty)


def test_a_bad_rating_cancels_the_speed_and_productivity_points_and_a_reopen_costs_them_once_more() -> None:
    projection = GameProjection()
    policy = projection.policy
    first = projection.apply(resolved())  # fast 10, on time 5, first contact 5
    assert projection.agents[AGENT].points == 20
    bad = projection.apply(rated(Rating.BAD))
    assert kinds_and_points(bad.awards) == [(AwardKind.UNHAPPY_CUSTOMER, policy.unhappy_customer),
                                            (AwardKind.BAD_RATING_CANCEL, -10), (AwardKind.BAD_RATING_CANCEL, -5)]
    assert [award.domain for award in bad.awards[1:]] == [Domain.SPEED, Domain.PRODUCTIVITY]
    reopen = projection.apply(reopened())
    assert sorted(kinds_and_points(reopen.awards)) == sorted(
        [(AwardKind.CLAWBACK, -10), (AwardKind.CLAWBACK, -5), (AwardKind.CLAWBACK, -5),
         (AwardKind.REOPEN_PENALTY, -10), (AwardKind.REOPEN_PENALTY, -5)])
    metrics = projection.agents[AGENT]
    assert metrics.points == 20 + policy.unhappy_customer - 15 - 20 - 15
    assert metrics.speed == 10 - 10 - 10 - 10 and metrics.resolved == 0
    assert first.awards  # the history stays: new entries cancel, none is changed


def test_a_good_rating_cancels_nothing_and_percentages_scale_the_counters() -> None:
    projection = GameProjection(policy=replace(ScoringPolicy(), bad_rating_cancel_percent=50,
                                               reopen_penalty_percent=0))
    projection.apply(resolved())
    assert kinds_and_points(projection.apply(rated(Rating.GOOD)).awards) == [(AwardKind.HAPPY_CUSTOMER, 10)]
    half = projection.apply(rated(Rating.BAD, event_id=4))
    assert [points for kind, points in kinds_and_points(half.awards) if kind == AwardKind.BAD_RATING_CANCEL] == [-5, -2]
    reopen = projection.apply(reopened(event_id=5))
    assert AwardKind.REOPEN_PENALTY not in [award.kind for award in reopen.awards]


def test_a_reopen_takes_back_the_queue_jump_and_the_bounty_so_the_next_resolution_counts_them_once() -> None:
    projection = GameProjection()
    projection.apply(resolved(passed_over=1, waited_seconds=3600))
    reopen = projection.apply(reopened())
    taken_back = {award.reason for award in reopen.awards if award.kind == AwardKind.CLAWBACK}
    assert any('queue jump' in reason for reason in taken_back) and any('aging bounty' in reason
                                                                        for reason in taken_back)
    again = projection.apply(resolved(after=timedelta(hours=4), event_id=4, passed_over=1, waited_seconds=3600))
    assert {AwardKind.QUEUE_JUMP, AwardKind.AGING_BOUNTY} <= {award.kind for award in again.awards}


def test_the_fair_play_values_are_checked_and_round_trip_with_the_policy() -> None:
    policy = replace(ScoringPolicy(), queue_jump=-25, aging_bounty=7, aging_limit=timedelta(minutes=45),
                     bad_rating_cancel_percent=60, reopen_penalty_percent=30)
    values = policy_as_dict(policy)
    assert {spec.name for spec in POLICY_FIELDS} == set(values)
    assert check_policy(values) == policy == policy_from_dict(values)
    with pytest.raises(PolicyError, match=r'Reopen penalty: a whole number from 0 to 100 \(percent'):
        check_policy(values | {'reopen_penalty_percent': 101})
    with pytest.raises(PolicyError, match='Queue jump: a whole number of points from -500 to 0'):
        check_policy(values | {'queue_jump': 5})
    # an edit logged before these rules existed replays with them off, as it was scored (and the aging limit as now)
    old = {name: value for name, value in values.items() if name not in FAIR_PLAY_FIELDS}
    assert policy_from_dict(old) == replace(policy, queue_jump=0, aging_bounty=0,
                                            aging_limit=ScoringPolicy().aging_limit, bad_rating_cancel_percent=0,
                                            reopen_penalty_percent=0, low_value_daily_cap=0,
                                            reopen_window=timedelta(0), assist_percent=0)


def test_the_rules_document_carries_the_fair_play_values_both_ways() -> None:
    policy = replace(ScoringPolicy(), queue_jump=-20, aging_bounty=3, aging_limit=timedelta(minutes=30),
                     bad_rating_cancel_percent=50, reopen_penalty_percent=0)
    document = json.loads(json.dumps(rules_as_document(RuleSet(policy=policy))))
    assert document['scoring']['queue_jump'] == -20 and document['scoring']['aging_limit_minutes'] == 30
    assert rules_from_document(document).policy == policy
    # a document exported before the fair-play rules still imports, with them off (as its floor scored then)
    for name in FAIR_PLAY_FIELDS:
        del document['scoring'][name]
    assert rules_from_document(document).policy == replace(policy, queue_jump=0, aging_bounty=0,
                                                           aging_limit=ScoringPolicy().aging_limit,
                                                           bad_rating_cancel_percent=0, reopen_penalty_percent=0,
                                                           low_value_daily_cap=0, reopen_window=timedelta(0),
                                                           assist_percent=0)
    del document['scoring']['fast_resolution']  # an older value is still required
    with pytest.raises(ValueError, match='Fast resolution'):
        rules_from_document(document)


def test_each_fair_play_entry_has_a_receipt_that_says_its_rule() -> None:
    event = resolved(passed_over=3, waited_seconds=25 * 60)
    said = {kind: ' '.join(facts(kind.value, 'resolved', event.data, event.occurred_at)) for kind in (
        AwardKind.QUEUE_JUMP, AwardKind.AGING_BOUNTY, AwardKind.BAD_RATING_CANCEL, AwardKind.REOPEN_PENALTY)}
    assert 'Taken while 3 older chat conversations waited unassigned' in said[AwardKind.QUEUE_JUMP]
    assert '-50 speed' in said[AwardKind.QUEUE_JUMP]
    assert 'waited 25 min' in said[AwardKind.AGING_BOUNTY] and 'each whole 10 min' in said[AwardKind.AGING_BOUNTY]
    assert '100 % of the fast and on-time points' in said[AwardKind.BAD_RATING_CANCEL]
    assert 'once more' in said[AwardKind.REOPEN_PENALTY]


def low_value(kind: EventKind, event_id: int, at: datetime, *, agent_id: int = AGENT) -> GameEvent:
    data = {'tag': 'billing'} if kind == EventKind.TAGGED else {'length': 8}
    return GameEvent(id=event_id, key=f'{kind.value}:{event_id}', kind=kind, occurred_at=at, agent_id=agent_id,
                     conversation_id=TICKET, data=data)


def test_notes_and_tags_earn_their_points_up_to_the_daily_cap_and_then_a_zero_entry_that_says_why() -> None:
    projection = GameProjection(policy=ScoringPolicy(note_points=3, tag_points=2, low_value_daily_cap=10))
    earned = [kinds_and_points(projection.apply(low_value(kind, number, CREATED + timedelta(minutes=number))).awards)
              for number, kind in enumerate([EventKind.NOTE_ADDED, EventKind.TAGGED, EventKind.NOTE_ADDED,
                                             EventKind.NOTE_ADDED, EventKind.TAGGED], start=1)]
    # 3 + 2 + 3 = 8, the next note only the 2 left under the cap, then nothing: one zero entry saying why
    assert earned == [[(AwardKind.NOTE, 3)], [(AwardKind.TAG, 2)], [(AwardKind.NOTE, 3)], [(AwardKind.NOTE, 2)],
                      [(AwardKind.LOW_VALUE_CAP, 0)]]
    assert projection.agents[AGENT].productivity == 10
    capped = projection.apply(low_value(EventKind.NOTE_ADDED, 9, CREATED + timedelta(hours=1))).awards[0]
    assert capped.reason == 'note on #123: daily cap of 10 points from notes and tags reached'
    # another agent has a cap of their own, and the next day the agent's starts again
    other = projection.apply(low_value(EventKind.NOTE_ADDED, 10, CREATED, agent_id=AGENT + 1)).awards
    assert kinds_and_points(other) == [(AwardKind.NOTE, 3)]
    tomorrow = projection.apply(low_value(EventKind.TAGGED, 11, CREATED + timedelta(days=1))).awards
    assert kinds_and_points(tomorrow) == [(AwardKind.TAG, 2)] and tomorrow[0].reason == 'tag “billing” on #123'
    # a late arrival dated yesterday counts against yesterday's cap, not today's
    late = projection.apply(low_value(EventKind.TAGGED, 12, CREATED + timedelta(hours=2))).awards
    assert kinds_and_points(late) == [(AwardKind.LOW_VALUE_CAP, 0)]
    assert projection.earned_today(AGENT, (CREATED + timedelta(days=1)).date()) == 2


@pytest.mark.usefixtures('riga_floor')
def test_the_daily_cap_on_notes_counts_the_floors_days_not_utcs() -> None:
    projection = GameProjection(policy=ScoringPolicy(note_points=5, low_value_daily_cap=5))
    # 23:30 and 00:30 in Riga (EET, UTC+2): one UTC date, two floor days, so each note has a day's cap of its own
    late_evening, past_midnight = datetime(2026, 11, 2, 21, 30, tzinfo=UTC), datetime(2026, 11, 2, 22, 30, tzinfo=UTC)
    assert kinds_and_points(projection.apply(low_value(EventKind.NOTE_ADDED, 1, late_evening)).awards) == \
        [(AwardKind.NOTE, 5)]
    assert kinds_and_points(projection.apply(low_value(EventKind.NOTE_ADDED, 2, past_midnight)).awards) == \
        [(AwardKind.NOTE, 5)]
    assert projection.earned_today(AGENT, date(2026, 11, 2)) == projection.earned_today(AGENT, date(2026, 11, 3)) == 5
    # 23:30 and 00:30 UTC are 01:30 and 02:30 in Riga: two UTC dates, one floor day, so the second note is capped
    other = AGENT + 1
    before_utc_midnight, after_it = datetime(2026, 11, 3, 23, 30, tzinfo=UTC), datetime(2026, 11, 4, 0, 30, tzinfo=UTC)
    assert kinds_and_points(projection.apply(low_value(EventKind.NOTE_ADDED, 3, before_utc_midnight,
                                                       agent_id=other)).awards) == [(AwardKind.NOTE, 5)]
    assert kinds_and_points(projection.apply(low_value(EventKind.NOTE_ADDED, 4, after_it, agent_id=other)).awards) \
        == [(AwardKind.LOW_VALUE_CAP, 0)]
    assert projection.earned_today(other, date(2026, 11, 4)) == 5


def test_without_a_cap_or_a_price_notes_and_tags_pay_as_set() -> None:
    uncapped = GameProjection(policy=ScoringPolicy(note_points=3, low_value_daily_cap=0))
    for number in range(1, 21):
        uncapped.apply(low_value(EventKind.NOTE_ADDED, number, CREATED + timedelta(minutes=number)))
    assert uncapped.agents[AGENT].points == 60
    unpriced = GameProjection()  # the defaults: notes and tags earn nothing, so no entry at all
    assert unpriced.apply(low_value(EventKind.NOTE_ADDED, 1, CREATED)).awards == []
    assert unpriced.apply(low_value(EventKind.TAGGED, 2, CREATED)).awards == []


def test_a_rolled_back_note_gives_its_share_of_the_cap_back() -> None:
    projection = GameProjection(policy=ScoringPolicy(note_points=5, low_value_daily_cap=10))
    projection.apply(low_value(EventKind.NOTE_ADDED, 1, CREATED))
    projection.begin()
    projection.apply(low_value(EventKind.NOTE_ADDED, 2, CREATED + timedelta(minutes=1)))
    assert projection.earned_today(AGENT, CREATED.date()) == 10
    projection.rollback()
    assert projection.earned_today(AGENT, CREATED.date()) == 5
    again = projection.apply(low_value(EventKind.NOTE_ADDED, 2, CREATED + timedelta(minutes=1))).awards
    assert kinds_and_points(again) == [(AwardKind.NOTE, 5)]


def test_the_cap_values_are_checked_and_a_receipt_says_why_a_capped_note_earned_nothing() -> None:
    values = policy_as_dict(ScoringPolicy())
    with pytest.raises(PolicyError, match='Daily cap on notes and tags: a whole number of points from 0 to 5000'):
        check_policy(values | {'low_value_daily_cap': -1})
    with pytest.raises(PolicyError, match='Internal note: a whole number of points from 0 to 500'):
        check_policy(values | {'note_points': 501})
    policy = ScoringPolicy(note_points=3, tag_points=2, low_value_daily_cap=10)
    document = json.loads(json.dumps(rules_as_document(RuleSet(policy=policy))))
    assert document['scoring']['low_value_daily_cap'] == 10 and rules_from_document(document).policy == policy
    event = low_value(EventKind.NOTE_ADDED, 1, CREATED)
    said = facts(AwardKind.LOW_VALUE_CAP.value, event.kind.value, event.data, CREATED, policy=policy)
    assert said == ['Notes and tags together earn at most 10 points a day; that day\'s were already earned, so this '
                    'one earned nothing. The cap keeps trivial notes and tags from paying: resolving conversations '
                    'well is what scores.']
    assert facts(AwardKind.TAG.value, 'tagged', {'tag': 'x'}, CREATED, policy=policy) == [
        'Each tag earns +2 productivity up to 10 points a day from notes and tags together.']
