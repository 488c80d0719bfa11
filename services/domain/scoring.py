"""Scoring rules: pure functions from one event (and what the projection remembers) to point awards."""
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

from services.domain import reasons
from services.domain.business_hours import WorkingCalendar, working_time
from services.domain.events import EventKind, GameEvent, Rating
from services.domain.i18n import N_, _


class Domain(str, Enum):
    QUALITY = 'quality'
    SPEED = 'speed'
    PRODUCTIVITY = 'productivity'


# each domain's name as a person reads it, capitalized (the receipts, the recap, the card, what-if), shown through _()
DOMAIN_TITLES = {Domain.QUALITY: N_('Quality'), Domain.SPEED: N_('Speed'), Domain.PRODUCTIVITY: N_('Productivity')}


class AwardKind(str, Enum):
    FAST_RESOLUTION = 'fast_resolution'
    ON_TIME_RESOLUTION = 'on_time_resolution'
    LATE_RESOLUTION = 'late_resolution'
    FIRST_CONTACT = 'first_contact'
    HAPPY_CUSTOMER = 'happy_customer'
    UNHAPPY_CUSTOMER = 'unhappy_customer'
    CLAWBACK = 'clawback'
    INCENTIVE = 'incentive'  # a lead's time-boxed multiplier or bonus (services/domain/incentives.py)
    DISPUTE = 'dispute'  # compensates what an invalidated rating caused
    QUEST = 'quest'  # a quest's or team mission's reward (services/domain/quests.py)
    MERGE = 'merge'  # points moved from an agent made for a helpdesk identity to the agent it was merged into
    KUDOS = 'kudos'  # a colleague's thanks (services/domain/kudos.py)
    BOSS = 'boss'  # the floor beat the queue boss (services/domain/boss.py)
    WELLBEING = 'wellbeing'  # zero points: work past the daily hours limit (services/domain/wellbeing.py)
    # fair play (issue 18): the rules that make gaming the score not pay (see fair_play_* below)
    QUEUE_JUMP = 'queue_jump'  # taken while an older conversation of its channel waited: fast points withheld
    AGING_BOUNTY = 'aging_bounty'  # taken after it waited longer than the aging limit
    BAD_RATING_CANCEL = 'bad_rating_cancel'  # a bad rating cancels the resolution's speed and productivity points
    REOPEN_PENALTY = 'reopen_penalty'  # a reopen costs those points once more, beside the clawback
    NOTE = 'note'  # an internal note, when a lead gives notes points
    TAG = 'tag'  # a tag put on a conversation, when a lead gives tags points
    LOW_VALUE_CAP = 'low_value_cap'  # zero points: a note or tag past the agent's daily cap on them
    BANKED = 'banked'  # zero points: reopened after the reopen window, so the resolution's points stay
    UNTAG = 'untag'  # a removed tag takes back what putting it earned
    ASSIST = 'assist'  # a share of a resolution for a colleague whose note or transfer note helped (see assist_*)


@dataclass(frozen=True, kw_only=True, slots=True)
class ScoringPolicy:
    """Freshdesk's default scoring; every value is editable by leads (services/game/scoring.py).

    ``minimum_resolved`` is not a points value but travels with them: it is how many conversations an agent must have
    resolved in a period before the leaderboards rank them (0: everyone is ranked).
    """
    fast_resolution: int = 10
    fast_limit: timedelta = timedelta(hours=1)
    on_time_resolution: int = 5
    late_resolution: int = -5
    first_contact: int = 5
    happy_customer: int = 10
    unhappy_customer: int = -10
    minimum_resolved: int = 0
    # fair play (issue 18): each 0 switches its rule off
    queue_jump: int = -50
    aging_bounty: int = 8
    aging_limit: timedelta = timedelta(minutes=10)
    bad_rating_cancel_percent: int = 100
    reopen_penalty_percent: int = 100
    # low-value actions: nothing unless a lead prices them; then at most this many points a day from them (0: no cap)
    note_points: int = 0
    tag_points: int = 0
    low_value_daily_cap: int = 20
    # vesting: a resolution's points are pending while a reopen can still take them back, then they bank (0: no
    # window, a reopen always takes back)
    reopen_window: timedelta = timedelta(hours=72)
    # assist credit: this share of a resolution's points goes to each colleague who helped with a note (0: off)
    assist_percent: int = 20


