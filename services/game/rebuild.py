"""Recompute every projection from the event log and compare it with (or write it over) the stored state."""
import functools
import gc
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from tortoise.transactions import in_transaction

from models import (
    Agent,
    AgentScore,
    AnalyticsDay,
    AnalyticsVolume,
    BadgeDefinitionRow,
    DailyPoints,
    LedgerEntry,
    LevelReached,
    LevelRow,
    QuestRow,
    Redemption,
    ScoringPolicyRow,
    StoredEvent,
)
from services.domain.analytics import AnalyticsTally, RatedFact, rated_fact
from services.domain.badges import BadgeDefinition
from services.domain.events import EventKind
from services.domain.floor_calendar import floor_day
from services.domain.leaderboard import PointsTally
from services.domain.level_history import ReachedLevel
from services.domain.levels import Level, level_as_dict
from services.domain.projection import AgentMetrics, GameProjection, Vesting
from services.domain.quests import QuestCompletion, QuestDefinition, QuestTracker, logged_key, quests_from_data
from services.domain.rewards import FoldedRedemption, RedemptionStatus, Spending
from services.domain.scoring import ScoringPolicy, capped, policy_as_dict
from services.domain.seasons import seasons_from_data
from services.game.analytics import analytics_differences, overwrite_analytics, stored_analytics
from services.game.badges import (
    BadgeTracker,
    HistoryRow,
    HolderHistory,
    definition_from_row,
    recent_events,
    stored_history,
    write_history,
)
from services.game.quests import quest_events, row_fields, stored_definitions
from services.game.scoring import SEEDED, initial_policy, stored_policies
from services.platform.event_log import CHUNK, add_daily_points, iterate_events
from services.platform.level_history import level_differences, level_rows, reached_levels, stored_levels_reached

LedgerKey = tuple[int, int, int, str, str, str]  # event id, agent id, points, domain, kind, reason


@dataclass(kw_only=True, slots=True)
class Rebuilt:
    events: int = 0
    metrics: dict[int, AgentMetrics] = field(default_factory=dict)
    # each agent's resolutions that may still be pending (vesting): what the live card's pending figure folds
    vesting: dict[int, Vesting] = field(default_factory=dict)
    ledger: Counter[LedgerKey] = field(default_factory=Counter)
    tally: PointsTally = field(default_factory=PointsTally)
    resolved: PointsTally = field(default_factory=PointsTally)  # resolutions less reopens per agent and day
    spending: Spending = field(default_factory=Spending)  # redemptions: with the points, the spendable balances
    levels: tuple[Level, ...] = ()  # the level table the log ends with
    badges: tuple[BadgeDefinition, ...] = ()  # the badge definitions the log ends with
    badge_history: list[HistoryRow] = field(default_factory=list)
    # the scoring values in force from the start and after each edit, as (after event id, values)
    policies: list[tuple[int, ScoringPolicy]] = field(default_factory=lambda: [(SEEDED, ScoringPolicy())])
    levels_reached: list[ReachedLevel] = field(default_factory=list)
    quests: tuple[QuestDefinition, ...] | None = None  # the quest definitions the log ends with (None: never edited)
    quest_completions: dict[str, QuestCompletion] = field(default_factory=dict)  # by key: what the rules complete
    logged_completions: dict[str, int] = field(default_factory=dict)  # by key: the completing event the log names
    analytics: AnalyticsTally = field(default_factory=AnalyticsTally)  # the charts' daily aggregates (issue 15)


def _without_collections(fold: Callable[[], Awaitable[Rebuilt]]) -> Callable[[], Awaitable[Rebuilt]]:
    """Run ``fold`` with CPython's cyclic collector paused (as it was before, afterwards).

    A replay keeps about a million objects alive (every resolution's awards, the ledger, the tallies) and makes no
    reference cycles worth collecting; the collector would still walk all of them each time the heap grows by a
    quarter, which cost a fifth of a 200k-event replay.
    """
    @functools.wraps(fold)
    async def run() -> Rebuilt:
        enabled = gc.isenabled()
        gc.disable()
        try:
            return await fold()
        finally:
            if enabled:
                gc.enable()
    return run


