"""The headless simulator: a pure, seeded discrete-event simulation of a support floor (no I/O, no clock, no UI).

:func:`simulate` runs the queue: contacts arrive by channel, wait in a shared line served in order, are taken by the
agent who has been idle longest, and keep that agent busy for a handling time; chat and phone customers hang up when
their patience runs out. In the ``steady`` scenario this is exactly the M/M/N (Erlang C) or M/M/N+M (Erlang A) queue.
:meth:`RunResult.events` then tells each contact's story as the game events the live services would have recorded
(assigned, replies, follow-ups, resolution, rating, sometimes a reopen), in time order, for the real game projection.

Separate random streams drive arrivals, handling, patience, breaks and the stories, so telling the stories (or not)
never changes the queue, and a seed repeats a run exactly.

A floor may hold adversarial personas (``RunConfig.personas``, issue 18), one agent each: a cherry picker passes on the
contacts it does not want (they go to the next idle agent or wait in the line) and picks the least work it accepts
from the line; the others differ only in their style's probabilities. The draws only personas need (contact sizes,
unsolved problems, notes) come from streams or branches of their own, so an honest floor's run is what it always was.
"""
import heapq
import math
import random
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from services.domain.events import Channel, EventKind, GameEvent
from services.domain.inbox import SLA_RESOLUTION_TARGETS, TIMED_CHANNELS, call_duration
from simulation import traffic
from simulation.traffic import LIVE, PERSONAS, STYLES, AgentStyle, Shift, TrafficModel

DEFAULT_START = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday, midnight: a week starts with a whole day

# presence statuses as services/helpdesk/presence.py records them
ONLINE, ON_BREAK, OFFLINE = 'online', 'on_break', 'offline'
# per style, how often an agent tags a conversation and hands one over to another department: the habits the badges
# Tagger and Traffic controller reward (the queue model has no such habits; they only colour the stories)
TAG_SHARE = {'fast': 0.15, 'careful': 0.35, 'chatty': 0.25, 'steady': 0.7, 'break_lover': 0.2, 'note_spammer': 1.0}
TRANSFER_SHARE = {'fast': 0.02, 'careful': 0.02, 'chatty': 0.03, 'steady': 0.03, 'break_lover': 0.12}
TRIVIAL_NOTE_CHARS = (4, 30)  # 'checked', 'see above', '+1': what a note spammer writes
TAGS = ('billing', 'bug', 'delivery', 'feature_request', 'vip')

# what the heap holds: (time, sequence, kind, subject)
_ARRIVAL, _DONE, _SHIFT, _BREAK_DUE, _BREAK_END = range(5)
_IDLE, _BUSY, _AWAY = range(3)


@dataclass(frozen=True, kw_only=True, slots=True)
class RunConfig:
    agents: int = 12
    arrivals_per_hour: float = 30.0  # average over a day, all channels together
    mean_handle_seconds: float = traffic.DEMO_HANDLE_SECONDS
    patience_seconds: float | None = None  # mean patience of chat and phone customers; None: nobody hangs up
    channels: tuple[Channel, ...] = tuple(Channel)
    hours: float = 24.0  # contacts arrive during this many hours; the floor then works off what is left
    sl_target_seconds: float = 20.0
    seed: int = 1
    scenario: str = 'steady'
    start: datetime = DEFAULT_START
    # adversarial styles on the floor, one agent each (traffic.PERSONAS); the other agents are honest
    personas: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.personas and self.scenario in traffic.SCENARIOS:  # a scenario may seat them ('gaming')
            object.__setattr__(self, 'personas', traffic.SCENARIOS[self.scenario].personas)
        if self.agents < 1:
            raise ValueError('at least one agent is needed')
        unknown = [name for name in self.personas if name not in PERSONAS]
        if unknown:
            raise ValueError(f'unknown persona {unknown[0]!r}: one of {", ".join(PERSONAS)}')
        if len(self.personas) >= self.agents:
            raise ValueError(f'{len(self.personas)} personas need a floor of at least {len(self.personas) + 1} agents '
                             '(--agents): at least one honest agent besides them')
        if self.hours <= 0 or self.sl_target_seconds < 0:
            raise ValueError('the hours must be positive and the service-level target not negative')
        if self.scenario not in traffic.SCENARIOS:
            raise ValueError(f'unknown scenario {self.scenario!r}: one of {", ".join(traffic.SCENARIOS)}')

    def traffic(self) -> TrafficModel:
        return TrafficModel(scenario=traffic.SCENARIOS[self.scenario], arrivals_per_hour=self.arrivals_per_hour,
                            mean_handle_seconds=self.mean_handle_seconds, patience_seconds=self.patience_seconds,
                            channels=self.channels)


