"""An agent's recap of a period (issue 20): their month or season compared with themselves, and the same as a
shareable image.

The image is an SVG built here as a plain string, every text escaped, so no agent or customer text can become markup;
the browser turns it into a PNG (ui/recap.py), which needs no image library on the server.
"""
from dataclasses import dataclass, field
from datetime import date, timedelta
from xml.sax.saxutils import escape

from services.domain.i18n import _
from services.domain.personal_bests import BEST_TITLES, Best, DayFigures, RecapPeriod, Record, Streak, best_text
from services.domain.scoring import DOMAIN_TITLES
from services.domain.wording import day as day_text
from services.domain.wording import number

SKILLS = ('quality', 'speed', 'productivity')
KIND_WORDS_SHOWN = 8
CARD_WIDTH, CARD_HEIGHT = 1200, 675  # 16:9, the size social networks show without cropping


@dataclass(frozen=True, kw_only=True, slots=True)
class KindWord:
    text: str
    by: str  # a colleague's name, or '' for a customer
    day: date


@dataclass(frozen=True, kw_only=True, slots=True)
class Recap:
    agent_id: int
    agent_name: str
    period: RecapPeriod
    days: tuple[tuple[date, DayFigures], ...]  # every day of the period, in order
    best_day: tuple[date, DayFigures] | None
    bests_set: tuple[tuple[Best, Record], ...]  # the personal bests set in the period
    longest_streak: Streak  # within the period
    current_streak: int  # at the period's end (or today, for the running period)
    skills: dict[str, int] = field(default_factory=dict)  # points by domain in the period
    previous_skills: dict[str, int] = field(default_factory=dict)  # the same, the period before
    previous: RecapPeriod | None = None  # the period compared with: the month before, or the season before
    badges: tuple[tuple[str, date], ...] = ()  # badge names won (gained) in the period, with the day
    quests: tuple[tuple[str, date], ...] = ()  # quests and team missions completed
    kind_words: tuple[KindWord, ...] = ()  # good ratings' comments and colleagues' thanks

    @property
    def points(self) -> int:
        return sum(figures.points for _, figures in self.days)

    @property
    def resolved(self) -> int:
        return sum(figures.resolved for _, figures in self.days)

    @property
    def has_work(self) -> bool:
        """Whether any day of the period has points or a resolution (else its chart is a flat line of zeros)."""
        return any(figures.points or figures.resolved for _, figures in self.days)

    @property
    def previous_points(self) -> int:
        return sum(self.previous_skills.values())

    def growth(self, skill: str) -> int:
        """Points in ``skill`` compared with the period before."""
        return self.skills.get(skill, 0) - self.previous_skills.get(skill, 0)


def period_title(period: RecapPeriod) -> str:
    """'December 2026' for a month, 'Winter cup (1 Oct 2026 to 31 Dec 2026)' for a season, else 'from … to …'."""
    if period.season:
        return _('{season} ({first} to {last})').format(season=period.season, first=day_text(period.start),
                                                         last=day_text(period.end))
    if period.start.day == 1 and (period.end + timedelta(days=1)).day == 1 \
            and (period.start.year, period.start.month) == (period.end.year, period.end.month):
        return day_text(period.start, style='LLLL y')
    return _('{first} to {last}').format(first=day_text(period.start), last=day_text(period.end))


