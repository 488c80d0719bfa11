"""The lead's "Badges & levels" tab: edit and create badges, edit the twelve levels, and let teams show teasing badges.

:func:`badges_section` renders the tab's contents in ``/admin/game``; :func:`register` serves uploaded badge images.
Every handler checks the role again (UI actions bypass HTTP middleware), and so do the services.
"""
from collections.abc import Callable, Mapping
from typing import Any

from fastapi import Response
from nicegui import app, events, ui

from services.container import Services
from services.domain.badges import (
    CONVERSATION,
    EVENT_FIELDS,
    NUMBER,
    ONE,
    Aggregation,
    BadgeDefinition,
    BadgeKind,
    Direction,
    FilterOperator,
    Window,
)
from services.domain.errors import ActionError
from services.domain.i18n import N_, _
from services.domain.receipts import event_name, field_name, field_value
from services.domain.wording import number, percent
from services.game.badges import BUILT_IN_IMAGES, MAX_IMAGE_BYTES, image_url
from services.platform.directory import AgentView
from ui.actions import attempt, attempt_result
from ui.translations_editor import TranslationsEditor

FILTER_ROWS = 2  # filter rows the form starts with (the defaults use at most two); a badge with more gets more
LABELS = {Window.ROLLING_7D.value: N_('last 7 days'), Window.PREVIOUS_DAY.value: N_('yesterday'),
          Direction.HIGHEST.value: N_('highest wins'), Direction.LOWEST.value: N_('lowest wins')}  # shown through _()
MEASURES = {ONE: N_('events'), CONVERSATION: N_('conversations')}  # what a metric counts, shown through _()
AGGREGATIONS = {Aggregation.COUNT.value: N_('count'), Aggregation.SUM.value: N_('sum'),
                Aggregation.AVERAGE.value: N_('average'), Aggregation.MAX.value: N_('maximum'),
                Aggregation.MIN.value: N_('minimum')}  # shown through _(), as the options below
KINDS = {BadgeKind.METRIC.value: N_('measured'), BadgeKind.RANDOM.value: N_('random draw'),
         BadgeKind.AWARDED.value: N_('given by quests')}
OPERATORS = {FilterOperator.IS.value: N_('is'), FilterOperator.IS_NOT.value: N_('is not'),
             FilterOperator.CONTAINS.value: N_('contains'), FilterOperator.PRESENT.value: N_('is present')}


def labelled(labels: Mapping[str, str]) -> dict[str, str]:
    """A select's options: each stored value (the keys, in their order) shown by its label in the reader's language."""
    return {value: _(label) for value, label in labels.items()}


