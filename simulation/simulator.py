"""The in-app simulator: simulated customers and agents that drive the inbox through the services people use.

Scheduled actions live in a heap ordered by simulated time. In the app, :meth:`Simulator.run` sleeps in real time
until the next action is due on the accelerated clock, then works through what is due in short slices and yields to
the event loop between them; headless, :meth:`Simulator.run_until` jumps a manual clock from action to action, so a
seeded run repeats exactly. Rates, scenarios, handling times, patience, styles, shifts, breaks and texts come from
``simulation/traffic.py``, the same model the headless core uses.
"""
import asyncio
import heapq
import itertools
import logging
import math
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from nicegui import Event

from models import Customer
from services.container import Services
from services.domain.errors import ActionError
from services.domain.events import Channel, EventKind
from services.domain.inbox import InboxItem
from services.domain.projection import Outcome
from services.game.kudos import KudosService
from services.helpdesk.inbox import InboxService
from services.helpdesk.presence import OFFLINE, ON_BREAK, ONLINE, Presence
from services.platform.clock import AcceleratedClock, ManualClock
from services.platform.directory import AgentView, Directory
from services.platform.event_log import GameService
from services.platform.leases import Lease, Work
from services.platform.tasks import start_task
from simulation import traffic
from simulation.traffic import (
    DEFAULT_STYLE,
    LIVE,
    PERSONAS,
    SCENARIOS,
    STYLES,
    AgentStyle,
    Shift,
    TrafficModel,
    plan_shifts,
)

log = logging.getLogger(__name__)
SPEEDS = (1, 10, 60, 300, 900, 3600)  # the choices offered to a lead
MIN_SPEED, MAX_SPEED = 1.0, 3600.0
BATCH_SPAN = timedelta(seconds=10)  # simulated time one slice may cover
SLICE_SECONDS = 0.02  # work through due actions for at most this long (real time), then let the tabs have the loop
DEFAULT_SCENARIO = 'normal'
# the work simulated agents do around a conversation (shares of the conversations they handle)
TAG_SHARE, NOTE_SHARE, TRANSFER_SHARE = 0.35, 0.1, 0.05
SIM_TAGS = ('refund', 'login', 'shipping', 'billing', 'bug', 'vip', 'follow-up', 'feedback', 'upgrade')
SIM_NOTES = ('Customer is a reseller: check their contract first.', 'Same issue as last week, see the earlier ticket.',
             'Called back, no answer. Will try again this afternoon.', 'Needs a refund approval from billing.')
SIM_TRANSFER_NOTES = ('Can you take this one? You know this customer.', 'Billing question, not mine.',
                      'Needs someone technical.', '')
# an agent who handed a conversation to a colleague thanks them, now and then, once the colleague has solved it
KUDOS_AFTER_TRANSFER_SHARE = 0.5
SIM_KUDOS = ('Thanks for taking that one over!', 'You saved my afternoon, thank you.',
             'Merci pour le coup de main !', 'Dank je wel voor de hulp!', 'Paldies par palīdzību!')


@dataclass(frozen=True, kw_only=True, slots=True)
class SimulatorStatus:
    running: bool
    speed: float
    scenario: str
    sim_time: datetime
    actions: int


@dataclass(order=True)
class _Scheduled:
    due: datetime
    seq: int
    action: Callable[[], Awaitable[None]] = field(compare=False)


@dataclass(kw_only=True, slots=True)
class _SimAgent:
    view: AgentView
    style: AgentStyle
    shift: Shift
    busy_with: int | None = None
    idle_since: datetime | None = None  # who waited longest gets the next conversation
    on_break_until: datetime | None = None
    wants_break: bool = False


@dataclass(frozen=True, kw_only=True, slots=True)
class _Customer:
    id: int
    name: str
    language: str


