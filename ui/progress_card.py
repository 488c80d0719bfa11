"""The agent's progress card: points, level, skills and last 14 days as one small Plotly chart, score receipts."""
from collections.abc import Callable
from datetime import date
from functools import lru_cache
from typing import Any

from nicegui import ui
from plotly.subplots import make_subplots

from services.domain.badges import BadgeDefinition
from services.domain.i18n import _, current_language, ngettext, speaking
from services.domain.personal_bests import Best
from services.domain.scoring import DOMAIN_TITLES
from services.domain.wording import number
from services.game.badges import image_url
from services.game.personal_bests import BestsView
from services.game.progress import RECEIPTS_SHOWN, ProgressView, Receipt
from ui.plotly_locale import day_month_format, plotly_config
from ui.quest_bars import QuestBars

DOMAIN_COLORS = {'quality': '#7e57c2', 'speed': '#26a69a', 'productivity': '#ffa726'}


class ProgressCard:
    """Built once per tab; :meth:`show` updates the elements in place."""

    def __init__(self, on_receipt: Callable[[Receipt], object] | None = None, *,
                 on_badge: Callable[[str], object] | None = None, on_level: Callable[[], object] | None = None) -> None:
        """:param on_receipt: called with a receipt when the agent clicks it (to explain it).
        :param on_badge: called with a badge's key when the agent clicks it (its receipt).
        :param on_level: called when the agent clicks their level (the levels reached)."""
        self._shown: ProgressView | None = None
        self._on_badge = on_badge
        with ui.card().classes('w-full gap-2').mark('progress-card'):
            with ui.row().classes('w-full items-center no-wrap cursor-pointer').mark('card-level') \
                    .on('click', lambda: on_level() if on_level is not None else None) \
                    .tooltip(_('How did I get here? Click to see the levels reached')):
                self.level_icon = ui.icon('spa', size='lg', color='deep-purple-5')
                with ui.column().classes('gap-0'):
                    self.level_title = ui.label().classes('text-lg font-bold').mark('level-title')
                    self.level_number = ui.label().classes('text-xs text-grey-7')
            self.level_bar = ui.linear_progress(value=0, show_value=False).props('rounded size=8px color=deep-purple')
            self.next_level = ui.label().classes('text-xs text-grey-7 -mt-1')
            with ui.row().classes('w-full justify-between items-end'):
                with ui.column().classes('gap-0'):
                    self.points = ui.label('0').classes('text-4xl font-bold text-primary').mark('lifetime-points') \
                        .props('data-testid=lifetime-points')
                    ui.label(_('lifetime points')).classes('text-xs text-grey-7')
                    with ui.label().classes('text-xs text-grey-8').mark('card-vesting') as self.vesting:
                        self.vesting_tooltip = ui.tooltip()
                with ui.column().classes('gap-0 items-end ml-auto'):  # at the right also when it wraps (French)
                    self.today = ui.label().classes('text-sm').mark('points-today')
                    self.week = ui.label().classes('text-sm').mark('points-week')
                    self.csat = ui.label().classes('text-sm').mark('card-csat') \
                        .tooltip(_('Good ratings out of all your ratings, the last 7 days'))
            with ui.row().classes('w-full items-center gap-1 no-wrap'):  # the agent against themselves (issue 20)
                self.bests = ui.label().classes('text-xs text-grey-8 grow').mark('card-bests') \
                    .tooltip(_('Your personal bests and streak: you against yourself'))
                ui.button(icon='auto_stories', on_click=lambda: ui.navigate.to('/recap')) \
                    .props('flat round dense size=sm color=deep-purple').tooltip(_('My month’s recap')) \
                    .mark('card-recap')
            self.incentives = ui.row().classes('w-full gap-1').mark('card-incentives')
            self._incentives_shown: tuple[str, ...] | None = None
            language = current_language()
            self.chart = ui.plotly({'data': [], 'layout': _layout(language), 'config': plotly_config(language)}) \
                .classes('w-full h-40')
            self.badges = ui.row().classes('w-full gap-1 items-center').mark('card-badges')
            self._badge_keys: tuple[str, ...] | None = None
            self.quests = QuestBars()  # the running quests and team missions
            ui.label(_('Latest score receipts')).classes('text-sm font-bold mt-1')
            with ui.column().classes('w-full gap-0').mark('receipts').props('data-testid=receipts'):
                self.receipts = [ui.label().classes('text-sm')
                                 .on('click', lambda _event, index=index: self._open(index, on_receipt))
                                 for index in range(RECEIPTS_SHOWN)]
                for label in self.receipts:
                    label.props['title'] = _('Why? Click to see the events behind it')
            self.no_receipts = ui.label(_('No points yet: resolve a conversation to earn your first.')) \
                .classes('text-sm text-grey-6')

    def show(self, view: ProgressView) -> None:
        previous = self._shown
        self._shown = view
        self.level_icon.set_name(view.level_icon)
        self.level_title.set_text(view.shown_level_title)
        self.level_number.set_text(ngettext('Level {level} of {levels} · {count} resolved',
                                            'Level {level} of {levels} · {count} resolved', view.resolved)
                                   .format(level=view.level, levels=view.levels, count=number(view.resolved)))
        self.level_bar.set_value(view.next_level_progress)
        self.next_level.set_text(_('{percent} % of the way to {title}').format(
            percent=round(view.next_level_progress * 100), title=view.shown_next_level_title) if view.next_level_title
            else _('Top level reached. Long live the king!'))
        self.points.set_text(number(view.points))
        self.today.set_text(_('Today {points}').format(points=f'{view.today:+d}'))
        self.week.set_text(_('This week {points}').format(points=f'{view.week:+d}'))
        self._show_vesting(view)
        self.csat.set_text(_('CSAT {percent} % (7 days)').format(percent=number(view.csat))
                           if view.csat is not None else _('CSAT: no ratings yet'))
        for label, receipt in zip(self.receipts, view.receipts + [None] * RECEIPTS_SHOWN, strict=False):
            label.set_visibility(receipt is not None)
            if receipt is not None:
                label.set_text(f'{receipt.text}  ·  {_(DOMAIN_TITLES[receipt.domain]).lower()}')
                label.classes(replace='text-sm cursor-pointer hover:underline ' +
                              ('text-positive' if receipt.points > 0 else 'text-negative'))
        self.no_receipts.set_visibility(not view.receipts)
        self.quests.show(view.quests)
        self.bests.set_text(bests_line(view.bests))
        self._show_incentives(view.incentives)
        if previous is None or previous.skills != view.skills or previous.daily != view.daily:
            # plotly resends the whole figure: only when its data changed, and built once for all the agent's tabs
            self.chart.update_figure(_figure(tuple(view.skills.items()), tuple(view.daily), current_language()))


    def _show_vesting(self, view: ProgressView) -> None:
        """Pending and banked points, when a reopen window runs (without one, every point is banked at once)."""
        self.vesting.set_visibility(view.reopen_window_hours > 0)
        self.vesting.set_text(_('pending {pending} · banked {banked}').format(
            pending=number(view.pending), banked=number(view.banked)))
        self.vesting_tooltip.set_text(ngettext(
            'A resolution\'s points are pending for {hours} hour: a reopen within it takes them back. Then they bank.',
            'A resolution\'s points are pending for {hours} hours: a reopen within them takes them back. Then they '
            'bank.', view.reopen_window_hours).format(hours=view.reopen_window_hours))

    def _show_incentives(self, running: tuple[str, ...]) -> None:
        """The incentives running now, as on /rewards: points count more while they last."""
        if running == self._incentives_shown:
            return
        self._incentives_shown = running
        self.incentives.clear()
        self.incentives.set_visibility(bool(running))
        with self.incentives:
            for text in running:
                ui.chip(text, icon='bolt', color='amber-3').props('dense').mark('card-incentive') \
                    .tooltip(_('An incentive running now: resolutions earn more while it lasts'))

    def _open(self, index: int, on_receipt: Callable[[Receipt], object] | None) -> object:
        """The receipt shown at ``index``, handed to ``on_receipt`` (NiceGUI awaits what it returns)."""
        if on_receipt is not None and self._shown is not None and index < len(self._shown.receipts):
            return on_receipt(self._shown.receipts[index])
        return None

    def show_badges(self, held: tuple[BadgeDefinition, ...]) -> None:
        """The badges the agent holds now, as icons with their name and description in a tooltip."""
        keys = tuple(definition.key for definition in held)
        if keys == self._badge_keys:
            return
        self._badge_keys = keys
        self.badges.clear()
        with self.badges:
            ui.label(_('Badges')).classes('text-sm font-bold mr-1')
            if not held:
                ui.label(_('none this week yet')).classes('text-xs text-grey-6')
            for definition in held:
                ui.image(image_url(definition.image)).classes('w-7 h-7 cursor-pointer') \
                    .mark(f'badge-{definition.key}') \
                    .tooltip(_('{name}: {description} (click: why I have it)').format(
                        name=definition.shown_name, description=definition.shown_description)) \
                    .on('click', lambda _, key=definition.key: self._on_badge(key) if self._on_badge else None)


