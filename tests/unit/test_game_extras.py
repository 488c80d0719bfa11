"""Incentives, disputes and the spendable balance as pure folds: what the live game and a replay both compute."""
from dataclasses import replace
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from services.domain.events import Channel, EventKind, GameEvent, Rating
from services.domain.incentives import Incentive, IncentiveKind, problems_with
from services.domain.projection import GameProjection
from services.domain.rewards import RewardDraft, Spending
from services.domain.rewards import problems_with as reward_problems
from services.domain.scoring import FAIR_PLAY_OFF, AwardKind
from tests.unit.test_projection import OPERATIONS, START, Log, build_events

AFTERNOON = Incentive(id=1, name='chat afternoon', kind=IncentiveKind.MULTIPLIER, channel='chat',
                      starts_on=START.date(), ends_on=START.date() + timedelta(days=2), from_time='14:00',
                      until_time='17:00', multiplier=2)


def save(log: Log, incentive: Incentive, *, at: timedelta) -> None:
    log.add(EventKind.INCENTIVE_SAVED, agent_id=99, conversation_id=None, data=incentive.as_data(), at=at)


def test_a_multiplier_applies_inside_its_days_hours_and_channel_only() -> None:
    log = Log()  # START is 08:00
    save(log, AFTERNOON, at=timedelta(hours=1))
    log.resolve(1, 10, at=timedelta(hours=6, minutes=30))  # 14:30 chat: fast? no (6 h); on time, first contact
    log.resolve(1, 11, at=timedelta(hours=6, minutes=40), channel=Channel.EMAIL)  # 14:40, but e-mail
    log.resolve(1, 12, at=timedelta(hours=9, minutes=1))  # 17:01: after the window
    log.resolve(1, 13, at=timedelta(days=3, hours=7))  # 15:00 three days later: after the last day
    outcomes = GameProjection().apply_all(log.events)
    extras = [[award for award in outcome.awards if award.kind == AwardKind.INCENTIVE] for outcome in outcomes[1:]]
    assert [[(award.points, award.reason) for award in awards] for awards in extras] == [
        [(5, '×2 chat afternoon: on-time resolution of #10'),
         (5, '×2 chat afternoon: first-contact resolution of #10')],
        [], [], []]


def test_a_multiplier_never_multiplies_penalties_and_rounds_down() -> None:
    log = Log()
    save(log, Incentive(id=1, name='boost', kind=IncentiveKind.MULTIPLIER, starts_on=START.date(),
                        ends_on=START.date(), multiplier=1.5), at=timedelta(minutes=1))
    log.resolve(1, 10, at=timedelta(hours=10), sla=timedelta(hours=1), inbound_count=1)  # late −5, first contact +5
    outcome = GameProjection().apply_all(log.events)[-1]
    assert [(award.points, award.kind) for award in outcome.awards] == [
        (-5, AwardKind.LATE_RESOLUTION), (5, AwardKind.FIRST_CONTACT), (2, AwardKind.INCENTIVE)]


def test_a_bonus_pays_each_resolution_beyond_the_hourly_number_and_counts_afresh_each_hour() -> None:
    log = Log()
    save(log, Incentive(id=2, name='rush hour', kind=IncentiveKind.BONUS, starts_on=START.date(),
                        ends_on=START.date(), bonus_points=4, beyond_per_hour=2), at=timedelta(minutes=1))
    for minute, conversation in ((10, 1), (20, 2), (30, 3), (40, 4)):  # 4 resolutions in the 08:00 hour
        log.resolve(1, conversation, at=timedelta(minutes=minute))
    log.resolve(2, 9, at=timedelta(minutes=50))  # another agent: their own count
    log.resolve(1, 5, at=timedelta(hours=1, minutes=5))  # 09:05: a new hour
    outcomes = GameProjection().apply_all(log.events)
    bonus = [[award.points for award in outcome.awards if award.kind == AwardKind.INCENTIVE] for outcome in outcomes]
    assert bonus == [[], [], [], [4], [4], [], []]
    assert outcomes[4].awards[-1].reason == 'rush hour: resolution 4 this hour (#4), beyond 2'


