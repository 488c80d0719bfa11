"""Leaderboards that move live: built once per tab, rows updated in place from the shared snapshot."""
from nicegui import ui

from services.leaderboard import LeaderboardSnapshot
from services.leaderboard_rules import PERIOD_LABELS, BoardRow, Period
from services.levels import level_info
from ui.format import ordinal

ROWS_SHOWN = 10


class LeaderboardCard:
    """The floor's agents and teams for one period; ``me`` is highlighted and told where they stand."""

    def __init__(self, *, me: int | None, kiosk: bool = False, period: Period = Period.TODAY,
                 rows: int = ROWS_SHOWN, teams: int = 3) -> None:
        self.me = me
        self.kiosk = kiosk
        self.period = period
        self._snapshot: LeaderboardSnapshot | None = None
        text = 'text-3xl' if kiosk else 'text-sm'
        with ui.card().classes('w-full gap-1' + (' bg-transparent shadow-none' if kiosk else '')) \
                .mark('leaderboard'):
            with ui.row().classes('w-full items-center justify-between'):
                ui.label('Leaderboard').classes('text-5xl font-bold' if kiosk else 'text-lg font-bold')
                if kiosk:
                    ui.label(PERIOD_LABELS[period]).classes('text-3xl text-grey-5')
                else:
                    ui.toggle({p: PERIOD_LABELS[p] for p in Period}, value=period, on_change=self._change_period) \
                        .props('dense no-caps').mark('period')
            self.rows = []
            for _ in range(rows):
                with ui.row().classes(f'w-full items-center no-wrap gap-3 px-2 py-1 rounded {text}') \
                        .props('data-testid=board-row') as row:
                    rank = ui.label().classes('w-10 shrink-0 font-bold text-right')
                    icon = ui.icon('spa', size='lg' if kiosk else 'sm', color='amber-5' if kiosk else 'deep-purple-4')
                    # the kiosk has room for one line per agent; the narrow agent card puts level and team below
                    with (ui.row().classes('grow items-baseline gap-4 no-wrap min-w-0') if kiosk else
                          ui.column().classes('grow gap-0 min-w-0')):
                        name = ui.label().classes('truncate font-medium' + ('' if kiosk else ' w-full'))
                        detail = ui.label().classes(('text-2xl' if kiosk else 'text-xs w-full') + ' text-grey-6 truncate')
                    points = ui.label().classes('shrink-0 text-right font-bold')
                self.rows.append((row, rank, icon, name, detail, points))
            self.standing = ui.label().classes('text-sm text-grey-8 px-2').mark('standing')
            self.team_rows = []
            if teams:
                ui.separator().classes('my-1')
                ui.label('Teams').classes('text-4xl font-bold mt-4' if kiosk else 'text-sm font-bold')
            for _ in range(teams):
                with ui.row().classes(f'w-full items-center no-wrap gap-3 px-2 {text}') as row:
                    rank = ui.label().classes('w-10 font-bold text-right')
                    name = ui.label().classes('grow')
                    points = ui.label().classes('w-20 text-right font-bold')
                self.team_rows.append((row, rank, name, points))

    def show(self, snapshot: LeaderboardSnapshot) -> None:
        self._snapshot = snapshot
        board = snapshot.agents[self.period]
        for (row, rank, icon, name, detail, points), entry in zip(self.rows, board + [None] * len(self.rows)):
            row.set_visibility(entry is not None)
            if entry is None:
                continue
            level = level_info(entry.level)
            rank.set_text(f'{entry.rank}.')
            icon.set_name(level.icon)
            name.set_text(entry.name)
            detail.set_text(f'{level.title} · {entry.team_name}' if entry.team_name else level.title)
            points.set_text(f'{entry.points:,}')
            highlight = 'bg-amber-2 text-black' if not self.kiosk else 'bg-amber-9'
            row.classes(add=highlight) if entry.agent_id == self.me else row.classes(remove=highlight)
        self.standing.set_text(_standing(board, self.me))
        self.standing.set_visibility(self.me is not None and not self.kiosk)
        teams = snapshot.teams[self.period]
        for (row, rank, name, points), entry in zip(self.team_rows, teams + [None] * len(self.team_rows)):
            row.set_visibility(entry is not None)
            if entry is not None:
                rank.set_text(f'{entry.rank}.')
                name.set_text(entry.name)
                points.set_text(f'{entry.points:,}')

    def _change_period(self, event) -> None:
        self.period = Period(event.value)
        if self._snapshot is not None:
            self.show(self._snapshot)


def _standing(board: list[BoardRow], me: int | None) -> str:
    """'You are 7th, 40 points behind Ana' — the agent's own neighbourhood on the board."""
    mine = next((row for row in board if row.agent_id == me), None)
    if mine is None:
        return ''
    ahead = [row for row in board if row.points > mine.points]
    if not ahead:
        return f'You are {ordinal(mine.rank)}: nobody is ahead of you. Keep it up!'
    closest = min(ahead, key=lambda row: row.points)
    return f'You are {ordinal(mine.rank)}, {closest.points - mine.points} points behind {closest.name.split()[0]}.'
