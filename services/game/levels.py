"""The levels as leads edit them: stored in a table seeded from the presets, folded by the game projection.

An edit is a ``LEVELS_CHANGED`` event carrying the whole table, so the projection (live and in a replay) switches to it
at the same point of the log; levels already reached stay (services/domain/levels.py: never lower).
"""
from collections.abc import Sequence

from nicegui import Event

from models import LevelRow
from services.domain.errors import ActionError
from services.domain.events import EventKind
from services.domain.expressions import MAX_LENGTH, ExpressionError
from services.domain.i18n import N_, Translations, _
from services.domain.levels import DEFAULT_LEVELS, LEVEL_TEXTS, Level, check_condition, level_as_dict, levels_from_dicts
from services.domain.projection import LevelUp, Outcome
from services.domain.text import MAX_ICON, MAX_NAME, checked_text, checked_translations
from services.platform.directory import AgentView
from services.platform.event_log import GameService


class LevelService:
    def __init__(self, *, game: GameService) -> None:
        self.game = game
        self.level_ups: Event[list[LevelUp]] = Event()  # every level-up once, after commit: the kiosk celebrates

    @property
    def levels(self) -> Sequence[Level]:
        return self.game.projection.levels

    async def load(self) -> None:
        """Seed the table from the presets, and hand it to the projection (before the game loads)."""
        rows = await LevelRow.all().order_by('number').values('number', 'title', 'icon', 'condition', 'translations')
        if not rows:
            await LevelRow.bulk_create([LevelRow(**level_as_dict(level)) for level in DEFAULT_LEVELS])
            rows = [level_as_dict(level) for level in DEFAULT_LEVELS]
        self.game.projection.levels = levels_from_dicts(rows)

    async def save(self, actor: AgentView, number: int, *, title: str, icon: str, condition: str,
                   translations: Translations | None = None) -> Level:
        """Edit one level; an invalid condition is refused with the expression language's message. ``translations``
        are the title in other languages (None: keep the level's)."""
        if not actor.is_lead:
            raise ActionError(_('Only a team lead can edit levels.'))
        title = checked_text(title, N_('Level title'), MAX_NAME, name=True,
                             empty=_('A level needs a title and an icon.'))
        icon = checked_text(icon, N_('Level icon'), MAX_ICON, empty=_('A level needs a title and an icon.'))
        condition = checked_text(condition, N_('Condition'), MAX_LENGTH, multiline=True)
        if number == 1 and condition.strip():
            raise ActionError(_('Everyone starts at level 1: its condition stays empty.'))
        try:
            condition = check_condition(condition)
        except ExpressionError as error:
            raise ActionError(_('Level {number}: {error}').format(number=number, error=error)) from None
        levels = [level_as_dict(level) for level in self.levels]
        if not any(row['number'] == number for row in levels):
            raise ActionError(_('There is no level {number}.').format(number=number))
        if translations is None:
            translations = next(row['translations'] for row in levels if row['number'] == number)
        translations = checked_translations(translations, LEVEL_TEXTS)
        edited = {'number': number, 'title': title, 'icon': icon, 'condition': condition, 'translations': translations}
        levels = [edited if row['number'] == number else row for row in levels]
        previous = self.game.projection.levels
        try:
            async with self.game.unit_of_work() as work:
                await LevelRow.filter(number=number).update(title=title, icon=icon, condition=condition,
                                                            translations=translations)
                await work.record(EventKind.LEVELS_CHANGED, data={'levels': levels, 'by': actor.id})
        except BaseException:
            self.game.projection.levels = previous  # the projection switched when it folded the refused event
            raise
        return next(level for level in self.levels if level.number == number)

    async def save_table(self, actor: AgentView, levels: Sequence[Level]) -> None:
        """Put a whole level table in force at once (a what-if draft published): one ``LEVELS_CHANGED`` event."""
        if not actor.is_lead:
            raise ActionError(_('Only a team lead can edit levels.'))
        rows = []
        for level in levels:
            title = checked_text(level.title, N_('Level title'), MAX_NAME, name=True,
                                 empty=_('A level needs a title and an icon.'))
            icon = checked_text(level.icon, N_('Level icon'), MAX_ICON, empty=_('A level needs a title and an icon.'))
            rows.append({'number': level.number, 'title': title, 'icon': icon, 'condition': level.condition,
                         'translations': checked_translations(level.translations, LEVEL_TEXTS)})
        if [row['number'] for row in rows] != list(range(1, len(rows) + 1)) or not rows or rows[0]['condition']:
            raise ActionError(_('Levels are numbered 1, 2, 3, … and everyone starts at level 1 (no condition).'))
        previous = self.game.projection.levels
        try:
            async with self.game.unit_of_work() as work:
                await LevelRow.all().delete()
                await LevelRow.bulk_create([LevelRow(**row) for row in rows])
                await work.record(EventKind.LEVELS_CHANGED, data={'levels': rows, 'by': actor.id})
        except BaseException:
            self.game.projection.levels = previous  # the projection switched when it folded the refused event
            raise

    def on_committed(self, outcomes: list[Outcome]) -> None:
        level_ups = [level_up for outcome in outcomes for level_up in outcome.level_ups]
        if level_ups:
            self.level_ups.emit(level_ups)
