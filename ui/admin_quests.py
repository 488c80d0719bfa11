"""The lead's "Quests" tab in ``/admin/game``: create, edit and end quests and team missions.

A quest's metric is built from the same parts as a badge's (an event kind, what it measures) with the usual filters
(channel, rating, tag, priority). Every handler checks the role again (UI actions bypass HTTP middleware), and so does
the service.
"""
from collections.abc import Callable
from datetime import date, datetime, timedelta

from nicegui import ui

from services.container import Services
from services.domain.badges import CONVERSATION, EVENT_FIELDS, NUMBER, ONE, BadgeKind
from services.domain.errors import ActionError
from services.domain.events import Channel, Rating
from services.domain.floor_calendar import floor_day, floor_time
from services.domain.i18n import N_, _, floor_timezone, pgettext
from services.domain.labels import channel_text, priority_text
from services.domain.quests import UNTIL_ENDED, Preset, QuestDefinition, QuestScope, Repeat, reward_text
from services.domain.scoring import DOMAIN_TITLES, Domain
from services.domain.wording import day, moment_text, number
from services.game.quests import QuestDraft
from services.platform.directory import AgentView
from ui.format import translated
from ui.translations_editor import TranslationsEditor

# option labels, marked here and shown through _() (ui/format.py's translated)
PRESETS = {Preset.TODAY.value: N_('Today'), Preset.THIS_WEEK.value: N_('This week'),
           Preset.THIS_MONTH.value: N_('This month'), Preset.CUSTOM.value: N_('Custom days')}
PRIORITIES = ['low', 'normal', 'high', 'urgent']
MEASURES = {ONE: N_('events'), CONVERSATION: N_('conversations')}
# a recurring quest's period preset picks its first round's start; it then repeats until a lead ends it
REPEATS = {Repeat.NONE.value: N_('Once'), Repeat.DAILY.value: N_('Every day'), Repeat.WEEKLY.value: N_('Every week')}
STATES = {'running': lambda: pgettext('quest', 'running'), 'upcoming': lambda: pgettext('quest', 'upcoming'),
          'ended': lambda: pgettext('quest', 'ended')}


def quests_section(services: Services, actor: Callable[[], AgentView | None]) -> None:
    """The tab's contents; ``actor`` returns the logged-in lead (None, and told why, otherwise)."""
    editor = QuestEditor(services, actor)

    @ui.refreshable
    def quest_list() -> None:
        now = services.clock.now()
        quests = services.quests.definitions
        with ui.column().classes('w-full gap-1').mark('admin-quests'):
            if not quests:
                ui.label(_('No quests yet.')).classes('text-sm text-grey-6')
            for quest in quests:
                state = 'running' if quest.running(now) else 'upcoming' if quest.starts_at > now else 'ended'
                with ui.row().classes('w-full items-center no-wrap gap-3 bg-white rounded px-3 py-1') \
                        .mark(f'admin-quest-{quest.key}'):
                    ui.icon('groups' if quest.scope == QuestScope.TEAM else 'flag',
                            color='amber-8' if state == 'running' else 'grey')
                    with ui.column().classes('gap-0 grow min-w-0'):
                        ui.label(quest.title).classes('font-medium' + ('' if state != 'ended' else ' text-grey-6'))
                        ui.label(summary(quest)).classes('text-xs text-grey-7')
                    ui.badge(STATES[state](),
                             color={'running': 'amber-8', 'upcoming': 'blue-grey', 'ended': 'grey'}[state])
                    if state != 'ended':
                        ui.button(icon='edit', on_click=lambda q=quest: editor.open(q)).props('flat round dense') \
                            .tooltip(_('Edit')).mark(f'edit-quest-{quest.key}')
                        ui.button(icon='stop_circle', on_click=lambda q=quest: end(q)).props('flat round dense') \
                            .tooltip(_('End it now') if state == 'running' else _('Drop it')) \
                            .mark(f'end-quest-{quest.key}')

    async def end(quest: QuestDefinition) -> None:
        if (lead := actor()) is None:
            return
        try:
            await services.quests.end(lead, quest.key)
        except ActionError as error:
            ui.notify(str(error), type='warning')
            return
        ui.notify(_('Ended {title}; what it gave stays.').format(title=quest.title))
        quest_list.refresh()

    editor.saved = quest_list.refresh
    with ui.row().classes('w-full items-center'):
        ui.label(_('A quest is "N of a metric within a period" with a reward; a team mission is one goal the whole '
                   'team works on together, and everyone in it gets the reward. Periods are days in {zone}.').format(
            zone=floor_timezone())) \
            .classes('text-sm text-grey-8 grow')
        ui.button(_('New quest'), icon='add', on_click=lambda: editor.open(None)).props('no-caps').mark('new-quest')
    quest_list()


