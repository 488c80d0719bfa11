"""The services one process runs, built once by ``main.py`` and handed to every page."""
import logging
from datetime import datetime, timedelta
from dataclasses import dataclass

from argon2 import PasswordHasher
from tortoise import Tortoise

from models import Agent, SchemaInfo, StoredEvent
from services.platform.auth import AuthService
from services.helpdesk.automation import AutomationService
from services.platform.scheduler import Scheduler as Sweeper
from services.game.badges import BadgeService
from services.helpdesk.canned_replies import CannedReplyService
from services.platform.clock import AcceleratedClock, ManualClock
from services.helpdesk.crm import CrmService
from simulation.demo import seed_demo_floor, seed_demo_game, seed_demo_queue, seed_demo_quests
from services.platform.directory import Directory
from services.game.disputes import DisputeService
from services.platform.event_log import GameService
from services.helpdesk.inbox import InboxService
from services.game.incentives import IncentiveService
from services.game.leaderboard import LeaderboardService
from services.game.levels import LevelService
from services.platform.notices import Notices
from services.helpdesk.presence import Presence
from services.game.progress import ProgressService
from services.game.quests import QuestService
from services.helpdesk.ratings import RatingsService
from services.game.receipts import ReceiptService
from services.game.rewards import RewardService
from services.helpdesk.routing import RoutingService
from services.game.scoring import ScoringService
from services.platform.settings import Settings, sqlite_path
from services.helpdesk.sla import SlaService
from services.helpdesk.team_chat import TeamChatService
from services.game.trophies import TrophyService
from services.helpdesk.viewing import ViewingService
from simulation.simulator import Simulator

log = logging.getLogger(__name__)


@dataclass(kw_only=True, slots=True)
class Services:
    settings: Settings
    clock: AcceleratedClock | ManualClock
    directory: Directory
    auth: AuthService
    game: GameService
    leaderboard: LeaderboardService
    progress: ProgressService
    inbox: InboxService
    presence: Presence
    simulator: Simulator
    viewing: ViewingService
    # the workspace (issue 3): CRM card, canned replies, internal chat, ratings
    crm: CrmService
    canned_replies: CannedReplyService
    team_chat: TeamChatService
    ratings: RatingsService
    routing: RoutingService
    sla: SlaService
    automation: AutomationService
    sweeper: Sweeper  # time rules, SLA escalations, routing sweep; on a manual clock its caller runs them instead
    # the game's store, incentives and disputes (issue 4)
    notices: Notices
    rewards: RewardService
    incentives: IncentiveService
    disputes: DisputeService
    receipts: ReceiptService
    # the game (issue 4): badges, editable levels, monthly trophies
    badges: BadgeService
    levels: LevelService
    trophies: TrophyService
    scoring: ScoringService  # the scoring values and the leaderboards' minimum volume, as leads edit them
    quests: QuestService  # quests and team missions (issue 4)

    async def start(self) -> None:
        """Open the database, seed the demo, load the projections from the log and start the simulator."""
        await open_database(self.settings.db_url)
        seeded = self.settings.demo and await seed_demo_floor(self.auth)
        if seeded and isinstance(self.clock, AcceleratedClock):
            self.clock.advance_to(demo_morning(self.clock.now()))
        last_event = await StoredEvent.all().order_by('-id').first()
        if last_event is not None and isinstance(self.clock, AcceleratedClock):
            self.clock.advance_to(last_event.occurred_at)  # never record events before the last one
        await self.directory.load()
        await self.levels.load()  # the stored level table, before the projection loads
        await self.scoring.load()  # and the scoring values in force
        await self.game.load()
        await self.incentives.load()  # into the projection game.load() built
        await self.rewards.load()
        await self.badges.load()
        await self.quests.load()  # after the badges: a completion it records may give a badge
        await self.trophies.load()
        await self.leaderboard.load()
        await self.inbox.load()
        await self.canned_replies.load()
        await self.load_workspace_settings()
        if seeded:
            await seed_demo_queue(self.inbox)
            await seed_demo_game(self.rewards, self.incentives, self.directory)
            if self.settings.simulator:  # the quests come with the simulated traffic that moves their bars
                await seed_demo_quests(self.quests, self.directory)
            log.info('seeded the demo floor')
        if isinstance(self.clock, AcceleratedClock):
            self.sweeper.start()
        if self.settings.simulator:
            self.simulator.start()

    async def load_workspace_settings(self) -> None:
        """Routing, SLA policies and rules: what leads configure (after the inbox, whose queue they look at)."""
        await self.routing.load()
        await self.sla.load()
        await self.automation.load()

    async def stop(self) -> None:
        """Finish the action in progress, then close the database: nothing is left half-written."""
        await self.simulator.stop()
        await self.sweeper.stop()
        await self.routing.stop()
        await self.presence.close()
        async with self.game.unit_of_work():  # waits for the writer to be idle
            pass
        await self.quests.stop()  # records the completions of the events committed so far
        await self.badges.stop()  # stores the holders of the events committed so far
        await Tortoise.close_connections()