def bests_line(bests: BestsView | None) -> str:
    """'Best day 120 · 14 resolved in a day · streak 3 (best 7) · best CSAT week 92 %'."""
    if bests is None or not bests.bests.records:
        return _('Personal bests: your first resolution sets them.')
    records = bests.bests.records
    parts = []
    if (record := records.get(Best.BEST_DAY)) is not None:
        parts.append(_('Best day {points}').format(points=number(int(record.value))))
    if (record := records.get(Best.MOST_RESOLVED)) is not None:
        parts.append(_('{count} resolved in a day').format(count=number(int(record.value))))
    longest = int(records[Best.LONGEST_STREAK].value) if Best.LONGEST_STREAK in records else 0
    parts.append(_('streak {days} (best {best})').format(days=bests.current_streak, best=longest))
    if (record := records.get(Best.BEST_CSAT_WEEK)) is not None:
        parts.append(_('best CSAT week {percent:g} %').format(percent=record.value))
    return ' · '.join(parts)


BAR_TEMPLATE_KEYS = ('autotypenumbers', 'font', 'hoverlabel', 'hovermode', 'xaxis', 'yaxis')


@lru_cache(maxsize=8)
def _layout(language: str) -> dict[str, Any]:
    """The chart's layout (two subplots, axes, Plotly's default template), built with Plotly once per language."""
    with speaking(language):
        titles = (_('Skills'), _('Last 14 days'))
    figure = make_subplots(rows=1, cols=2, column_widths=[0.4, 0.6], horizontal_spacing=0.2, subplot_titles=titles)
    figure.update_layout(margin=dict(l=10, r=10, t=24, b=10), showlegend=False, height=150,
                         paper_bgcolor='rgba(0,0,0,0)', plot_bgcolor='rgba(0,0,0,0)', font=dict(size=10))
    figure.update_annotations(font_size=11)
    # the day and month in the language's order, its month names from the figure's config (plotly_config)
    figure.update_xaxes(type='date', showgrid=False, tickformat=day_month_format(language), dtick=4 * 86_400_000,
                        tickfont=dict(size=9), row=1, col=2)
    figure.update_xaxes(zeroline=True, nticks=3, tickfont=dict(size=9), row=1, col=1)
    layout = figure.to_plotly_json()['layout']
    # Plotly's default template styles every kind of chart (7 KB: 240 nested dicts and lists) and every tab keeps its
    # own observed copy of its figure's dicts and lists (NiceGUI wraps each one), so only what styles these two bar
    # charts is kept: their look does not change, a tab's memory drops by a tenth
    template = layout['template']
    layout['template'] = {'data': {'bar': template['data']['bar']},
                          'layout': {key: template['layout'][key] for key in BAR_TEMPLATE_KEYS}}
    return layout