@dataclass(frozen=True, kw_only=True, slots=True)
class PolicyField:
    """One editable value of the policy: what it means in plain words and the range a lead may set."""
    name: str  # the key in :func:`policy_as_dict`
    label: str  # marked with N_(), shown through _()
    meaning: str  # the same; its ``{steps}`` is MAX_BOUNTY_STEPS
    low: int
    high: int
    unit: str

    def rule(self) -> str:
        """The allowed range in words, for the refusal message (in the language of whoever is refused)."""
        if self.unit == 'points' and self.high == 0:
            rule = _('a whole number of points from {low} to 0 (it is a penalty; 0 switches it off)')
        elif self.unit == 'points':
            rule = _('a whole number of points from 0 to {high} (0 switches it off)')
        elif self.unit == 'percent':
            rule = _('a whole number from {low} to {high} (percent; 0 switches it off)')
        elif self.unit == 'points a day':
            rule = _('a whole number of points from 0 to {high} (0: no cap)')
        elif self.unit == 'hours':
            rule = _('a whole number of hours from 0 to {high} (0: no window, a reopen always takes back)')
        elif self.unit == 'minutes':
            rule = _('a whole number of minutes from {low} to {high} (a week)')
        else:
            rule = _('a whole number from {low} to {high} (0 ranks everyone)')
        return rule.format(low=self.low, high=self.high)