@_without_collections
async def replay() -> Rebuilt:
    """Fold the whole log through the game rules, exactly as the live service does."""
    initial = await initial_policy()  # an upgraded floor began without the rules added since
    projection = GameProjection(policy=initial)
    rebuilt = Rebuilt(policies=[(SEEDED, initial)])
    badges = BadgeTracker()
    history = HolderHistory()
    team_of = dict(await Agent.filter(role='agent', active=True).values_list('id', 'team_id'))
    quests = QuestTracker(team_of=team_of)  # team missions are played by the floor's agents as they are now
    ledger: list[LedgerKey] = []  # counted at the end, in one call, rather than a Counter update per award
    rated: dict[int, RatedFact] = {}  # every rating, by event: an invalidation takes back what it counted
    async for event in iterate_events():
        outcome = projection.apply(event)
        if event.kind == EventKind.RATED:
            rated[event.id] = rated_fact(event)
        rebuilt.analytics.add(outcome, rated=rated.get(event.data.get('rated_event_id', 0))
                              if event.kind == EventKind.RATING_INVALIDATED else None)
        if outcome.level_ups:
            rebuilt.levels_reached += reached_levels(outcome, projection)
        if event.kind == EventKind.QUESTS_CHANGED:
            fresh = quests.to_feed(event)
            found = quests.redefine(event, await quest_events(fresh, before_id=event.id, at=event.occurred_at)
                                   if fresh else [])
            rebuilt.quests = quests_from_data(event.data)
        elif event.kind == EventKind.QUEST_COMPLETED:
            rebuilt.logged_completions[logged_key(event.data)] = event.data['event_id']
            found = []
        else:
            found = quests.apply(event, capped=capped(outcome.awards))
        rebuilt.quest_completions.update((completion.key, completion) for completion in found)
        rebuilt.spending.apply(event)
        if event.kind == EventKind.BADGES_CHANGED:
            history.add(badges.redefine(event, await recent_events(event)))
        elif changes := badges.apply(event):
            history.add(changes)
        rebuilt.events += 1
        if outcome.awards:
            day = floor_day(event.occurred_at)
            for award in outcome.awards:
                ledger.append((event.id, award.agent_id, award.points, award.domain.value, award.kind.value,
                               award.reason))
                rebuilt.tally.add(award.agent_id, day, award.points)
        if outcome.resolved is not None:
            rebuilt.resolved.add(outcome.resolved[0], floor_day(event.occurred_at), outcome.resolved[1])
        if event.kind == EventKind.SCORING_CHANGED:
            rebuilt.policies.append((event.id, projection.policy))
        elif event.kind == EventKind.SEASONS_CHANGED:  # the Season boards and the past seasons' standings
            rebuilt.tally.set_seasons(seasons_from_data(event.data))
            rebuilt.resolved.set_seasons(rebuilt.tally.seasons)
    rebuilt.ledger.update(ledger)
    # the live board also moves at midnights after the last event (without events): as far as the stored history went
    stored = [moment for row in await stored_history() for moment in row[2:] if moment is not None]
    if stored:
        history.add(badges.board.advance(max(stored)))
    rebuilt.metrics = projection.agents
    rebuilt.vesting = projection.vesting
    rebuilt.levels = tuple(projection.levels)
    rebuilt.badges = badges.definitions
    rebuilt.badge_history = history.rows()
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
    stored_resolved = PointsTally()
    for row in await LedgerEntry.all().values_list('event_id', 'agent_id', 'points', 'domain', 'kind', 'reason'):
        stored_ledger[row] += 1
    for agent_id, day, points, resolved in await DailyPoints.all().values_list('agent_id', 'day', 'points',
                                                                               'resolved'):
        stored_tally.add(agent_id, day, points)
        stored_resolved.add(agent_id, day, resolved)
    for key in sorted((stored_ledger - rebuilt.ledger).elements()):
        lines.append(f'ledger: stored entry not in rebuild: event {key[0]} agent {key[1]} {key[2]:+d} {key[5]}')
    for key in sorted((rebuilt.ledger - stored_ledger).elements()):
        lines.append(f'ledger: rebuilt entry missing from store: event {key[0]} agent {key[1]} {key[2]:+d} {key[5]}')
    lines += daily_differences(stored_tally, rebuilt.tally, 'points')
    lines += daily_differences(stored_resolved, rebuilt.resolved, 'resolved counts')
    lines += await redemption_differences(rebuilt.spending)
    lines += analytics_differences(await stored_analytics(), rebuilt.analytics)
    stored_levels = await LevelRow.all().order_by('number').values('number', 'title', 'icon', 'condition',
                                                                    'translations')
    if stored_levels and stored_levels != [level_as_dict(level) for level in rebuilt.levels]:
        lines.append('levels: the stored level table is not the one the log ends with')
    stored_badges = [definition_from_row(row) for row in await BadgeDefinitionRow.all().order_by('position', 'key')]
    if stored_badges and stored_badges != list(rebuilt.badges):
        lines.append('badges: the stored badge definitions are not the ones the log ends with')
    lines += badge_differences(await stored_history(), rebuilt.badge_history)
    stored_values = await stored_policies()
    if stored_values and stored_values[-1][1] != rebuilt.policies[-1][1]:
        lines.append('scoring: the stored scoring values are not the ones the log ends with')
    elif stored_values and stored_values != rebuilt.policies:
        lines.append('scoring: the stored history of scoring values is not the log\'s (receipts would explain '
                     'awards with other values)')
    lines += level_differences(await stored_levels_reached(), rebuilt.levels_reached)
    stored_quests = stored_definitions(await QuestRow.all())
    if stored_quests != sorted(rebuilt.quests or (), key=lambda quest: quest.key):
        lines.append('quests: the stored quests are not the ones the log ends with')
    lines += quest_differences(rebuilt)
    return lines


