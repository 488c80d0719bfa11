"""The quests' progress bars on the agent's progress card: built once per tab, updated in place as the agent works."""
from nicegui import ui

from services.domain.quests import QuestBar

REPEAT_WORDS = {'daily': 'a new round every day', 'weekly': 'a new round every week'}  # a recurring quest's bar


class QuestBars:
    """One bar per running quest or team mission; rows are rebuilt only when the set of quests changes."""

    def __init__(self) -> None:
        with ui.column().classes('w-full gap-1').mark('quest-bars') as self.container:
            pass
        self.container.set_visibility(False)
        self._keys: tuple[str, ...] | None = None
        self._rows: dict[str, tuple[ui.label, ui.linear_progress, ui.label, ui.icon]] = {}

    def show(self, bars: tuple[QuestBar, ...]) -> None:
        keys = tuple(bar.key for bar in bars)
        if keys != self._keys:
            self._keys = keys
            self._build(bars)
        for bar in bars:
            title, progress, detail, done = self._rows[bar.key]
            title.set_text(bar.title)
            progress.set_value(bar.share)
            progress.props(f'color={"positive" if bar.done else "amber-8" if bar.team else "primary"}')
            detail.set_text(f'{_number(bar.value)} of {bar.target}' +
                            (' · done!' if bar.done else f' · {bar.time_left}') + f' · {bar.reward}' +
                            (f' · {REPEAT_WORDS[bar.repeat]}' if bar.repeat else ''))
            done.set_visibility(bar.done)

    def _build(self, bars: tuple[QuestBar, ...]) -> None:
        self.container.clear()
        self._rows = {}
        self.container.set_visibility(bool(bars))
        if not bars:
            return
        with self.container:
            ui.label('Quests').classes('text-sm font-bold mt-1')
            for bar in bars:
                with ui.column().classes('w-full gap-0').mark(f'quest-{bar.key}') as row:
                    if bar.description:
                        row.tooltip(bar.description)
                    with ui.row().classes('w-full items-center no-wrap gap-1'):
                        title = ui.label().classes('text-sm grow ellipsis')
                        if bar.team:
                            ui.badge('Team mission', color='amber-8').props('outline').mark(f'team-mission-{bar.key}')
                        done = ui.icon('task_alt', color='positive', size='xs')
                    progress = ui.linear_progress(value=0, show_value=False).props('rounded size=6px')
                    detail = ui.label().classes('text-xs text-grey-7').mark(f'quest-detail-{bar.key}')
                self._rows[bar.key] = (title, progress, detail, done)


def _number(value: float) -> str:
    return f'{value:g}' if isinstance(value, float) else str(value)