def simulator_for(services: Services, *, clock: AcceleratedClock | ManualClock, pace: AcceleratedClock | None = None,
                  seed: int = 1, speed: float = 60.0, scenario: str = DEFAULT_SCENARIO) -> 'Simulator':
    """The simulator driving ``services``: live on the accelerated clock it speeds up (``pace``, the services' own
    clock), or headless on a manual one (``pace`` None)."""
    return Simulator(clock=clock, pace=pace, inbox=services.inbox, game=services.game, directory=services.directory,
                     presence=services.presence, kudos=services.kudos, seed=seed, speed=speed, scenario=scenario,
                     lease=services.leases.lease(Work.SIMULATOR))


class Simulator:
    """Runs live in the app on an accelerated clock it speeds up (``pace``, the services' own clock), or headless
    on a manual clock that :meth:`run_until` moves (``pace`` None)."""

    def __init__(self, *, clock: AcceleratedClock | ManualClock, inbox: InboxService, game: GameService,
                 directory: Directory, presence: Presence, kudos: KudosService | None = None,
                 pace: AcceleratedClock | None = None, seed: int = 1, speed: float = 60.0,
                 scenario: str = DEFAULT_SCENARIO, lease: Lease | None = None) -> None:
        if scenario not in SCENARIOS:
            raise ValueError(f'unknown scenario {scenario!r}')
        self.clock = clock
        self.pace = pace
        self.inbox = inbox
        self.game = game
        self.directory = directory
        self.presence = presence
        self.kudos = kudos
        self.seed = seed
        self.speed = speed
        self.scenario = scenario
        self.lease = lease or Lease(Work.SIMULATOR)  # several processes (PostgreSQL): only the holder drives the floor
        self.lease.on_taken(self._taken_over)
        self.random = random.Random(seed)
        self.comment_random = random.Random(f'{seed}:rating comments')  # its own stream: other draws stay as they were
        self.running = False
        self.actions = 0
        self.status_changed: Event[SimulatorStatus] = Event()
        self.traffic: TrafficModel | None = None
        self._heap: list[_Scheduled] = []
        self._seq = itertools.count()
        self._agents: dict[int, _SimAgent] = {}
        self._customers: list[_Customer] = []
        self._language: dict[int, str] = {}  # conversation -> its customer's language, while the simulator needs it
        self._waited: dict[int, float] = {}  # conversation -> seconds its customer waited for an answer
        self._epoch = datetime.min.replace(tzinfo=UTC)  # the midnight that arrival times count from
        self._generation = 0  # a change of scenario ends the arrival streams of the one before
        self._task: asyncio.Task | None = None
        self._work_random = random.Random(f'{seed}-conversation-work')  # tags, notes, transfers: their own stream
        self._kudos_random = random.Random(f'{seed}-kudos')  # so thanks leave every other draw as it was
        self._patience_random = random.Random(f'{seed}-waiting-at-start')  # their own stream too
        # what only personas draw (sizes a cherry picker looks at, notes, closing unsolved): an honest floor's draws
        # stay as they were
        self._persona_random = random.Random(f'{seed}-personas')
        self._sizes: dict[int, float] = {}  # conversation -> its size, drawn on arrival while someone picks by it
        self._unsolved: set[int] = set()  # conversations resolved before the customer's problem was solved
        game.committed.subscribe(self._on_committed)

    def status(self) -> SimulatorStatus:
        return SimulatorStatus(running=self.running, speed=self.speed, scenario=self.scenario,
                               sim_time=self.clock.now(), actions=self.actions)

    def seated(self) -> list[tuple[AgentView, str]]:
        """Who plays which persona in the current scenario ('gaming'): demo agents drawn from the seed, at least one
        of them left honest; empty in a scenario without personas."""
        candidates = sorted((agent for agent in self.directory.floor()
                             if agent.is_demo and not self.directory.works_elsewhere(agent)), key=lambda a: a.id)
        personas = SCENARIOS[self.scenario].personas[:max(0, len(candidates) - 1)]
        chosen = random.Random(f'{self.seed}-seats').sample(candidates, len(personas))
        return list(zip(chosen, personas, strict=True))

    async def prepare(self) -> None:
        """Load the floor and the customers and schedule the first arrivals (idempotent)."""
        if self._agents:
            return
        floor = self.directory.floor()
        self._customers = [_Customer(id=row[0], name=row[1], language=row[2]) for row in
                           await Customer.all().order_by('id').values_list('id', 'name', 'language')]
        if not floor or not self._customers:
            raise RuntimeError('the simulator needs agents and customers: seed the demo floor first')
        self._agents = {agent.id: _SimAgent(view=agent, style=STYLES.get(agent.style, DEFAULT_STYLE),
                                            shift=Shift(start=None)) for agent in floor}
        now = self.clock.now()
        self._epoch = now.replace(hour=0, minute=0, second=0, microsecond=0)
        self._apply_scenario()
        self._schedule_waiting_patience(now)
        self._schedule(now, self._dispatch)

    def _schedule_waiting_patience(self, now: datetime) -> None:
        """The chat and phone customers already waiting for a first answer when the simulator starts (the demo's
        seeded queue, or those of a run before a restart) get a patience too, from now: none rings for hours."""
        assert self.traffic is not None
        for item in sorted(self.inbox.items(), key=lambda item: item.id):
            if item.first_response_at is None and item.status in ('new', 'open'):
                patience = self.traffic.patience(item.channel, self._patience_random)
                if patience != math.inf:
                    self._schedule(now + timedelta(seconds=patience),
                                   lambda conversation_id=item.id: self._give_up(conversation_id))

    def set_scenario(self, name: str) -> None:
        """Switch the traffic from now on: arrival rates, surges, who is on shift, breaks."""
        if name not in SCENARIOS:
            raise ValueError(f'unknown scenario {name!r}: one of {", ".join(SCENARIOS)}')
        self.scenario = name
        if self._agents:
            self._apply_scenario()
        self._announce()

    # --- running in the app, on the accelerated clock ---

    def start(self) -> None:
        if self.running:
            return
        if self.pace is None:
            raise RuntimeError('a headless simulator is driven by run_until')
        self.pace.set_speed(self.speed)
        self.running = True
        self._task = start_task(self.run(), name='simulator')
        self._announce()

    async def stop(self) -> None:
        """Stop after the action in progress; nothing is left half-written (each action is one transaction)."""
        if not self.running:
            return
        self.running = False
        if self._task is not None:
            await self._task
            self._task = None
        await self._report_all_offline()
        if self.pace is not None:
            self.pace.set_speed(1.0)  # while the simulator is stopped time runs at its real pace
        self._announce()

    def set_speed(self, speed: float) -> None:
        if not MIN_SPEED <= speed <= MAX_SPEED:
            raise ValueError(f'the speed must be between {MIN_SPEED:g}× and {MAX_SPEED:g}×')
        self.speed = speed
        if self.running and self.pace is not None:
            self.pace.set_speed(speed)
        self._announce()

    async def run(self) -> None:
        assert self.pace is not None
        while self.running:
            if not self.lease.held:  # another process drives the floor
                await asyncio.sleep(0.25)
                continue
            await self.prepare()
            if not self._heap or self._heap[0].due > self.clock.now():
                wait = self.pace.real_seconds_until(self._heap[0].due) if self._heap else 0.25
                await asyncio.sleep(min(max(wait, 0.01), 0.25))
                continue
            # a slice of what is due, then the loop is the tabs' again: at 3600× a burst never freezes a screen.
            # The slice is one transaction (each action a savepoint of it); it spans little simulated time, because
            # the inbox the simulated agents look at is updated when the slice commits
            started, first_due = time.perf_counter(), self._heap[0].due
            async with self.game.batch():
                while self.running and self._heap and self._heap[0].due <= min(self.clock.now(),
                                                                               first_due + BATCH_SPAN) and \
                        time.perf_counter() - started < SLICE_SECONDS:
                    await self._run_next()
            await asyncio.sleep(0)

    async def _taken_over(self) -> None:
        """Another process drove the floor until now: plan afresh from the floor as it is (the actions planned here
        before are long overdue, and the conversations they were for were worked there)."""
        self._heap.clear()
        self._agents.clear()

    # --- running headless, on a manual clock ---

    async def run_until(self, until: datetime) -> None:
        """Run every action due up to ``until`` on a manual clock, as fast as the database allows."""
        assert self.pace is None, 'run_until runs a headless simulator on a manual clock'
        await self.prepare()
        while self._heap and self._heap[0].due <= until:
            self.clock.set(max(self.clock.now(), self._heap[0].due))
            await self._run_next()
        self.clock.set(max(self.clock.now(), until))

    # --- the traffic ---

    def _apply_scenario(self) -> None:
        scenario = SCENARIOS[self.scenario]
        personas = {agent.id: persona for agent, persona in self.seated()}
        for agent in self._agents.values():  # a persona's agent plays it; everyone else works in their own style
            agent.style = PERSONAS[personas[agent.view.id]] if agent.view.id in personas else \
                STYLES.get(agent.view.style, DEFAULT_STYLE)
        self.traffic = TrafficModel(
            scenario=scenario, arrivals_per_hour=traffic.DEMO_ARRIVALS_PER_AGENT_HOUR * len(self._agents),
            mean_handle_seconds=traffic.DEMO_HANDLE_SECONDS, patience_seconds=traffic.DEFAULT_PATIENCE_SECONDS)
        for agent, shift in zip(self._agents.values(), plan_shifts(len(self._agents), scenario), strict=True):
            agent.shift = shift
            if scenario.steady:
                agent.on_break_until, agent.wants_break = None, False
        self._generation += 1
        now = self.clock.now()
        self._schedule(now, self._report_shifts)
        for channel in Channel:
            self._schedule_arrival(channel, now, self._generation)
        if not scenario.steady:
            self._schedule_shift_change(self._generation)
            for agent in self._agents.values():
                self._schedule_break(agent, self._generation)

    async def _run_next(self) -> None:
        item = heapq.heappop(self._heap)
        self.actions += 1
        try:
            await item.action()
        except ActionError as error:  # a person got there first: that is normal on a shared floor
            log.debug('simulated action skipped: %s', error)

    def _schedule(self, due: datetime, action: Callable[[], Awaitable[None]]) -> None:
        heapq.heappush(self._heap, _Scheduled(due=due, seq=next(self._seq), action=action))

    def _seconds(self, moment: datetime) -> float:
        return (moment - self._epoch).total_seconds()

    def _schedule_arrival(self, channel: Channel, after: datetime, generation: int) -> None:
        assert self.traffic is not None
        seconds = self.traffic.next_arrival(channel, self._seconds(after), 0.0, self.random)
        if seconds == math.inf:
            return
        moment = self._epoch + timedelta(seconds=seconds)

        async def arrive() -> None:
            if generation != self._generation:
                return  # the scenario changed: the new one has its own arrivals
            self._schedule_arrival(channel, moment, generation)
            await self._arrive(channel)
        self._schedule(moment, arrive)

    async def _arrive(self, channel: Channel) -> None:
        assert self.traffic is not None
        customer = self.random.choice(self._customers)
        subject, body = traffic.problem(customer.language, self.random)
        body = traffic.signed(body, customer.name, traffic.company_of(customer.id, customer.language))
        conversation_id = await self.inbox.create_conversation(
            customer_id=customer.id, channel=channel, subject=subject, body=body,
            priority=traffic.priority(self.random))
        self._language[conversation_id] = customer.language
        patience = self.traffic.patience(channel, self.random)
        if patience != math.inf:
            self._schedule(self.clock.now() + timedelta(seconds=patience), lambda: self._give_up(conversation_id))
        if any(agent.style.picks for agent in self._agents.values()):  # its size shows to whoever picks by it
            self._sizes[conversation_id] = self.traffic.contact_size(channel, self._persona_random)
        self._plan_notes_on_waiting(conversation_id)
        await self._dispatch()

    async def _give_up(self, conversation_id: int) -> None:
        """A chat or phone customer whose patience ran out hangs up, unless someone has answered by now or a simulated
        agent is on it: also while it rings on a person who does not pick up (nobody's caller waits four hours)."""
        item = self.inbox.open_items.get(conversation_id)
        claimed = any(agent.busy_with == conversation_id for agent in self._agents.values())
        if item is None or claimed or item.first_response_at is not None or item.status not in ('new', 'open'):
            return
        await self.inbox.abandon(conversation_id)
        self._language.pop(conversation_id, None)

    async def _dispatch(self) -> None:
        """Give each available simulated agent work: its own reopened conversations first, then the oldest one waiting,
        live channels (chat, phone) before e-mail and social outside the steady scenario."""
        claimed = {agent.busy_with for agent in self._agents.values()}
        waiting = sorted((item for item in self.inbox.items() if item.id not in claimed), key=_queue_order)
        steady = SCENARIOS[self.scenario].steady
        queue = [item for item in waiting if item.assignee_id is None and item.status == 'new']
        if not steady:
            queue.sort(key=lambda item: (item.channel not in LIVE, _queue_order(item)))
        now = self.clock.now()
        idle = sorted((agent for agent in self._agents.values() if self._available(agent, now)),
                      key=lambda agent: (agent.idle_since or datetime.min.replace(tzinfo=UTC), agent.view.id))
        for agent in idle:
            own = next((item for item in waiting if item.assignee_id == agent.view.id and item.waiting_since), None)
            if own is not None:
                item = own
            elif agent.style.picks:  # a cherry picker takes the least work it accepts, wherever it waits
                item = self._pick(agent.style, queue, now)
                if item is not None:
                    queue.remove(item)
            else:
                item = queue.pop(0) if queue else None
            if item is None:
                continue
            agent.busy_with = item.id
            self._waited.setdefault(item.id, (now - item.created_at).total_seconds())
            self._schedule(now, lambda a=agent, c=item: self._take(a, c))

    def _pick(self, style: AgentStyle, queue: list[InboxItem], now: datetime) -> InboxItem | None:
        """The waiting conversation with the least visible work (channel and size) that ``style`` accepts, the first
        of equals in the queue's order (as the headless core's cherry picker picks from its line)."""
        best, least = None, math.inf
        for item in queue:
            size = self._sizes.get(item.id, 1.0)  # one waiting since before the picker sat down looks average
            if style.accepts(item.channel, size, (now - item.created_at).total_seconds()):
                work = traffic.expected_work(item.channel, size)
                if work < least:
                    best, least = item, work
        return best

    def _available(self, agent: _SimAgent, now: datetime) -> bool:
        """Free for inbox work: on duty, not on a break, not logged in (a person does their own work), and of a team
        that works in DeskQuest's inbox (a team in another helpdesk has none here: issue 14)."""
        return agent.busy_with is None and agent.on_break_until is None and agent.shift.on_duty(now.hour) and \
            not self.presence.is_online(agent.view.id) and not self.directory.works_elsewhere(agent.view)

    async def _take(self, agent: _SimAgent, item: InboxItem) -> None:
        """The agent takes the conversation now (the customer is answered), replies after its reaction time and keeps
        at it for a handling time drawn from the traffic model."""
        assert self.traffic is not None
        if self.presence.is_online(agent.view.id):  # they logged in meanwhile: the conversation stays in the queue
            await self._free(agent)
            return
        try:
            await self.inbox.take(agent.view, item.id)
        except ActionError:
            await self._free(agent)
            raise
        style = agent.style
        size = self._sizes.pop(item.id, None)
        handle = self.traffic.handle_seconds(item.channel, style, self.random) if size is None else \
            self.traffic.sized_handle_seconds(item.channel, style, size)
        now = self.clock.now()
        first_reply = min(handle * 0.4, self.random.expovariate(1.0 / style.reaction_seconds))
        conversation_id = item.id
        self._schedule(now + timedelta(seconds=first_reply), lambda: self._reply(agent, conversation_id, opening=True))
        if self.random.random() < style.follow_up_share:  # the customer writes back before it is solved
            language = self._language.get(conversation_id, 'en')
            text = traffic.follow_up(language, self.random)
            self._schedule(now + timedelta(seconds=handle * 0.5),
                           lambda: self.inbox.customer_message(conversation_id, text))
            self._schedule(now + timedelta(seconds=handle * 0.7), lambda: self._reply(agent, conversation_id))
        self._schedule(now + timedelta(seconds=handle), lambda: self._finish(agent, conversation_id))
        self._plan_conversation_work(agent, conversation_id, handle)

    async def _reply(self, agent: _SimAgent, conversation_id: int, *, opening: bool = False) -> None:
        if agent.busy_with != conversation_id or self.presence.is_online(agent.view.id):
            return
        await self.inbox.reply(agent.view, conversation_id, self._text(agent, conversation_id,
                                                                       traffic.OPENING_SHORTCUT if opening else None))

    async def _finish(self, agent: _SimAgent, conversation_id: int) -> None:
        if agent.busy_with != conversation_id:
            return
        if self.presence.is_online(agent.view.id):  # they logged in meanwhile: the rest of the work is theirs
            await self._free(agent)
            return
        try:
            await self.inbox.reply(agent.view, conversation_id,
                                   self._text(agent, conversation_id, self.random.choice(traffic.CLOSING_SHORTCUTS)))
            if traffic.closes_unsolved(agent.style, self._persona_random):  # a premature closer's habit
                self._unsolved.add(conversation_id)
            await self.inbox.resolve(agent.view, conversation_id)
        finally:
            await self._free(agent)

    def _text(self, agent: _SimAgent, conversation_id: int, shortcut: str | None) -> str:
        """A canned reply (``/shortcut``) as often as the agent's style uses them, else free text of a realistic
        length in the customer's language."""
        if shortcut is not None and self.random.random() < agent.style.canned_share:
            return f'/{shortcut}'
        return traffic.free_reply(agent.style, self._language.get(conversation_id, 'en'), self.random)

    async def _free(self, agent: _SimAgent) -> None:
        agent.busy_with = None
        agent.idle_since = self.clock.now()
        if agent.wants_break:
            self._start_break(agent)
        await self._dispatch()

    # --- the work around a conversation: tags, internal notes, transfers ---

    def _plan_conversation_work(self, agent: _SimAgent, conversation_id: int, handle: float) -> None:
        """While handling a conversation an agent sometimes tags it, leaves a note for colleagues, or hands it on."""
        rng, now = self._work_random, self.clock.now()
        style = agent.style
        if rng.random() < TAG_SHARE or style.tags_per_contact > 1:  # a note spammer tags every one, several times
            tags = (rng.choice(SIM_TAGS),) if style.tags_per_contact == 1 else \
                tuple(rng.sample(SIM_TAGS, style.tags_per_contact))
            for tag in tags:
                self._schedule(now + timedelta(seconds=handle * 0.3),
                               lambda tag=tag: self._tag(agent, conversation_id, tag))
        if rng.random() < NOTE_SHARE:
            note = rng.choice(SIM_NOTES)
            self._schedule(now + timedelta(seconds=handle * 0.5), lambda: self._note(agent, conversation_id, note))
        notes = traffic.own_notes(style, self._persona_random)  # trivial ones, for points (a note spammer's)
        for index in range(notes):
            note = self._persona_random.choice(traffic.TRIVIAL_NOTES)
            self._schedule(now + timedelta(seconds=handle * (0.2 + 0.6 * index / notes)),
                           lambda note=note: self._note(agent, conversation_id, note))
        if rng.random() < TRANSFER_SHARE:
            self._schedule(now + timedelta(seconds=handle * 0.6), lambda: self._transfer(agent, conversation_id))

    def _plan_notes_on_waiting(self, conversation_id: int) -> None:
        """Agents on the floor who note what waits unassigned (a note spammer farming assist credit) write on the new
        conversation a little later, if nobody has taken it by then."""
        now = self.clock.now()
        for agent in self._agents.values():
            if agent.style.colleague_note_share and agent.on_break_until is None and agent.shift.on_duty(now.hour) \
                    and traffic.notes_on_waiting(agent.style, self._persona_random):
                note = self._persona_random.choice(traffic.TRIVIAL_NOTES)
                later = timedelta(seconds=self._persona_random.uniform(10.0, 120.0))
                self._schedule(now + later, lambda a=agent, n=note: self._note_on_waiting(a, conversation_id, n))

    async def _note_on_waiting(self, agent: _SimAgent, conversation_id: int, note: str) -> None:
        item = self.inbox.open_items.get(conversation_id)
        if item is None or item.assignee_id is not None or item.status != 'new' or \
                self.presence.is_online(agent.view.id) or self.directory.works_elsewhere(agent.view):
            return  # taken meanwhile (an agent may note only their own or an unassigned one), or a person plays them
        await self.inbox.add_note(agent.view, conversation_id, note)

    def _still_handling(self, agent: _SimAgent, conversation_id: int) -> bool:
        return agent.busy_with == conversation_id and not self.presence.is_online(agent.view.id)

    async def _tag(self, agent: _SimAgent, conversation_id: int, tag: str) -> None:
        if self._still_handling(agent, conversation_id):
            await self.inbox.tag(agent.view, conversation_id, tag)

    async def _note(self, agent: _SimAgent, conversation_id: int, note: str) -> None:
        if self._still_handling(agent, conversation_id):
            await self.inbox.add_note(agent.view, conversation_id, note)

    async def _transfer(self, agent: _SimAgent, conversation_id: int) -> None:
        """Hand the conversation to an idle colleague (who carries on with it) or to a department's queue."""
        item = self.inbox.open_items.get(conversation_id)
        if item is None or not self._still_handling(agent, conversation_id):
            return
        rng, now = self._work_random, self.clock.now()
        departments = list(await self.inbox.departments())
        colleagues = [other for other in self._agents.values() if other is not agent and self._available(other, now)]
        if colleagues and (not departments or rng.random() < 0.5):
            colleague = min(colleagues, key=lambda other: (other.idle_since or self._epoch, other.view.id))
            await self.inbox.transfer(agent.view, conversation_id, to_agent_id=colleague.view.id,
                                      note=rng.choice(SIM_TRANSFER_NOTES))
            colleague.busy_with = conversation_id
            assert self.traffic is not None
            handle = self.traffic.handle_seconds(item.channel, colleague.style, rng) * 0.5  # the rest of the work
            self._schedule(now + timedelta(seconds=handle * 0.3), lambda: self._reply(colleague, conversation_id))
            self._schedule(now + timedelta(seconds=handle), lambda: self._finish(colleague, conversation_id))
            if self.kudos is not None and self._kudos_random.random() < KUDOS_AFTER_TRANSFER_SHARE:
                later = timedelta(seconds=handle + self._kudos_random.uniform(60.0, 900.0))
                message = self._kudos_random.choice(SIM_KUDOS)
                self._schedule(now + later, lambda: self._thank(agent, colleague, message))
        elif departments:
            await self.inbox.transfer(agent.view, conversation_id, to_department_id=rng.choice(departments),
                                      note=rng.choice(SIM_TRANSFER_NOTES))
        else:
            return
        await self._free(agent)

    async def _thank(self, agent: _SimAgent, colleague: _SimAgent, message: str) -> None:
        """The agent who handed a conversation on thanks the colleague who took it (unless a person plays them now,
        or today's thanks are spent)."""
        if self.kudos is None or self.presence.is_online(agent.view.id):
            return
        try:
            await self.kudos.send(agent.view, colleague.view.id, message)
        except ActionError:
            pass  # the day's thanks are spent, or the colleague left the floor: no thanks this time

    # --- shifts and breaks ---

    def _schedule_shift_change(self, generation: int) -> None:
        """At every full hour shifts begin and end: whoever starts takes work from the queue."""
        now = self.clock.now()
        next_hour = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)

        async def change() -> None:
            if generation == self._generation:
                self._schedule_shift_change(generation)
                await self._report_shifts()
                await self._dispatch()
        self._schedule(next_hour, change)

    def _schedule_break(self, agent: _SimAgent, generation: int) -> None:
        due = self.clock.now() + timedelta(seconds=self.random.expovariate(agent.style.breaks_per_hour / 3600.0))

        async def break_due() -> None:
            if generation != self._generation:
                return
            self._schedule_break(agent, generation)
            if agent.on_break_until is not None or not agent.shift.on_duty(self.clock.now().hour):
                return
            if agent.busy_with is None:
                self._start_break(agent)
            else:
                agent.wants_break = True  # after the conversation in hand
        self._schedule(due, break_due)

    def _start_break(self, agent: _SimAgent) -> None:
        agent.wants_break = False
        length = timedelta(minutes=agent.style.break_minutes * self.random.uniform(0.5, 1.5))
        agent.on_break_until = self.clock.now() + length
        self._schedule(self.clock.now(), lambda: self._report_presence(agent))

        async def back() -> None:
            agent.on_break_until = None
            agent.idle_since = self.clock.now()
            await self._report_presence(agent)
            await self._dispatch()
        self._schedule(agent.on_break_until, back)

    # --- presence ---

    async def _report_shifts(self) -> None:
        """At every shift change: who is on shift shows online (or on a break), who is not shows offline."""
        for agent in self._agents.values():
            await self._report_presence(agent)

    async def _report_presence(self, agent: _SimAgent) -> None:
        on_duty = agent.shift.on_duty(self.clock.now().hour)
        status = ON_BREAK if agent.on_break_until is not None else ONLINE if on_duty else OFFLINE
        await self.presence.report_simulated(agent.view.id, status)

    async def _report_all_offline(self) -> None:
        """The simulator stopped: its agents leave the floor."""
        for agent in self._agents.values():
            await self.presence.report_simulated(agent.view.id, OFFLINE)

    # --- ratings ---

    def _on_committed(self, outcomes: list[Outcome]) -> None:
        """Customers rate resolutions, whoever resolved them (a person or a simulated agent)."""
        for outcome in outcomes:
            event = outcome.event
            if event.conversation_id is None or not self._agents:
                continue
            if event.kind == EventKind.RESOLVED:
                self._sizes.pop(event.conversation_id, None)  # a person took it: nobody picks it any more
                self._schedule_rating(event.conversation_id, event.agent_id, event.occurred_at)
            elif event.kind == EventKind.ABANDONED:
                self._language.pop(event.conversation_id, None)
                self._sizes.pop(event.conversation_id, None)
            elif event.kind == EventKind.ASSIGNED and event.data.get('by') and event.agent_id in self._agents:
                self._schedule(self.clock.now(), self._dispatch)  # routing, a rule or an SLA escalation gave them work

    def _schedule_rating(self, conversation_id: int, agent_id: int | None, resolved_at: datetime) -> None:
        """The customer rates as the resolver's style makes them (a persona's while an agent plays one), and may write
        again, which reopens it: more often when it was closed before it was solved."""
        if agent_id in self._agents:
            style = self._agents[agent_id].style
        else:
            agent = self.directory.agent(agent_id) if agent_id is not None else None
            style = STYLES.get(agent.style if agent else '', DEFAULT_STYLE)
        solved = conversation_id not in self._unsolved
        self._unsolved.discard(conversation_id)
        verdict = traffic.rating(style, self._waited.pop(conversation_id, 0.0), self.random, solved=solved)
        language = self._language.pop(conversation_id, 'en')
        reopen = traffic.writes_again(verdict, self.random, solved=solved)
        if verdict is None and not reopen:
            return
        delay = timedelta(seconds=self.random.uniform(120.0, 1800.0))
        comment = traffic.rating_comment(verdict, language, self.comment_random) if verdict is not None else ''

        async def rate() -> None:
            if verdict is not None:
                await self.inbox.rate(conversation_id, verdict, comment=comment)
            if reopen:  # an unhappy customer sometimes writes again, which reopens the conversation
                self._language[conversation_id] = language
                await self.inbox.customer_message(conversation_id, traffic.still_not_solved(language))
        self._schedule(max(resolved_at, self.clock.now()) + delay, rate)

    def _announce(self) -> None:
        self.status_changed.emit(self.status())


def _queue_order(item: InboxItem) -> datetime:
    return item.created_at