def test_a_reopen_takes_back_what_the_incentive_added_and_a_deleted_incentive_stops() -> None:
    log = Log()
    save(log, AFTERNOON, at=timedelta(hours=1))
    log.resolve(1, 10, at=timedelta(hours=6, minutes=30))
    log.reopen(1, 10, at=timedelta(hours=6, minutes=35))
    log.add(EventKind.INCENTIVE_DELETED, agent_id=99, conversation_id=None, data={'incentive_id': 1},
            at=timedelta(hours=6, minutes=36))
    log.resolve(1, 11, at=timedelta(hours=6, minutes=40))
    projection = GameProjection(policy=FAIR_PLAY_OFF)  # no reopen penalty beside the clawback (issue 18's rules)
    outcomes = projection.apply_all(log.events)
    assert sum(award.points for award in outcomes[2].awards) == -sum(award.points for award in outcomes[1].awards)
    assert not [award for award in outcomes[4].awards if award.kind == AwardKind.INCENTIVE]
    assert projection.agents[1].points == 10  # only the second resolution's points, unmultiplied


def test_a_rolled_back_change_forgets_the_incentive_it_saved() -> None:
    log = Log()
    save(log, AFTERNOON, at=timedelta(hours=1))
    projection = GameProjection()
    projection.begin()
    projection.apply(log.events[0])
    projection.rollback()
    assert projection.incentives.incentives == {}


def test_an_invalidated_rating_is_compensated_by_new_awards_and_no_longer_counts() -> None:
    log = Log()
    log.resolve(1, 10, at=timedelta(minutes=30))
    rated = log.rate(1, 10, Rating.BAD, at=timedelta(minutes=40))
    projection = GameProjection(policy=FAIR_PLAY_OFF)
    outcomes = projection.apply_all(log.events)
    before = projection.agents[1].points
    caused = [{'agent_id': award.agent_id, 'points': award.points, 'domain': award.domain.value,
               'kind': award.kind.value, 'reason': award.reason} for award in outcomes[1].awards]
    log.add(EventKind.RATING_INVALIDATED, agent_id=1, conversation_id=10, at=timedelta(minutes=50),
            data={'rated_event_id': rated.id, 'rating': 'bad', 'reason': 'the customer was angry at the courier',
                  'by': 99, 'awards': caused})
    outcome = projection.apply(log.events[-1])
    assert [(award.points, award.kind, award.reason) for award in outcome.awards] == [
        (10, AwardKind.DISPUTE, 'rating invalidated: unhappy customer on #10 compensated')]
    assert projection.agents[1].points == before + 10
    assert projection.agents[1].negative_ratings == 0


def test_spending_counts_pending_and_approved_redemptions_and_refunds_denied_ones() -> None:
    log = Log()
    for redemption_id, cost in ((1, 30), (2, 200), (3, 50)):
        log.add(EventKind.REWARD_REDEEMED, agent_id=1, conversation_id=None,
                data={'redemption_id': redemption_id, 'reward_id': 1, 'reward': 'x', 'cost': cost})
    log.add(EventKind.REDEMPTION_APPROVED, agent_id=1, conversation_id=None, data={'redemption_id': 1, 'cost': 30})
    log.add(EventKind.REDEMPTION_DENIED, agent_id=1, conversation_id=None, data={'redemption_id': 2, 'cost': 200})
    spending = Spending()
    for event in log.events:
        spending.apply(event)
    assert spending.spent() == {1: 80}


