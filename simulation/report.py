"""What a headless run reports: the queue's figures overall and per channel, and the game the run's events produce.

The game is scored by folding the run's events through the real pure projection (``services/domain/projection.py``),
the very fold the live service and ``rebuild`` run, so a headless run and the app score the same way.
"""
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from services.domain.badges import DEFAULT_BADGES, BadgeBoard, BadgeDefinition
from services.domain.events import Channel
from services.domain.leaderboard import AgentInfo, Period, PointsTally, rank_agents
from services.domain.levels import DEFAULT_LEVELS, Level, level_info
from services.domain.projection import GameProjection
from services.domain.scoring import ScoringPolicy
from simulation.core import Contact, RunResult

LEADERBOARD_SIZE = 10


@dataclass(frozen=True, kw_only=True, slots=True)
class QueueStats:
    offered: int
    answered: int
    abandoned: int
    asa_seconds: float  # average speed of answer: mean wait of the answered contacts
    service_level: float  # share of the offered contacts answered within the target
    abandon_rate: float  # share of the offered contacts who hung up
    occupancy: float  # share of the agents' available time spent handling contacts
    delay_probability: float  # share of the offered contacts who had to wait at all
    average_handle_seconds: float
    longest_wait_seconds: float


def queue_stats(contacts: Iterable[Contact], *, target: float, busy_seconds: float,
                available_seconds: float) -> QueueStats:
    offered = answered = abandoned = within = delayed = 0
    waited = handled = longest = 0.0
    for contact in contacts:
        offered += 1
        wait = contact.wait
        longest = max(longest, wait)
        if wait > 0:
            delayed += 1
        if contact.answered_at >= 0:
            answered += 1
            waited += wait
            handled += contact.handle
            if wait <= target:
                within += 1
        else:
            abandoned += 1
    return QueueStats(offered=offered, answered=answered, abandoned=abandoned,
                      asa_seconds=waited / answered if answered else 0.0,
                      service_level=within / offered if offered else 0.0,
                      abandon_rate=abandoned / offered if offered else 0.0,
                      occupancy=busy_seconds / available_seconds if available_seconds else 0.0,
                      delay_probability=delayed / offered if offered else 0.0,
                      average_handle_seconds=handled / answered if answered else 0.0,
                      longest_wait_seconds=longest)


@dataclass(frozen=True, kw_only=True, slots=True)
class Summary:
    overall: QueueStats
    channels: dict[Channel, QueueStats]


def summarize(result: RunResult) -> Summary:
    """The queue's figures; per channel, occupancy is the share of the floor's available time that channel took."""
    target = result.config.sl_target_seconds
    available = sum(agent.available_seconds for agent in result.agents)
    by_channel: dict[Channel, list[Contact]] = {channel: [] for channel in result.config.channels}
    for contact in result.contacts:
        by_channel[contact.channel].append(contact)
    channels = {channel: queue_stats(contacts, target=target, available_seconds=available,
                                     busy_seconds=sum(agent.busy_by_channel.get(channel, 0.0)
                                                      for agent in result.agents))
                for channel, contacts in by_channel.items()}
    overall = queue_stats(result.contacts, target=target, available_seconds=available,
                          busy_seconds=sum(agent.busy_seconds for agent in result.agents))
    return Summary(overall=overall, channels=channels)


@dataclass(frozen=True, kw_only=True, slots=True)
class GameSummary:
    events: int
    agents: list[dict[str, Any]]  # each agent's level and points per domain, in floor order
    leaderboard: list[dict[str, Any]]  # the all-time top ten
    ranks: dict[int, dict[str, int]]  # each agent's rank on the month's (of the run's last day) and the all-time board
    badges: dict[str, dict[str, Any]]  # each badge's holders at the end of the run (the live board's, fed the same way)


