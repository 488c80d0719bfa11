"""The agent's progress card: points, level, skills and last 14 days as one small Plotly chart, score receipts."""
import plotly.graph_objects as go
from nicegui import ui
from plotly.subplots import make_subplots

from services.progress import RECEIPTS_SHOWN, ProgressView

DOMAIN_COLORS = {'quality': '#7e57c2', 'speed': '#26a69a', 'productivity': '#ffa726'}


class ProgressCard:
    """Built once per tab; :meth:`show` updates the elements in place."""

    def __init__(self) -> None:
        self._shown: ProgressView | None = None
        with ui.card().classes('w-full gap-2').mark('progress-card'):
            with ui.row().classes('w-full items-center no-wrap'):
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
                    ui.label('lifetime points').classes('text-xs text-grey-7')
                with ui.column().classes('gap-0 items-end'):
                    self.today = ui.label().classes('text-sm').mark('points-today')
                    self.week = ui.label().classes('text-sm').mark('points-week')
            self.chart = ui.plotly(_empty_figure()).classes('w-full h-40')
            ui.label('Latest score receipts').classes('text-sm font-bold mt-1')
            with ui.column().classes('w-full gap-0').mark('receipts').props('data-testid=receipts'):
                self.receipts = [ui.label().classes('text-sm') for _ in range(RECEIPTS_SHOWN)]
            self.no_receipts = ui.label('No points yet: resolve a conversation to earn your first.') \
                .classes('text-sm text-grey-6')

    def show(self, view: ProgressView) -> None:
        previous = self._shown
        self._shown = view
        self.level_icon.set_name(view.level_icon)
        self.level_title.set_text(view.level_title)
        self.level_number.set_text(f'Level {view.level} of 12 · {view.resolved} resolved')
        self.level_bar.set_value(view.next_level_progress)
        self.next_level.set_text(f'{round(view.next_level_progress * 100)} % of the way to {view.next_level_title}'
                                 if view.next_level_title else 'Top level reached. Long live the king!')
        self.points.set_text(f'{view.points:,}')
        self.today.set_text(f'Today {view.today:+d}')
        self.week.set_text(f'This week {view.week:+d}')
        for label, receipt in zip(self.receipts, view.receipts + [None] * RECEIPTS_SHOWN):
            label.set_visibility(receipt is not None)
            if receipt is not None:
                label.set_text(f'{receipt.text}  ·  {receipt.domain}')
                label.classes(replace='text-sm ' + ('text-positive' if receipt.points > 0 else 'text-negative'))
        self.no_receipts.set_visibility(not view.receipts)
        if previous is None or previous.skills != view.skills or previous.daily != view.daily:
            self.chart.update_figure(_figure(view))  # plotly resends the whole figure: only when its data changed


def _empty_figure() -> go.Figure:
    figure = make_subplots(rows=1, cols=2, column_widths=[0.4, 0.6], horizontal_spacing=0.2,
                           subplot_titles=('Skills', 'Last 14 days'))
    figure.update_layout(margin=dict(l=10, r=10, t=24, b=10), showlegend=False, height=150,
                         paper_bgcolor='rgba(0,0,0,0)', plot_bgcolor='rgba(0,0,0,0)', font=dict(size=10))
    figure.update_annotations(font_size=11)
    return figure


def _figure(view: ProgressView) -> go.Figure:
    figure = _empty_figure()
    domains = list(view.skills)
    figure.add_trace(go.Bar(x=[view.skills[d] for d in domains], y=domains, orientation='h',
                            marker_color=[DOMAIN_COLORS[d] for d in domains], hoverinfo='x+y'), row=1, col=1)
    figure.add_trace(go.Bar(x=[day.isoformat() for day, _ in view.daily], y=[p for _, p in view.daily],
                            marker_color='#5c6bc0', hovertemplate='%{x|%a %d %b}: %{y} points<extra></extra>'),
                     row=1, col=2)
    figure.update_xaxes(type='date', showgrid=False, tickformat='%d %b', dtick=4 * 86_400_000, tickfont=dict(size=9),
                        row=1, col=2)
    figure.update_xaxes(zeroline=True, nticks=3, tickfont=dict(size=9), row=1, col=1)
    return figure
