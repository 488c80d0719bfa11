"""Seasons of the boards (issue 20): named stretches of the floor's days a lead defines; the "Season" leaderboard
counts the points earned since the running season's first day, and each finished season keeps its final standings.

A lead's edit is a ``SEASONS_CHANGED`` event carrying the whole list, so the boards (live and in a replay) switch to it
at the same point of the log. A season that has ended can be neither edited nor removed, and none can be added that
ends in the past: the final standings of a season, a sum of the ledger's daily points over its days, never change.
"""
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from services.domain.errors import ActionError
from services.domain.i18n import N_, _
from services.domain.text import MAX_NAME, checked_text

MAX_SEASONS = 100
PODIUM = 3  # the standings a past season shows
RECAP_NOTICE_DAYS = 7  # how long after a season's end the dashboard says its recap is ready (until it is opened)


class SeasonError(ActionError):
    """A list of seasons a lead cannot save; the message says why, in words for them."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Season:
    name: str
    start: date  # the first day, UTC
    end: date  # the last day, included

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def as_dict(self) -> dict[str, str]:
        """A JSON-ready form (a ``SEASONS_CHANGED`` event's data), read back by :func:`seasons_from_data`."""
        return {'name': self.name, 'start': self.start.isoformat(), 'end': self.end.isoformat()}

    def dates(self) -> str:
        return f'{self.start.isoformat()} → {self.end.isoformat()}'


@dataclass(frozen=True, kw_only=True, slots=True)
class SeasonResult:
    """A finished season's final standings: the agents with points, most first (ties share a place)."""
    season: Season
    standings: tuple[tuple[int, int, int], ...]  # (place, agent id, points)

    @property
    def champions(self) -> frozenset[int]:
        return frozenset(agent_id for place, agent_id, _points in self.standings if place == 1)


def seasons_from_data(data: Mapping[str, Any]) -> tuple[Season, ...]:
    """The seasons a ``SEASONS_CHANGED`` event carries, in date order."""
    return tuple(sorted((Season(name=row['name'], start=date.fromisoformat(row['start']),
                                end=date.fromisoformat(row['end'])) for row in data.get('seasons', ())),
                        key=lambda season: season.start))


def current_season(seasons: Iterable[Season], today: date) -> Season | None:
    """The season running on ``today`` (seasons never overlap), if any."""
    return next((season for season in seasons if season.contains(today)), None)


def ended_seasons(seasons: Iterable[Season], today: date) -> list[Season]:
    """The seasons over by ``today``, the latest first."""
    return sorted((season for season in seasons if season.end < today), key=lambda season: season.start,
                  reverse=True)


def previous_season(seasons: Iterable[Season], season: Season) -> Season | None:
    """The season that ended last before ``season`` began, if any."""
    return max((other for other in seasons if other.end < season.start), key=lambda other: other.end, default=None)


def recap_due(seasons: Iterable[Season], today: date, *, days: int = RECAP_NOTICE_DAYS) -> Season | None:
    """The season whose recap the dashboard offers on ``today``: the latest one over, if it ended less than ``days``
    days ago."""
    over = ended_seasons(seasons, today)
    return over[0] if over and (today - over[0].end).days <= days else None


def check_seasons(seasons: Sequence[Season], *, before: Sequence[Season], today: date) -> tuple[Season, ...]:
    """The seasons a lead wants, checked against those in force (``before``) on ``today``; names are stripped.

    :raises SeasonError: with a message for the lead; nothing is saved then.
    """
    if len(seasons) > MAX_SEASONS:
        raise SeasonError(_('At most {count} seasons.').format(count=MAX_SEASONS))
    checked: list[Season] = []
    for season in seasons:
        name = ' '.join(checked_text(season.name, N_('Season name'), MAX_NAME, name=True,
                                     empty=_('Every season needs a name.')).split())
        if season.end < season.start:
            raise SeasonError(_('Season "{name}" ends before it starts.').format(name=name))
        checked.append(Season(name=name, start=season.start, end=season.end))
    names = [season.name.casefold() for season in checked]
    if duplicate := next((season.name for season in checked if names.count(season.name.casefold()) > 1), None):
        raise SeasonError(_('Two seasons are called "{name}": give each its own name.').format(name=duplicate))
    checked.sort(key=lambda season: season.start)
    for earlier, later in zip(checked, checked[1:], strict=False):
        if later.start <= earlier.end:
            raise SeasonError(_('Season "{later}" ({later_dates}) overlaps "{earlier}" ({earlier_dates}).').format(
                later=later.name, later_dates=later.dates(), earlier=earlier.name, earlier_dates=earlier.dates()))
    for season in ended_seasons(before, today):
        if season not in checked:
            raise SeasonError(_('Season "{name}" has ended: its final standings are kept, so it cannot be changed or '
                                'removed.').format(name=season.name))
    kept = set(before)
    for season in checked:
        if season.end < today and season not in kept:
            raise SeasonError(_('Season "{name}" would already be over: a new season ends today or later.')
                              .format(name=season.name))
    return tuple(checked)


def season_totals(by_day: Mapping[date, Mapping[int, int]], season: Season) -> dict[int, int]:
    """Every agent's points over a season's days, from points per day and agent."""
    totals: dict[int, int] = {}
    for day, points in by_day.items():
        if season.contains(day):
            for agent_id, value in points.items():
                totals[agent_id] = totals.get(agent_id, 0) + value
    return totals


def final_standings(season: Season, totals: Mapping[int, int], *, shown: int = PODIUM) -> SeasonResult:
    """A season's standings: the agents above zero, most points first (then by id, for a stable order); ties share a
    place, and every agent tied with the last one shown is shown too."""
    ranked = sorted(((points, agent_id) for agent_id, points in totals.items() if points > 0),
                    key=lambda pair: (-pair[0], pair[1]))
    standings: list[tuple[int, int, int]] = []
    place, place_points = 0, None
    for index, (points, agent_id) in enumerate(ranked, 1):
        if points != place_points:
            if index > shown:
                break
            place, place_points = index, points
        standings.append((place, agent_id, points))
    return SeasonResult(season=season, standings=tuple(standings))


def past_results(seasons: Iterable[Season], by_season: Mapping[Season, Mapping[int, int]], today: date, *,
                 shown: int = PODIUM) -> list[SeasonResult]:
    """The final standings of every season over by ``today``, the latest first (``by_season``: each season's points
    by agent, e.g. :attr:`PointsTally.by_season`)."""
    return [final_standings(season, by_season.get(season, {}), shown=shown) for season in ended_seasons(seasons, today)]
