"""The services one process runs, built once by ``main.py`` and handed to every page: the one place that wires them."""
import logging
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from tortoise import Tortoise

from services.domain.events import EventKind, GameEvent
from services.domain.i18n import set_floor_timezone
from services.domain.monitor import waiting
from services.domain.sessions import SessionPolicy
from services.game.analytics import AnalyticsService
from services.game.api_reads import ApiReads
from services.game.away import AwayReport
from services.game.badges import BadgeService
from services.game.boss import BossService
from services.game.disputes import DisputeService
from services.game.incentives import IncentiveService
from services.game.kudos import KudosService
from services.game.leaderboard import LeaderboardService
from services.game.levels import LevelService
from services.game.personal_bests import PersonalBestsService
from services.game.progress import ProgressService
from services.game.quests import QuestService
from services.game.rebuild import backfill_analytics
from services.game.recap import RecapService
from services.game.receipts import ReceiptService
from services.game.rewards import RewardService
from services.game.scoring import ScoringService
from services.game.seasons import SeasonService
from services.game.trophies import TrophyService
from services.game.wellbeing import WellbeingService
from services.game.whatif import RulesService
from services.game.working_hours import WorkingHoursService
from services.helpdesk.api_events import ExternalEvents
from services.helpdesk.assists import AssistService
from services.helpdesk.automation import AutomationService
from services.helpdesk.canned_replies import CannedReplyService
from services.helpdesk.connections import ConnectionService
from services.helpdesk.crm import CrmService
from services.helpdesk.handovers import HandoverNotices
from services.helpdesk.inbox import InboxService
from services.helpdesk.monitor import MonitorService
from services.helpdesk.presence import Presence
from services.helpdesk.ratings import RatingsService
from services.helpdesk.routing import RoutingService
from services.helpdesk.sla import SlaService
from services.helpdesk.team_chat import TeamChatService
from services.helpdesk.viewing import ViewingService
from services.platform.accounts import AccountService
from services.platform.api_tokens import ApiTokenService
from services.platform.auth import AuthService
from services.platform.clock import Clock, wall_clock_for
from services.platform.database import open_database
from services.platform.directory import Directory
from services.platform.displays import DisplayService
from services.platform.event_log import GameService
from services.platform.leases import Leases, Work
from services.platform.notices import Notices
from services.platform.scheduler import Scheduler
from services.platform.sessions import SessionService
from services.platform.settings import Settings

log = logging.getLogger('deskquest')
CANNED_REPLY_EDITS = frozenset({EventKind.CANNED_REPLY_SAVED, EventKind.CANNED_REPLY_DELETED})