def summary(quest: QuestDefinition) -> str:
    metric = quest.metric
    what = metric.kind.value.replace('_', ' ')
    where = ''.join(f', {f.field} {"/".join(map(str, f.values))}' for f in metric.where)
    measure = _(MEASURES[metric.value]) if metric.value in MEASURES else metric.value.replace('_', ' ')
    last_day = floor_day(quest.ends_at - timedelta(microseconds=1))
    starts, ends = moment_text(quest.starts_at, style='short'), moment_text(quest.ends_at, style='short')
    if quest.repeat != Repeat.NONE:
        when = (_('a new round every day from {start}') if quest.repeat == Repeat.DAILY
                else _('a new round every week from {start}')).format(start=starts)
        if quest.ends_at != UNTIL_ENDED:
            when = _('{when} until {end}').format(when=when, end=ends)
    else:
        when = _('{start} to {end}').format(start=starts, end=ends)
        if floor_time(quest.ends_at).time() == datetime.min.time():  # ends at a floor midnight
            when = _('{when} (last day {day})').format(when=when, day=day(last_day))
    scope = _('team mission') if quest.scope == QuestScope.TEAM else _('each agent')
    return _('{aggregation} of {measure} ({what}{where}) to {target}, {when}, {scope}, {reward}').format(
        aggregation=quest.aggregation.value, measure=measure, what=what, where=where, target=number(quest.target),
        when=when, scope=scope, reward=reward_text(quest))