@dataclass(kw_only=True, slots=True)
class Contact:
    """One customer contact; times are seconds since the start of the run."""
    id: int
    channel: Channel
    arrival: float
    deadline: float  # when the customer hangs up if nobody has answered (inf: never)
    answered_at: float = -1.0
    abandoned: bool = False
    agent: int = -1  # index of the agent who answered
    handle: float = 0.0
    size: float | None = None  # the work it is, drawn on arrival on a floor where someone picks (see traffic)
    passed_over: int = 0  # older contacts of its channel still waiting when it was taken (a queue jump if any)
    # colleagues' notes written on it while it waited unassigned: (agent index, seconds since the start, length)
    notes: list[tuple[int, float, int]] = field(default_factory=list)

    @property
    def wait(self) -> float:
        """Seconds waited until answered, or until hanging up."""
        return (self.answered_at if self.answered_at >= 0 else self.deadline) - self.arrival


@dataclass(kw_only=True, slots=True)
class SimAgent:
    index: int
    id: int  # the agent id the game events carry
    name: str
    team: str
    style: AgentStyle
    shift: Shift
    state: int = _AWAY
    since: float = 0.0
    idle_token: int = 0  # changes whenever the agent stops being idle, so stale places in the idle line are skipped
    on_duty: bool = False
    on_break: bool = False
    wants_break: bool = False
    contact: Contact | None = None
    available_seconds: float = 0.0  # idle or busy, within the run's hours
    busy_seconds: float = 0.0
    busy_by_channel: dict[Channel, float] = field(default_factory=dict)
    handled: int = 0
    breaks: int = 0
    break_seconds: float = 0.0
    presence: str = OFFLINE  # what the agent's presence menu would show (services/helpdesk/presence.py's statuses)
    presence_since: float = 0.0


class WaitingLine:
    """Contacts waiting for an agent, served in arrival order. Customers who hung up are dropped when reached: with
    exponential or any other patience, a contact is abandoned exactly when its deadline passes before an agent takes
    it, so nobody needs an event of its own for that."""

    def __init__(self) -> None:
        self._line: deque[Contact] = deque()

    def push(self, contact: Contact) -> None:
        self._line.append(contact)

    def pop(self, now: float) -> Contact | None:
        """The next contact still waiting at ``now``; those who hung up on the way are marked abandoned."""
        line = self._line
        while line:
            contact = self._take(line)
            if contact.deadline >= now:
                return contact
            contact.abandoned = True
        return None

    def _take(self, line: deque[Contact]) -> Contact:
        return line.popleft()

    def pick(self, now: float, takes: Callable[[Contact], bool]) -> Contact | None:
        """The smallest contact still waiting at ``now`` that ``takes`` accepts, taken out of the line wherever it
        is (a cherry picker's choice); the others keep their places, those who hung up are found by :meth:`pop`."""
        best, least = None, math.inf
        for position, contact in enumerate(self._line):
            if contact.deadline >= now and takes(contact):
                work = traffic.expected_work(contact.channel, 1.0 if contact.size is None else contact.size)
                if work < least:
                    best, least = position, work
        if best is None:
            return None
        contact = self._line[best]
        del self._line[best]
        return contact

    def older_waiting(self, contact: Contact, now: float) -> int:
        """How many contacts of ``contact``'s channel that arrived before it still wait at ``now``."""
        return sum(1 for waiting in self._line if waiting.channel == contact.channel
                   and waiting.arrival < contact.arrival and waiting.deadline >= now)

    def __bool__(self) -> bool:
        return bool(self._line)


def simulate(config: RunConfig) -> 'RunResult':
    return Simulation(config).run()