@dataclass(kw_only=True, slots=True)
class Services:
    settings: Settings
    clock: Clock
    directory: Directory
    auth: AuthService
    accounts: AccountService  # a lead's management of the accounts (issue 19)
    game: GameService
    sessions: SessionService  # login sessions: checked by every page and handler (issue 19)
    leaderboard: LeaderboardService
    progress: ProgressService
    inbox: InboxService
    assists: AssistService  # the resolver's word on a resolution's assists (issue 18)
    presence: Presence
    viewing: ViewingService
    # the workspace (issue 3): CRM card, canned replies, internal chat, ratings
    crm: CrmService
    canned_replies: CannedReplyService
    team_chat: TeamChatService
    ratings: RatingsService
    routing: RoutingService
    sla: SlaService
    automation: AutomationService
    leases: Leases  # PostgreSQL: which once-only work this process does (issue 17); on SQLite all of it
    scheduler: Scheduler  # time rules, SLA escalations, routing sweep: main.py starts it; on a manual clock the
    # tests run its steps themselves
    # the game's store, incentives and disputes (issue 4)
    notices: Notices
    rewards: RewardService
    incentives: IncentiveService
    disputes: DisputeService
    kudos: KudosService  # an agent thanks a colleague (issue 20)
    seasons: SeasonService  # the seasons of the boards (issue 20)
    away: AwayReport  # the demo's "while you were away" (issue 15)
    receipts: ReceiptService
    # the game (issue 4): badges, editable levels, monthly trophies
    badges: BadgeService
    levels: LevelService
    trophies: TrophyService
    scoring: ScoringService  # the scoring values and the leaderboards' minimum volume, as leads edit them
    quests: QuestService  # quests and team missions (issue 4)
    rules: RulesService  # what-if: previews of a draft of every rule, and publishing it (issue 18)
    # the REST API v1 (issue 14): its tokens, what it reads, the facts it is posted
    api_tokens: ApiTokenService
    displays: DisplayService  # wall displays and public names (issue 15)
    api_reads: ApiReads
    external_events: ExternalEvents
    # connected helpdesks (issue 14): Chatwoot, Zendesk and Freshdesk webhooks fed into the same events
    connections: ConnectionService
    monitor: MonitorService  # the lead's live monitor (issue 15)
    analytics: AnalyticsService  # the charts' daily aggregates and their reads (issue 15)
    boss: BossService  # the cooperative queue boss (issue 20)
    bests: PersonalBestsService  # personal bests and streaks on the card (issue 20)
    recap: RecapService  # an agent's month compared with themselves, and as an image (issue 20)
    wellbeing: WellbeingService  # the daily hours limit and the break suggestion (issue 20)
    working_hours: WorkingHoursService  # each team's working hours, which time its resolutions (issue 18)

    async def start(self) -> None:
        """Open the database and load the projections from the log."""
        await self.open()
        await self.load()

    async def open(self) -> None:
        await open_database(self.settings.db_url)
        if await backfill_analytics():  # a database from before the analytics: their aggregates, from the log
            log.info('analytics: daily aggregates filled from the event log')

    async def load(self) -> None:
        """Load every projection from what is stored; the order is the order they depend on each other. On
        PostgreSQL every process's writers wait meanwhile, so all of them load the log as of one moment."""
        async with self.game.writers_held(self.settings.db_url):
            await self.load_projections()
        await self.quests.record_missed()  # recorded: after the hold, which a writer would wait for
        await self.badges.start_with_defaults()  # a new floor: today's default badges, as its first badge edit
        await self.game.follow(self.settings.db_url)  # PostgreSQL: other processes' events, folded here too

    async def load_projections(self) -> None:
        """In the order they depend on each other; nothing here may record an event (see ``writers_held``)."""
        await self.directory.load()
        await self.levels.load()  # the stored level table, before the projection loads
        await self.scoring.load()  # and the scoring values in force
        await self.game.load()
        await self.leases.start(self.settings.db_url)  # before the services that do once-only work load
        await self.wellbeing.load()  # into the projection game.load() built
        await self.working_hours.load()  # the same
        await self.scoring.load_low_value()  # today's points from notes and tags, for their daily cap
        self.away.load()  # whoever comes back was away since here
        await self.incentives.load()  # into the projection game.load() built
        await self.rewards.load()
        await self.badges.load()
        await self.quests.load()  # after the badges: a completion it records may give a badge
        await self.trophies.load()
        await self.leaderboard.load()
        await self.inbox.load()
        await self.canned_replies.load()
        await self.load_workspace_settings()
        await self.monitor.load()  # after the routing and SLA policies it shows
        await self.sessions.load()  # after the directory: a session's role is compared with its account's
        await self.displays.load()
        await self.boss.load()  # into the projection game.load() built

    async def load_workspace_settings(self) -> None:
        """Routing, SLA policies and rules: what leads configure (after the inbox, whose queue they look at)."""
        await self.routing.load()
        await self.sla.load()
        await self.automation.load()

    async def refresh_workspace_settings(self, events: list[GameEvent]) -> None:
        """Another process's lead changed routing, departments, skills, SLA policies, rules or canned replies
        (PostgreSQL): load them again here, so the lease holders' routing and sweep work by what is in force."""
        if any(event.kind == EventKind.WORKSPACE_CONFIGURED for event in events):
            await self.load_workspace_settings()
        if any(event.kind in CANNED_REPLY_EDITS for event in events):
            await self.canned_replies.load()

    async def stop(self, *, close_database: bool = True) -> None:
        """Finish the action in progress, then close the database: nothing is left half-written.

        A simulator driving these services is stopped first by whoever started it (main.py). ``close_database``
        False: another ``Services`` in this process still uses the connections (tests of several "processes")."""
        await self.scheduler.stop()
        await self.routing.stop()
        await self.presence.close()
        await self.game.stop_following()
        async with self.game.unit_of_work():  # waits for the writer to be idle
            pass
        await self.quests.stop()  # records the completions of the events committed so far
        await self.badges.stop()  # its midnight check (the holders are stored with the events)
        await self.leases.stop()  # last of the work: another process takes it over at once
        await self.sessions.stop()  # the watch over other processes' logouts; the writes in flight
        self.auth.close()
        if close_database:
            await Tortoise.close_connections()


