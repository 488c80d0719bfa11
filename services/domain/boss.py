"""The cooperative queue boss (issue 20): when the waiting queue grows past a threshold (or a lead calls one), the whole
floor fights a boss whose health is the waiting work at the start; every resolution during the fight is a hit; the
boss beaten before its deadline rewards everyone who hit it; a lost fight costs nothing.

Everything here is a fold of the log: ``boss_started`` opens a fight (its data carries the health, the deadline and the
reward, so a later settings change never rewrites it), a ``resolved`` event during the fight is a hit (a reopen of a
conversation hit in this fight heals the boss by one), the hit that brings the damage to the health wins and carries
the reward of every agent who hit it. A fight is lost at its deadline: the sweeper records ``boss_ended`` then, and a
resolution dated at or after the deadline ends it too (so a replay, which only sees the log, gives the same answer).
"""
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from services.domain import reasons
from services.domain.errors import ActionError
from services.domain.events import EventKind, GameEvent
from services.domain.i18n import N_, _
from services.domain.scoring import Award, AwardKind, Domain

DEFAULT_THRESHOLD = 15  # conversations waiting in the queue that wake a boss
DEFAULT_MINUTES = 60  # how long the floor has to beat it
BOSS_POINTS = 10  # productivity for each agent who hit a beaten boss: a fifth of a good day, a thank-you not a goal
COOLDOWN = timedelta(minutes=30)  # after a fight, the queue rule waits this long before waking the next boss
MAX_THRESHOLD = 1000
MAX_MINUTES = 8 * 60
# the bosses, in turn (names shown through _() where they are displayed)
BOSS_NAMES = (N_('The Backlog Hydra'), N_('The Ticket Kraken'), N_('The Queue Golem'), N_('The Inbox Dragon'),
              N_('The Hold Music Wyrm'))
VICTORY, DEFEAT = 'victory', 'defeat'


@dataclass(frozen=True, kw_only=True, slots=True)
class BossSettings:
    """What a lead sets: whether the queue wakes a boss on its own, at how many waiting, and how long a fight lasts."""
    automatic: bool = True
    threshold: int = DEFAULT_THRESHOLD
    minutes: int = DEFAULT_MINUTES

    def as_dict(self) -> dict[str, Any]:
        return {'automatic': self.automatic, 'threshold': self.threshold, 'minutes': self.minutes}


@dataclass(frozen=True, kw_only=True, slots=True)
class BossFight:
    """One fight, as the fold sees it after the events so far."""
    number: int  # 1 for the first fight of the log, then 2, …
    name: str
    health: int
    points: int  # each participant's reward on victory
    started_at: datetime
    deadline: datetime
    reason: str  # 'lead' | 'queue'
    hits: Mapping[int, int] = field(default_factory=dict)  # conversation resolved in this fight -> the agent who did
    outcome: str | None = None  # None while it runs, then VICTORY or DEFEAT
    ended_at: datetime | None = None

    @property
    def running(self) -> bool:
        return self.outcome is None

    @property
    def damage(self) -> int:
        return len(self.hits)

    @property
    def remaining(self) -> int:
        return max(0, self.health - self.damage)

    def damage_by_agent(self) -> dict[int, int]:
        """Each agent's hits, most first (ties by agent id, so every screen lists them the same)."""
        counts = Counter(self.hits.values())
        return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


class BossBook:
    """The settings in force and the latest fight, folded from the log; undo works like the projection's (the values
    are immutable, so remembering them is free)."""

    def __init__(self) -> None:
        self.settings = BossSettings()
        self.fight: BossFight | None = None
        self._saved: list[tuple[BossSettings, BossFight | None]] = []

    def begin(self) -> None:
        self._saved.append((self.settings, self.fight))

    def commit(self) -> None:
        self._saved.pop()

    def rollback(self) -> None:
        self.settings, self.fight = self._saved.pop()

    @property
    def running(self) -> BossFight | None:
        return self.fight if self.fight is not None and self.fight.running else None

    def apply(self, event: GameEvent) -> list[Award]:
        """Fold one event; returns the victory awards when this event beat the boss."""
        if event.kind == EventKind.BOSS_SETTINGS_CHANGED:
            self.settings = settings_from_dict(event.data)
        elif event.kind == EventKind.BOSS_STARTED:
            self.fight = fight_from_event(event)
        elif (fight := self.running) is None:
            return []
        elif event.kind == EventKind.BOSS_ENDED:
            self.fight = replace(fight, outcome=DEFEAT, ended_at=min(event.occurred_at, fight.deadline))
        elif event.kind == EventKind.RESOLVED and event.agent_id is not None and event.conversation_id is not None:
            if event.occurred_at >= fight.deadline:  # the first resolution past the deadline finds the boss gone
                self.fight = replace(fight, outcome=DEFEAT, ended_at=fight.deadline)
            elif event.occurred_at >= fight.started_at:
                fight = replace(fight, hits={**fight.hits, event.conversation_id: event.agent_id})
                if fight.damage < fight.health:
                    self.fight = fight
                else:
                    self.fight = replace(fight, outcome=VICTORY, ended_at=event.occurred_at)
                    return victory_awards(self.fight)
        elif event.kind == EventKind.REOPENED and event.conversation_id in fight.hits:  # the hit did not hold
            self.fight = replace(fight, hits={key: value for key, value in fight.hits.items()
                                              if key != event.conversation_id})
        return []


