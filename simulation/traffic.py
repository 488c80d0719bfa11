"""What simulated traffic looks like, in one place shared by the headless core and the in-app simulator.

Arrival rates by channel and hour of day, the scenarios that bend them, handling-time and patience distributions,
agent styles, shift plans, and the customers with their names, languages, companies, problems and texts.
Everything here is pure: sampling functions take the caller's ``random.Random`` so a seed repeats a run.
"""
import functools
import itertools
import math
import random
import unicodedata
from dataclasses import dataclass, field

from services.domain.events import Channel, Rating
from services.domain.i18n import N_

# share of the contacts arriving on each channel
CHANNEL_MIX = {Channel.EMAIL: 0.30, Channel.CHAT: 0.32, Channel.PHONE: 0.20, Channel.SOCIAL: 0.18}
# share of the peak rate for each hour of the day: quiet nights, a morning peak, a softer afternoon one
HOURLY_PROFILE = (0.10, 0.08, 0.06, 0.06, 0.08, 0.15, 0.30, 0.55, 0.85, 1.00, 0.95, 0.85,
                  0.70, 0.80, 0.85, 0.80, 0.70, 0.55, 0.40, 0.30, 0.25, 0.20, 0.15, 0.12)
PROFILE_MEAN = sum(HOURLY_PROFILE) / len(HOURLY_PROFILE)
# handling time of each channel relative to the run's mean (a call is quicker than a chat), and its spread
HANDLE_FACTOR = {Channel.EMAIL: 1.0, Channel.CHAT: 1.15, Channel.PHONE: 0.9, Channel.SOCIAL: 0.75}
HANDLE_CV = {Channel.EMAIL: 0.8, Channel.CHAT: 0.7, Channel.PHONE: 0.6, Channel.SOCIAL: 0.9}
# chat and phone customers hang up when they wait too long; an e-mail or a post just waits
ABANDONING = frozenset({Channel.CHAT, Channel.PHONE})
DEFAULT_PATIENCE_SECONDS = 180.0
# on a realistic day a chat customer does something else meanwhile and waits longer than a caller on hold; weighted by
# the channel mix the factors average one, so the run's patience stays the mean over chat and phone customers
PATIENCE_FACTOR = {Channel.CHAT: 1.2, Channel.PHONE: 0.7}
# in a realistic day agents answer the live channels first and work e-mail and social in between
LIVE = frozenset({Channel.CHAT, Channel.PHONE})
SHIFT_HOURS = 8
NIGHT_DAY_LATE = (22, 6, 14)
# the demo floor: each agent works 8 hours of 24, so 1.8 contacts per agent-hour (averaged over the day) at ~7 minutes
# each keeps a floor on shifts about 60 % busy, with room for a surge
DEMO_ARRIVALS_PER_AGENT_HOUR = 1.8
DEMO_HANDLE_SECONDS = 420.0
PRIORITY_WEIGHTS = {'low': 2, 'normal': 6, 'high': 2, 'urgent': 1}
RATING_SHARE = 0.8  # not every customer rates
REOPEN_SHARE = 0.3  # of the unhappy ones, how many write again and reopen the conversation


@dataclass(frozen=True, kw_only=True, slots=True)
class Surge:
    """Extra traffic on one channel between two hours of the day (``factor`` times the usual)."""
    channel: Channel
    start_hour: int
    end_hour: int
    factor: float


@dataclass(frozen=True, kw_only=True, slots=True)
class Scenario:
    name: str
    title: str
    description: str
    steady: bool = False  # queueing-theory conditions: flat Poisson rates, everyone on duty, exponential handling
    surges: tuple[Surge, ...] = ()
    attendance: float = 1.0  # share of the floor that turns up
    personas: tuple[str, ...] = ()  # adversarial styles seated on the floor, one agent each (PERSONAS)

    def factor(self, channel: Channel, hour: int) -> float:
        """How many times a channel's average hourly rate arrives in this hour of the day."""
        if self.steady:
            return 1.0
        factor = HOURLY_PROFILE[hour] / PROFILE_MEAN
        for surge in self.surges:
            if surge.channel == channel and surge.start_hour <= hour < surge.end_hour:
                factor *= surge.factor
        return factor


