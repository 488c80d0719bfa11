"""Incentives: time-boxed multipliers and bonuses a lead sets, as pure rules the game's fold applies to resolutions.

An incentive reaches the fold as an event (saved, deleted), so a replay of the log applies exactly the incentives that
were in force when each resolution happened. Its extra points are awards of their own, with a reason naming it.
"""
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from services.domain import reasons
from services.domain.errors import ActionError
from services.domain.events import Channel, EventKind, GameEvent
from services.domain.floor_calendar import clock_hour, floor_time
from services.domain.i18n import N_, _, floor_timezone, ngettext
from services.domain.scoring import Award, AwardKind, Domain
from services.domain.text import checked_text, empty_refusal
from services.domain.wording import number

MAX_NAME = 60
MAX_MULTIPLIER = 5
MAX_BONUS = 100
MAX_BEYOND = 60
TIME_PATTERN = re.compile(r'^([01]?\d|2[0-4]):([0-5]\d)$')


class IncentiveKind(str, Enum):
    MULTIPLIER = 'multiplier'  # the points a resolution earns count several times
    BONUS = 'bonus'  # extra points for each resolution beyond a number in the same clock hour


@dataclass(frozen=True, kw_only=True, slots=True)
class Incentive:
    """One incentive as a lead defines it (``id`` 0: not saved yet); days and times are the floor's
    (its time zone), ``until`` exclusive."""
    id: int = 0
    name: str
    kind: IncentiveKind
    channel: str | None = None  # None: every channel
    starts_on: date
    ends_on: date  # inclusive
    from_time: str = '00:00'
    until_time: str = '24:00'
    multiplier: float = 2.0  # MULTIPLIER: ×1 to ×5, in tenths
    bonus_points: int = 0  # BONUS: points per resolution beyond ``beyond_per_hour``
    beyond_per_hour: int = 0

    @property
    def label(self) -> str:
        """What a ledger reason and a list call it: "×2 chat afternoon"."""
        return f'×{self.multiplier:g} {self.name}' if self.kind == IncentiveKind.MULTIPLIER else self.name

    @property
    def summary(self) -> str:
        what = f'×{self.multiplier:g} resolution points' if self.kind == IncentiveKind.MULTIPLIER else \
            f'+{self.bonus_points} per resolution beyond {self.beyond_per_hour} an hour'
        days = self.starts_on.isoformat() if self.starts_on == self.ends_on else \
            f'{self.starts_on.isoformat()} to {self.ends_on.isoformat()}'
        hours = f'{self.from_time}–{self.until_time} {floor_timezone()}'
        return f'{what} · {self.channel or "every channel"} · {days}, {hours}'

    def covers(self, moment: datetime) -> bool:
        """Whether a moment lies inside this incentive's days and hours."""
        local = floor_time(moment)
        minute = local.hour * 60 + local.minute
        return self.starts_on <= local.date() <= self.ends_on \
            and _minutes(self.from_time) <= minute < _minutes(self.until_time)

    def applies_to(self, event: GameEvent) -> bool:
        """Whether a resolution happened inside this incentive's days, hours and channel."""
        return self.covers(event.occurred_at) and (self.channel is None or event.data.get('channel') == self.channel)

    def as_data(self) -> dict[str, Any]:
        """The incentive as an event carries it (JSON)."""
        return {'incentive_id': self.id, 'name': self.name, 'kind': self.kind.value, 'channel': self.channel,
                'starts_on': self.starts_on.isoformat(), 'ends_on': self.ends_on.isoformat(),
                'from_time': self.from_time, 'until_time': self.until_time, 'multiplier': self.multiplier,
                'bonus_points': self.bonus_points, 'beyond_per_hour': self.beyond_per_hour}

    @staticmethod
    def from_data(data: Mapping[str, Any]) -> 'Incentive':
        return Incentive(id=data['incentive_id'], name=data['name'], kind=IncentiveKind(data['kind']),
                         channel=data['channel'], starts_on=date.fromisoformat(data['starts_on']),
                         ends_on=date.fromisoformat(data['ends_on']), from_time=data['from_time'],
                         until_time=data['until_time'], multiplier=data['multiplier'],
                         bonus_points=data['bonus_points'], beyond_per_hour=data['beyond_per_hour'])


