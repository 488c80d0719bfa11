"""Scoring rules: which awards a resolution, a rating and a reopen produce, and at which boundaries."""
from datetime import UTC, datetime, timedelta

import pytest

from services.domain.events import EventKind, GameEvent, Rating
from services.domain.scoring import AwardKind, Domain, ScoringPolicy, rating_awards, reopen_clawbacks, resolution_awards

CREATED = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
AGENT = 7
TICKET = 123


def resolved(*, after: timedelta, sla: timedelta = timedelta(hours=8), inbound_count: int = 1,
             event_id: int = 1) -> GameEvent:
    """A resolution of ticket #123 by agent 7, ``after`` its creation, with its SLA due ``sla`` after creation."""
    return GameEvent(id=event_id, key=f'resolved:{event_id}', kind=EventKind.RESOLVED, occurred_at=CREATED + after,
                     agent_id=AGENT, conversation_id=TICKET,
                     data={'channel': 'email', 'created_at': CREATED.isoformat(),
                           'sla_due_at': (CREATED + sla).isoformat(), 'inbound_count': inbound_count})


def rated(rating: Rating, *, event_id: int = 2) -> GameEvent:
    return GameEvent(id=event_id, key=f'rated:{event_id}', kind=EventKind.RATED,
                     occurred_at=CREATED + timedelta(hours=2), agent_id=AGENT, conversation_id=TICKET,
                     data={'rating': rating.value, 'comment': ''})


def reopened(*, event_id: int = 3) -> GameEvent:
    return GameEvent(id=event_id, key=f'reopened:{event_id}', kind=EventKind.REOPENED,
                     occurred_at=CREATED + timedelta(hours=3), agent_id=AGENT, conversation_id=TICKET,
                     data={'reason': 'customer wrote again'})


def summary(awards: list) -> list[tuple[int, Domain, AwardKind, str]]:
    return [(award.points, award.domain, award.kind, award.reason) for award in awards]


def test_fast_on_time_first_contact_resolution() -> None:
    awards = resolution_awards(resolved(after=timedelta(minutes=20)), policy=ScoringPolicy())
    assert summary(awards) == [
        (10, Domain.SPEED, AwardKind.FAST_RESOLUTION, 'fast resolution of #123'),
        (5, Domain.PRODUCTIVITY, AwardKind.ON_TIME_RESOLUTION, 'on-time resolution of #123'),
        (5, Domain.QUALITY, AwardKind.FIRST_CONTACT, 'first-contact resolution of #123'),
    ]
    assert {award.agent_id for award in awards} == {AGENT}


def test_slow_late_resolution_after_a_follow_up() -> None:
    awards = resolution_awards(resolved(after=timedelta(hours=9), inbound_count=2), policy=ScoringPolicy())
    assert summary(awards) == [(-5, Domain.PRODUCTIVITY, AwardKind.LATE_RESOLUTION, 'late resolution of #123')]


def test_exactly_one_hour_is_not_fast() -> None:
    kinds = [award.kind for award in resolution_awards(resolved(after=timedelta(hours=1)), policy=ScoringPolicy())]
    assert AwardKind.FAST_RESOLUTION not in kinds
    just_under = resolved(after=timedelta(hours=1) - timedelta(microseconds=1))
    assert AwardKind.FAST_RESOLUTION in [award.kind for award in resolution_awards(just_under, policy=ScoringPolicy())]


def test_exactly_at_due_time_is_on_time() -> None:
    at_due = resolution_awards(resolved(after=timedelta(hours=4), sla=timedelta(hours=4)), policy=ScoringPolicy())
    assert [award.kind for award in at_due] == [AwardKind.ON_TIME_RESOLUTION, AwardKind.FIRST_CONTACT]
    past_due = resolved(after=timedelta(hours=4, microseconds=1), sla=timedelta(hours=4))
    assert [award.kind for award in resolution_awards(past_due, policy=ScoringPolicy())] == \
        [AwardKind.LATE_RESOLUTION, AwardKind.FIRST_CONTACT]