def test_incentive_and_reward_drafts_are_checked() -> None:
    assert problems_with(AFTERNOON) == []
    wrong = Incentive(name=' ', kind=IncentiveKind.MULTIPLIER, channel='fax', starts_on=date(2026, 11, 5),
                      ends_on=date(2026, 11, 4), from_time='17:00', until_time='14:00', multiplier=6)
    assert problems_with(wrong) == ['Name: cannot be empty.', 'There is no channel "fax".',
                                    'The first day is after the last day.',
                                    'The start time must be before the end time.',
                                    'Multiplier: between 1 and 5.']
    assert problems_with(Incentive(name='x', kind=IncentiveKind.BONUS, starts_on=START.date(), ends_on=START.date(),
                                   from_time='25:00', bonus_points=0)) == [
        '"25:00" is not a time of day (write it as HH:MM, 00:00 to 24:00).',
        'Bonus: between 1 and 100 points.']
    assert reward_problems(RewardDraft(name='Movie voucher', cost=200, stock=5)) == []
    assert reward_problems(RewardDraft(name='', cost=0, stock=-1)) == [
        'Name: cannot be empty.', 'Cost: between 1 and 100,000 points.',
        'Stock: between 0 and 10,000 (leave it empty for unlimited).']


# --- a property: what the live fold commits, with changes rolled back along the way, a replay gives again ---

INCENTIVE_OPERATIONS = st.one_of(
    st.tuples(st.just('incentive'), st.integers(1, 2), st.sampled_from(IncentiveKind), st.integers(19, 21),
              st.integers(1, 2), st.sampled_from([None, 'chat', 'email']), st.integers(0, 2)),
    st.tuples(st.just('end'), st.integers(1, 2)),
)


def with_incentives(operations: list[tuple]) -> list[GameEvent]:
    """The projection tests' events, with incentives saved and deleted among them (ids and times kept in order)."""
    plain = build_events([operation for operation in operations if operation[0] not in ('incentive', 'end')])
    events, plain_events = [], iter(plain)
    for index, operation in enumerate(operations, start=1):
        occurred_at = START + timedelta(hours=12, minutes=index)
        if operation[0] == 'incentive':
            _, incentive_id, kind, from_hour, hours, channel, beyond = operation
            incentive = Incentive(id=incentive_id, name=f'i{incentive_id}', kind=kind, channel=channel,
                                  starts_on=START.date(), ends_on=START.date(), from_time=f'{from_hour:02d}:00',
                                  until_time=f'{min(from_hour + hours, 24):02d}:00', multiplier=1.5 + incentive_id,
                                  bonus_points=3, beyond_per_hour=beyond)
            event = GameEvent(id=index, key=f'k{index}', kind=EventKind.INCENTIVE_SAVED, occurred_at=occurred_at,
                              data=incentive.as_data())
        elif operation[0] == 'end':
            event = GameEvent(id=index, key=f'k{index}', kind=EventKind.INCENTIVE_DELETED, occurred_at=occurred_at,
                              data={'incentive_id': operation[1]})
        else:
            event = replace(next(plain_events), id=index, key=f'k{index}', occurred_at=occurred_at)
        events.append(event)
    return events


@settings(max_examples=200, deadline=None, database=None)
@given(operations=st.lists(st.one_of(OPERATIONS, INCENTIVE_OPERATIONS), max_size=40),
       rolled_back=st.lists(st.booleans(), min_size=40, max_size=40))
def test_live_fold_with_rollbacks_equals_a_replay_of_what_was_committed(operations: list[tuple],
                                                                         rolled_back: list[bool]) -> None:
    live = GameProjection()
    committed_events, committed_awards = [], []
    for event, undo in zip(with_incentives(operations), rolled_back, strict=False):  # more flags than events
        live.begin()
        outcome = live.apply(event)
        if undo:
            live.rollback()  # its transaction failed: the database never saw it
        else:
            live.commit()
            committed_events.append(event)
            committed_awards.append(outcome.awards)
    replayed = GameProjection()
    assert [outcome.awards for outcome in replayed.apply_all(committed_events)] == committed_awards
    assert replayed.agents == live.agents
    assert replayed.incentives.incentives == live.incentives.incentives
    assert replayed.incentives.hourly == live.incentives.hourly