# titles and descriptions are shown to leads through _() (the command line's help keeps them English)
SCENARIOS = {scenario.name: scenario for scenario in (
    Scenario(name='steady', title=N_('Steady traffic'), steady=True,
             description=N_('flat Poisson arrivals, every agent on duty, exponential handling, '
                            'one queue served in order')),
    Scenario(name='normal', title=N_('Normal day'),
             description=N_('quiet nights, a morning peak, agents on 8-hour shifts')),
    Scenario(name='sales_day', title=N_('Sales day'),
             surges=(Surge(channel=Channel.CHAT, start_hour=12, end_hour=18, factor=3.0),),
             description=N_('a normal day with three times the chat volume in the afternoon')),
    Scenario(name='social_storm', title=N_('Social media storm'), surges=(
        Surge(channel=Channel.SOCIAL, start_hour=10, end_hour=16, factor=6.0),
        Surge(channel=Channel.EMAIL, start_hour=10, end_hour=16, factor=1.5)),
             description=N_('a post goes viral: six times the social traffic from 10:00 to 16:00')),
    Scenario(name='understaffed', title=N_('Understaffed shift'), attendance=0.6,
             description=N_('a normal day with four in ten agents off sick')),
    # the personas below, one agent each, on a normal day: whether gaming pays shows on the boards (issue 18)
    Scenario(name='gaming', title=N_('Gaming the game'),
             personas=('cherry_picker', 'premature_closer', 'speed_only', 'rating_farmer', 'note_spammer'),
             description=N_('a normal day on which five agents game the points: a cherry picker, a premature closer, '
                            'a speed-only agent, a rating farmer and a note spammer')),
)}


@dataclass(frozen=True, kw_only=True, slots=True)
class AgentStyle:
    """How a simulated agent works; timing factors only apply outside the steady scenario."""
    name: str
    handle_factor: float  # multiplies the handling time
    reaction_seconds: float  # mean delay from taking a conversation to the first reply (part of the handling time)
    canned_share: float  # how often a reply is a canned one
    reply_chars: int  # typical length of a free-text reply
    follow_up_share: float  # how often the customer writes once more before it is solved
    good_rating: float  # probability a rating is good
    bad_rating: float  # probability a rating is bad
    breaks_per_hour: float
    break_minutes: float
    rating_share: float = RATING_SHARE  # how many customers rate (more when the agent asks every one of them)
    unsolved_share: float = 0.0  # how often the agent resolves before the customer's problem is solved
    notes_per_contact: float = 0.0  # internal notes written on a conversation, on average
    # of the colleagues' conversations waiting unassigned while the agent is on the floor, the share it writes a note
    # on (an agent may note an unassigned conversation): whoever resolves it then names it an assister
    colleague_note_share: float = 0.0
    tags_per_contact: int = 1  # tags added when the agent tags a conversation
    # a cherry picker's choice: only contacts whose visible work (channel and size) is at most this much, and not
    # older than this many seconds; None: takes whatever the line offers, in order
    max_work: float | None = None
    max_age_seconds: float | None = None
    adversarial: bool = False

    @property
    def picks(self) -> bool:
        """Whether the agent chooses among the waiting contacts (a cherry picker) rather than taking the next."""
        return self.max_work is not None or self.max_age_seconds is not None

    def accepts(self, channel: Channel, size: float, age_seconds: float) -> bool:
        """Whether the agent takes this contact when it is offered or waiting (an honest agent takes any)."""
        if self.max_work is not None and expected_work(channel, size) > self.max_work:
            return False
        return self.max_age_seconds is None or age_seconds <= self.max_age_seconds


