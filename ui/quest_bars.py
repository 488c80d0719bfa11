"""The quests' progress bars on the agent's progress card: built once per tab, updated in place as the agent works."""
from nicegui import ui

from services.domain.i18n import N_, _
from services.domain.quests import QuestBar
from services.domain.wording import number

REPEAT_WORDS = {'daily': N_('a new round every day'), 'weekly': N_('a new round every week')}  # through _()


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
            title.set_text(bar.shown_title)
            progress.set_value(bar.share)
            progress.props(f'color={"positive" if bar.done else "amber-8" if bar.team else "primary"}')
            parts = [_('{value} of {target}').format(value=number(bar.value), target=number(bar.target)),
                     _('done!') if bar.done else bar.time_left, bar.reward]
            if bar.repeat:
                parts.append(_(REPEAT_WORDS[bar.repeat]))
            detail.set_text(' · '.join(parts))
            done.set_visibility(bar.done)

    def _build(self, bars: tuple[QuestBar, ...]) -> None:
        self.container.clear()
        self._rows = {}
        self.container.set_visibility(bool(bars))
        if not bars:
            return
        with self.container:
            ui.label(_('Quests')).classes('text-sm font-bold mt-1')
            for bar in bars:
                with ui.column().classes('w-full gap-0').mark(f'quest-{bar.key}') as row:
                    if bar.description:
                        row.tooltip(bar.shown_description)
                    with ui.row().classes('w-full items-center no-wrap gap-1'):
                        title = ui.label().classes('text-sm grow ellipsis')
                        if bar.team:
                            ui.badge(_('Team mission'), color='amber-8').props('outline') \
                                .mark(f'team-mission-{bar.key}')
                        done = ui.icon('task_alt', color='positive', size='xs')
                    progress = ui.linear_progress(value=0, show_value=False).props('rounded size=6px')
                    detail = ui.label().classes('text-xs text-grey-7').mark(f'quest-detail-{bar.key}')
                self._rows[bar.key] = (title, progress, detail, done)