# Plain dicts, not go.Figure: a card no longer keeps a Plotly figure object, and building a figure for a new view is
# a few list comprehensions instead of make_subplots (milliseconds) for every tab of the agent
@lru_cache(maxsize=256)
def _figure(skills: tuple[tuple[str, int], ...], daily: tuple[tuple[date, int], ...], language: str) -> dict[str, Any]:
    """The figure for these numbers in ``language``, as Plotly itself would serialise ``go.Bar`` traces on the two
    subplots."""
    with speaking(language):
        domains = [_(DOMAIN_TITLES[domain]).lower() for domain, _points in skills]
        hover = _('%{x|%a %d %b}: %{y} points') + '<extra></extra>'
    return {'data': [
        {'type': 'bar', 'x': [points for _domain, points in skills], 'y': domains,
         'orientation': 'h', 'marker': {'color': [DOMAIN_COLORS[domain] for domain, _points in skills]},
         'hoverinfo': 'x+y', 'xaxis': 'x', 'yaxis': 'y'},
        {'type': 'bar', 'x': [day.isoformat() for day, _points in daily], 'y': [points for _day, points in daily],
         'marker': {'color': '#5c6bc0'}, 'hovertemplate': hover, 'xaxis': 'x2', 'yaxis': 'y2'},
    ], 'layout': _layout(language), 'config': plotly_config(language)}