def play(result: RunResult, *, policy: ScoringPolicy | None = None, levels: Sequence[Level] = DEFAULT_LEVELS,
         badges: Sequence[BadgeDefinition] = DEFAULT_BADGES) -> GameSummary:
    """Fold the run's events through the game projection and the badge board, and rank the floor as the all-time
    leaderboard does."""
    projection = GameProjection(policy=policy, levels=levels)
    board = BadgeBoard(badges, seed=result.config.seed)
    tally = PointsTally()
    events = 0
    last_day = result.config.start.date()
    resolutions: dict[int, int] = {}
    reopens: dict[int, int] = {}
    for event in result.events():
        events += 1
        outcome = projection.apply(event)
        board.apply(event)
        day = event.occurred_at.date()
        last_day = max(last_day, day)
        for award in outcome.awards:
            tally.add(award.agent_id, day, award.points)
        if outcome.resolved is not None:
            agent_id, change = outcome.resolved
            counts = resolutions if change > 0 else reopens
            counts[agent_id] = counts.get(agent_id, 0) + 1
    infos = [AgentInfo(id=agent.id, name=agent.name, team_id=None, team_name=agent.team,
                       level=projection.agents[agent.id].level if agent.id in projection.agents else 1)
             for agent in result.agents]
    ranking = rank_agents(tally, infos, Period.ALL, last_day)
    ranks = {agent.id: {'rank_month': row.rank, 'rank_all_time': 0}
             for agent, row in zip(infos, _in_floor_order(rank_agents(tally, infos, Period.MONTH, last_day), infos),
                                   strict=True)}
    for row in ranking:
        ranks[row.agent_id]['rank_all_time'] = row.rank
    ranking = ranking[:LEADERBOARD_SIZE]
    agents = []
    for agent in result.agents:
        metrics = projection.agents.get(agent.id)
        level = metrics.level if metrics else 1
        agents.append({
            'id': agent.id, 'name': agent.name, 'team': agent.team, 'style': agent.style.name,
            'level': level, 'level_title': level_info(level, levels=levels).title,
            'points': metrics.points if metrics else 0,
            'points_by_domain': {'quality': metrics.quality if metrics else 0, 'speed': metrics.speed if metrics else 0,
                                 'productivity': metrics.productivity if metrics else 0},
            'resolved': metrics.resolved if metrics else 0,
            'positive_ratings': metrics.positive_ratings if metrics else 0,
            'negative_ratings': metrics.negative_ratings if metrics else 0,
            'contacts_answered': agent.handled, 'breaks': agent.breaks,
            'break_minutes': round(agent.break_seconds / 60.0, 1),
            'busy_hours': round(agent.busy_seconds / 3600.0, 2),
            'reopened': reopens.get(agent.id, 0),
            # reopens per resolution recorded (a conversation resolved again after its reopen counts twice)
            'reopen_rate': round(reopens.get(agent.id, 0) / resolutions[agent.id], 4) if resolutions.get(agent.id)
            else 0.0,
        })
    leaderboard = [{'rank': row.rank, 'agent_id': row.agent_id, 'name': row.name, 'team': row.team_name,
                    'level': row.level, 'points': row.points} for row in ranking]
    names = {agent.id: agent.name for agent in result.agents}
    holders = {definition.key: {'name': definition.name, 'holders': [
        {'agent_id': agent_id, 'name': names.get(agent_id, str(agent_id))}
        for agent_id in sorted(board.current.get(definition.key, ()))]} for definition in board.definitions}
    return GameSummary(events=events, agents=agents, leaderboard=leaderboard, badges=holders, ranks=ranks)


def _in_floor_order(rows: Sequence[Any], infos: Sequence[AgentInfo]) -> list[Any]:
    by_agent = {row.agent_id: row for row in rows}
    return [by_agent[info.id] for info in infos]


PERSONA_FIGURES = ('rank_month', 'rank_all_time', 'points', 'points_by_domain', 'reopen_rate')


def personas(result: RunResult, played: GameSummary) -> dict[str, Any]:
    """How each adversarial persona did against the best honest agent (the one ranked highest all-time, then this
    month): the figures that show whether gaming the rules pays."""
    figures = {}
    honest = []
    for sim_agent, agent in zip(result.agents, played.agents, strict=True):
        row = {'agent_id': agent['id'], 'name': agent['name'], **played.ranks[agent['id']],
               **{name: agent[name] for name in PERSONA_FIGURES if name in agent}}
        if sim_agent.style.adversarial:
            figures[sim_agent.style.name] = row
        else:
            honest.append(row | {'style': sim_agent.style.name})
    best = min(honest, key=lambda row: (row['rank_all_time'], row['rank_month'], row['agent_id']))
    return {'personas': figures, 'honest_best': best}


