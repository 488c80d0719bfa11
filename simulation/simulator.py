"""A discrete-event traffic simulator that drives the inbox through the same services people use.

Scheduled actions live in a heap ordered by simulated time. In the app, :meth:`Simulator.run` sleeps in real time
until the next action is due on the accelerated clock; headless, :meth:`Simulator.run_until` jumps a manual clock
from action to action, so a seeded run repeats exactly.
"""
import asyncio
import heapq
import itertools
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from nicegui import Event

from models import Customer
from services.clock import AcceleratedClock, ManualClock
from services.directory import AgentView, Directory
from services.events import Channel, EventKind, Rating
from services.game import GameService
from services.inbox import ActionError, InboxService
from services.presence import Presence
from services.projection import Outcome
from simulation.traffic import (CLOSING_SHORTCUTS, DEFAULT_STYLE, FOLLOW_UPS, FREE_REPLIES, HOURLY_PROFILE,
                                MEAN_HANDLE_SECONDS, PEAK_ARRIVALS_PER_HOUR, PRIORITY_WEIGHTS, PROBLEMS, STYLES)

log = logging.getLogger(__name__)
SPEEDS = (1, 10, 60, 300, 900, 3600)  # the choices offered to a lead
MIN_SPEED, MAX_SPEED = 1.0, 3600.0
MAX_ACTIONS_PER_TICK = 200  # then yield to the event loop so tabs stay responsive


@dataclass(frozen=True, kw_only=True, slots=True)
class SimulatorStatus:
    running: bool
    speed: float
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
    busy_with: int | None = None
    idle_since: datetime | None = None  # who waited longest gets the next conversation