STYLES = {style.name: style for style in (
    AgentStyle(name='fast', handle_factor=0.7, reaction_seconds=15, canned_share=0.85, reply_chars=110,
               follow_up_share=0.3, good_rating=0.55, bad_rating=0.15, breaks_per_hour=0.2, break_minutes=8),
    AgentStyle(name='careful', handle_factor=1.3, reaction_seconds=50, canned_share=0.4, reply_chars=320,
               follow_up_share=0.15, good_rating=0.8, bad_rating=0.04, breaks_per_hour=0.25, break_minutes=10),
    AgentStyle(name='chatty', handle_factor=1.2, reaction_seconds=30, canned_share=0.3, reply_chars=650,
               follow_up_share=0.35, good_rating=0.7, bad_rating=0.08, breaks_per_hour=0.3, break_minutes=10),
    AgentStyle(name='steady', handle_factor=1.0, reaction_seconds=35, canned_share=0.6, reply_chars=220,
               follow_up_share=0.25, good_rating=0.65, bad_rating=0.08, breaks_per_hour=0.25, break_minutes=10),
    AgentStyle(name='break_lover', handle_factor=1.0, reaction_seconds=45, canned_share=0.6, reply_chars=200,
               follow_up_share=0.25, good_rating=0.62, bad_rating=0.1, breaks_per_hour=0.6, break_minutes=16),
)}
# Adversarial personas (issue 18): each games the points in its own way, and its behaviour is only choices and
# probabilities in this model (what it takes, how long it works, how its customers react), never an outcome: the
# queue and the stories then turn them into reopens, ratings and points like everyone else's.
PERSONAS = {style.name: style for style in (
    # takes the quickest contacts (small, on quick channels) and leaves old and hard ones to the others
    AgentStyle(name='cherry_picker', handle_factor=1.0, reaction_seconds=35, canned_share=0.6, reply_chars=220,
               follow_up_share=0.25, good_rating=0.65, bad_rating=0.08, breaks_per_hour=0.25, break_minutes=10,
               max_work=0.8, max_age_seconds=1800.0, adversarial=True),
    # resolves before the problem is solved: short handling, and one customer in three writes again
    AgentStyle(name='premature_closer', handle_factor=0.6, reaction_seconds=25, canned_share=0.7, reply_chars=150,
               follow_up_share=0.1, good_rating=0.55, bad_rating=0.12, breaks_per_hour=0.25, break_minutes=10,
               unsolved_share=0.35, adversarial=True),
    # short canned replies and fast closes: customers write back more often and rate worse
    AgentStyle(name='speed_only', handle_factor=0.5, reaction_seconds=8, canned_share=0.95, reply_chars=70,
               follow_up_share=0.45, good_rating=0.45, bad_rating=0.18, breaks_per_hour=0.2, break_minutes=8,
               unsolved_share=0.1, adversarial=True),
    # asks every customer for a good rating: nearly all rate, a few more rate good, a few are annoyed
    AgentStyle(name='rating_farmer', handle_factor=1.05, reaction_seconds=35, canned_share=0.6, reply_chars=240,
               follow_up_share=0.25, good_rating=0.75, bad_rating=0.1, breaks_per_hour=0.25, break_minutes=10,
               rating_share=0.97, adversarial=True),
    # trivial internal notes and tags on every conversation, which take a little time of their own
    AgentStyle(name='note_spammer', handle_factor=1.1, reaction_seconds=35, canned_share=0.6, reply_chars=220,
               follow_up_share=0.25, good_rating=0.65, bad_rating=0.08, breaks_per_hour=0.25, break_minutes=10,
               notes_per_contact=3.0, tags_per_contact=2, colleague_note_share=0.5, adversarial=True),
)}
# how a lead reads each persona's name (the notice that says who plays which)
PERSONA_TITLES = {'cherry_picker': N_('cherry picker'), 'premature_closer': N_('premature closer'),
                  'speed_only': N_('speed only'), 'rating_farmer': N_('rating farmer'),
                  'note_spammer': N_('note spammer')}
# of the customers whose problem was closed unsolved: how they rate, and how many write again (which reopens it)
UNSOLVED_GOOD_RATING = 0.1
UNSOLVED_BAD_RATING = 0.55
UNSOLVED_REOPEN_SHARE = 0.6
DEFAULT_STYLE = STYLES['steady']
FLOOR_STYLES = ('fast', 'careful', 'chatty', 'steady', 'break_lover')  # the headless floor's rotation