def recap_svg(recap: Recap) -> str:
    """The recap card as an SVG image (1200 × 675): headline figures, bests, streak, skills grown, a bar per day and a
    kind word. Every text is escaped."""
    lines: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{CARD_WIDTH}" height="{CARD_HEIGHT}" '
        f'viewBox="0 0 {CARD_WIDTH} {CARD_HEIGHT}" font-family="Helvetica, Arial, sans-serif">',
        '<defs><linearGradient id="bg" x1="0" y1="0" x2="1" y2="1">'
        '<stop offset="0" stop-color="#311b92"/><stop offset="1" stop-color="#1a237e"/></linearGradient></defs>',
        f'<rect width="{CARD_WIDTH}" height="{CARD_HEIGHT}" rx="24" fill="url(#bg)"/>',
        _text(60, 80, _('{name}’s recap').format(name=recap.agent_name), size=40, weight='bold'),
        _text(60, 122, period_title(recap.period), size=26, color='#b39ddb'),
    ]
    figures = [(number(recap.points), _('points')), (number(recap.resolved), _('resolved')),
               (str(recap.longest_streak.length), _('days in a row, at best'))]
    for index, (value, label) in enumerate(figures):
        x = 60 + index * 250
        lines.append(_text(x, 200, value, size=54, weight='bold'))
        lines.append(_text(x, 232, label, size=20, color='#d1c4e9'))
    y = 300
    if recap.best_day is not None:
        best_day, best = recap.best_day
        lines.append(_text(60, y, _('Best day: {day}, {points} points').format(
            day=day_text(best_day), points=best.points), size=24))
        y += 40
    for best, record in recap.bests_set[:3]:
        lines.append(_text(60, y, _('New personal best: {best}').format(best=best_text(best, record)),
                           size=22, color='#ffd54f'))
        y += 36
    if not recap.bests_set:
        lines.append(_text(60, y, _('Personal bests: none beaten this time, the next one is yours.'), size=22,
                           color='#d1c4e9'))
        y += 36
    for index, skill in enumerate(SKILLS):
        growth = recap.growth(skill)
        lines.append(_text(60 + index * 250, y + 20, f'{_(DOMAIN_TITLES[skill])} {growth:+d}', size=22,
                           color='#a5d6a7' if growth >= 0 else '#ef9a9a'))
    if recap.kind_words:
        word = recap.kind_words[0]
        quote = word.text if len(word.text) <= 90 else word.text[:89] + '…'
        lines.append(_text(60, 600, f'“{quote}”', size=22, color='#fff9c4'))
        lines.append(_text(60, 632, '— ' + (word.by or _('a customer')), size=18, color='#d1c4e9'))
    lines.extend(_bars(recap, x=820, y=140, width=320, height=380))
    lines.append(_text(CARD_WIDTH - 60, CARD_HEIGHT - 36, 'DeskQuest', size=20, color='#9575cd', anchor='end'))
    lines.append('</svg>')
    return '\n'.join(lines)


def best_title(best: Best) -> str:
    return _(BEST_TITLES[best])


def _bars(recap: Recap, *, x: int, y: int, width: int, height: int) -> list[str]:
    """A bar per day of the period, the best day highlighted."""
    days = recap.days
    if not days:
        return []
    top = max((figures.points for _, figures in days), default=0) or 1
    step = width / len(days)
    best = recap.best_day[0] if recap.best_day else None
    parts = [_text(x, y - 12, _('Points per day'), size=18, color='#d1c4e9'),
             f'<rect x="{x}" y="{y}" width="{width}" height="{height}" rx="8" fill="#ffffff" fill-opacity="0.06"/>']
    if not recap.has_work:  # no bars to draw: say why
        parts.append(_text(x + width / 2, y + height / 2, _('No work this season') if recap.period.season
                           else _('No work this month'), size=22, color='#d1c4e9', anchor='middle'))
        return parts
    for index, (day, figures) in enumerate(days):
        bar = max(0, figures.points) / top * (height - 20)
        color = '#ffd54f' if day == best else '#7e57c2'
        parts.append(f'<rect x="{x + index * step + 1:.1f}" y="{y + height - bar:.1f}" width="{max(step - 2, 1):.1f}" '
                     f'height="{bar:.1f}" fill="{color}"/>')
    return parts


def _text(x: float, y: float, text: str, *, size: int, color: str = '#ffffff', weight: str = 'normal',
          anchor: str = 'start') -> str:
    return (f'<text x="{x}" y="{y}" font-size="{size}" fill="{color}" font-weight="{weight}" '
            f'text-anchor="{anchor}">{escape(text)}</text>')

