"""Assist credit (issue 18): a colleague whose note, transfer note or team-chat answer helped a resolution earns a share
of it, vesting with it, taken back by a reopen, and confirmed or declined by the resolver."""
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from services.domain.events import EventKind, GameEvent
from services.domain.projection import GameProjection
from services.domain.reasons import reason_text
from services.domain.receipts import facts
from services.domain.scoring import AwardKind, Domain, PolicyError, ScoringPolicy, check_policy, policy_as_dict

CREATED = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
RESOLVED_AT = CREATED + timedelta(minutes=20)
RESOLVER, HELPER, OTHER = 7, 8, 9
TICKET = 123


def resolved(*, event_id: int = 1, assisters: tuple[int, ...] = (HELPER,), agent_id: int = RESOLVER,
             at: datetime = RESOLVED_AT) -> GameEvent:
    """A fast, on-time, first-contact resolution (10 + 5 + 5 points by the defaults) naming its assisters."""
    data = {'channel': 'chat', 'created_at': (at - timedelta(minutes=20)).isoformat(),
            'sla_due_at': (at + timedelta(hours=8)).isoformat(), 'inbound_count': 1}
    if assisters:
        data |= {'assisters': list(assisters), 'resolver_name': 'Ana'}
    return GameEvent(id=event_id, key=f'resolved:{event_id}', kind=EventKind.RESOLVED, occurred_at=at,
                     agent_id=agent_id, conversation_id=TICKET, data=data)


def decided(assister: int, confirmed: bool, *, event_id: int = 2, by: int = RESOLVER) -> GameEvent:
    return GameEvent(id=event_id, key=f'assist:{event_id}', kind=EventKind.ASSIST_DECIDED,
                     occurred_at=RESOLVED_AT + timedelta(minutes=event_id), agent_id=by, conversation_id=TICKET,
                     data={'assister_id': assister, 'assister_name': 'Bea', 'confirmed': confirmed,
                           'resolver_name': 'Ana'})


def reopened(after: timedelta, *, event_id: int = 9) -> GameEvent:
    return GameEvent(id=event_id, key=f'reopened:{event_id}', kind=EventKind.REOPENED,
                     occurred_at=RESOLVED_AT + after, agent_id=None, conversation_id=TICKET,
                     data={'reason': 'customer wrote again'})


def test_each_assister_earns_the_share_of_the_resolution_once_and_the_resolver_keeps_theirs() -> None:
    projection = GameProjection(policy=ScoringPolicy(assist_percent=20))
    outcome = projection.apply(resolved(assisters=(HELPER, HELPER, OTHER, RESOLVER)))
    shares = [award for award in outcome.awards if award.kind == AwardKind.ASSIST]
    assert [(award.agent_id, award.points, award.domain) for award in shares] == \
        [(HELPER, 4, Domain.QUALITY), (OTHER, 4, Domain.QUALITY)]  # 20 % of 20, never to the resolver
    assert shares[0].reason == 'assist on #123 resolved by Ana'
    assert projection.agents[RESOLVER].points == 20 and projection.agents[HELPER].points == 4
    assert projection.pending(HELPER, RESOLVED_AT) == 4 and projection.pending(RESOLVER, RESOLVED_AT) == 20


@pytest.mark.parametrize('policy', [ScoringPolicy(assist_percent=0),  # switched off
                                    ScoringPolicy(fast_resolution=0, on_time_resolution=0, first_contact=0)])
def test_no_share_when_switched_off_or_when_the_resolution_earned_nothing(policy: ScoringPolicy) -> None:
    projection = GameProjection(policy=policy)
    assert not [award for award in projection.apply(resolved()).awards if award.kind == AwardKind.ASSIST]
    assert HELPER not in projection.agents


def test_a_reopen_inside_the_window_takes_the_share_back_after_it_the_share_banks() -> None:
    projection = GameProjection(policy=ScoringPolicy())
    projection.apply(resolved())
    clawbacks = projection.apply(reopened(timedelta(hours=1))).awards
    assert {(award.agent_id, award.points) for award in clawbacks if award.kind == AwardKind.CLAWBACK} >= \
        {(HELPER, -4), (RESOLVER, -10)}
    assert projection.agents[HELPER].points == 0 and HELPER not in {
        agent for agent, entries in projection.vesting.items() if TICKET in entries}
    later = GameProjection(policy=ScoringPolicy())
    later.apply(resolved())
    later.apply(reopened(timedelta(hours=73)))
    assert later.agents[HELPER].points == 4 and later.pending(HELPER, RESOLVED_AT + timedelta(hours=73)) == 0