@dataclass(frozen=True, kw_only=True, slots=True)
class TrafficModel:
    """The traffic of one run: a scenario, the average arrival rate, the mean handling time and the patience."""
    scenario: Scenario
    arrivals_per_hour: float  # average over a day, all channels together
    mean_handle_seconds: float
    patience_seconds: float | None = None  # mean patience on chat and phone; None: nobody hangs up
    channels: tuple[Channel, ...] = tuple(Channel)
    # contacts per second by channel and hour of the day, and each channel's busiest rate (computed once)
    _rates: dict[Channel, tuple[float, ...]] = field(init=False, repr=False, compare=False)
    _peaks: dict[Channel, float] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.channels:
            raise ValueError('at least one channel is needed')
        if self.arrivals_per_hour <= 0 or self.mean_handle_seconds <= 0:
            raise ValueError('the arrival rate and the handling time must be positive')
        if self.patience_seconds is not None and self.patience_seconds <= 0:
            raise ValueError('the patience must be positive')
        total_mix = sum(CHANNEL_MIX[channel] for channel in self.channels)
        rates = {channel: tuple(self.arrivals_per_hour * CHANNEL_MIX[channel] / total_mix *
                                self.scenario.factor(channel, hour) / 3600.0 for hour in range(24))
                 if channel in self.channels else (0.0,) * 24 for channel in Channel}
        object.__setattr__(self, '_rates', rates)
        object.__setattr__(self, '_peaks', {channel: max(rates[channel]) for channel in Channel})

    def hourly_rate(self, channel: Channel, hour: int) -> float:
        """Contacts per hour on ``channel`` in this hour of the day."""
        return self._rates[channel][hour] * 3600.0

    def next_arrival(self, channel: Channel, after: float, midnight_offset: float, rng: random.Random) -> float:
        """The next arrival on ``channel`` after ``after`` seconds of the run (which began ``midnight_offset`` seconds
        after a midnight). Rates that change by the hour are followed by thinning: candidates at the busiest hour's
        rate, each kept with the share of its own hour's rate."""
        peak = self._peaks[channel]
        if peak <= 0:
            return math.inf
        moment = after + rng.expovariate(peak)
        if self.scenario.steady:
            return moment
        rates = self._rates[channel]
        while rng.random() * peak >= rates[int((moment + midnight_offset) // 3600) % 24]:
            moment += rng.expovariate(peak)
        return moment

    def handle_seconds(self, channel: Channel, style: AgentStyle, rng: random.Random) -> float:
        """How long a contact keeps an agent busy: exponential in the steady scenario, else a lognormal shaped by the
        channel and scaled by the agent's style."""
        if self.scenario.steady:
            return rng.expovariate(1.0 / self.mean_handle_seconds)
        mean = self.mean_handle_seconds * HANDLE_FACTOR[channel] * style.handle_factor
        return lognormal(mean, HANDLE_CV[channel], rng)

    def contact_size(self, channel: Channel, rng: random.Random) -> float:
        """How much work a contact is, as a multiple of its channel's mean (drawn when it arrives, so an agent who
        picks can see it): exponential in the steady scenario, else lognormal with the channel's spread."""
        return rng.expovariate(1.0) if self.scenario.steady else lognormal(1.0, HANDLE_CV[channel], rng)

    def sized_handle_seconds(self, channel: Channel, style: AgentStyle, size: float) -> float:
        """The handling time of a contact of known size: the same distribution as :meth:`handle_seconds`."""
        if self.scenario.steady:
            return self.mean_handle_seconds * size
        return self.mean_handle_seconds * HANDLE_FACTOR[channel] * style.handle_factor * size

    def patience(self, channel: Channel, rng: random.Random) -> float:
        """How long a customer waits before hanging up (exponential), or ``math.inf`` for those who never do: the run's
        mean in the steady scenario, bent by the channel on a realistic day."""
        if self.patience_seconds is None or channel not in ABANDONING:
            return math.inf
        mean = self.patience_seconds * (1.0 if self.scenario.steady else PATIENCE_FACTOR[channel])
        return rng.expovariate(1.0 / mean)


def expected_work(channel: Channel, size: float) -> float:
    """What a contact looks like it will take, relative to the run's mean handling time (its channel and size)."""
    return HANDLE_FACTOR[channel] * size


def lognormal(mean: float, cv: float, rng: random.Random) -> float:
    """A lognormal draw with the given mean and coefficient of variation (handling times are skewed to the right)."""
    sigma2 = math.log(1.0 + cv * cv)
    return rng.lognormvariate(math.log(mean) - sigma2 / 2.0, math.sqrt(sigma2))


@dataclass(frozen=True, kw_only=True, slots=True)
class Shift:
    start: int | None  # the hour an 8-hour shift begins; None: on duty around the clock
    present: bool = True  # False: off sick today

    def on_duty(self, hour: int) -> bool:
        return self.present and (self.start is None or (hour - self.start) % 24 < SHIFT_HOURS)


def plan_shifts(floor_size: int, scenario: Scenario) -> list[Shift]:
    """Each agent's shift, planned to a normal day's profile (surges are what nobody planned for).

    A night, an early and a late shift cover the clock; then each agent takes the 8 hours with the most uncovered
    demand. The steady
    scenario, and a floor too small for shifts, keep everyone on duty around the clock.
    """
    if scenario.steady or floor_size < 3:
        starts: list[int | None] = [None] * floor_size
    else:
        demand = [floor_size * SHIFT_HOURS * share / sum(HOURLY_PROFILE) for share in HOURLY_PROFILE]
        starts = list(NIGHT_DAY_LATE)  # three shifts that cover the clock come first: someone is always there
        for start in starts:
            for h in range(SHIFT_HOURS):
                demand[(start + h) % 24] -= 1
        for _ in range(floor_size - len(starts)):
            best = max(range(24), key=lambda start: (sum(demand[(start + h) % 24] for h in range(SHIFT_HOURS)),
                                                     -start))
            starts.append(best)
            for h in range(SHIFT_HOURS):
                demand[(best + h) % 24] -= 1
    missing = floor_size - max(1, round(floor_size * scenario.attendance))
    # who stays away is spread over the day shifts, so an understaffed day is thin all day but never unattended
    first = len(NIGHT_DAY_LATE) if starts and starts[0] is not None else 0
    pool = list(range(first, floor_size)) + list(range(first))
    absent = {pool[int(k * (len(pool) - first) / missing)] if missing <= len(pool) - first else pool[k]
              for k in range(missing)}
    return [Shift(start=start, present=index not in absent) for index, start in enumerate(starts)]


# --- customers, their problems and what agents write back ---

LANGUAGE_MIX = {'en': 0.4, 'fr': 0.25, 'nl': 0.2, 'lv': 0.15}
# cumulative weights computed once: random.choices would add them up again for each of a week's 200,000 draws
_LANGUAGES, _LANGUAGE_CUMULATIVE = tuple(LANGUAGE_MIX), tuple(itertools.accumulate(LANGUAGE_MIX.values()))
_PRIORITIES, _PRIORITY_CUMULATIVE = tuple(PRIORITY_WEIGHTS), tuple(itertools.accumulate(PRIORITY_WEIGHTS.values()))


@dataclass(frozen=True, kw_only=True, slots=True)
class SimCustomer:
    id: int
    name: str
    language: str
    company: str  # empty for a private customer

    @property
    def email(self) -> str:
        address = unicodedata.normalize('NFKD', f'{self.name}.{self.id}@example.com'.lower().replace(' ', '.'))
        return address.encode('ascii', 'ignore').decode()


def make_customer(customer_id: int, rng: random.Random) -> SimCustomer:
    language = rng.choices(_LANGUAGES, cum_weights=_LANGUAGE_CUMULATIVE)[0]
    firsts, lasts = rng.choice(NAMES[language])
    first, last = rng.choice(firsts), rng.choice(lasts)
    company = rng.choice(COMPANIES[language]) if rng.random() < 0.6 else ''
    return SimCustomer(id=customer_id, name=f'{first} {last}', language=language, company=company)


def company_of(customer_id: int, language: str) -> str:
    """A stable company for a customer the app already knows (the same customer, the same company, every run)."""
    companies = COMPANIES.get(language, COMPANIES['en'])
    return '' if customer_id % 5 == 0 else companies[customer_id % len(companies)]


def problem(language: str, rng: random.Random) -> tuple[str, str]:
    """A subject and a first message in the customer's language."""
    return rng.choice(PROBLEMS.get(language, PROBLEMS['en']))


def signed(body: str, name: str, company: str) -> str:
    return f'{body}\n\n{name}' + (f', {company}' if company else '')


def free_reply(style: AgentStyle, language: str, rng: random.Random) -> str:
    """A free-text reply of a realistic length for the style: sentences until a target length drawn around it.

    The sentences are walked from a random one with a random stride that visits them all (40 orders for ten
    sentences): as varied as a shuffle for a reader, and two draws instead of ten in a week of a million replies.
    """
    sentences = REPLY_SENTENCES.get(language, REPLY_SENTENCES['en'])
    count = len(sentences)
    start, stride = rng.randrange(count), rng.choice(_strides(count))
    target = lognormal(style.reply_chars, 0.5, rng)
    parts: list[str] = []
    length = -1
    for step in range(3 * count):  # a very long reply says things twice, never endlessly
        if length >= target:
            break
        parts.append(sentences[(start + step * stride) % count])
        length += len(parts[-1]) + 1
    return ' '.join(parts)


@functools.cache
def _strides(count: int) -> tuple[int, ...]:
    return tuple(stride for stride in range(1, count) if math.gcd(stride, count) == 1) or (1,)


def follow_up(language: str, rng: random.Random) -> str:
    return rng.choice(FOLLOW_UPS.get(language, FOLLOW_UPS['en']))


def still_not_solved(language: str) -> str:
    return STILL_NOT_SOLVED.get(language, STILL_NOT_SOLVED['en'])


def rating(style: AgentStyle, waited_seconds: float, rng: random.Random, *, solved: bool = True) -> Rating | None:
    """The customer's rating of a resolution, or ``None`` when they do not rate; a long wait sours it, and so does a
    problem closed before it was solved."""
    if rng.random() >= style.rating_share:
        return None
    soured = min(0.3, waited_seconds / 1800.0 * 0.1)
    good = max(0.0, (style.good_rating if solved else UNSOLVED_GOOD_RATING) - soured)
    bad = (style.bad_rating if solved else UNSOLVED_BAD_RATING) + soured
    draw = rng.random()
    return Rating.GOOD if draw < good else Rating.BAD if draw < good + bad else Rating.NEUTRAL


def own_notes(style: AgentStyle, rng: random.Random) -> int:
    """How many internal notes the agent writes on a conversation it handles (drawn only for styles that write
    notes, so an honest run's draws stay as they were)."""
    if not style.notes_per_contact:
        return 0
    return int(style.notes_per_contact) + (rng.random() < style.notes_per_contact % 1)


def closes_unsolved(style: AgentStyle, rng: random.Random) -> bool:
    """Whether the agent resolves this conversation before the customer's problem is solved (drawn only for styles
    that do)."""
    return bool(style.unsolved_share) and rng.random() < style.unsolved_share


def writes_again(verdict: Rating | None, rng: random.Random, *, solved: bool = True) -> bool:
    """Whether the customer writes again after the resolution, which reopens it: many of those left unsolved, some
    of the unhappy ones."""
    if not solved:
        return rng.random() < UNSOLVED_REOPEN_SHARE
    return verdict == Rating.BAD and rng.random() < REOPEN_SHARE


def notes_on_waiting(style: AgentStyle, rng: random.Random) -> bool:
    """Whether the agent writes a note on a colleague's conversation it sees waiting (drawn only for styles that do).
    """
    return bool(style.colleague_note_share) and rng.random() < style.colleague_note_share


TRIVIAL_NOTES = ('checked', 'see above', '+1', 'looking', 'noted', 'same here', 'ok', 'following this one')
RATING_COMMENT_SHARE = 0.35  # of the customers who rate, how many also write a comment


def rating_comment(verdict: Rating, language: str, rng: random.Random) -> str:
    """What a customer may write with their rating, in their language; empty for those who write nothing."""
    if rng.random() >= RATING_COMMENT_SHARE:
        return ''
    comments = RATING_COMMENTS.get(language, RATING_COMMENTS['en'])
    return rng.choice(comments[verdict.value])


def priority(rng: random.Random) -> str:
    return rng.choices(_PRIORITIES, cum_weights=_PRIORITY_CUMULATIVE)[0]


OPENING_SHORTCUT = 'hello'
CLOSING_SHORTCUTS = ('thanks', 'refund', 'reset', 'shipping')
# the rendered length of the demo's canned replies, for the headless core that never renders them
CANNED_CHARS = {'hello': 100, 'thanks': 150, 'refund': 110, 'reset': 130, 'shipping': 125}

NAMES = {
    'en': [(('John', 'Emily', 'Olivia', 'Noah', 'James', 'Grace', 'Harry', 'Sophie'),
            ('Carter', 'Stone', 'Brown', 'Wilson', 'Taylor', 'Evans', 'Walker', 'Hughes'))],
    'fr': [(('Marie', 'Lucas', 'Camille', 'Sophie', 'Julien', 'Chloé', 'Hugo', 'Léa'),
            ('Laurent', 'Petit', 'Roux', 'Bernard', 'Moreau', 'Girard', 'Fontaine', 'Lambert'))],
    'nl': [(('Pieter', 'Lotte', 'Femke', 'Bram', 'Sanne', 'Daan', 'Eva', 'Thijs'),
            ('Janssens', 'Visser', 'Bakker', 'Smit', 'de Jong', 'Peeters', 'Mertens', 'van Dijk'))],
    # Latvian surnames agree with the first name's gender
    'lv': [(('Andris', 'Kristaps', 'Jānis', 'Mārtiņš', 'Edgars'),
            ('Ozols', 'Jansons', 'Bērziņš', 'Kalniņš', 'Liepiņš')),
           (('Ilze', 'Zane', 'Līga', 'Anna', 'Dace'), ('Ozola', 'Jansone', 'Bērziņa', 'Kalniņa', 'Liepiņa'))],
}
COMPANIES = {
    'en': ('Northwind Traders', 'Blue Harbour Ltd', 'Greenfield Books', 'Acorn Logistics'),
    'fr': ('Boulangerie Lefort', 'Atelier Moreau SARL', 'Librairie du Parc', 'Transports Garnier'),
    'nl': ('Bakkerij Verhoeven', 'De Vries Installatie', 'Fietsenwinkel Smit', 'Jansen & Zonen BV'),
    'lv': ('SIA Dzintars Tech', 'SIA Rīgas Maiznieks', 'SIA Baltijas Loģistika', 'SIA Zaļais Dārzs'),
}
PROBLEMS = {
    'en': [
        ('Refund for order', 'Hello, I returned my order last week and I am still waiting for the refund.'),
        ('Cannot log in', 'Hi, I cannot log in to my account, it says my password is wrong.'),
        ('Where is my parcel?', 'My parcel was supposed to arrive yesterday. Where is it?'),
        ('Upgrade my subscription', 'I would like to upgrade my subscription to the business plan.'),
        ('Invoice is wrong', 'The invoice I received has the wrong company name on it.'),
        ('App crashes', 'The mobile app crashes every time I open the settings page.'),
        ('Change delivery address', 'Can I still change the delivery address of my order?'),
        ('Payment failed', 'My card payment failed twice but the money left my account.'),
    ],
    'fr': [
        ('Remboursement de commande', "Bonjour, j'ai renvoyé ma commande la semaine dernière et j'attends toujours "
                                      'le remboursement.'),
        ('Impossible de me connecter', "Bonjour, je n'arrive pas à me connecter à mon compte, il dit que mon mot de "
                                       'passe est incorrect.'),
        ('Où est mon colis ?', 'Mon colis devait arriver hier. Où est-il ?'),
        ("Passer à l'offre supérieure", "Je voudrais passer mon abonnement à l'offre entreprise."),
        ('Facture erronée', "La facture que j'ai reçue porte le mauvais nom de société."),
        ("L'application plante", "L'application mobile plante chaque fois que j'ouvre la page des réglages."),
        ("Changer l'adresse de livraison", "Puis-je encore changer l'adresse de livraison de ma commande ?"),
        ('Paiement refusé', "Mon paiement par carte a échoué deux fois, mais l'argent a quitté mon compte."),
    ],
    'nl': [
        ('Terugbetaling bestelling', 'Hallo, ik heb mijn bestelling vorige week teruggestuurd en wacht nog steeds op '
                                     'de terugbetaling.'),
        ('Kan niet inloggen', 'Hoi, ik kan niet inloggen op mijn account, er staat dat mijn wachtwoord fout is.'),
        ('Waar is mijn pakket?', 'Mijn pakket zou gisteren aankomen. Waar is het?'),
        ('Abonnement upgraden', 'Ik wil mijn abonnement upgraden naar het zakelijke pakket.'),
        ('Factuur klopt niet', 'Op de factuur die ik kreeg staat de verkeerde bedrijfsnaam.'),
        ('App crasht', 'De mobiele app crasht elke keer als ik de instellingen open.'),
        ('Afleveradres wijzigen', 'Kan ik het afleveradres van mijn bestelling nog wijzigen?'),
        ('Betaling mislukt', 'Mijn kaartbetaling is twee keer mislukt, maar het geld is wel van mijn rekening af.'),
    ],
    'lv': [
        ('Naudas atmaksa par pasūtījumu', 'Labdien, pagājušajā nedēļā atgriezu pasūtījumu un joprojām gaidu naudas '
                                          'atmaksu.'),
        ('Nevaru pieslēgties', 'Sveiki, nevaru pieslēgties savam kontam, tas saka, ka parole ir nepareiza.'),
        ('Kur ir mana paka?', 'Manai pakai vajadzēja pienākt vakar. Kur tā ir?'),
        ('Abonementa jaunināšana', 'Vēlos jaunināt savu abonementu uz biznesa plānu.'),
        ('Kļūda rēķinā', 'Saņemtajā rēķinā ir norādīts nepareizs uzņēmuma nosaukums.'),
        ('Lietotne avarē', 'Mobilā lietotne avarē katru reizi, kad atveru iestatījumus.'),
        ('Piegādes adreses maiņa', 'Vai vēl varu mainīt sava pasūtījuma piegādes adresi?'),
        ('Maksājums neizdevās', 'Mans maksājums ar karti divreiz neizdevās, bet nauda no konta tika noņemta.'),
    ],
}
REPLY_SENTENCES = {
    'en': ['Thanks for the details, I am checking this with our team now.',
           'I have looked into your account and found the cause.', 'It is fixed on our side now.',
           'Could you try again and tell me whether it works?',
           'I have updated your order; you will get a confirmation e-mail shortly.',
           'I am sorry for the trouble this caused.', 'If anything else comes up, just reply to this message.',
           'I have added a note to your account so my colleagues know the history.',
           'A refund usually takes three to five working days to appear.',
           'I have asked our warehouse to check the parcel today.'],
    'fr': ['Merci pour les détails, je vérifie avec notre équipe.', "J'ai regardé votre compte et trouvé la cause.",
           "C'est corrigé de notre côté.", 'Pouvez-vous réessayer et me dire si cela fonctionne ?',
           "J'ai mis à jour votre commande ; vous recevrez un e-mail de confirmation sous peu.",
           'Je suis désolé pour le désagrément.', 'Si vous avez une autre question, répondez simplement à ce message.',
           "J'ai ajouté une note à votre compte pour que mes collègues connaissent l'historique.",
           'Un remboursement apparaît généralement sous trois à cinq jours ouvrés.',
           "J'ai demandé à notre entrepôt de vérifier le colis aujourd'hui."],
    'nl': ['Bedankt voor de details, ik zoek het nu uit met ons team.',
           'Ik heb uw account bekeken en de oorzaak gevonden.', 'Het is nu aan onze kant opgelost.',
           'Kunt u het nog eens proberen en laten weten of het werkt?',
           'Ik heb uw bestelling aangepast; u krijgt zo een bevestiging per e-mail.', 'Sorry voor het ongemak.',
           'Als er nog iets is, beantwoord dan gewoon dit bericht.',
           "Ik heb een notitie aan uw account toegevoegd zodat mijn collega's de voorgeschiedenis kennen.",
           'Een terugbetaling staat meestal binnen drie tot vijf werkdagen op uw rekening.',
           'Ik heb ons magazijn gevraagd het pakket vandaag na te kijken.'],
    'lv': ['Paldies par informāciju, es to tūlīt pārbaudu kopā ar kolēģiem.', 'Apskatīju jūsu kontu un atradu cēloni.',
           'Mūsu pusē tas tagad ir novērsts.', 'Lūdzu, mēģiniet vēlreiz un pastāstiet, vai izdodas.',
           'Atjaunoju jūsu pasūtījumu; drīz saņemsiet apstiprinājumu e-pastā.',
           'Atvainojos par sagādātajām neērtībām.', 'Ja rodas vēl kādi jautājumi, vienkārši atbildiet uz šo ziņu.',
           'Pievienoju piezīmi jūsu kontam, lai kolēģi zinātu vēsturi.',
           'Naudas atmaksa parasti tiek ieskaitīta trīs līdz piecu darba dienu laikā.',
           'Palūdzu noliktavai šodien pārbaudīt paku.'],
}
FOLLOW_UPS = {
    'en': ['Thanks, one more question: does this also apply to my other order?', 'It still does not work, sorry.',
           'Here is the screenshot you asked for.'],
    'fr': ['Merci, encore une question : est-ce valable aussi pour mon autre commande ?',
           'Cela ne fonctionne toujours pas, désolé.', "Voici la capture d'écran demandée."],
    'nl': ['Bedankt, nog één vraag: geldt dit ook voor mijn andere bestelling?', 'Het werkt nog steeds niet, sorry.',
           'Hier is de schermafbeelding waar u om vroeg.'],
    'lv': ['Paldies, vēl viens jautājums: vai tas attiecas arī uz manu otru pasūtījumu?',
           'Diemžēl tas joprojām nedarbojas.', 'Šeit ir ekrānuzņēmums, ko prasījāt.'],
}
RATING_COMMENTS = {
    'en': {'good': ('Quick and friendly, thank you!', 'Solved in one go, great service.', 'Very helpful, thanks.'),
           'neutral': ('It works now, but it took a while.', 'OK in the end.'),
           'bad': ('I had to wait far too long.', 'My problem is still not really solved.')},
    'fr': {'good': ('Rapide et aimable, merci !', 'Problème réglé du premier coup, bravo.'),
           'neutral': ('Ça marche, mais c\'était long.', 'Correct, sans plus.'),
           'bad': ('Beaucoup trop d\'attente.', 'Mon problème n\'est toujours pas résolu.')},
    'nl': {'good': ('Snel en vriendelijk, bedankt!', 'In één keer opgelost, top.'),
           'neutral': ('Het werkt nu, maar het duurde even.', 'Prima, niet meer dan dat.'),
           'bad': ('Veel te lang moeten wachten.', 'Mijn probleem is nog steeds niet opgelost.')},
    'lv': {'good': ('Ātri un laipni, paldies!', 'Atrisināja uzreiz, lieliski.'),
           'neutral': ('Tagad strādā, bet tas prasīja laiku.', 'Normāli.'),
           'bad': ('Bija pārāk ilgi jāgaida.', 'Mana problēma joprojām nav atrisināta.')},
}
STILL_NOT_SOLVED = {'en': 'This is still not solved, I am afraid.',
                    'fr': "Ce n'est toujours pas résolu, malheureusement.",
                    'nl': 'Het is helaas nog steeds niet opgelost.',
                    'lv': 'Diemžēl problēma joprojām nav atrisināta.'}
AGENT_NAMES = (('Ana', 'Ozola'), ('Bruno', 'Dubois'), ('Chloé', 'Martin'), ('Daan', 'de Vries'), ('Emma', 'Jansen'),
               ('Farid', 'Haddad'), ('Greta', 'Kalniņa'), ('Hugo', 'Lefèvre'), ('Inès', 'Moreau'), ('Jānis', 'Bērziņš'),
               ('Kim', 'Peeters'), ('Līga', 'Liepa'), ('Marc', 'Simon'), ('Nora', 'Claes'), ('Oskars', 'Zariņš'),
               ('Paula', 'Vos'))
TEAM_NAMES = ('Aurora', 'Borealis', 'Comet', 'Dawn', 'Eclipse', 'Fjord', 'Glacier', 'Horizon')