def demo_morning(now: datetime) -> datetime:
    """A new demo starts during working hours: at night (UTC) the shifts are thin and the floor looks asleep."""
    if 7 <= now.hour < 18:
        return now
    morning = now.replace(hour=8, minute=0, second=0, microsecond=0)
    return morning if morning > now else morning + timedelta(days=1)


def build(settings: Settings, *, clock: AcceleratedClock | ManualClock | None = None) -> Services:
    """Wire the services together; tests and headless runs pass a :class:`ManualClock`."""
    clock = clock or AcceleratedClock()
    directory = Directory()
    hasher = PasswordHasher(memory_cost=settings.argon2_memory_kib)
    game = GameService(clock=clock)
    leaderboard = LeaderboardService(clock=clock, game=game, directory=directory)
    notices = Notices()  # what the store, the disputes and the quests tell one agent's tabs
    badges = BadgeService(clock=clock, game=game, directory=directory)
    quests = QuestService(clock=clock, game=game, directory=directory, notices=notices, badges=badges)
    progress = ProgressService(clock=clock, game=game, leaderboard=leaderboard, quests=quests)
    canned_replies = CannedReplyService(clock=clock, game=game)
    inbox = InboxService(clock=clock, game=game, directory=directory, canned=canned_replies)
    presence = Presence(clock=clock, game=game)
    simulator = Simulator(clock=clock, inbox=inbox, game=game, directory=directory, presence=presence,
                          seed=settings.seed, speed=settings.sim_speed, scenario=settings.scenario)
    # SLA due times are set before the rules run (a rule may test or change the priority), routing after the commit
    routing = RoutingService(clock=clock, game=game, inbox=inbox, directory=directory, presence=presence)
    sla = SlaService(clock=clock, game=game, inbox=inbox, routing=routing)
    automation = AutomationService(clock=clock, game=game, inbox=inbox, directory=directory,
                                   departments=lambda: {d.id: d.name for d in routing.departments.values()})
    sweeper = Sweeper(clock=clock, steps=[automation.run_time_rules, sla.check, routing.route_waiting])
    return Services(settings=settings, clock=clock, directory=directory,
                    auth=AuthService(directory=directory, hasher=hasher, demo_mode=settings.demo),
                    game=game, leaderboard=leaderboard, progress=progress, inbox=inbox, presence=presence,
                    simulator=simulator, viewing=ViewingService(clock=clock, game=game, directory=directory),
                    crm=CrmService(clock=clock, game=game, inbox=inbox),
                    canned_replies=canned_replies,
                    team_chat=TeamChatService(clock=clock, game=game, directory=directory),
                    ratings=RatingsService(clock=clock), routing=routing, sla=sla, automation=automation,
                    sweeper=sweeper, notices=notices,
                    rewards=RewardService(clock=clock, game=game, directory=directory, notices=notices),
                    incentives=IncentiveService(clock=clock, game=game),
                    disputes=DisputeService(clock=clock, game=game, directory=directory, notices=notices),
                    receipts=ReceiptService(directory=directory, game=game, badges=badges),
                    badges=badges, levels=LevelService(game=game), trophies=TrophyService(clock=clock, game=game),
                    scoring=ScoringService(game=game), quests=quests)


async def check_database(db_url: str) -> None:
    """Open and close the database once, so an unusable one is reported before the server starts."""
    await open_database(db_url)
    await Tortoise.close_connections()


SCHEMA_VERSION = 5  # raise with every change to the tables; there are no migrations yet


class IncompatibleDatabase(RuntimeError):
    pass


async def open_database(db_url: str) -> None:
    """Connect, create missing tables, and refuse a database whose tables are of another version."""
    path = sqlite_path(db_url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    await Tortoise.init(db_url=db_url, modules={'models': ['models']}, _enable_global_fallback=True)
    await Tortoise.generate_schemas(safe=True)
    info = await SchemaInfo.get_or_none(id=1)
    if info is None and not await Agent.exists():
        await SchemaInfo.create(id=1, version=SCHEMA_VERSION)
    elif info is None or info.version != SCHEMA_VERSION:
        await Tortoise.close_connections()
        raise IncompatibleDatabase(
            f'{db_url} was created by another version of DeskQuest (tables version {info.version if info else 1}, '
            f'this version needs {SCHEMA_VERSION}). Move the file aside (the demo creates a new one) or use a new '
            'database; automatic migrations are not available yet.')