class Simulation:
    """One run of the queue. ``waiting_line`` is a class attribute so a test can swap in a wrong discipline."""
    waiting_line: type[WaitingLine] = WaitingLine

    def __init__(self, config: RunConfig) -> None:
        self.config = config
        self.traffic = config.traffic()
        self.end = config.hours * 3600.0
        self.midnight_offset = float((config.start - config.start.replace(hour=0, minute=0, second=0,
                                                                          microsecond=0)).total_seconds())
        seed = config.seed
        self.arrival_rng = random.Random(f'{seed}:arrivals')
        self.handle_rng = random.Random(f'{seed}:handling')
        self.patience_rng = random.Random(f'{seed}:patience')
        self.break_rng = random.Random(f'{seed}:breaks')
        scenario = self.traffic.scenario
        shifts = traffic.plan_shifts(config.agents, scenario)
        honest = config.agents - len(config.personas)
        # contacts show their size only where an agent picks by it, so the runs of honest floors stay as they were
        self.size_rng = random.Random(f'{seed}:sizes') if any(
            PERSONAS[name].max_work is not None for name in config.personas) else None
        # notes on colleagues' waiting conversations: their own stream, drawn only where someone writes them
        self.note_rng = random.Random(f'{seed}:colleague notes') if any(
            PERSONAS[name].colleague_note_share for name in config.personas) else None
        if config.personas:  # who works which shift is drawn, so no persona owes its rank to the busiest shift
            random.Random(f'{seed}:floor').shuffle(shifts)
        self.agents = [_floor_agent(index, shifts[index], None if index < honest else
                                    PERSONAS[config.personas[index - honest]]) for index in range(config.agents)]
        self.breaks = not scenario.steady
        # one shared line in the steady scenario; otherwise chat and phone are answered before e-mail and social
        self.lines = [self.waiting_line()] if scenario.steady else [self.waiting_line(), self.waiting_line()]
        self.line_of = {channel: 0 if scenario.steady or channel in LIVE else 1 for channel in Channel}
        self.contacts: list[Contact] = []
        self.presence: list[PresenceChange] = []  # in time order
        self._heap: list[tuple[float, int, int, object]] = []
        self._seq = 0
        self._idle: deque[tuple[SimAgent, int]] = deque()

    def run(self) -> 'RunResult':
        for channel in self.traffic.channels:
            self._push(self.traffic.next_arrival(channel, 0.0, self.midnight_offset, self.arrival_rng), _ARRIVAL,
                       channel)
        self._change_shifts(0.0)
        if not self.traffic.scenario.steady:
            self._push(3600.0 - self.midnight_offset % 3600.0, _SHIFT, None)
        if self.breaks:
            for agent in self.agents:
                self._schedule_break(agent, 0.0)
        heap, end = self._heap, self.end
        now = 0.0
        while heap:
            now, _, kind, subject = heapq.heappop(heap)
            if kind == _ARRIVAL:
                if now < end:
                    self._arrive(subject, now)  # type: ignore[arg-type]
            elif kind == _DONE:
                self._done(subject, now)  # type: ignore[arg-type]
            elif kind == _SHIFT:
                self._change_shifts(now)
                if now < end or any(self.lines):  # after the last arrival, shifts go on until the lines are empty
                    self._push(now + 3600.0, _SHIFT, None)
            elif kind == _BREAK_DUE:
                self._break_due(subject, now)  # type: ignore[arg-type]
            else:
                self._break_end(subject, now)  # type: ignore[arg-type]
        for agent in self.agents:
            self._set_state(agent, agent.state, max(now, end))
            self._change_presence(agent, OFFLINE, max(now, end))  # every stretch online ends within the run
        return RunResult(config=self.config, contacts=self.contacts, agents=self.agents, presence=self.presence)

    # --- the queue ---

    def _arrive(self, channel: Channel, now: float) -> None:
        contact = Contact(id=len(self.contacts) + 1, channel=channel, arrival=now,
                          deadline=now + self.traffic.patience(channel, self.patience_rng))
        if self.size_rng is not None:
            contact.size = self.traffic.contact_size(channel, self.size_rng)
        self.contacts.append(contact)
        self._push(self.traffic.next_arrival(channel, now, self.midnight_offset, self.arrival_rng), _ARRIVAL, channel)
        agent = self._idle_agent(contact, now)
        if agent is None:
            self.lines[self.line_of[channel]].push(contact)
        else:
            self._answer(agent, contact, now)

    def _idle_agent(self, contact: Contact, now: float) -> SimAgent | None:
        """The agent idle for longest who takes the contact (stale entries, of agents who left for a break or went
        home, are skipped; a picker who passes keeps their place in the idle line)."""
        idle = self._idle
        passed: list[tuple[SimAgent, int]] = []
        found = None
        while idle:
            agent, token = entry = idle.popleft()
            if agent.state == _IDLE and agent.idle_token == token:
                if _takes(agent, contact, now):
                    found = agent
                    break
                passed.append(entry)
        idle.extendleft(reversed(passed))
        return found

    def _answer(self, agent: SimAgent, contact: Contact, now: float) -> None:
        contact.answered_at = now
        contact.passed_over = self.lines[self.line_of[contact.channel]].older_waiting(contact, now)
        contact.agent = agent.index
        if self.note_rng is not None and now > contact.arrival:
            self._note_waiting(contact, agent, now)
        contact.handle = self.traffic.handle_seconds(contact.channel, agent.style, self.handle_rng) \
            if contact.size is None else self.traffic.sized_handle_seconds(contact.channel, agent.style, contact.size)
        agent.contact = contact
        agent.handled += 1
        self._set_state(agent, _BUSY, now)
        self._push(now + contact.handle, _DONE, agent)

    def _note_waiting(self, contact: Contact, taker: SimAgent, now: float) -> None:
        """Colleagues on the floor who note what waits unassigned (a note spammer farming assists) wrote on this
        contact while it waited, before ``taker`` took it."""
        assert self.note_rng is not None
        for agent in self.agents:
            if agent is not taker and agent.on_duty and not agent.on_break and \
                    traffic.notes_on_waiting(agent.style, self.note_rng):
                contact.notes.append((agent.index, self.note_rng.uniform(contact.arrival, now),
                                      len(self.note_rng.choice(traffic.TRIVIAL_NOTES))))

    def _done(self, agent: SimAgent, now: float) -> None:
        contact = agent.contact
        assert contact is not None
        agent.contact = None
        busy = _clip(now, self.end) - _clip(contact.answered_at, self.end)
        agent.busy_by_channel[contact.channel] = agent.busy_by_channel.get(contact.channel, 0.0) + busy
        self._available(agent, now)

    def _available(self, agent: SimAgent, now: float) -> None:
        """The agent can take work now, unless their shift is over or a break is due."""
        if not agent.on_duty:
            agent.wants_break = False  # the end of the shift is break enough
            self._set_state(agent, _AWAY, now)
        elif agent.wants_break:
            self._start_break(agent, now)
        else:
            for line in self.lines:
                contact = line.pick(now, lambda waiting: _takes(agent, waiting, now)) if agent.style.picks \
                    else line.pop(now)
                if contact is not None:
                    self._answer(agent, contact, now)
                    return
            self._set_state(agent, _IDLE, now)
            self._idle.append((agent, agent.idle_token))

    # --- shifts and breaks ---

    def _change_shifts(self, now: float) -> None:
        hour = int((now + self.midnight_offset + 1e-6) // 3600) % 24
        for agent in self.agents:
            duty = agent.shift.on_duty(hour)
            if duty == agent.on_duty:
                continue
            agent.on_duty = duty
            if duty and not agent.on_break and agent.state == _AWAY:
                self._available(agent, now)
            elif not duty and agent.state == _IDLE:
                self._set_state(agent, _AWAY, now)
            # a busy agent finishes the contact in hand first, then goes home (see _available)

    def _schedule_break(self, agent: SimAgent, now: float) -> None:
        self._push(now + self.break_rng.expovariate(agent.style.breaks_per_hour / 3600.0), _BREAK_DUE, agent)

    def _break_due(self, agent: SimAgent, now: float) -> None:
        if now < self.end:
            self._schedule_break(agent, now)
        if not agent.on_duty or agent.on_break or agent.wants_break:
            return
        if agent.state == _IDLE:
            self._start_break(agent, now)
        else:
            agent.wants_break = True  # after the contact in hand

    def _start_break(self, agent: SimAgent, now: float) -> None:
        agent.wants_break = False
        agent.on_break = True
        agent.breaks += 1
        length = agent.style.break_minutes * 60.0 * self.break_rng.uniform(0.5, 1.5)
        agent.break_seconds += length
        self._set_state(agent, _AWAY, now)
        self._push(now + length, _BREAK_END, agent)

    def _break_end(self, agent: SimAgent, now: float) -> None:
        agent.on_break = False
        if agent.on_duty:
            self._available(agent, now)
        else:
            self._change_presence(agent, OFFLINE, now)

    # --- bookkeeping ---

    def _set_state(self, agent: SimAgent, state: int, now: float) -> None:
        if agent.state != _AWAY:
            spent = _clip(now, self.end) - _clip(agent.since, self.end)
            agent.available_seconds += spent
            if agent.state == _BUSY:
                agent.busy_seconds += spent
        if agent.state == _IDLE:
            agent.idle_token += 1
        agent.state = state
        agent.since = now
        self._change_presence(agent, ON_BREAK if agent.on_break else OFFLINE if state == _AWAY else ONLINE, now)

    def _change_presence(self, agent: SimAgent, status: str, now: float) -> None:
        """Note a change of the agent's presence, with the seconds spent in the previous status."""
        if status == agent.presence:
            return
        self.presence.append(PresenceChange(at=now, agent_id=agent.id, status=status, previous=agent.presence,
                                            seconds=round(now - agent.presence_since)))
        agent.presence, agent.presence_since = status, now

    def _push(self, due: float, kind: int, subject: object) -> None:
        if due == math.inf:
            return
        self._seq += 1
        heapq.heappush(self._heap, (due, self._seq, kind, subject))


def _clip(moment: float, end: float) -> float:
    return moment if moment < end else end


def _takes(agent: SimAgent, contact: Contact, now: float) -> bool:
    return agent.style.accepts(contact.channel, 1.0 if contact.size is None else contact.size, now - contact.arrival)


def _floor_agent(index: int, shift: Shift, persona: AgentStyle | None = None) -> SimAgent:
    first, last = traffic.AGENT_NAMES[index % len(traffic.AGENT_NAMES)]
    round_ = index // len(traffic.AGENT_NAMES)
    name = f'{first} {last}' + (f' {round_ + 1}' if round_ else '')  # a 50-agent floor has four Anas: number them
    team = traffic.TEAM_NAMES[(index // 8) % len(traffic.TEAM_NAMES)]
    style = persona or STYLES[traffic.FLOOR_STYLES[index % len(traffic.FLOOR_STYLES)]]
    return SimAgent(index=index, id=index + 1, name=name, team=team, style=style, shift=shift)


@dataclass(frozen=True, kw_only=True, slots=True)
class PresenceChange:
    at: float  # seconds since the start of the run
    agent_id: int
    status: str
    previous: str
    seconds: int  # spent in the previous status


@dataclass(kw_only=True, slots=True)
class RunResult:
    config: RunConfig
    contacts: list[Contact]
    agents: list[SimAgent]
    presence: list[PresenceChange] = field(default_factory=list)

    def events(self) -> Iterator[GameEvent]:
        """Every contact's story as game events, in time order, with ids from 1."""
        return _tell(self)


# --- the stories: what the live services would have recorded for each contact ---

_Pending = tuple[float, int, EventKind, int | None, int, dict]


def _tell(result: RunResult) -> Iterator[GameEvent]:
    """Merge the contacts' stories into one time-ordered stream. A story never starts before its contact arrives and
    contacts come in arrival order, so whatever is pending up to the next arrival can already be told."""
    config = result.config
    rng = random.Random(f'{config.seed}:stories')
    habits = random.Random(f'{config.seed}:habits')  # tags and hand-overs: the stories above stay as they were
    customers: list[traffic.SimCustomer] = []
    pending: list[_Pending] = []
    sequence = [0]
    emitted = 0
    start = config.start
    presence = iter(result.presence)
    change = next(presence, None)
    for contact in result.contacts:
        while change is not None and change.at <= contact.arrival:
            sequence[0] += 1
            heapq.heappush(pending, (change.at, sequence[0], EventKind.PRESENCE_CHANGED, change.agent_id, None,
                                     {'status': change.status, 'previous': change.previous, 'seconds': change.seconds}))
            change = next(presence, None)
        while pending and pending[0][0] <= contact.arrival:
            emitted += 1
            yield _event(heapq.heappop(pending), emitted, start)
        for item in _story(contact, result, rng, customers, sequence):
            heapq.heappush(pending, item)
        for item in _habits(contact, result, habits, sequence):
            heapq.heappush(pending, item)
    while change is not None:
        sequence[0] += 1
        heapq.heappush(pending, (change.at, sequence[0], EventKind.PRESENCE_CHANGED, change.agent_id, None,
                                 {'status': change.status, 'previous': change.previous, 'seconds': change.seconds}))
        change = next(presence, None)
    while pending:
        emitted += 1
        yield _event(heapq.heappop(pending), emitted, start)


def _event(item: _Pending, event_id: int, start: datetime) -> GameEvent:
    moment, _, kind, agent_id, conversation_id, data = item
    return GameEvent(id=event_id, key=f'sim:{event_id}', kind=kind, occurred_at=start + timedelta(seconds=moment),
                     agent_id=agent_id, conversation_id=conversation_id, data=data)


def _story(contact: Contact, result: RunResult, rng: random.Random, customers: list[traffic.SimCustomer],
           sequence: list[int]) -> list[_Pending]:
    config = result.config
    # a customer base that grows with the traffic: about one in three contacts is someone who wrote before
    if not customers or rng.random() < 0.7:
        customers.append(traffic.make_customer(len(customers) + 1, rng))
    customer = rng.choice(customers)
    priority = traffic.priority(rng)
    channel = contact.channel.value
    created = config.start + timedelta(seconds=contact.arrival)
    sla_due = created + SLA_RESOLUTION_TARGETS[priority]
    items: list[_Pending] = []

    def add(moment: float, kind: EventKind, agent_id: int | None, data: dict) -> None:
        sequence[0] += 1
        items.append((moment, sequence[0], kind, agent_id, contact.id, data))

    add(contact.arrival, EventKind.CONVERSATION_CREATED, None,
        {'channel': channel, 'priority': priority, 'customer_id': customer.id})
    if contact.answered_at < 0:
        add(contact.deadline, EventKind.ABANDONED, None, {'channel': channel, 'waited_seconds': round(contact.wait)})
        return items
    agent = result.agents[contact.agent]
    style = agent.style
    start, handle = contact.answered_at, contact.handle
    add(start, EventKind.ASSIGNED, agent.id, {'channel': channel})
    answered = start + min(handle * 0.4, rng.expovariate(1.0 / style.reaction_seconds))
    add(answered, EventKind.REPLIED, agent.id, _reply(style, customer.language, rng, channel, traffic.OPENING_SHORTCUT)
        | {'first_response_seconds': round(answered - contact.arrival)})
    answered_at = config.start + timedelta(seconds=answered)
    inbound = 1
    if rng.random() < style.follow_up_share:  # the customer writes back before it is solved: no first-contact bonus
        inbound += 1
        add(start + handle * 0.5, EventKind.CUSTOMER_MESSAGE, agent.id,
            {'length': len(traffic.follow_up(customer.language, rng))})
        add(start + handle * 0.7, EventKind.REPLIED, agent.id, _reply(style, customer.language, rng, channel, None))
    done = start + handle
    closing = rng.choice(traffic.CLOSING_SHORTCUTS)
    add(done, EventKind.REPLIED, agent.id, _reply(style, customer.language, rng, channel, closing))
    taken = {'waited_seconds': round(contact.wait)} | ({'passed_over': contact.passed_over} if contact.passed_over
                                                       else {})
    for index, moment, length in contact.notes:  # colleagues' notes while it waited: the inbox names them assisters
        sequence[0] += 1
        items.append((moment, sequence[0], EventKind.NOTE_ADDED, result.agents[index].id, contact.id,
                      {'length': length}))
    if contact.notes:
        taken |= {'assisters': sorted({result.agents[index].id for index, _, _ in contact.notes}),
                  'resolver_name': agent.name}
    add(done, EventKind.RESOLVED, agent.id, _resolution(channel, created, sla_due, inbound, answered_at,
                                                          config.start + timedelta(seconds=done)) | taken)
    # closed before the problem was solved (a premature closer's habit): drawn only for such styles, so the stories of
    # an honest floor stay as they were
    solved = not traffic.closes_unsolved(style, rng)
    verdict = traffic.rating(style, contact.wait, rng, solved=solved)
    rated = done  # an unsolved customer who does not rate writes again counting from the resolution
    if verdict is not None:
        rated = done + rng.uniform(120.0, 1800.0)
        add(rated, EventKind.RATED, agent.id, {'rating': verdict.value, 'comment': ''})
    if traffic.writes_again(verdict, rng, solved=solved):
        # the unhappy customer writes again, which reopens the conversation; its agent picks it up again between
        # contacts (the rework is short, and it is not new work offered to the floor's queue)
        again = rated + rng.uniform(300.0, 3600.0)
        inbound += 1
        add(again, EventKind.REOPENED, agent.id, {'reason': 'customer wrote again'})
        add(again, EventKind.CUSTOMER_MESSAGE, agent.id, {'length': len(traffic.still_not_solved(customer.language))})
        solved = again + rng.uniform(300.0, 1800.0)
        add(solved, EventKind.REPLIED, agent.id, _reply(style, customer.language, rng, channel, None))
        add(solved, EventKind.RESOLVED, agent.id, _resolution(channel, created, sla_due, inbound, answered_at,
                                                              config.start + timedelta(seconds=solved)) | taken)
    return items


def _habits(contact: Contact, result: RunResult, rng: random.Random, sequence: list[int]) -> list[_Pending]:
    """What the agent does besides answering: has the conversation open while handling it (viewed), sometimes tags it
    and sometimes hands it over to another department for a follow-up (the conversation stays theirs here)."""
    if contact.answered_at < 0:
        return []
    agent = result.agents[contact.agent]
    start, handle = contact.answered_at, contact.handle
    items: list[_Pending] = []

    def add(moment: float, kind: EventKind, data: dict) -> None:
        sequence[0] += 1
        items.append((moment, sequence[0], kind, agent.id, contact.id, data))

    if rng.random() < TAG_SHARE.get(agent.style.name, 0.3):
        tags = (rng.choice(TAGS),) if agent.style.tags_per_contact == 1 else \
            rng.sample(TAGS, agent.style.tags_per_contact)
        for tag in tags:
            add(start + handle * 0.6, EventKind.TAGGED, {'tag': tag})
    if notes := traffic.own_notes(agent.style, rng):  # drawn only for styles that write notes
        for note in range(notes):
            add(start + handle * (0.2 + 0.6 * note / notes), EventKind.NOTE_ADDED,
                {'length': rng.randint(*TRIVIAL_NOTE_CHARS)})
    if rng.random() < TRANSFER_SHARE.get(agent.style.name, 0.03):
        add(start + handle * 0.8, EventKind.TRANSFERRED, {'note_length': rng.randint(20, 200),
                                                          'channel': contact.channel.value, 'status': 'open'})
    add(start + handle, EventKind.VIEWED, {'seconds': round(handle)})
    return items


def _reply(style: AgentStyle, language: str, rng: random.Random, channel: str, shortcut: str | None) -> dict:
    if shortcut is not None and rng.random() < style.canned_share:
        return {'length': traffic.CANNED_CHARS[shortcut], 'canned': shortcut, 'channel': channel}
    return {'length': len(traffic.free_reply(style, language, rng)), 'canned': None, 'channel': channel}


def _resolution(channel: str, created: datetime, sla_due: datetime, inbound: int, answered: datetime,
                ended: datetime) -> dict:
    """The RESOLVED event's data as ``InboxService.resolve`` writes it (calls and chats with their duration)."""
    data = {'channel': channel, 'created_at': created.isoformat(), 'sla_due_at': sla_due.isoformat(),
            'inbound_count': inbound}
    return data | call_duration(answered, ended) if channel in TIMED_CHANNELS else data
