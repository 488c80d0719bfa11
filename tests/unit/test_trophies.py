"""Monthly trophies from ledger awards: what each counts, clawbacks, UTC month boundaries, ties and history."""
from datetime import UTC, date, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from services.domain.events import EventKind, GameEvent, Rating
from services.domain.projection import GameProjection
from services.domain.scoring import FAIR_PLAY_OFF, Award, AwardKind, Domain
from services.domain.trophies import DEFAULT_TROPHIES, Standing, TrophyBoard, month_of, monthly_winners

NOV = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)
DOMAINS = {AwardKind.FAST_RESOLUTION: Domain.SPEED, AwardKind.ON_TIME_RESOLUTION: Domain.PRODUCTIVITY,
           AwardKind.LATE_RESOLUTION: Domain.PRODUCTIVITY, AwardKind.FIRST_CONTACT: Domain.QUALITY,
           AwardKind.HAPPY_CUSTOMER: Domain.QUALITY, AwardKind.UNHAPPY_CUSTOMER: Domain.QUALITY}


def award(agent_id: int, kind: AwardKind, points: int, domain: Domain | None = None) -> Award:
    return Award(agent_id=agent_id, points=points, domain=domain or DOMAINS[kind], kind=kind, reason='test')


def test_four_trophies() -> None:
    assert [trophy.name for trophy in DEFAULT_TROPHIES] == ['MVP', 'Customer wow champion', 'Sharpshooter',
                                                            'Speed racer']


def test_each_trophy_counts_its_points() -> None:
    board = TrophyBoard()
    for entry in (award(1, AwardKind.FAST_RESOLUTION, 10), award(1, AwardKind.FAST_RESOLUTION, 10),
                  award(1, AwardKind.UNHAPPY_CUSTOMER, -10),
                  award(2, AwardKind.HAPPY_CUSTOMER, 10), award(2, AwardKind.FIRST_CONTACT, 5),
                  award(2, AwardKind.ON_TIME_RESOLUTION, 5),
                  award(3, AwardKind.FIRST_CONTACT, 5), award(3, AwardKind.FIRST_CONTACT, 5),
                  award(3, AwardKind.CLAWBACK, -5, Domain.QUALITY),  # a reopen took one first-contact bonus back
                  award(3, AwardKind.CLAWBACK, -5, Domain.PRODUCTIVITY)):  # and its on-time points: not counted
        board.add(entry, NOV)
    month = date(2026, 11, 1)
    assert board.winners(month) == {'mvp': {2}, 'customer_wow_champion': {2}, 'sharpshooter': {2, 3},
                                    'speed_racer': {1}}
    assert board.standings(month, 'mvp') == [Standing(agent_id=2, points=20), Standing(agent_id=1, points=10),
                                             Standing(agent_id=3, points=0)]
    assert board.standings(month, 'customer_wow_champion') == [Standing(agent_id=2, points=10),
                                                               Standing(agent_id=1, points=-10)]


def test_nobody_wins_without_positive_points() -> None:
    board = TrophyBoard()
    board.add(award(1, AwardKind.UNHAPPY_CUSTOMER, -10), NOV)
    assert board.winners(date(2026, 11, 1))['customer_wow_champion'] == frozenset()
    assert board.winners(date(2026, 10, 1)) == {trophy.key: frozenset() for trophy in DEFAULT_TROPHIES}


def test_months_are_utc_and_the_history_stays() -> None:
    last_moment_of_october = datetime(2026, 11, 1, 1, 59, tzinfo=timezone(timedelta(hours=2)))  # 23:59 UTC
    assert month_of(last_moment_of_october) == date(2026, 10, 1)
    assert month_of(datetime(2026, 11, 1, tzinfo=UTC)) == date(2026, 11, 1)
    board = TrophyBoard()
    board.add(award(1, AwardKind.FAST_RESOLUTION, 10), last_moment_of_october)
    board.add(award(2, AwardKind.FAST_RESOLUTION, 10), datetime(2026, 11, 1, tzinfo=UTC))
    board.add(award(3, AwardKind.FAST_RESOLUTION, 10), datetime(2026, 9, 30, tzinfo=UTC))
    assert board.winners(date(2026, 11, 1))['speed_racer'] == {2}  # the board started again on the first
    assert [(month, winners['speed_racer']) for month, winners in board.history(NOV)] == [
        (date(2026, 10, 1), {1}), (date(2026, 9, 1), {3})]  # newest first, the current month not yet history
    assert len(board.history(datetime(2026, 12, 1, tzinfo=UTC))) == 3


def test_fed_from_the_projections_outcomes() -> None:
    start = NOV
    data = {'channel': 'chat', 'created_at': start.isoformat(), 'sla_due_at': (start + timedelta(hours=8)).isoformat(),
            'inbound_count': 1}
    events = [GameEvent(id=1, key='1', kind=EventKind.RESOLVED, occurred_at=start + timedelta(minutes=10), agent_id=1,
                        conversation_id=5, data=data),
              GameEvent(id=2, key='2', kind=EventKind.RATED, occurred_at=start + timedelta(minutes=20), agent_id=1,
                        conversation_id=5, data={'rating': Rating.GOOD.value}),
              GameEvent(id=3, key='3', kind=EventKind.REOPENED, occurred_at=start + timedelta(minutes=30), agent_id=1,
                        conversation_id=5, data={'reason': 'again'})]
    board = TrophyBoard()
    outcomes = GameProjection(policy=FAIR_PLAY_OFF).apply_all(events)
    for outcome in outcomes + outcomes[:2]:  # repeated outcomes are ignored
        board.add_outcome(outcome)
    month = date(2026, 11, 1)
    assert board.standings(month, 'mvp') == [Standing(agent_id=1, points=10)]  # 20 earned, 10 taken back on reopen
    assert board.standings(month, 'sharpshooter') == [Standing(agent_id=1, points=0)]
    assert board.standings(month, 'speed_racer') == [Standing(agent_id=1, points=0)]
    assert board.winners(month) == {'mvp': {1}, 'customer_wow_champion': {1}, 'sharpshooter': frozenset(),
                                    'speed_racer': frozenset()}


entries = st.tuples(st.integers(0, 90), st.integers(1, 4), st.sampled_from(list(DOMAINS)), st.integers(-10, 10))


@given(st.lists(entries, max_size=40), st.randoms())
def test_winners_do_not_depend_on_the_order_of_the_ledger(raw: list, random) -> None:
    start = datetime(2026, 10, 1, tzinfo=UTC)
    ledger = [(start + timedelta(days=day), award(agent_id, kind, points)) for day, agent_id, kind, points in raw]
    shuffled = list(ledger)
    random.shuffle(shuffled)
    winners = monthly_winners(ledger)
    assert monthly_winners(shuffled) == winners
    for month, trophies in winners.items():
        points: dict[int, int] = {}
        for at, entry in ledger:
            if month_of(at) == month:
                points[entry.agent_id] = points.get(entry.agent_id, 0) + entry.points
        best = max(points.values())
        assert trophies['mvp'] == ({agent for agent, total in points.items() if total == best} if best > 0 else set())