def problems_with(incentive: Incentive) -> list[str]:
    """Everything wrong with an incentive a lead typed, each as a sentence they can act on (empty: it may be saved)."""
    problems = []
    try:
        checked_text(incentive.name, N_('Name'), MAX_NAME, name=True, empty=empty_refusal(N_('Name')))
    except ActionError as error:
        problems.append(str(error))
    if incentive.channel is not None and incentive.channel not in {channel.value for channel in Channel}:
        problems.append(_('There is no channel "{channel}".').format(channel=incentive.channel))
    if incentive.starts_on > incentive.ends_on:
        problems.append(_('The first day is after the last day.'))
    times = [text for text in (incentive.from_time, incentive.until_time) if not _valid_time(text)]
    for text in times:
        problems.append(_('"{text}" is not a time of day (write it as HH:MM, 00:00 to 24:00).').format(text=text))
    if not times and _minutes(incentive.from_time) >= _minutes(incentive.until_time):
        problems.append(_('The start time must be before the end time.'))
    if incentive.kind == IncentiveKind.MULTIPLIER:
        if not 1 <= incentive.multiplier <= MAX_MULTIPLIER:
            problems.append(_('Multiplier: between 1 and {max_multiplier}.').format(max_multiplier=MAX_MULTIPLIER))
        elif round(incentive.multiplier * 10) != incentive.multiplier * 10:
            problems.append(_('Multiplier: one decimal at most (e.g. {example}).').format(example=number(1.5)))
    else:
        if not 1 <= incentive.bonus_points <= MAX_BONUS:
            problems.append(ngettext('Bonus: between 1 and {max_bonus} point.', 'Bonus: between 1 and {max_bonus} '
                                     'points.', MAX_BONUS).format(max_bonus=MAX_BONUS))
        if not 0 <= incentive.beyond_per_hour <= MAX_BEYOND:
            problems.append(_('Resolutions an hour before the bonus: between 0 and {max_beyond}.').format(
                max_beyond=MAX_BEYOND))
    return problems


class IncentiveBook:
    """The incentives in force and each bonus's count of resolutions in the current hour, as the fold sees them.

    Undo works like the projection's: :meth:`begin` remembers the state, :meth:`rollback` restores it. The dict of
    incentives is replaced, never changed in place, so remembering it is free; the hourly counts are few.
    """

    def __init__(self) -> None:
        self.incentives: dict[int, Incentive] = {}
        self.hourly: dict[tuple[int, int], tuple[datetime, int]] = {}  # (incentive, agent): hour, resolutions in it
        self._saved: list[tuple[dict[int, Incentive], dict[tuple[int, int], tuple[datetime, int]]]] = []

    def begin(self) -> None:
        self._saved.append((self.incentives, dict(self.hourly)))

    def commit(self) -> None:
        self._saved.pop()

    def rollback(self) -> None:
        self.incentives, self.hourly = self._saved.pop()

    def change(self, event: GameEvent) -> None:
        """Fold an incentive being saved or deleted."""
        if event.kind == EventKind.INCENTIVE_SAVED:
            incentive = Incentive.from_data(event.data)
            self.incentives = {**self.incentives, incentive.id: incentive}
        elif event.kind == EventKind.INCENTIVE_DELETED:
            incentive_id = event.data['incentive_id']
            self.incentives = {key: value for key, value in self.incentives.items() if key != incentive_id}
            self.hourly = {key: value for key, value in self.hourly.items() if key[0] != incentive_id}

    def awards_for(self, event: GameEvent, base: list[Award]) -> list[Award]:
        """The extra awards the incentives in force give a resolution, on top of its ``base`` awards."""
        if not self.incentives or event.kind != EventKind.RESOLVED or event.agent_id is None:
            return []
        awards: list[Award] = []
        for incentive in sorted(self.incentives.values(), key=lambda incentive: incentive.id):
            if not incentive.applies_to(event):
                continue
            if incentive.kind == IncentiveKind.MULTIPLIER:
                tenths = round(incentive.multiplier * 10) - 10
                awards.extend(Award(agent_id=award.agent_id, points=award.points * tenths // 10, domain=award.domain,
                                    kind=AwardKind.INCENTIVE, reason=reasons.INCENTIVE_MULTIPLIER.english(
                                        label=incentive.label, reason=award.reason)[:200])
                              for award in base if award.points > 0 and award.points * tenths // 10 > 0)
            else:
                count = self._count(incentive.id, event)
                if count > incentive.beyond_per_hour:
                    awards.append(Award(agent_id=event.agent_id, points=incentive.bonus_points,
                                        domain=Domain.PRODUCTIVITY, kind=AwardKind.INCENTIVE,
                                        reason=reasons.INCENTIVE_BONUS.english(
                                            label=incentive.label, count=count, conversation=event.conversation_id,
                                            beyond=incentive.beyond_per_hour)[:200]))
        return awards

    def _count(self, incentive_id: int, event: GameEvent) -> int:
        assert event.agent_id is not None
        hour = clock_hour(event.occurred_at)
        last_hour, count = self.hourly.get((incentive_id, event.agent_id), (hour, 0))
        count = count + 1 if last_hour == hour else 1
        self.hourly[(incentive_id, event.agent_id)] = (hour, count)
        return count


def normalise_time(text: str) -> str:
    """'9:5' is not a time, '9:05' is '09:05'."""
    text = text.strip()
    return f'{int(text.split(":")[0]):02d}:{text.split(":")[1]}' if _valid_time(text) else text


def _valid_time(text: str) -> bool:
    match = TIME_PATTERN.match(text)
    return match is not None and (int(match.group(1)) < 24 or match.group(2) == '00')


def _minutes(text: str) -> int:
    hours, minutes = text.split(':')
    return int(hours) * 60 + int(minutes)