def test_the_resolver_declines_an_inferred_assist_and_confirms_one_the_rule_missed() -> None:
    projection = GameProjection(policy=ScoringPolicy())
    projection.apply(resolved())
    declined = projection.apply(decided(HELPER, False, event_id=2)).awards
    assert [(award.agent_id, award.points, award.kind) for award in declined] == [(HELPER, -4, AwardKind.ASSIST)]
    assert declined[0].reason == 'assist on #123 declined by Ana: its share taken back'
    assert projection.apply(decided(HELPER, False, event_id=3)).awards == []  # nothing left to take back
    confirmed = projection.apply(decided(OTHER, True, event_id=4)).awards
    assert [(award.agent_id, award.points) for award in confirmed] == [(OTHER, 4)]
    assert projection.apply(decided(OTHER, True, event_id=5)).awards == []  # at most one share per conversation
    assert projection.apply(decided(OTHER, True, event_id=6, by=HELPER)).awards == []  # only the resolver decides
    assert (projection.agents[HELPER].points, projection.agents[OTHER].points) == (0, 4)
    assert projection.pending(OTHER, RESOLVED_AT) == 4 and HELPER not in {
        agent for agent, entries in projection.vesting.items() if TICKET in entries}
    # a reopen takes back exactly what stands: the confirmed share, and nothing more from the declined one
    projection.apply(reopened(timedelta(hours=1)))
    assert (projection.agents[HELPER].points, projection.agents[OTHER].points) == (0, 0)
    assert projection.agents[RESOLVER].points == -15  # the resolver's own reopen penalty (fast + on-time once more)


def test_a_decision_on_a_conversation_not_resolved_changes_nothing() -> None:
    projection = GameProjection(policy=ScoringPolicy())
    assert projection.apply(decided(HELPER, True)).awards == []
    projection.apply(resolved(event_id=1))
    projection.apply(reopened(timedelta(minutes=5), event_id=2))
    assert projection.apply(decided(HELPER, True, event_id=3)).awards == []


def test_the_share_is_an_editable_percentage_and_absent_from_older_logs() -> None:
    values = policy_as_dict(ScoringPolicy())
    assert values['assist_percent'] == 20
    assert check_policy(values | {'assist_percent': 35}) == replace(ScoringPolicy(), assist_percent=35)
    with pytest.raises(PolicyError, match=r'Assist share: a whole number from 0 to 100'):
        check_policy(values | {'assist_percent': 101})


def test_receipts_explain_the_assist_and_its_reason_is_translatable() -> None:
    fact = facts(AwardKind.ASSIST.value, EventKind.RESOLVED.value, {'resolver_name': 'Ana'}, RESOLVED_AT,
                 policy=ScoringPolicy())[0]
    assert 'Ana resolved the conversation' in fact and '20 %' in fact
    declined = facts(AwardKind.ASSIST.value, EventKind.ASSIST_DECIDED.value,
                     {'resolver_name': 'Ana', 'confirmed': False}, RESOLVED_AT)[0]
    assert 'taken back' in declined
    # recognised by its template (so shown in the reader's language when a catalog has it)
    assert reason_text('assist on #123 resolved by Ana', 'assist', locale='de')


def test_shares_count_against_the_daily_cap_on_notes_and_tags_so_notes_on_every_conversation_do_not_farm() -> None:
    projection = GameProjection(policy=ScoringPolicy(low_value_daily_cap=10, note_points=0))
    given = []
    for number in range(4):  # the helper noted four conversations that others resolved the same day
        outcome = projection.apply(replace(resolved(event_id=number + 1), conversation_id=100 + number))
        given += [award for award in outcome.awards if award.kind == AwardKind.ASSIST]
    assert [award.points for award in given] == [4, 4, 2]  # 10 a day at most; past it, no entry at all
    assert given[2].reason == 'assist on #102 resolved by Ana (up to the daily cap of 10)'
    assert projection.agents[HELPER].points == 10 and projection.earned_today(HELPER, RESOLVED_AT.date()) == 10
    assert projection.agents[RESOLVER].points == 80  # the resolver's own points are never capped by it
    next_day = replace(resolved(event_id=9, at=RESOLVED_AT + timedelta(days=1)), conversation_id=200)
    assert [award.points for award in projection.apply(next_day).awards if award.kind == AwardKind.ASSIST] == [4]