def badges_section(services: Services, actor: Callable[[], AgentView | None]) -> None:
    """The tab's contents; ``actor`` returns the logged-in person, checked in every handler."""

    def lead() -> AgentView | None:
        who = actor()
        if who is not None and not who.is_lead:
            ui.notify(_('Only a team lead can do this.'), type='negative')
            return None
        return who

    editor = BadgeEditor(services, lead)

    @ui.refreshable
    def badge_list() -> None:
        with ui.column().classes('w-full gap-1'):
            for definition in services.badges.definitions:
                with ui.row().classes('w-full items-center no-wrap gap-3 py-1 border-b border-gray-200') \
                        .mark(f'admin-badge-{definition.key}'):
                    ui.image(image_url(definition.image)).classes('w-10 h-10 shrink-0')
                    with ui.column().classes('gap-0 grow'):
                        with ui.row().classes('items-center gap-2'):
                            ui.label(definition.name).classes('font-medium')
                            if definition.teasing:
                                ui.badge(_('teasing'), color='orange').props('outline')
                        ui.label(f'{definition.description} · {summary(definition)}').classes('text-xs text-grey-7')
                    ui.button(icon='edit', on_click=lambda d=definition: editor.open(d)) \
                        .props('flat round').tooltip(_('Edit')).mark(f'edit-badge-{definition.key}')

    editor.saved = badge_list.refresh
    with ui.row().classes('w-full items-center'):
        ui.label(_('Badges')).classes('text-lg font-bold')
        ui.space()
        ui.button(_('New badge'), icon='add', on_click=lambda: editor.open(None)).props('no-caps').mark('new-badge')
    badge_list()

    ui.label(_('Levels')).classes('text-lg font-bold mt-4')
    ui.label(_('A level is reached when its condition over the agent\'s lifetime metrics holds, e.g. '
               '"points >= 2000 and resolved >= 100"; once reached it stays.')).classes('text-xs text-grey-7')
    for level in services.levels.levels:
        LevelRowEditor(services, lead, level.number)

    ui.label(_('Teasing badges in public')).classes('text-lg font-bold mt-4')
    ui.label(_('Siesta, Coffee and Rebel are shown only to their holder and leads, unless the team chooses to show '
               'them on the kiosk and trophy page.')).classes('text-xs text-grey-7')
    for team_id, team_name in sorted(services.directory.teams.items(), key=lambda item: item[1]):
        async def toggle(event: Any, team_id: int = team_id) -> None:
            who = lead()
            if who is None:
                return
            await attempt(services.badges.set_team_teasing(who, team_id, bool(event.value)), done=_('Saved'))
        ui.switch(_('{team} shows its teasing badges').format(team=team_name),
                  value=team_id in services.badges.show_teasing, on_change=toggle).mark(f'teasing-{team_id}')


def summary(definition: BadgeDefinition) -> str:
    if definition.kind == BadgeKind.RANDOM:
        return _('random, {chance} chance per active agent and day').format(chance=percent(definition.rarity))
    if definition.kind == BadgeKind.AWARDED:
        return _('given for good as a quest\'s reward (pick it in the Quests tab)')
    metric = definition.metric
    assert metric is not None
    what = event_name(metric.kind.value)
    where = ''.join(', ' + ' '.join(part for part in (field_name(f.field), _(OPERATORS[f.operator.value]),
                                                       '/'.join(field_value(f.field, value) for value in f.values))
                                    if part)
                    for f in metric.where)  # "is present" has no values: no space before the bracket
    measure = _(MEASURES[metric.value]) if metric.value in MEASURES else field_name(metric.value)
    return _('{aggregation} of {measure} ({what}{where}), {window}, {direction}, at least {minimum}').format(
        aggregation=_(AGGREGATIONS[definition.aggregation.value]), measure=measure, what=what, where=where,
        window=_(LABELS[definition.window.value]), direction=_(LABELS[definition.direction.value]),
        minimum=number(definition.minimum_volume))


