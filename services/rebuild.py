"""Recompute every projection from the event log and compare it with (or write it over) the stored state."""
from collections import Counter
from dataclasses import dataclass, field

from tortoise.transactions import in_transaction

from models import AgentScore, DailyPoints, LedgerEntry, Redemption
from services.game import CHUNK, add_daily_points, iterate_events
from services.leaderboard_rules import PointsTally
from services.projection import AgentMetrics, GameProjection
from services.reward_rules import FoldedRedemption, RedemptionStatus, Spending

LedgerKey = tuple[int, int, int, str, str, str]  # event id, agent id, points, domain, kind, reason


@dataclass(kw_only=True, slots=True)
class Rebuilt:
    events: int = 0
    metrics: dict[int, AgentMetrics] = field(default_factory=dict)
    ledger: Counter[LedgerKey] = field(default_factory=Counter)
    tally: PointsTally = field(default_factory=PointsTally)
    spending: Spending = field(default_factory=Spending)  # redemptions: with the points, the spendable balances


async def replay() -> Rebuilt:
    """Fold the whole log through the game rules, exactly as the live service does."""
    projection = GameProjection()
    rebuilt = Rebuilt()
    async for event in iterate_events():
        outcome = projection.apply(event)
        rebuilt.spending.apply(event)
        rebuilt.events += 1
        for award in outcome.awards:
            rebuilt.ledger[(event.id, award.agent_id, award.points, award.domain.value, award.kind.value,
                            award.reason)] += 1
            rebuilt.tally.add(award.agent_id, event.occurred_at.date(), award.points)
    rebuilt.metrics = projection.agents
    return rebuilt


async def differences(rebuilt: Rebuilt) -> list[str]:
    """Every way the stored projections differ from the rebuilt ones, as lines a person can read."""
    lines: list[str] = []
    stored_scores = {score.agent_id: score for score in await AgentScore.all()}
    for agent_id in sorted(set(stored_scores) | set(rebuilt.metrics)):
        expected = rebuilt.metrics.get(agent_id, AgentMetrics(agent_id=agent_id)).as_dict()
        score = stored_scores.get(agent_id)
        stored = {name: getattr(score, name) for name in expected} if score else \
            AgentMetrics(agent_id=agent_id).as_dict()  # no row is the same as an agent with nothing yet
        for name, value in expected.items():
            stored_value = stored[name]
            if stored_value != value:
                lines.append(f'agent {agent_id}: stored {name}={stored_value}, rebuilt {name}={value}')
    stored_ledger: Counter[LedgerKey] = Counter()
    stored_tally = PointsTally()
    for row in await LedgerEntry.all().values_list('event_id', 'agent_id', 'points', 'domain', 'kind', 'reason'):
        stored_ledger[row] += 1
    for agent_id, day, points in await DailyPoints.all().values_list('agent_id', 'day', 'points'):
        stored_tally.add(agent_id, day, points)
    for key in sorted((stored_ledger - rebuilt.ledger).elements()):
        lines.append(f'ledger: stored entry not in rebuild: event {key[0]} agent {key[1]} {key[2]:+d} {key[5]}')
    for key in sorted((rebuilt.ledger - stored_ledger).elements()):
        lines.append(f'ledger: rebuilt entry missing from store: event {key[0]} agent {key[1]} {key[2]:+d} {key[5]}')
    for agent_id in sorted(set(stored_tally.by_agent) | set(rebuilt.tally.by_agent)):
        stored_days = {day: points for day, points in stored_tally.by_agent.get(agent_id, {}).items() if points}
        rebuilt_days = {day: points for day, points in rebuilt.tally.by_agent.get(agent_id, {}).items() if points}
        if stored_days != rebuilt_days:
            lines.append(f'leaderboard: agent {agent_id} daily points differ '
                         f'(stored {sum(stored_days.values())}, rebuilt {sum(rebuilt_days.values())})')
    lines += await redemption_differences(rebuilt.spending)
    return lines


async def redemption_differences(spending: Spending) -> list[str]:
    """Redemptions whose agent, cost or status differ from the log's: the spendable balances would differ."""
    stored = {row[0]: FoldedRedemption(agent_id=row[1], cost=row[2], status=RedemptionStatus(row[3]))
              for row in await Redemption.all().values_list('id', 'agent_id', 'cost', 'status')}
    return [f'redemption {redemption_id}: stored {_text(stored.get(redemption_id))}, '
            f'rebuilt {_text(spending.redemptions.get(redemption_id))}'
            for redemption_id in sorted(set(stored) | set(spending.redemptions))
            if stored.get(redemption_id) != spending.redemptions.get(redemption_id)]


def _text(redemption: FoldedRedemption | None) -> str:
    return 'none' if redemption is None else \
        f'agent {redemption.agent_id} {redemption.cost} points {redemption.status.value}'


async def overwrite(rebuilt: Rebuilt) -> None:
    """Replace the stored projections with the rebuilt ones, in one transaction."""
    async with in_transaction():
        await LedgerEntry.all().delete()
        await AgentScore.all().delete()
        await DailyPoints.all().delete()
        occurred = {}
        async for event in iterate_events():
            occurred[event.id] = event.occurred_at
        entries = [LedgerEntry(event_id=event_id, agent_id=agent_id, points=points, domain=domain, kind=kind,
                               reason=reason, occurred_at=occurred[event_id])
                   for (event_id, agent_id, points, domain, kind, reason), count in sorted(rebuilt.ledger.items())
                   for _ in range(count)]
        await LedgerEntry.bulk_create(entries, batch_size=CHUNK)
        await add_daily_points((entry.agent_id, entry.occurred_at.date(), entry.points) for entry in entries)
        for metrics in rebuilt.metrics.values():
            values = metrics.as_dict()
            await AgentScore.create(**values)
        for status in RedemptionStatus:  # a redemption's status is the log's; its other fields never change
            ids = [key for key, folded in rebuilt.spending.redemptions.items() if folded.status == status]
            for chunk in range(0, len(ids), CHUNK):
                await Redemption.filter(id__in=ids[chunk:chunk + CHUNK]).exclude(status=status.value) \
                    .update(status=status.value)