MAX_POINTS = 500  # one event worth more than fifty fast resolutions is a typo, not a policy
MAX_BOUNTY_STEPS = 5  # the aging bounty grows with each aging limit waited, up to this many times
MAX_REOPEN_WINDOW = timedelta(days=30)  # how long the game remembers resolutions that may still be pending
POLICY_FIELDS = (
    PolicyField(name='fast_limit_minutes', label=N_('Fast resolution limit'), unit='minutes', low=1, high=7 * 24 * 60,
                meaning=N_('A conversation resolved within this many minutes of the customer writing in counts as '
                           'fast.')),
    PolicyField(name='fast_resolution', label=N_('Fast resolution'), unit='points', low=0, high=MAX_POINTS,
                meaning=N_('Speed points for resolving a conversation within the fast limit.')),
    PolicyField(name='on_time_resolution', label=N_('On-time resolution'), unit='points', low=0, high=MAX_POINTS,
                meaning=N_('Productivity points for resolving before the SLA due time.')),
    PolicyField(name='late_resolution', label=N_('Late resolution'), unit='points', low=-MAX_POINTS, high=0,
                meaning=N_('Productivity points (a penalty) for resolving after the SLA due time.')),
    PolicyField(name='first_contact', label=N_('First-contact resolution'), unit='points', low=0, high=MAX_POINTS,
                meaning=N_('Quality points for resolving after a single customer message.')),
    PolicyField(name='happy_customer', label=N_('Happy customer'), unit='points', low=0, high=MAX_POINTS,
                meaning=N_('Quality points when the customer rates the resolution good.')),
    PolicyField(name='unhappy_customer', label=N_('Unhappy customer'), unit='points', low=-MAX_POINTS, high=0,
                meaning=N_('Quality points (a penalty) when the customer rates the resolution bad.')),
    PolicyField(name='minimum_resolved', label=N_('Minimum volume to rank'), unit='resolved', low=0, high=1000,
                meaning=N_('Conversations an agent must have resolved in a period (today, this week, …) before the '
                           'leaderboards rank them and count them in their team\'s average; 0 ranks everyone.')),
    PolicyField(name='queue_jump', label=N_('Queue jump'), unit='points', low=-MAX_POINTS, high=0,
                meaning=N_('Speed points (a penalty) for resolving a conversation taken while an older one of its '
                           'channel waited unassigned; such a resolution earns no fast-resolution points either.')),
    PolicyField(name='aging_bounty', label=N_('Aging bounty'), unit='points', low=0, high=MAX_POINTS,
                meaning=N_('Productivity points for resolving a conversation that waited longer than the aging limit '
                           'before it was taken, once for each whole aging limit it waited (at most {steps} '
                           'times).')),
    PolicyField(name='aging_limit_minutes', label=N_('Aging limit'), unit='minutes', low=1, high=7 * 24 * 60,
                meaning=N_('A conversation waiting unassigned longer than this many minutes carries the aging '
                           'bounty.')),
    PolicyField(name='bad_rating_cancel_percent', label=N_('Bad rating cancels'), unit='percent', low=0, high=100,
                meaning=N_('The share of a resolution\'s fast and on-time points that a bad rating of it takes '
                           'back.')),
    PolicyField(name='reopen_penalty_percent', label=N_('Reopen penalty'), unit='percent', low=0, high=100,
                meaning=N_('The share of a resolution\'s fast and on-time points that a reopen costs once more, beside '
                           'taking back what the resolution earned.')),
    PolicyField(name='note_points', label=N_('Internal note'), unit='points', low=0, high=MAX_POINTS,
                meaning=N_('Productivity points for each internal note an agent writes (counted toward the daily cap '
                           'on notes and tags).')),
    PolicyField(name='tag_points', label=N_('Tag'), unit='points', low=0, high=MAX_POINTS,
                meaning=N_('Productivity points for each tag an agent puts on a conversation (counted toward the '
                           'daily cap on notes and tags).')),
    PolicyField(name='low_value_daily_cap', label=N_('Daily cap on notes and tags'), unit='points a day', low=0,
                high=10 * MAX_POINTS,
                meaning=N_('At most this many points a day for each agent from internal notes, tags and assist shares '
                           'together; past it they earn nothing, so spamming notes or tags does not pay. 0: no cap.')),
    PolicyField(name='reopen_window_hours', label=N_('Reopen window'), unit='hours', low=0,
                high=int(MAX_REOPEN_WINDOW.total_seconds() // 3600),
                meaning=N_('A resolution\'s points are pending for this many hours: a reopen within them takes the '
                           'points back (and costs the reopen penalty); once the window passes without a reopen they '
                           'bank, and a later reopen takes nothing back. 0: no window, a reopen always takes back.')),
    PolicyField(name='assist_percent', label=N_('Assist share'), unit='percent', low=0, high=100,
                meaning=N_('When a conversation is resolved, each other agent who helped with an internal note or a '
                           'transfer note on it earns this share of the resolution\'s points (once per conversation; '
                           'the resolver can confirm or decline an assist). It vests and is taken back on a reopen '
                           'like the resolution\'s points, and counts toward the daily cap on notes and tags.')),
)


class PolicyError(ValueError):
    """A value a lead entered is out of range; the message says which and what is allowed."""


def policy_as_dict(policy: ScoringPolicy) -> dict[str, int]:
    """The policy as event data and table columns: whole numbers, the fast limit in minutes."""
    return {'fast_limit_minutes': int(policy.fast_limit.total_seconds() // 60),
            'fast_resolution': policy.fast_resolution, 'on_time_resolution': policy.on_time_resolution,
            'late_resolution': policy.late_resolution, 'first_contact': policy.first_contact,
            'happy_customer': policy.happy_customer, 'unhappy_customer': policy.unhappy_customer,
            'minimum_resolved': policy.minimum_resolved, 'queue_jump': policy.queue_jump,
            'aging_bounty': policy.aging_bounty, 'aging_limit_minutes': int(policy.aging_limit.total_seconds() // 60),
            'bad_rating_cancel_percent': policy.bad_rating_cancel_percent,
            'reopen_penalty_percent': policy.reopen_penalty_percent, 'note_points': policy.note_points,
            'tag_points': policy.tag_points, 'low_value_daily_cap': policy.low_value_daily_cap,
            'reopen_window_hours': int(policy.reopen_window.total_seconds() // 3600),
            'assist_percent': policy.assist_percent}


FAIR_PLAY_OFF = ScoringPolicy(queue_jump=0, aging_bounty=0, bad_rating_cancel_percent=0, reopen_penalty_percent=0,
                              low_value_daily_cap=0, reopen_window=timedelta(0), assist_percent=0)
"""The fair-play values where a record is older than them: the rules off (the aging limit counts only with a bounty;
notes and tags earned nothing then, and had no cap; a reopen always took back)."""
FAIR_PLAY_FIELDS = ('queue_jump', 'aging_bounty', 'aging_limit_minutes', 'bad_rating_cancel_percent',
                    'reopen_penalty_percent', 'note_points', 'tag_points', 'low_value_daily_cap',
                    'reopen_window_hours', 'assist_percent')


def policy_from_dict(values: Mapping[str, Any]) -> ScoringPolicy:
    """The inverse of :func:`policy_as_dict`, for values already checked (the log's, the table's). An edit logged
    before the fair-play rules existed had them off (0), as migration 0010 sets the rows of that time: so an upgraded
    floor's log replays as it was scored."""
    fair = FAIR_PLAY_OFF
    return ScoringPolicy(fast_limit=timedelta(minutes=values['fast_limit_minutes']),
                         fast_resolution=values['fast_resolution'], on_time_resolution=values['on_time_resolution'],
                         late_resolution=values['late_resolution'], first_contact=values['first_contact'],
                         happy_customer=values['happy_customer'], unhappy_customer=values['unhappy_customer'],
                         minimum_resolved=values.get('minimum_resolved', 0),
                         queue_jump=values.get('queue_jump', fair.queue_jump),
                         aging_bounty=values.get('aging_bounty', fair.aging_bounty),
                         aging_limit=timedelta(minutes=values['aging_limit_minutes'])
                         if values.get('aging_limit_minutes') is not None else fair.aging_limit,
                         bad_rating_cancel_percent=values.get('bad_rating_cancel_percent',
                                                              fair.bad_rating_cancel_percent),
                         reopen_penalty_percent=values.get('reopen_penalty_percent', fair.reopen_penalty_percent),
                         note_points=values.get('note_points', fair.note_points),
                         tag_points=values.get('tag_points', fair.tag_points),
                         low_value_daily_cap=values.get('low_value_daily_cap', fair.low_value_daily_cap),
                         reopen_window=timedelta(hours=values['reopen_window_hours'])
                         if values.get('reopen_window_hours') is not None else fair.reopen_window,
                         assist_percent=values.get('assist_percent', fair.assist_percent))


def check_policy(values: Mapping[str, Any]) -> ScoringPolicy:
    """A lead's entries as a policy, or :class:`PolicyError` naming every value that is missing or out of range."""
    problems = []
    checked: dict[str, int] = {}
    for spec in POLICY_FIELDS:
        value = values.get(spec.name)
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # number inputs send 5.0
        if isinstance(value, str) and re.fullmatch(r'-?\d{1,9}', value.strip()):  # not isdigit(): '²' is one
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int) or not spec.low <= value <= spec.high:
            problems.append(_('{value}: {rule}.').format(value=_(spec.label), rule=spec.rule()))
        else:
            checked[spec.name] = value
    if problems:
        raise PolicyError(' '.join(problems))
    return policy_from_dict(checked)


@dataclass(frozen=True, kw_only=True, slots=True)
class Award:
    agent_id: int
    points: int
    domain: Domain
    kind: AwardKind
    reason: str


CAP_KINDS = frozenset({AwardKind.WELLBEING, AwardKind.LOW_VALUE_CAP})  # the zero-point entries of a cap


def capped(awards: Iterable[Award]) -> bool:
    """Whether a cap took an event's points (work past the daily hours limit, a note or tag past the daily cap on
    them): quests do not count it either, so no part of the game rewards what the caps hold back."""
    return any(award.kind in CAP_KINDS for award in awards)


# awards a reopen takes back, per Freshdesk: the resolution and first-contact points (and what incentives added to
# them), not the rating
CLAWED_BACK_ON_REOPEN = {AwardKind.FAST_RESOLUTION, AwardKind.ON_TIME_RESOLUTION, AwardKind.LATE_RESOLUTION,
                         AwardKind.FIRST_CONTACT, AwardKind.INCENTIVE, AwardKind.QUEUE_JUMP, AwardKind.AGING_BOUNTY,
                         AwardKind.ASSIST}
# the volume awards a bad rating cancels and a reopen costs once more: what speed and the SLA paid for the count
VOLUME_AWARDS = {AwardKind.FAST_RESOLUTION, AwardKind.ON_TIME_RESOLUTION}


def resolution_awards(event: GameEvent, *, policy: ScoringPolicy,
                      calendar: WorkingCalendar | None = None) -> list[Award]:
    """Return the awards one resolution earns, each with its domain and a human reason.

    Fast, on-time and late are measured in the resolving team's working hours (``calendar``; None: 24/7, wall time):
    fast when the working time from the customer writing in is under the fast limit, on time when it is within the
    SLA's target (its due time less the creation time)."""
    assert event.kind == EventKind.RESOLVED and event.agent_id is not None
    ticket = ticket_name(event)
    handle_time, target = timing(event, calendar)
    awards: list[Award] = []
    jumped = fair_play_queue_jump(event, policy=policy)
    if jumped:
        awards += jumped
    elif handle_time < policy.fast_limit:
        awards.append(_award(event, policy.fast_resolution, Domain.SPEED, AwardKind.FAST_RESOLUTION,
                             reasons.FAST_RESOLUTION.english(ticket=ticket)))
    if handle_time <= target:
        awards.append(_award(event, policy.on_time_resolution, Domain.PRODUCTIVITY, AwardKind.ON_TIME_RESOLUTION,
                             reasons.ON_TIME_RESOLUTION.english(ticket=ticket)))
    else:
        awards.append(_award(event, policy.late_resolution, Domain.PRODUCTIVITY, AwardKind.LATE_RESOLUTION,
                             reasons.LATE_RESOLUTION.english(ticket=ticket)))
    if event.data.get('inbound_count') == 1:
        awards.append(_award(event, policy.first_contact, Domain.QUALITY, AwardKind.FIRST_CONTACT,
                             reasons.FIRST_CONTACT.english(ticket=ticket)))
    awards += fair_play_aging_bounty(event, policy=policy)
    return [award for award in awards if award.points != 0]


def timing(event: GameEvent, calendar: WorkingCalendar | None) -> tuple[timedelta, timedelta]:
    """A resolution's handle time in working hours, and its SLA target (wall time from creation to the due time): with
    no calendar the handle time is wall time, and on time is exactly "resolved by the due time"."""
    created_at = datetime.fromisoformat(event.data['created_at'])
    target = datetime.fromisoformat(event.data['sla_due_at']) - created_at
    return working_time(calendar, created_at, event.occurred_at), target


# --- fair play (issue 18): the facts come from the RESOLVED event's data, recorded when the conversation was taken
# (``passed_over``: older conversations of its channel left waiting unassigned; ``waited_seconds``: how long it had
# waited), so a replay of the log decides exactly as the live fold did ---

def fair_play_queue_jump(event: GameEvent, *, policy: ScoringPolicy) -> list[Award]:
    """A resolution of a conversation taken past older waiting ones: the penalty, instead of any fast points."""
    passed_over = event.data.get('passed_over', 0)
    if not passed_over or not policy.queue_jump:
        return []
    return [_award(event, policy.queue_jump, Domain.SPEED, AwardKind.QUEUE_JUMP,
                   reasons.QUEUE_JUMP.english(ticket=ticket_name(event), count=passed_over))]


def fair_play_aging_bounty(event: GameEvent, *, policy: ScoringPolicy) -> list[Award]:
    """A resolution of a conversation that waited long before anyone took it: the bounty, growing with its wait."""
    waited = event.data.get('waited_seconds', 0)
    limit = policy.aging_limit.total_seconds()
    steps = min(MAX_BOUNTY_STEPS, int(waited // limit)) if limit > 0 else 0
    if not steps or not policy.aging_bounty:
        return []
    return [_award(event, policy.aging_bounty * steps, Domain.PRODUCTIVITY, AwardKind.AGING_BOUNTY,
                   reasons.AGING_BOUNTY.english(ticket=ticket_name(event), minutes=int(waited // 60)))]


def fair_play_bad_rating(event: GameEvent, resolution_awards_given: Sequence[Award], *,
                         policy: ScoringPolicy) -> list[Award]:
    """A bad rating of a resolution cancels (a share of) the fast and on-time points that resolution earned."""
    assert event.kind == EventKind.RATED
    if Rating(event.data['rating']) != Rating.BAD:
        return []
    return _volume_share(resolution_awards_given, policy.bad_rating_cancel_percent, AwardKind.BAD_RATING_CANCEL,
                         reasons.BAD_RATING_CANCEL, ticket_name(event))


def fair_play_reopen(event: GameEvent, resolution_awards_given: Sequence[Award], *,
                     policy: ScoringPolicy) -> list[Award]:
    """A reopen costs (a share of) the resolution's fast and on-time points once more, beside the clawback."""
    assert event.kind == EventKind.REOPENED
    return _volume_share(resolution_awards_given, policy.reopen_penalty_percent, AwardKind.REOPEN_PENALTY,
                         reasons.REOPEN_PENALTY, ticket_name(event))


def _volume_share(awards: Sequence[Award], percent: int, kind: AwardKind, wording: reasons.ReasonTemplate,
                  ticket: str) -> list[Award]:
    taken = [(award, award.points * percent // 100) for award in awards
             if award.kind in VOLUME_AWARDS and award.points > 0]
    return [Award(agent_id=award.agent_id, points=-points, domain=award.domain, kind=kind,
                  reason=wording.english(ticket=ticket, reason=award.reason)[:200])
            for award, points in taken if points]


LOW_VALUE_KINDS = {EventKind.NOTE_ADDED: AwardKind.NOTE, EventKind.TAGGED: AwardKind.TAG}


def low_value_award(event: GameEvent, *, policy: ScoringPolicy, earned_today: int) -> list[Award]:
    """A note's or a tag's points, within what the daily cap leaves the agent (``earned_today``: their points from
    notes and tags so far that day); one zero-point entry saying why when the cap leaves nothing."""
    assert event.kind in LOW_VALUE_KINDS and event.agent_id is not None
    kind = LOW_VALUE_KINDS[event.kind]
    points = policy.note_points if kind == AwardKind.NOTE else policy.tag_points
    if not points:
        return []
    what = reasons.NOTE.english(ticket=ticket_name(event)) if kind == AwardKind.NOTE else \
        reasons.TAG.english(tag=event.data.get('tag', ''), ticket=ticket_name(event))
    cap = policy.low_value_daily_cap
    if cap and earned_today + points > cap:
        left = max(0, cap - earned_today)
        if not left:
            return [_award(event, 0, Domain.PRODUCTIVITY, AwardKind.LOW_VALUE_CAP,
                           reasons.CAP_REACHED.english(reason=what, cap=cap)[:200])]
        return [_award(event, left, Domain.PRODUCTIVITY, kind, reasons.UP_TO_CAP.english(reason=what, cap=cap)[:200])]
    return [_award(event, points, Domain.PRODUCTIVITY, kind, what[:200])]


def rating_awards(event: GameEvent, *, policy: ScoringPolicy) -> list[Award]:
    """Return the award a customer's rating earns the agent who resolved the conversation."""
    assert event.kind == EventKind.RATED and event.agent_id is not None
    ticket = ticket_name(event)
    rating = Rating(event.data['rating'])
    # a connected helpdesk's customer may rate again: the new rating replaces the earlier one (issue 14)
    replaces = event.data.get('replaces')
    if rating == Rating.GOOD and policy.happy_customer:
        wording = reasons.HAPPY_AGAIN[replaces] if replaces else reasons.HAPPY_CUSTOMER
        return [_award(event, policy.happy_customer, Domain.QUALITY, AwardKind.HAPPY_CUSTOMER,
                       wording.english(ticket=ticket))]
    if rating == Rating.BAD and policy.unhappy_customer:
        wording = reasons.UNHAPPY_AGAIN[replaces] if replaces else reasons.UNHAPPY_CUSTOMER
        return [_award(event, policy.unhappy_customer, Domain.QUALITY, AwardKind.UNHAPPY_CUSTOMER,
                       wording.english(ticket=ticket))]
    return []


# --- vesting (issue 18): a resolution's points count at once but stay pending while a reopen can take them back ---

def resolution_points(awards: Sequence[Award], agent_id: int) -> int:
    """What a reopen would take back from ``agent_id`` of a resolution's awards (the resolver's, or an assister's
    share): their pending points while the window runs."""
    return sum(award.points for award in awards if award.kind in CLAWED_BACK_ON_REOPEN and award.agent_id == agent_id)


# --- assist credit (issue 18): the RESOLVED event names the other agents who wrote an internal note or a transfer
# note on the conversation since it was last resolved (``assisters``, recorded by the inbox); each earns a share of
# the resolver's points, once per conversation, kept with the resolution so that it vests and a reopen takes it back.
# The resolver's ``assist_decided`` event confirms (a colleague the inference missed: a team-chat answer) or declines
# one for that resolution; a decline stands when the same resolver resolves the conversation again (the event names
# them under ``declined``), a different resolver decides afresh. A note alone earns nothing here: only a resolution by
# someone else pays a share. ---

def assist_share(resolution_awards_given: Sequence[Award], *, resolver_id: int, policy: ScoringPolicy) -> int:
    """One assister's share: the assist percentage of what the resolver earned for the resolution (nothing when that
    is nothing or less)."""
    return max(0, resolution_points(resolution_awards_given, resolver_id)) * policy.assist_percent // 100


def assist_awards(event: GameEvent, resolution_awards_given: Sequence[Award], *,
                  policy: ScoringPolicy) -> list[Award]:
    """The inferred assists of a resolution: a share for each other agent its event names, once each, but those the
    resolver declined on an earlier resolution of the conversation."""
    assert event.kind == EventKind.RESOLVED and event.agent_id is not None
    share = assist_share(resolution_awards_given, resolver_id=event.agent_id, policy=policy)
    declined = {int(agent_id) for agent_id in event.data.get('declined', ())}
    assisters = sorted({int(agent_id) for agent_id in event.data.get('assisters', ())} - declined - {event.agent_id})
    if not share or not assisters:
        return []
    reason = reasons.ASSIST.english(ticket=ticket_name(event), name=event.data.get('resolver_name', ''))[:200]
    return [Award(agent_id=agent_id, points=share, domain=Domain.QUALITY, kind=AwardKind.ASSIST, reason=reason)
            for agent_id in assisters]


def assist_within_cap(award: Award, *, policy: ScoringPolicy, earned_today: int) -> Award | None:
    """An assist share within what the daily cap on notes and tags leaves its assister (``earned_today``: their points
    from notes, tags and assists so far that day): a helpful note pays, a note on every waiting conversation does
    not. None when the cap leaves nothing (no entry: the resolution's own awards stay uncapped)."""
    cap = policy.low_value_daily_cap
    if award.points <= 0 or not cap or earned_today + award.points <= cap:
        return award
    left = max(0, cap - earned_today)
    if not left:
        return None
    return Award(agent_id=award.agent_id, points=left, domain=award.domain, kind=award.kind,
                 reason=reasons.UP_TO_CAP.english(reason=award.reason, cap=cap)[:200])


def assist_decision(event: GameEvent, resolution_awards_given: Sequence[Award], *, resolver_id: int,
                    policy: ScoringPolicy) -> list[Award]:
    """The resolver's word on one assist of their standing resolution: a confirmed colleague without a share gets one,
    a declined one with a share gives it back (so at most one share per assister and conversation)."""
    assert event.kind == EventKind.ASSIST_DECIDED
    assister = int(event.data['assister_id'])
    if event.agent_id != resolver_id or assister == resolver_id:
        return []
    held = sum(award.points for award in resolution_awards_given
               if award.kind == AwardKind.ASSIST and award.agent_id == assister)
    name, ticket = event.data.get('resolver_name', ''), ticket_name(event)
    if event.data.get('confirmed'):
        share = assist_share(resolution_awards_given, resolver_id=resolver_id, policy=policy)
        if held > 0 or not share:
            return []
        return [Award(agent_id=assister, points=share, domain=Domain.QUALITY, kind=AwardKind.ASSIST,
                      reason=reasons.ASSIST_CONFIRMED.english(ticket=ticket, name=name)[:200])]
    if held <= 0:
        return []
    return [Award(agent_id=assister, points=-held, domain=Domain.QUALITY, kind=AwardKind.ASSIST,
                  reason=reasons.ASSIST_DECLINED.english(ticket=ticket, name=name)[:200])]


def banked(resolved_at: datetime, reopened_at: datetime, *, policy: ScoringPolicy) -> bool:
    """Whether a reopen at ``reopened_at`` comes after the resolution's window, so its points stay (no window: never).
    """
    return bool(policy.reopen_window) and reopened_at - resolved_at >= policy.reopen_window


def banked_reopen(event: GameEvent, *, agent_id: int, resolved_at: datetime, policy: ScoringPolicy) -> list[Award]:
    """The zero-point entry that tells the resolver why a reopen after the window took nothing back."""
    assert event.kind == EventKind.REOPENED
    hours = int(policy.reopen_window.total_seconds() // 3600)
    return [Award(agent_id=agent_id, points=0, domain=Domain.PRODUCTIVITY, kind=AwardKind.BANKED,
                  reason=reasons.BANKED.english(ticket=ticket_name(event), hours=hours,
                                                when=f'{resolved_at + policy.reopen_window:%d %b %H:%M}')[:200])]


def pending_points(vesting: Iterable[tuple[datetime, int]], *, now: datetime, policy: ScoringPolicy) -> int:
    """An agent's resolution points still inside the reopen window at ``now``, from (resolved at, points) of their
    resolutions not reopened; the rest of their points are banked. No window: nothing is pending."""
    if not policy.reopen_window:
        return 0
    since = now - policy.reopen_window
    return sum(points for resolved_at, points in vesting if resolved_at > since)


def untag_takeback(event: GameEvent, *, agent_id: int, points: int) -> list[Award]:
    """A removed tag takes back what putting it earned its tagger (whoever removes it)."""
    assert event.kind == EventKind.UNTAGGED
    if not points:
        return []
    return [Award(agent_id=agent_id, points=-points, domain=Domain.PRODUCTIVITY, kind=AwardKind.UNTAG,
                  reason=reasons.UNTAG.english(tag=event.data.get('tag', ''), ticket=ticket_name(event))[:200])]


def reopen_clawbacks(event: GameEvent, resolution_awards_given: list[Award]) -> list[Award]:
    """Return the entries that take back a reopened conversation's resolution and first-contact points."""
    assert event.kind == EventKind.REOPENED
    return [Award(agent_id=award.agent_id, points=-award.points, domain=award.domain, kind=AwardKind.CLAWBACK,
                  reason=reasons.CLAWBACK.english(ticket=ticket_name(event), reason=award.reason))
            for award in resolution_awards_given if award.kind in CLAWED_BACK_ON_REOPEN]


def dispute_compensation(event: GameEvent) -> list[Award]:
    """Return the new entries that cancel what an invalidated rating caused; the history itself stays.

    The event carries the rating's ledger entries (read when the lead decided), so the fold needs no memory of them.
    """
    assert event.kind == EventKind.RATING_INVALIDATED
    # the customer rated again in their helpdesk (issue 14), or a lead upheld a dispute
    wording = reasons.RATING_REPLACED if event.data.get('replaced') else reasons.RATING_INVALIDATED
    return [Award(agent_id=entry['agent_id'], points=-entry['points'], domain=Domain(entry['domain']),
                  kind=AwardKind.DISPUTE, reason=wording.english(reason=entry['reason'])[:200])
            for entry in event.data['awards'] if entry['points']]


def quest_awards(event: GameEvent) -> list[Award]:
    """Return a completed quest's reward, one entry for each agent the event names (the whole team for a mission)."""
    assert event.kind == EventKind.QUEST_COMPLETED
    data = event.data
    if not data['points']:
        return []  # a badge-only reward
    reason = reasons.QUEST.english(title=data['title'][:150])
    return [Award(agent_id=agent_id, points=data['points'], domain=Domain(data['domain']), kind=AwardKind.QUEST,
                  reason=reason) for agent_id in data['agent_ids']]


def merge_transfers(event: GameEvent) -> list[Award]:
    """Return the entries that move a merged agent's points, domain by domain, to the agent merged into."""
    assert event.kind == EventKind.AGENT_MERGED and event.agent_id is not None
    data = event.data
    awards = []
    for domain, points in sorted(data['points'].items()):
        if points:
            awards += [Award(agent_id=data['from_agent_id'], points=-points, domain=Domain(domain),
                             kind=AwardKind.MERGE, reason=reasons.MERGED_INTO.english(name=data['into_name'])[:200]),
                       Award(agent_id=event.agent_id, points=points, domain=Domain(domain), kind=AwardKind.MERGE,
                             reason=reasons.MERGED_FROM.english(name=data['from_name'])[:200])]
    return awards


def kudos_awards(event: GameEvent) -> list[Award]:
    """Return the quality points a colleague's thanks carries, with their message as the reason."""
    assert event.kind == EventKind.KUDOS_SENT and event.agent_id is not None
    data = event.data
    if not data['points']:
        return []
    return [_award(event, data['points'], Domain.QUALITY, AwardKind.KUDOS,
                   reasons.KUDOS.english(name=data['from_name'], message=data['message'])[:200])]


def ticket_name(event: GameEvent) -> str:
    """'#12' for the built-in inbox's conversations; a connected helpdesk's own name, like 'Chatwoot #482'."""
    return event.data.get('ticket') or f'#{event.conversation_id}'


def _award(event: GameEvent, points: int, domain: Domain, kind: AwardKind, reason: str) -> Award:
    assert event.agent_id is not None
    return Award(agent_id=event.agent_id, points=points, domain=domain, kind=kind, reason=reason)