class QuestEditor:
    """One dialog for a new quest or an edit of a running or upcoming one."""

    def __init__(self, services: Services, actor: Callable[[], AgentView | None]) -> None:
        self.services = services
        self.actor = actor
        self.saved: Callable[[], None] = lambda: None
        self.key = ''
        with ui.dialog() as self.dialog, ui.card().classes('w-[40rem] gap-2').mark('quest-editor'):
            self.heading = ui.label().classes('text-lg font-bold')
            self.title = ui.input(_('Title'), placeholder=_('Resolve 25 social tickets this week')).classes('w-full') \
                .mark('quest-title')
            self.description = ui.input(_('Description (optional)')).classes('w-full').mark('quest-description')
            self.translations = TranslationsEditor({'title': N_('Title'), 'description': N_('Description')},
                                                   mark='quest')
            with ui.row().classes('w-full no-wrap gap-2'):
                self.kind = ui.select([kind.value for kind in EVENT_FIELDS], label=_('Metric: event'),
                                      value='resolved').classes('grow').mark('quest-event')
                self.value = ui.select(translated(MEASURES), label=_('Measures'), value=ONE).classes('w-44') \
                    .mark('quest-value')
                self.aggregation = ui.toggle({'count': _('Count'), 'sum': _('Sum')}, value='count').props('no-caps') \
                    .mark('quest-aggregation')
            self.kind.on_value_change(lambda e: self._measures(e.value))
            with ui.row().classes('w-full no-wrap gap-2'):
                self.channel = ui.select({'': _('any channel')} | {c.value: channel_text(c) for c in Channel},
                                         value='', label=_('Channel')).classes('grow').mark('quest-channel')
                self.rating = ui.select({'': _('any rating')} | {r.value: pgettext('rating', r.value) for r in Rating},
                                        value='', label=_('Rating')).classes('grow').mark('quest-rating')
                self.tag = ui.input(_('Tag')).classes('grow').mark('quest-tag')
                self.priority = ui.select({'': _('any priority')} | {p: priority_text(p) for p in PRIORITIES},
                                          value='', label=_('Priority')).classes('grow').mark('quest-priority')
            with ui.row().classes('w-full no-wrap gap-2 items-center'):
                self.target = ui.number(_('Target (N)'), value=10, min=1, precision=0).classes('w-32') \
                    .mark('quest-target')
                self.preset = ui.select(translated(PRESETS), value=Preset.THIS_WEEK.value, label=_('Period')) \
                    .classes('w-40') \
                    .mark('quest-preset')
                custom = {'value': Preset.CUSTOM.value}
                self.first_day = ui.input(_('First day')).props('type=date').classes('grow').mark('quest-first-day') \
                    .bind_visibility_from(self.preset, 'value', **custom)
                self.last_day = ui.input(_('Last day')).props('type=date').classes('grow').mark('quest-last-day') \
                    .bind_visibility_from(self.preset, 'value', **custom)
                self.repeat = ui.select(translated(REPEATS), value=Repeat.NONE.value, label=_('Repeats')) \
                    .classes('w-36') \
                    .tooltip(_('Every day or week: a new round each period from the start, until you end it')) \
                    .mark('quest-repeat')
            with ui.row().classes('w-full no-wrap gap-2 items-center'):
                self.scope = ui.toggle({QuestScope.INDIVIDUAL.value: _('Each agent'), QuestScope.TEAM.value:
                                        _('Team mission')}, value=QuestScope.INDIVIDUAL.value) \
                    .props('no-caps no-wrap') \
                    .mark('quest-scope')
                self.points = ui.number(_('Reward points'), value=50, min=0, precision=0).classes('w-32') \
                    .mark('quest-points')
                self.domain = ui.select({d.value: _(DOMAIN_TITLES[d]) for d in Domain}, value=Domain.PRODUCTIVITY.value,
                                        label=_('Domain')) \
                    .classes('grow').mark('quest-domain')
            self.badge = ui.select({}, label=_('Badge given for good (optional; badges of kind "awarded")'),
                                   clearable=True).classes('w-full').mark('quest-badge')
            self.error = ui.label().classes('text-negative text-sm').mark('quest-error')
            with ui.row().classes('w-full justify-end'):
                ui.button(_('Cancel'), on_click=self.dialog.close).props('flat no-caps')
                ui.button(_('Save'), icon='save', on_click=self.save).props('no-caps').mark('quest-save')

    def _measures(self, kind: str | None) -> None:
        """Events and conversations are counted; the chosen event's number fields can be summed."""
        fields = next((f for k, f in EVENT_FIELDS.items() if k.value == kind), {})
        options = translated(MEASURES) | {name: name.replace('_', ' ')
                                          for name, kind in fields.items() if kind == NUMBER}
        self.value.set_options(options, value=self.value.value if self.value.value in options else ONE)

    def open(self, quest: QuestDefinition | None) -> None:
        if self.actor() is None:
            return
        self.key = quest.key if quest else ''
        self.heading.set_text(_('New quest') if quest is None else _('Edit {name}').format(name=quest.title))
        self.error.set_text('')
        self.title.value = quest.title if quest else ''
        self.description.value = quest.description if quest else ''
        self.translations.set_value(quest.translations if quest else None)
        self.kind.value = quest.metric.kind.value if quest else 'resolved'
        self._measures(self.kind.value)
        self.value.value = quest.metric.value if quest else ONE
        self.aggregation.value = quest.aggregation.value if quest else 'count'
        filters = {f.field: str(f.values[0]) for f in quest.metric.where} if quest else {}
        self.channel.value, self.rating.value = filters.get('channel', ''), filters.get('rating', '')
        self.priority.value = filters.get('priority', '')
        self.tag.value = filters.get('tag', filters.get('tags', ''))
        self.target.value = quest.target if quest else 10
        self.preset.value = Preset.CUSTOM.value if quest else Preset.THIS_WEEK.value
        today = floor_day(self.services.clock.now())
        self.first_day.value = (floor_day(quest.starts_at) if quest else today).isoformat()
        self.last_day.value = (floor_day(quest.ends_at - timedelta(microseconds=1)) if quest else today).isoformat()
        self.scope.value = quest.scope.value if quest else QuestScope.INDIVIDUAL.value
        self.repeat.value = quest.repeat.value if quest else Repeat.NONE.value
        self.points.value = quest.reward_points if quest else 50
        self.domain.value = quest.reward_domain.value if quest else Domain.PRODUCTIVITY.value
        awarded = {d.key: d.name for d in self.services.badges.definitions if d.kind == BadgeKind.AWARDED}
        self.badge.set_options(awarded, value=quest.reward_badge if quest and quest.reward_badge in awarded else None)
        self.dialog.open()

    def draft(self) -> QuestDraft:
        return QuestDraft(key=self.key, title=self.title.value or '', description=self.description.value or '',
                          kind=self.kind.value or '', value=self.value.value or ONE, channel=self.channel.value or '',
                          rating=self.rating.value or '', tag=self.tag.value or '',
                          priority=self.priority.value or '', aggregation=self.aggregation.value or 'count',
                          target=int(self.target.value or 0), preset=self.preset.value or '',
                          first_day=_day(self.first_day.value), last_day=_day(self.last_day.value),
                          scope=self.scope.value or '', reward_points=int(self.points.value or 0),
                          reward_domain=self.domain.value or '', reward_badge=self.badge.value or '',
                          repeat=self.repeat.value or Repeat.NONE.value, translations=self.translations.value)

    async def save(self) -> None:
        if (lead := self.actor()) is None:
            return
        try:
            quest = await self.services.quests.save(lead, self.draft())
        except ActionError as error:
            self.error.set_text(str(error))
            ui.notify(str(error), type='warning', multi_line=True)
            return
        self.dialog.close()
        ui.notify(_('{title} saved: progress is counted from {start}').format(
            title=quest.title, start=moment_text(quest.starts_at, style='short')), type='positive')
        self.saved()


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text or '')
    except ValueError:
        return None