@pytest.mark.parametrize('inbound_count', [0, 2, 5])
def test_first_contact_needs_exactly_one_inbound_message(inbound_count: int) -> None:
    awards = resolution_awards(resolved(after=timedelta(minutes=5), inbound_count=inbound_count),
                               policy=ScoringPolicy())
    assert AwardKind.FIRST_CONTACT not in [award.kind for award in awards]
    assert sum(award.points for award in awards) == 15


@pytest.mark.parametrize(('rating', 'expected'), [
    (Rating.GOOD, [(10, Domain.QUALITY, AwardKind.HAPPY_CUSTOMER, 'happy customer on #123')]),
    (Rating.BAD, [(-10, Domain.QUALITY, AwardKind.UNHAPPY_CUSTOMER, 'unhappy customer on #123')]),
    (Rating.NEUTRAL, []),
])
def test_rating_awards(rating: Rating, expected: list) -> None:
    assert summary(rating_awards(rated(rating), policy=ScoringPolicy())) == expected


def test_reopen_claws_back_resolution_and_first_contact_but_not_rating() -> None:
    policy = ScoringPolicy()
    given = resolution_awards(resolved(after=timedelta(minutes=20)), policy=policy)
    rating = rating_awards(rated(Rating.GOOD), policy=policy)
    clawbacks = reopen_clawbacks(reopened(), given + rating)
    assert summary(clawbacks) == [
        (-10, Domain.SPEED, AwardKind.CLAWBACK, 'reopened #123: fast resolution of #123 taken back'),
        (-5, Domain.PRODUCTIVITY, AwardKind.CLAWBACK, 'reopened #123: on-time resolution of #123 taken back'),
        (-5, Domain.QUALITY, AwardKind.CLAWBACK, 'reopened #123: first-contact resolution of #123 taken back'),
    ]
    assert sum(award.points for award in given + rating + clawbacks) == 10  # only the happy customer is kept


def test_reopen_of_a_late_resolution_gives_the_penalty_back() -> None:
    given = resolution_awards(resolved(after=timedelta(hours=10), inbound_count=3), policy=ScoringPolicy())
    assert summary(reopen_clawbacks(reopened(), given)) == [
        (5, Domain.PRODUCTIVITY, AwardKind.CLAWBACK, 'reopened #123: late resolution of #123 taken back')]


def test_custom_policy_values() -> None:
    policy = ScoringPolicy(fast_resolution=3, fast_limit=timedelta(minutes=15), on_time_resolution=0,
                           late_resolution=-20, first_contact=7, happy_customer=1, unhappy_customer=0)
    fast = resolution_awards(resolved(after=timedelta(minutes=14)), policy=policy)
    assert [(award.points, award.kind) for award in fast] == \
        [(3, AwardKind.FAST_RESOLUTION), (7, AwardKind.FIRST_CONTACT)]  # a 0-point award is not written
    slow = resolution_awards(resolved(after=timedelta(minutes=15)), policy=policy)
    assert [(award.points, award.kind) for award in slow] == [(7, AwardKind.FIRST_CONTACT)]
    late = resolution_awards(resolved(after=timedelta(hours=9), inbound_count=2), policy=policy)
    assert [(award.points, award.kind) for award in late] == [(-20, AwardKind.LATE_RESOLUTION)]
    assert [award.points for award in rating_awards(rated(Rating.GOOD), policy=policy)] == [1]
    assert rating_awards(rated(Rating.BAD), policy=policy) == []


def test_default_policy_is_freshdesks() -> None:
    policy = ScoringPolicy()
    assert (policy.fast_resolution, policy.fast_limit, policy.on_time_resolution, policy.late_resolution,
            policy.first_contact, policy.happy_customer, policy.unhappy_customer) == \
        (10, timedelta(hours=1), 5, -5, 5, 10, -10)