def report(result: RunResult, *, game: bool = True) -> dict[str, Any]:
    """The run as one JSON-ready object: its settings, the queue's figures overall and per channel, and the game."""
    config = result.config
    summary = summarize(result)
    document: dict[str, Any] = {
        'scenario': config.scenario, 'seed': config.seed, 'agents': config.agents, 'hours': config.hours,
        'arrival_rate': config.arrivals_per_hour, 'aht_seconds': config.mean_handle_seconds,
        'patience_seconds': config.patience_seconds, 'sl_target_seconds': config.sl_target_seconds,
        'start': config.start.isoformat(), **({'persona_styles': list(config.personas)} if config.personas else {}),
        **_rounded(summary.overall),
        'channels': {channel.value: _rounded(stats) for channel, stats in summary.channels.items()},
    }
    if game:
        played = play(result)
        document['events'] = played.events
        document['game'] = {'agents': played.agents, 'leaderboard': played.leaderboard, 'badges': played.badges}
        if config.personas:
            document.update(personas(result, played))
    return document


def _rounded(stats: QueueStats) -> dict[str, Any]:
    """Figures rounded to what a person reads (six places for shares, milliseconds for times)."""
    return {name: round(value, 6 if name in ('service_level', 'abandon_rate', 'occupancy', 'delay_probability')
                        else 3) if isinstance(value, float) else value
            for name, value in asdict(stats).items()}


def describe(document: dict[str, Any]) -> str:
    """The report as a few lines a person reads in a terminal."""
    patience = document['patience_seconds']
    lines = [f'{document["scenario"]} scenario, seed {document["seed"]}: {document["agents"]} agents, '
             f'{document["arrival_rate"]:g} contacts/h, handling {document["aht_seconds"]:g} s, '
             f'patience {"none" if patience is None else format(patience, "g") + " s"}, {document["hours"]:g} h',
             f'{"":8} {"offered":>8} {"answered":>8} {"abandoned":>9} {"ASA s":>9} '
             f'{"SL " + format(document["sl_target_seconds"], "g") + " s":>8} {"aband.":>7} {"occup.":>7}']
    for name, stats in [('all', document)] + list(document['channels'].items()):
        lines.append(f'{name:8} {stats["offered"]:>8} {stats["answered"]:>8} {stats["abandoned"]:>9} '
                     f'{stats["asa_seconds"]:>9.1f} {stats["service_level"]:>8.1%} {stats["abandon_rate"]:>7.1%} '
                     f'{stats["occupancy"]:>7.1%}')
    if 'game' in document:
        lines.append(f'{document["events"]} game events; all-time leaderboard:')
        lines += [f'{row["rank"]:>3}. {row["name"]} ({row["team"]}), level {row["level"]}: {row["points"]} points'
                  for row in document['game']['leaderboard']]
        lines.append('badges: ' + '; '.join(
            f'{badge["name"]}: {", ".join(holder["name"] for holder in badge["holders"]) or "nobody"}'
            for badge in document['game']['badges'].values()))
    if 'personas' in document:
        lines.append(f'{"":18} {"month":>5} {"all":>5} {"points":>8} {"quality":>8} {"speed":>8} {"product.":>8} '
                     f'{"reopens":>8}')
        rows = list(document['personas'].items()) + [('honest best', document['honest_best'])]
        lines += [f'{name:18} {row["rank_month"]:>5} {row["rank_all_time"]:>5} {row["points"]:>8} '
                  f'{row["points_by_domain"]["quality"]:>8} {row["points_by_domain"]["speed"]:>8} '
                  f'{row["points_by_domain"]["productivity"]:>8} {row["reopen_rate"]:>8.1%}' for name, row in rows]
    return '\n'.join(lines)