class BadgeEditor:
    """One dialog for editing a badge or creating one from the same parts."""

    def __init__(self, services: Services, lead: Callable[[], AgentView | None]) -> None:
        self.services = services
        self.lead = lead
        self.saved: Callable[[], None] = lambda: None
        self.creating = True
        with ui.dialog() as self.dialog, ui.card().classes('w-[40rem] gap-2').mark('badge-editor'):
            self.title = ui.label().classes('text-lg font-bold')
            with ui.row().classes('w-full no-wrap gap-2'):
                self.key = ui.input(_('Key (letters, digits, _)')).classes('w-48').mark('badge-key')
                self.name = ui.input(_('Name')).classes('grow').mark('badge-name')
            self.description = ui.input(_('Description')).classes('w-full').mark('badge-description')
            self.translations = TranslationsEditor({'name': N_('Name'), 'description': N_('Description')}, mark='badge')
            with ui.row().classes('w-full items-center no-wrap gap-2'):
                self.image = ui.select(self._image_options(), label=_('Image')).classes('grow').mark('badge-image')
                self.preview = ui.image().classes('w-12 h-12')
                self.image.on_value_change(lambda e: self.preview.set_source(image_url(e.value) if e.value else ''))
                self.uploader = ui.upload(label=_('Upload PNG/JPEG'), auto_upload=True, max_file_size=MAX_IMAGE_BYTES,
                          on_upload=self.upload, on_rejected=lambda: ui.notify(
                              _('The image is too large: at most {size} KB.').format(
                                  size=number(MAX_IMAGE_BYTES // 1024)), type='negative')) \
                    .props('accept=".png,.jpg,.jpeg" flat bordered').classes('w-44').mark('badge-upload')
            with ui.row().classes('w-full no-wrap gap-2'):
                self.kind = ui.select(labelled(KINDS), label=_('Kind'), value='metric') \
                    .classes('w-32').mark('badge-kind')
                self.rarity = ui.number(_('Chance (random)'), value=0.05, min=0, max=1, step=0.01).classes('w-40')
                self.teasing = ui.switch(_('Teasing')).mark('badge-teasing')
            self.metric = MetricEditor(mark='badge')
            with ui.row().classes('w-full no-wrap gap-2'):
                self.aggregation = ui.select(labelled(AGGREGATIONS), label=_('Aggregate'),
                                             value='count').classes('grow').mark('badge-aggregation')
                self.window = ui.select({w.value: _(LABELS[w.value]) for w in Window}, label=_('Window'),
                                        value='rolling_7d').classes('grow').mark('badge-window')
                self.direction = ui.select({d.value: _(LABELS[d.value]) for d in Direction}, label=_('Direction'),
                                           value='highest').classes('grow').mark('badge-direction')
                self.minimum = ui.number(_('Minimum volume'), value=1, min=1, step=1, precision=0).classes('w-32') \
                    .mark('badge-minimum')
            self.error = ui.label().classes('text-negative text-sm').mark('badge-error')
            with ui.row().classes('w-full justify-end'):
                ui.button(_('Cancel'), on_click=self.dialog.close).props('flat')
                ui.button(_('Save'), on_click=self.save).mark('badge-save')

    def _image_options(self) -> dict[str, str]:
        built_in = {image: image.removeprefix('badges/').removesuffix('.svg').replace('_', ' ')
                    for image in BUILT_IN_IMAGES}
        return built_in | {image: _('uploaded image {number}').format(number=position)
                           for position, image in enumerate(self.services.badges.uploaded, start=1)}

    async def upload(self, event: events.UploadEventArguments) -> None:
        who = self.lead()
        if who is None:
            return
        if (name := await attempt_result(self.services.badges.upload_image(who, await event.file.read()))) is None:
            return
        self.uploader.reset()  # the new image is in the list above: no file list growing in the dialog
        self.image.set_options(self._image_options(), value=name)
        ui.notify(_('Image uploaded'), type='positive')

    def open(self, definition: BadgeDefinition | None) -> None:
        if self.lead() is None:
            return
        self.creating = definition is None
        self.title.set_text(_('New badge') if definition is None else _('Edit {name}').format(name=definition.name))
        self.error.set_text('')
        data = definition.as_dict() if definition else {
            'key': '', 'name': '', 'description': '', 'image': BUILT_IN_IMAGES[0], 'kind': 'metric', 'rarity': 0.05,
            'teasing': False, 'metric': {'kind': 'resolved', 'value': ONE, 'where': []}, 'aggregation': 'count',
            'window': 'rolling_7d', 'direction': 'highest', 'minimum_volume': 1}
        self.key.value = data['key']
        self.key.set_enabled(self.creating)  # history refers to the key: it never changes
        self.name.value, self.description.value = data['name'], data['description']
        self.translations.set_value(data.get('translations'))
        self.image.set_options(self._image_options(), value=data['image'] if data['image'] in
                               self.services.badges.images() else None)
        self.kind.value, self.rarity.value, self.teasing.value = data['kind'], data['rarity'], data['teasing']
        self.metric.set_value(data['metric'])
        self.aggregation.value, self.window.value = data['aggregation'], data['window']
        self.direction.value, self.minimum.value = data['direction'], data['minimum_volume']
        self.dialog.open()

    def form(self) -> dict[str, Any]:
        random = self.kind.value == BadgeKind.RANDOM.value
        return {'key': (self.key.value or '').strip(), 'name': self.name.value or '',
                'description': (self.description.value or '').strip(), 'image': self.image.value or '',
                'kind': self.kind.value, 'rarity': float(self.rarity.value or 0), 'teasing': bool(self.teasing.value),
                'metric': None if random else self.metric.data(),
                'aggregation': self.aggregation.value, 'window': self.window.value,
                'direction': self.direction.value, 'minimum_volume': int(self.minimum.value or 0),
                'translations': self.translations.value}

    async def save(self) -> None:
        who = self.lead()
        if who is None:
            return
        form = self.form()
        if self.creating and self.services.badges.definition(form['key']) is not None:
            self.error.set_text(_("A badge with the key '{key}' exists already.").format(key=form['key']))
            return
        try:
            definition = await self.services.badges.save(who, form)
        except ActionError as error:
            self.error.set_text(str(error))
            return
        self.dialog.close()
        ui.notify(_('{name} saved: its holders are worked out again from the last days').format(name=definition.name),
                  type='positive')
        self.saved()


class MetricEditor:
    """What a badge counts, as a lead builds it: the event, what of it is measured and the filters on its fields; the
    badge editor's and the what-if draft's (ui/admin_whatif.py)."""

    def __init__(self, *, mark: str, dense: bool = False) -> None:
        """:param dense: for a narrow column (the draft's)"""
        self.mark = mark
        self.dense = dense
        props = 'dense' if dense else ''
        with ui.row().classes('w-full no-wrap gap-2'):
            self.event_kind = ui.select({kind.value: event_name(kind.value) for kind in EVENT_FIELDS},
                                        label=_('Metric: event'), value='resolved') \
                .props(props).classes('grow').mark(f'{mark}-event')
            self.measure = ui.select(labelled(MEASURES), label=_('Measures'), value=ONE).props(props) \
                .classes('grow basis-0' if dense else 'w-48').mark(f'{mark}-value')
        self.filters: list[tuple[ui.select, ui.select, ui.input]] = []
        self.filter_rows = ui.column().classes('w-full gap-0')
        for _index in range(FILTER_ROWS):
            self._add_filter_row()
        ui.button(_('Add a filter'), icon='add', on_click=self._add_filter_row).props('flat dense no-caps') \
            .mark(f'{mark}-add-filter')
        self.event_kind.on_value_change(lambda e: self._fields(e.value))

    def _add_filter_row(self) -> None:
        """One more filter; a badge imported with more filters than the form shows gets as many rows, so that saving
        it keeps them all."""
        index = len(self.filters)
        props = 'dense' if self.dense else ''
        fields = next((f for k, f in EVENT_FIELDS.items() if k.value == self.event_kind.value), {})
        with self.filter_rows, ui.row().classes('w-full no-wrap gap-2'):
            self.filters.append((
                ui.select({name: field_name(name) for name in fields}, label=_('Filter {number}: field')
                          .format(number=index + 1), clearable=True)
                .props(props).classes('grow basis-0 min-w-0' if self.dense else 'w-44')
                .mark(f'{self.mark}-filter-field-{index}'),
                ui.select(labelled(OPERATORS), value='is', label=_('is')).props(props)
                .classes('w-24' if self.dense else 'w-28').mark(f'{self.mark}-filter-operator-{index}'),
                ui.input(_('values, comma separated')).props(props).classes('grow basis-0 min-w-0')
                .mark(f'{self.mark}-filter-values-{index}')))

    def set_value(self, metric: Mapping[str, Any] | None) -> None:
        """Show a metric as :meth:`services.domain.badges.BadgeDefinition.as_dict` has it (None: a new one's)."""
        metric = metric or {'kind': 'resolved', 'value': ONE, 'where': []}
        self.event_kind.value = metric['kind']
        while len(self.filters) < len(metric['where']):
            self._add_filter_row()
        self._fields(metric['kind'])
        self.measure.value = metric['value']
        for index, (field, operator, values) in enumerate(self.filters):
            where = metric['where'][index] if index < len(metric['where']) else None
            field.value = where['field'] if where else None
            operator.value = where['operator'] if where else 'is'
            values.value = ', '.join(str(v) for v in where['values']) if where else ''

    def data(self) -> dict[str, Any]:
        """The metric as the badge's dict has it (checked where the badge is made: services/domain/badges.py)."""
        where = [{'field': field.value, 'operator': operator.value,
                  'values': [v.strip() for v in (values.value or '').split(',') if v.strip()]}
                 for field, operator, values in self.filters if field.value]
        return {'kind': self.event_kind.value, 'value': self.measure.value, 'where': where}

    def _fields(self, kind: str | None) -> None:
        """The chosen event's fields: all can filter, numbers can be measured."""
        fields = next((f for k, f in EVENT_FIELDS.items() if k.value == kind), {})
        self.measure.set_options(labelled(MEASURES) | {name: field_name(name) for name, t in fields.items()
                                                                 if t == NUMBER},
                                 value=self.measure.value if self.measure.value in
                                 [ONE, CONVERSATION, *fields] else ONE)
        for field, _operator, _values in self.filters:
            field.set_options({name: field_name(name) for name in fields},
                              value=field.value if field.value in fields else None)


class LevelRowEditor:
    """One level's title, icon and condition, saved on their own with the expression language's message on error."""

    def __init__(self, services: Services, lead: Callable[[], AgentView | None], number: int) -> None:
        self.services = services
        self.lead = lead
        self.number = number
        level = next(level for level in services.levels.levels if level.number == number)
        with ui.row().classes('w-full items-start no-wrap gap-2').mark(f'level-{number}'):
            ui.label(str(number)).classes('w-6 pt-4 font-bold text-right')
            self.icon_preview = ui.icon(level.icon, size='md', color='deep-purple-5').classes('pt-3')
            self.title = ui.input(_('Title'), value=level.title).classes('w-56').mark(f'level-title-{number}')
            self.icon = ui.input(_('Icon (Material name)'), value=level.icon).classes('w-44') \
                .mark(f'level-icon-{number}')
            self.icon.on_value_change(lambda e: self.icon_preview.set_name(e.value or 'help'))
            self.condition = ui.input(_('Condition'), value=level.condition).classes('grow') \
                .mark(f'level-condition-{number}')
            if number == 1:
                self.condition.set_enabled(False)
                self.condition.props['hint'] = _('everyone starts here')
            ui.button(icon='save', on_click=self.save).props('flat round').tooltip(_('Save this level')) \
                .mark(f'level-save-{number}')
        with ui.row().classes('w-full no-wrap pl-8'):
            self.translations = TranslationsEditor({'title': N_('Title')}, mark=f'level-{number}',
                                                   caption=_('Title in other languages'))
            self.translations.set_value(level.translations)

    async def save(self) -> None:
        who = self.lead()
        if who is None:
            return
        try:
            level = await self.services.levels.save(who, self.number, title=self.title.value or '',
                                                    icon=self.icon.value or '', condition=self.condition.value or '',
                                                    translations=self.translations.value)
        except ActionError as error:
            self.condition.props(f'error error-message="{_attribute(str(error))}"')
            ui.notify(str(error), type='negative')
            return
        self.condition.props(remove='error error-message')
        self.condition.value = level.condition
        ui.notify(_('Level {number} saved: {title}').format(number=level.number, title=level.title), type='positive')


def _attribute(text: str) -> str:
    return text.replace('"', "'")


def register(services: Services) -> None:
    @app.get('/badge-images/{name}')
    async def badge_image(name: str) -> Response:
        """An uploaded badge image, with the type it was checked to be (browsers must not guess another)."""
        image = await services.badges.uploaded_image(f'uploaded/{name}')
        if image is None:
            return Response(status_code=404)
        return Response(content=image.data, media_type=image.content_type,
                        headers={'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'public, max-age=86400'})