def victory_awards(fight: BossFight) -> list[Award]:
    """Every agent who hit the beaten boss gets its reward, whatever their share: beating it is the floor's work."""
    if fight.points <= 0:
        return []
    return [Award(agent_id=agent_id, points=fight.points, domain=Domain.PRODUCTIVITY, kind=AwardKind.BOSS,
                  reason=reasons.BOSS.english(name=fight.name, hits=hits, health=fight.health)[:200])
            for agent_id, hits in fight.damage_by_agent().items()]


def fight_from_event(event: GameEvent) -> BossFight:
    data = event.data
    return BossFight(number=data['number'], name=data['name'], health=data['health'], points=data['points'],
                     started_at=event.occurred_at, deadline=datetime.fromisoformat(data['deadline']),
                     reason=data['reason'])


def settings_from_dict(data: Mapping[str, Any]) -> BossSettings:
    return BossSettings(automatic=bool(data['automatic']), threshold=data['threshold'], minutes=data['minutes'])


def checked_settings(*, automatic: bool, threshold: Any, minutes: Any) -> BossSettings:
    """The settings a lead typed, or a refusal saying what is allowed.

    :raises ActionError: a threshold or a duration that is not a whole number in range
    """
    if not _whole(threshold) or not 1 <= threshold <= MAX_THRESHOLD:
        raise ActionError(_('The threshold must be a whole number of waiting conversations from 1 to {most}.').format(
            most=MAX_THRESHOLD))
    if not _whole(minutes) or not 5 <= minutes <= MAX_MINUTES:
        raise ActionError(_('A fight lasts a whole number of minutes from 5 to {most}.').format(most=MAX_MINUTES))
    return BossSettings(automatic=bool(automatic), threshold=threshold, minutes=minutes)


def check_start(book: BossBook, *, waiting: int) -> None:
    """Refuse a start the rules do not allow, saying why.

    :raises ActionError: a fight already running, or nothing waiting to fight
    """
    if book.running is not None:
        raise ActionError(_('“{boss}” is already being fought: beat it first.').format(boss=_(book.running.name)))
    if waiting <= 0:
        raise ActionError(_('The queue is empty: there is no boss to fight.'))


def wakes(book: BossBook, *, waiting: int, now: datetime) -> bool:
    """Whether the queue rule starts a fight now: it is on, no fight runs, the queue is at the threshold, and the last
    fight ended at least :data:`COOLDOWN` ago (so a queue that stays long is not one fight after another)."""
    if not book.settings.automatic or book.running is not None or waiting < book.settings.threshold:
        return False
    return book.fight is None or book.fight.ended_at is None or now - book.fight.ended_at >= COOLDOWN


def expired(book: BossBook, *, now: datetime) -> BossFight | None:
    """The running fight whose deadline has passed (the sweeper records its end), if any."""
    fight = book.running
    return fight if fight is not None and now >= fight.deadline else None


def start_data(book: BossBook, *, waiting: int, now: datetime, reason: str, by: int | None) -> dict[str, Any]:
    """The data of the next ``boss_started`` event: its number, name, health (the waiting work), deadline, reward."""
    number = (book.fight.number if book.fight is not None else 0) + 1
    return {'number': number, 'name': BOSS_NAMES[(number - 1) % len(BOSS_NAMES)], 'health': waiting,
            'points': BOSS_POINTS, 'deadline': (now + timedelta(minutes=book.settings.minutes)).isoformat(),
            'reason': reason, 'by': by}


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