class Simulator:
    def __init__(self, *, clock: AcceleratedClock | ManualClock, inbox: InboxService, game: GameService,
                 directory: Directory, presence: Presence, seed: int = 1, speed: float = 60.0) -> None:
        self.clock = clock
        self.inbox = inbox
        self.game = game
        self.directory = directory
        self.presence = presence
        self.seed = seed
        self.speed = speed
        self.random = random.Random(seed)
        self.running = False
        self.actions = 0
        self.status_changed: Event[SimulatorStatus] = Event()
        self._heap: list[_Scheduled] = []
        self._seq = itertools.count()
        self._agents: dict[int, _SimAgent] = {}
        self._customers: list[int] = []
        self._task: asyncio.Task | None = None
        self._awaiting_rating: set[int] = set()
        game.committed.subscribe(self._on_committed)

    def status(self) -> SimulatorStatus:
        return SimulatorStatus(running=self.running, speed=self.speed, sim_time=self.clock.now(), actions=self.actions)

    async def prepare(self) -> None:
        """Load the floor and schedule the first arrivals (idempotent)."""
        if self._agents:
            return
        self._agents = {agent.id: _SimAgent(view=agent) for agent in self.directory.floor()}
        self._customers = sorted(await Customer.all().values_list('id', flat=True))
        if not self._customers:
            raise RuntimeError('the simulator needs customers: seed the demo floor first')
        for channel in Channel:
            self._schedule_arrival(channel, self.clock.now())
        self._schedule(self.clock.now(), self._dispatch)

    # --- running in the app, on the accelerated clock ---

    def start(self) -> None:
        if self.running:
            return
        if isinstance(self.clock, AcceleratedClock):
            self.clock.set_speed(self.speed)
        self.running = True
        self._task = asyncio.get_running_loop().create_task(self.run(), name='simulator')
        self._announce()

    async def stop(self) -> None:
        """Stop after the action in progress; nothing is left half-written (each action is one transaction)."""
        if not self.running:
            return
        self.running = False
        if self._task is not None:
            await self._task
            self._task = None
        if isinstance(self.clock, AcceleratedClock):
            self.clock.set_speed(1.0)  # while the simulator is stopped time runs at its real pace
        self._announce()

    def set_speed(self, speed: float) -> None:
        if not MIN_SPEED <= speed <= MAX_SPEED:
            raise ValueError(f'the speed must be between {MIN_SPEED:g}× and {MAX_SPEED:g}×')
        self.speed = speed
        if self.running and isinstance(self.clock, AcceleratedClock):
            self.clock.set_speed(speed)
        self._announce()

    async def run(self) -> None:
        await self.prepare()
        assert isinstance(self.clock, AcceleratedClock)
        while self.running:
            if not self._heap or self._heap[0].due > self.clock.now():
                wait = self.clock.real_seconds_until(self._heap[0].due) if self._heap else 0.25
                await asyncio.sleep(min(max(wait, 0.01), 0.25))
                continue
            for _ in range(MAX_ACTIONS_PER_TICK):
                if not self.running or not self._heap or self._heap[0].due > self.clock.now():
                    break
                await self._run_next()
            await asyncio.sleep(0)

    # --- running headless, on a manual clock ---

    async def run_until(self, until: datetime) -> None:
        """Run every action due up to ``until`` on a manual clock, as fast as the database allows."""
        assert isinstance(self.clock, ManualClock)
        await self.prepare()
        while self._heap and self._heap[0].due <= until:
            self.clock.set(max(self.clock.now(), self._heap[0].due))
            await self._run_next()
        self.clock.set(max(self.clock.now(), until))

    # --- the traffic ---

    async def _run_next(self) -> None:
        item = heapq.heappop(self._heap)
        self.actions += 1
        try:
            await item.action()
        except ActionError as error:  # a person got there first: that is normal on a shared floor
            log.debug('simulated action skipped: %s', error)

    def _schedule(self, due: datetime, action: Callable[[], Awaitable[None]]) -> None:
        heapq.heappush(self._heap, _Scheduled(due=due, seq=next(self._seq), action=action))

    def _schedule_arrival(self, channel: Channel, after: datetime) -> None:
        """Non-homogeneous Poisson arrivals by thinning: draw at the peak rate, keep with the hour's share."""
        peak_rate = PEAK_ARRIVALS_PER_HOUR[channel] / 3600.0
        moment = after
        while True:
            moment += timedelta(seconds=self.random.expovariate(peak_rate))
            if self.random.random() < HOURLY_PROFILE[moment.hour]:
                break

        async def arrive() -> None:
            await self._arrive(channel)
            self._schedule_arrival(channel, moment)
        self._schedule(moment, arrive)

    async def _arrive(self, channel: Channel) -> None:
        subject, body = self.random.choice(PROBLEMS)
        priority = self.random.choices(list(PRIORITY_WEIGHTS), weights=list(PRIORITY_WEIGHTS.values()))[0]
        customer_id = self.random.choice(self._customers)
        await self.inbox.create_conversation(customer_id=customer_id, channel=channel, subject=subject, body=body,
                                             priority=priority)
        await self._dispatch()

    async def _dispatch(self) -> None:
        """Give each idle simulated agent work after its reaction time: its own reopened conversations first, then
        the oldest conversation waiting in the queue."""
        claimed = {agent.busy_with for agent in self._agents.values()}
        waiting = sorted((item for item in self.inbox.items() if item.id not in claimed), key=lambda item: item.created_at)
        queue = [item for item in waiting if item.assignee_id is None and item.status == 'new']
        idle = sorted((agent for agent in self._agents.values()
                       if agent.busy_with is None and not self.presence.is_online(agent.view.id)),
                      key=lambda agent: (agent.idle_since or datetime.min.replace(tzinfo=timezone.utc), agent.view.id))
        for agent in idle:
            own = next((item for item in waiting if item.assignee_id == agent.view.id and item.waiting_since), None)
            item = own or (queue.pop(0) if queue else None)
            if item is None:
                continue
            agent.busy_with = item.id
            style = STYLES.get(agent.view.style, DEFAULT_STYLE)
            delay = timedelta(seconds=self.random.expovariate(1 / style.reaction_seconds))
            self._schedule(self.clock.now() + delay, lambda a=agent, c=item.id: self._pick_up(a, c))

    async def _pick_up(self, agent: _SimAgent, conversation_id: int) -> None:
        style = STYLES.get(agent.view.style, DEFAULT_STYLE)
        if self.presence.is_online(agent.view.id):  # they logged in meanwhile: the conversation stays in the queue
            self._free(agent)
            await self._dispatch()
            return
        try:
            text = '/hello' if self.random.random() < style.canned_share else self.random.choice(FREE_REPLIES)
            await self.inbox.reply(agent.view, conversation_id, text)
        except ActionError:
            self._free(agent)
            await self._dispatch()
            return
        item = self.inbox.open_items.get(conversation_id)
        channel = item.channel if item else Channel.EMAIL
        handle = self.random.expovariate(1 / (MEAN_HANDLE_SECONDS[channel] * style.handle_factor))
        now = self.clock.now()
        if self.random.random() < 0.25:  # the customer writes back before it is solved: no first-contact bonus
            self._schedule(now + timedelta(seconds=handle / 2),
                           lambda: self.inbox.customer_message(conversation_id, self.random.choice(FOLLOW_UPS)))
        self._schedule(now + timedelta(seconds=max(30.0, handle)), lambda: self._finish(agent, conversation_id))

    async def _finish(self, agent: _SimAgent, conversation_id: int) -> None:
        style = STYLES.get(agent.view.style, DEFAULT_STYLE)
        if self.presence.is_online(agent.view.id):  # they logged in meanwhile: the rest of the work is theirs
            self._free(agent)
            return
        try:
            closing = self.random.choice(CLOSING_SHORTCUTS) if self.random.random() < style.canned_share else None
            await self.inbox.reply(agent.view, conversation_id, f'/{closing}' if closing else
                                   self.random.choice(FREE_REPLIES))
            await self.inbox.resolve(agent.view, conversation_id)
        finally:
            self._free(agent)
            await self._dispatch()

    def _free(self, agent: _SimAgent) -> None:
        agent.busy_with = None
        agent.idle_since = self.clock.now()

    def _on_committed(self, outcomes: list[Outcome]) -> None:
        """Customers rate every resolution, whoever resolved it (a person or a simulated agent)."""
        for outcome in outcomes:
            event = outcome.event
            if event.kind == EventKind.RESOLVED and event.conversation_id is not None and self._agents:
                self._schedule_rating(event.conversation_id, event.agent_id, event.occurred_at)

    def _schedule_rating(self, conversation_id: int, agent_id: int | None, resolved_at: datetime) -> None:
        if self.random.random() > 0.8:  # not every customer rates
            return
        agent = self.directory.agent(agent_id) if agent_id is not None else None
        style = STYLES.get(agent.style if agent else '', DEFAULT_STYLE)
        draw = self.random.random()
        rating = Rating.GOOD if draw < style.good_rating else \
            Rating.BAD if draw < style.good_rating + style.bad_rating else Rating.NEUTRAL
        reopen = rating == Rating.BAD and self.random.random() < 0.3
        delay = timedelta(minutes=self.random.uniform(2, 30))

        async def rate() -> None:
            await self.inbox.rate(conversation_id, rating)
            if reopen:  # an unhappy customer sometimes writes again, which reopens the conversation
                await self.inbox.customer_message(conversation_id, 'This is still not solved, I am afraid.')
        self._schedule(max(resolved_at, self.clock.now()) + delay, rate)

    def _announce(self) -> None:
        self.status_changed.emit(self.status())