def build(settings: Settings, *, clock: Clock) -> Services:
    """Wire the services together on the clock the caller chose (main.py: the wall clock or the demo's accelerated
    one; tests and headless runs: a manual one). One part per line, each after the parts it needs."""
    set_floor_timezone(settings.floor_timezone)  # the times every page and receipt shows are the floor's (issue 16)
    directory = Directory()
    game = GameService(clock=clock)  # the event log's single writer: every change goes through it
    leases = Leases(retry_seconds=settings.lease_retry_seconds)  # once-only work: one process of several does it
    notices = Notices()  # what the store, the disputes and the quests tell one agent's tabs
    auth = AuthService(directory=directory, hasher=PasswordHasher(memory_cost=settings.argon2_memory_kib),
                       demo_mode=settings.demo, game=game)
    accounts = AccountService(directory=directory, auth=auth, game=game, demo_mode=settings.demo)
    # sessions must not expire sixty times faster in the demo, and a webhook's signature is as old as the wall says
    wall = wall_clock_for(clock)
    sessions = SessionService(clock=wall,
                              directory=directory, game=game, auth=auth, policy=SessionPolicy(
                                  idle=timedelta(minutes=settings.session_idle_minutes),
                                  lifetime=timedelta(hours=settings.session_lifetime_hours)))
    # the game
    scoring = ScoringService(game=game)
    levels = LevelService(game=game)
    incentives = IncentiveService(clock=clock, game=game)
    leaderboard = LeaderboardService(clock=clock, game=game, directory=directory)
    badges = BadgeService(clock=clock, game=game, directory=directory, lease=leases.lease(Work.BADGES))
    quests = QuestService(clock=clock, game=game, directory=directory, notices=notices, badges=badges,
                          lease=leases.lease(Work.QUESTS))
    analytics = AnalyticsService(clock=clock, game=game, directory=directory)  # written with the events, below
    bests = PersonalBestsService(clock=clock, leaderboard=leaderboard, analytics=analytics, directory=directory,
                                 notices=notices)  # personal bests and streaks, on the card (issue 20)
    progress = ProgressService(clock=clock, game=game, leaderboard=leaderboard, quests=quests, incentives=incentives,
                               analytics=analytics, bests=bests)
    trophies = TrophyService(clock=clock, game=game)
    rewards = RewardService(clock=clock, game=game, directory=directory, notices=notices)
    disputes = DisputeService(clock=clock, game=game, directory=directory, notices=notices)
    kudos = KudosService(clock=clock, game=game, directory=directory, notices=notices)
    seasons = SeasonService(clock=clock, game=game, leaderboard=leaderboard)
    away = AwayReport(game=game, enabled=settings.demo)  # the demo's simulator plays the agents who are away
    receipts = ReceiptService(directory=directory, game=game, badges=badges)
    recap = RecapService(clock=clock, game=game, directory=directory, bests=bests, badges=badges, seasons=seasons)
    wellbeing = WellbeingService(clock=clock, game=game, directory=directory, notices=notices, badges=badges)
    working_hours = WorkingHoursService(game=game, directory=directory)
    rules = RulesService(clock=clock, game=game, scoring=scoring, levels=levels, badges=badges, quests=quests,
                         incentives=incentives, working_hours=working_hours)
    # the helpdesk
    canned_replies = CannedReplyService(clock=clock, game=game)
    inbox = InboxService(clock=clock, game=game, directory=directory, canned=canned_replies)
    presence = Presence(clock=clock, game=game)
    viewing = ViewingService(clock=clock, game=game, directory=directory)
    crm = CrmService(clock=clock, game=game, inbox=inbox)
    team_chat = TeamChatService(clock=clock, game=game, directory=directory)
    assists = AssistService(clock=clock, game=game, directory=directory)
    ratings = RatingsService(clock=clock)
    # SLA due times are set before the rules run (a rule may test or change the priority), routing after the commit
    routing = RoutingService(clock=clock, game=game, inbox=inbox, directory=directory, presence=presence,
                             lease=leases.lease(Work.ROUTING))
    sla = SlaService(clock=clock, game=game, inbox=inbox, routing=routing)
    automation = AutomationService(clock=clock, game=game, inbox=inbox, directory=directory,
                                   departments=lambda: {d.id: d.name for d in routing.departments.values()})
    # the REST API v1 (issue 14)
    api_tokens = ApiTokenService(clock=clock, game=game, directory=directory,
                                 requests_per_minute=settings.api_requests_per_minute)
    api_reads = ApiReads(game=game, directory=directory, leaderboard=leaderboard, badges=badges, quests=quests,
                         receipts=receipts)
    external_events = ExternalEvents(game=game, inbox=inbox, directory=directory)
    displays = DisplayService(clock=wall, game=game, directory=directory,  # pairing codes live real minutes
                              default_language=settings.floor_language)
    monitor = MonitorService(clock=clock, inbox=inbox, presence=presence, routing=routing, sla=sla,
                             directory=directory)
    boss = BossService(clock=clock, game=game, waiting=lambda: len(waiting(inbox.items())))  # the queue boss
    # the steps that write run only in the process holding the sweep's lease (route_waiting checks routing's own);
    # the others refresh this process's screens and tell its tabs, in every process
    sweep = leases.lease(Work.SWEEP)
    scheduler = Scheduler(clock=clock, steps=[sweep.guard(automation.run_time_rules), sweep.guard(sla.check),
                                              sweep.guard(routing.release_stranded), routing.route_waiting,
                                              monitor.tick,
                                              progress.check_incentives,  # the cards' incentives running now
                                              sweep.guard(boss.check),  # a fight lost at its deadline, or woken
                                              wellbeing.suggest_breaks])  # a break, once per long streak online
    # what is written in the events' own transaction, after the log and the ledger (so no crash leaves it behind)
    game.store_with_events(badges)  # the badge board and its holders' history
    game.store_with_events(analytics)  # the charts' daily aggregates
    # connected helpdesks: their signing secrets encrypted with a key derived from the storage secret
    connections = ConnectionService(clock=clock, game=game, inbox=inbox, directory=directory, auth=auth,
                                    key=settings.storage_secret.get_secret_value(),
                                    wall=wall)
    handovers = HandoverNotices(inbox=inbox, directory=directory, notices=notices)
    # who hears of a commit, in this order, once the writer's transaction has committed (a simulator main.py builds
    # subscribes after these)
    for listener in (sessions.on_committed,  # an account disabled, its role or password changed: its sessions end
                     leaderboard.on_committed,  # ranks the boards (coalesced)
                     quests.on_committed,  # queues the events for the quest tracker
                     bests.on_committed,  # a change dated before today: that agent's past days folded again
                     progress.on_committed,  # the progress cards of the agents touched
                     routing.on_committed,  # a routing pass after any change but its own assignments
                     sla.on_committed,  # conversations answered: no first-response escalation
                     levels.on_committed,  # level-ups announced to the agent and on the kiosk
                     trophies.on_committed,  # the month's trophy standings
                     monitor.on_committed,  # the lead's monitor: today's figures
                     boss.on_committed,  # the boss fight's view, once for every dashboard and kiosk
                     handovers.on_committed):  # a conversation handed over: its receiver told
        game.committed.subscribe(listener)
    # another process's events (PostgreSQL): the listeners that keep this process's memory and screens in step, and
    # the two that act by writing, which only the holder of their lease does (services/platform/leases.py)
    game.refresh_with_followed(directory.refresh)  # their accounts and teams first: the others name them
    game.refresh_with_followed(inbox.refresh)  # their conversations, from the rows, before these listeners hear
    game.refresh_with_followed(rewards.refresh)  # their stock and terms
    game.refresh_with_followed(connections.refresh)  # a connection changed or agents merged there: read again
    game.refresh_with_followed(displays.refresh)  # their displays changed: a TV let go there leaves here too
    for listener in (presence.on_followed,  # agents present there are present here: first, routing reads it
                     sessions.on_committed,  # its sessions living here end too (the table's update is idempotent)
                     leaderboard.on_committed,
                     quests.on_committed,  # every process's bars move; the lease holder records the completions
                     bests.on_committed, progress.on_committed,
                     routing.on_committed,  # the routing lease's holder routes after every process's changes
                     sla.on_committed,
                     levels.on_committed, trophies.on_committed, monitor.on_committed, boss.on_committed,
                     handovers.on_committed):
        game.followed.subscribe(listener)
    directory.changed.subscribe(leaderboard.broadcast.poke)  # an account created, disabled or changed: rank again
    services = Services(settings=settings, clock=clock, directory=directory, auth=auth, accounts=accounts,
                        sessions=sessions, game=game, notices=notices, scoring=scoring, levels=levels,
                        incentives=incentives, leaderboard=leaderboard, badges=badges, quests=quests, progress=progress,
                        trophies=trophies, rewards=rewards, disputes=disputes, kudos=kudos, seasons=seasons, away=away,
                        receipts=receipts, assists=assists,
                        canned_replies=canned_replies, inbox=inbox, presence=presence, viewing=viewing, crm=crm,
                        team_chat=team_chat, ratings=ratings, routing=routing, sla=sla, automation=automation,
                        leases=leases, scheduler=scheduler, api_tokens=api_tokens, api_reads=api_reads,
                        external_events=external_events,
                        connections=connections, rules=rules, monitor=monitor, analytics=analytics, displays=displays,
                        boss=boss, bests=bests, recap=recap, wellbeing=wellbeing,
                        working_hours=working_hours)
    game.refresh_with_followed(services.refresh_workspace_settings)  # what another process's lead configured
    return services