def quest_differences(rebuilt: Rebuilt) -> list[str]:
    """Completions the rules find in the log that it does not record (the service records them when it starts), and
    recorded ones the rules do not find."""
    lines = []
    found, logged = rebuilt.quest_completions, rebuilt.logged_completions
    for key in sorted(set(found) | set(logged)):
        if key not in logged:
            lines.append(f'quests: {key} is completed by event {found[key].event_id} but the log does not record it')
        elif key not in found:
            lines.append(f'quests: the log records {key} (event {logged[key]}) but the replay does not complete it')
        elif found[key].event_id != logged[key]:
            lines.append(f'quests: the log records {key} by event {logged[key]}, the replay by event '
                         f'{found[key].event_id}')
    return lines


def daily_differences(stored: PointsTally, rebuilt: PointsTally, what: str) -> list[str]:
    """Each agent whose per-day totals (``what``: points, resolved counts) differ; days at zero count as absent."""
    lines = []
    for agent_id in sorted(set(stored.by_agent) | set(rebuilt.by_agent)):
        stored_days = {day: value for day, value in stored.by_agent.get(agent_id, {}).items() if value}
        rebuilt_days = {day: value for day, value in rebuilt.by_agent.get(agent_id, {}).items() if value}
        if stored_days != rebuilt_days:
            lines.append(f'leaderboard: agent {agent_id} daily {what} differ '
                         f'(stored {sum(stored_days.values())}, rebuilt {sum(rebuilt_days.values())})')
    return lines


def badge_differences(stored: list[HistoryRow], rebuilt: list[HistoryRow]) -> list[str]:
    """The badge holders now and their history, stored versus replayed."""
    lines = []
    holders = {(key, agent_id) for key, agent_id, _, lost in stored if lost is None}
    rebuilt_holders = {(key, agent_id) for key, agent_id, _, lost in rebuilt if lost is None}
    for key, agent_id in sorted(holders - rebuilt_holders):
        lines.append(f'badges: agent {agent_id} holds {key} but the replay says not')
    for key, agent_id in sorted(rebuilt_holders - holders):
        lines.append(f'badges: the replay says agent {agent_id} holds {key}, the store says not')
    missing, extra = Counter(rebuilt) - Counter(stored), Counter(stored) - Counter(rebuilt)
    for key, agent_id, gained, lost in sorted(extra.elements(), key=str):
        lines.append(f'badge history: stored {key} of agent {agent_id} from {gained} to {lost} not in the replay')
    for key, agent_id, gained, lost in sorted(missing.elements(), key=str):
        lines.append(f'badge history: replayed {key} of agent {agent_id} from {gained} to {lost} not stored')
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


# what the daily aggregates count: a log holding any of these has something to show in the analytics
ANALYTICS_KINDS = (EventKind.CONVERSATION_CREATED, EventKind.REPLIED, EventKind.RESOLVED, EventKind.RATED,
                   EventKind.ABANDONED)


async def backfill_analytics() -> bool:
    """Fill the analytics' daily aggregates from the log when they are empty but the log is not: a database upgraded
    from a release before them (or a crash between that migration and this), once. True when it did."""
    if await AnalyticsDay.exists() or await AnalyticsVolume.exists() or \
            not await StoredEvent.filter(kind__in=[kind.value for kind in ANALYTICS_KINDS]).exists():
        return False
    rebuilt = await replay()
    async with in_transaction():
        await overwrite_analytics(rebuilt.analytics)
    return True


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
        await add_daily_points(((entry.agent_id, floor_day(entry.occurred_at), entry.points) for entry in entries),
                               ((agent_id, day, count) for agent_id, days in rebuilt.resolved.by_agent.items()
                                for day, count in days.items() if count))
        for metrics in rebuilt.metrics.values():
            values = metrics.as_dict()
            await AgentScore.create(**values)
        for status in RedemptionStatus:  # a redemption's status is the log's; its other fields never change
            ids = [key for key, folded in rebuilt.spending.redemptions.items() if folded.status == status]
            for chunk in range(0, len(ids), CHUNK):
                await Redemption.filter(id__in=ids[chunk:chunk + CHUNK]).exclude(status=status.value) \
                    .update(status=status.value)
        await write_history(rebuilt.badge_history)
        await overwrite_analytics(rebuilt.analytics)
        await LevelReached.all().delete()
        await LevelReached.bulk_create(level_rows(rebuilt.levels_reached), batch_size=CHUNK)
        await LevelRow.all().delete()
        await LevelRow.bulk_create([LevelRow(**level_as_dict(level)) for level in rebuilt.levels])
        await ScoringPolicyRow.all().delete()
        await ScoringPolicyRow.bulk_create([ScoringPolicyRow(since_event_id=since, **policy_as_dict(policy))
                                            for since, policy in rebuilt.policies])
        if rebuilt.quests is not None:
            await QuestRow.all().delete()
            await QuestRow.bulk_create([QuestRow(key=quest.key, **row_fields(quest)) for quest in rebuilt.quests])
        await BadgeDefinitionRow.all().delete()
        await BadgeDefinitionRow.bulk_create([BadgeDefinitionRow(position=position, **definition.as_dict())
                                              for position, definition in enumerate(rebuilt.badges)])
