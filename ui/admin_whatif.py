"""The lead's "What-if" tab (issue 18): edit a draft of the rules, preview it against the last days of the log, then
publish or discard it.

The draft lives in this tab only: nothing is written until "Publish" (each change the one event an edit in its own tab
records, all in one transaction; quests and removing a badge are left to their own tabs), and "Discard" forgets it.
Every rule is edited here: the scoring values (with the minimum volume), the levels, the badges (dropped, renamed, their
event, measure and filters as the badge editor builds them, their rule's numbers), the quests (dropped, target, reward
points, period), the incentives (switched off) and each team's working hours; the whole draft can be exported and
imported as the JSON document that ``python main.py rules export`` writes. A preview runs in a worker thread on a
snapshot of the log, with a progress bar and a Cancel button; only this tab's own timer follows it, and only while it
runs.
"""
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from nicegui import background_tasks, events, ui

from services.container import Services
from services.domain.badges import BadgeDefinition, BadgeKind, Direction, Window
from services.domain.business_hours import format_calendar
from services.domain.errors import ActionError
from services.domain.floor_calendar import floor_day
from services.domain.i18n import _, floor_timezone, localized, ngettext
from services.domain.quests import Preset, QuestDefinition, QuestError, Repeat, period
from services.domain.scoring import DOMAIN_TITLES, POLICY_FIELDS, policy_as_dict
from services.domain.whatif import (
    MAX_DAYS,
    AgentWhatIf,
    Cancelled,
    RulesError,
    RuleSet,
    WhatIf,
    rules_as_document,
    rules_from_document,
)
from services.domain.wording import number
from services.game.whatif import Preview
from services.platform.directory import AgentView
from ui.admin_badges import AGGREGATIONS, LABELS, MetricEditor, labelled
from ui.admin_badges import summary as badge_summary
from ui.admin_quests import PRESETS, REPEATS
from ui.admin_quests import _day as day_from_input
from ui.admin_quests import summary as quest_summary
from ui.format import translated

MAX_DOCUMENT_BYTES = 1024 * 1024


class WhatIfTab:
    def __init__(self, services: Services, lead: Callable[[], AgentView | None]) -> None:
        self.services = services
        self.lead = lead
        self.draft = RuleSet()
        self.preview: Preview | None = None
        self.level_inputs: list[tuple[ui.input, ui.input]] = []  # (title, condition) per level of the draft
        self.incentive_switches: dict[int, ui.switch] = {}  # per incentive of the draft: kept in it or not
        self.badge_rows: list[DraftBadge] = []
        self.quest_rows: list[DraftQuest] = []
        self.hours_inputs: dict[int, tuple[str, ui.textarea]] = {}  # per team: (the zone its hours are in, the lines)
        self.hours_shown: dict[int, str] = {}  # the lines as shown: a draft without hours gets them only if edited
        ui.label(_('Change the rules in a draft, see what they would have done to the last days of the floor, then '
                   'publish them (from now on, like any edit) or discard them (nothing changes).')) \
            .classes('text-sm text-grey-8')
        # the scoring values are one tall column: everything else fills the width beside it
        with ui.row().classes('w-full items-start gap-3 no-wrap'):
            with ui.column().classes('w-64 shrink-0 gap-1 bg-white rounded p-3').mark('draft-scoring'):
                ui.label(_('Scoring values (draft)')).classes('font-medium')
                self.values = {spec.name: ui.number(_(spec.label), step=1).classes('w-full').mark(f'draft-{spec.name}')
                               for spec in POLICY_FIELDS}
            with ui.column().classes('grow min-w-0 gap-3'):
                with ui.column().classes('w-full gap-1 bg-white rounded p-3').mark('draft-levels'):
                    ui.label(_('Levels (draft)')).classes('font-medium')
                    self.level_rows = ui.column().classes('w-full gap-1')
                with ui.row().classes('w-full items-start gap-3 no-wrap'):
                    with ui.column().classes('grow basis-0 min-w-0 gap-1 bg-white rounded p-3') \
                            .mark('draft-incentives'):
                        ui.label(_('Incentives (draft)')).classes('font-medium')
                        ui.label(_('Switch one off to see the floor without it.')).classes('text-xs text-grey-7')
                        self.incentive_rows = ui.column().classes('w-full gap-0')
                    with ui.column().classes('grow basis-0 min-w-0 gap-1 bg-white rounded p-3').mark('draft-hours'):
                        ui.label(_('Working hours (draft)')).classes('font-medium')
                        ui.label(_('One line per rule, like “Mon-Fri 09:00-17:00”, “break 12:00-12:30” or “holiday '
                                   '2026-12-25”; no lines: 24/7.')).classes('text-xs text-grey-7')
                        self.hours_column = ui.column().classes('w-full gap-1')
                with ui.row().classes('w-full items-start gap-3 no-wrap'):
                    with ui.column().classes('grow basis-0 min-w-0 gap-1 bg-white rounded p-3').mark('draft-badges'):
                        ui.label(_('Badges (draft)')).classes('font-medium')
                        ui.label(_('Switch one off to drop it from the draft; open it to edit it.')) \
                            .classes('text-xs text-grey-7')
                        self.badge_column = ui.column().classes('w-full gap-0')
                    with ui.column().classes('grow basis-0 min-w-0 gap-1 bg-white rounded p-3').mark('draft-quests'):
                        ui.label(_('Quests (draft)')).classes('font-medium')
                        ui.label(_('Switch one off to drop it from the draft; open it to edit it.')) \
                            .classes('text-xs text-grey-7')
                        self.quest_column = ui.column().classes('w-full gap-0')
        self.error = ui.label().classes('text-negative text-sm').mark('whatif-error')
        with ui.row().classes('w-full items-center gap-2'):
            self.days = ui.number(_('Days to replay (1–{days})').format(days=MAX_DAYS), value=30, min=1, max=MAX_DAYS,
                                  step=1) \
                .classes('w-48').mark('whatif-days')
            ui.button(_('Preview'), icon='play_arrow', on_click=self.start).props('no-caps').mark('whatif-preview')
            self.cancel_button = ui.button(_('Cancel'), icon='stop', on_click=self.cancel).props('flat no-caps') \
                .mark('whatif-cancel')
            ui.space()
            ui.button(_('Export JSON'), icon='download', on_click=self.export).props('flat no-caps') \
                .mark('whatif-export')
            ui.upload(label=_('Import JSON'), auto_upload=True, max_file_size=MAX_DOCUMENT_BYTES,
                      on_upload=self.imported).props('accept=.json,application/json flat dense').classes('w-48') \
                .mark('whatif-import')
            ui.button(_('Discard'), icon='delete_outline', on_click=self.discard).props('flat no-caps') \
                .mark('whatif-discard')
            ui.button(_('Publish'), icon='publish', on_click=self.publish).props('no-caps color=positive') \
                .mark('whatif-publish')
        self.progress = ui.linear_progress(value=0, show_value=False).props('instant-feedback').mark('whatif-progress')
        self.status = ui.label().classes('text-sm text-grey-8').mark('whatif-status')
        self.results = ui.column().classes('w-full gap-2').mark('whatif-results')
        self.timer = ui.timer(0.3, self._follow, active=False)  # this tab's own preview only, while it runs
        self._running(False)
        background_tasks.create(self.start_from_live(), name='what-if draft')

    async def start_from_live(self) -> None:
        self.show_draft(await self.services.rules.live())

    def show_draft(self, draft: RuleSet) -> None:
        self.draft = draft
        values = policy_as_dict(draft.policy)
        for name, field in self.values.items():
            field.set_value(values[name])
        self.level_rows.clear()
        self.level_inputs = []
        with self.level_rows:
            for level in draft.levels:
                with ui.row().classes('w-full no-wrap items-center gap-2').mark(f'draft-level-{level.number}'):
                    ui.label(str(level.number)).classes('w-6 text-grey-7')
                    title = ui.input(_('Title'), value=level.title).classes('w-40').mark(
                        f'draft-level-{level.number}-title')
                    condition = ui.input(_('Condition'), value=level.condition).classes('grow').mark(
                        f'draft-level-{level.number}-condition')
                    if level.number == 1:
                        condition.disable()
                    self.level_inputs.append((title, condition))
        self.incentive_rows.clear()
        with self.incentive_rows:
            self.incentive_switches = {
                incentive.id: ui.switch(incentive.label, value=True).props('dense').classes('text-sm')
                .tooltip(incentive.summary).mark(f'draft-incentive-{incentive.id}')
                for incentive in sorted(draft.incentives, key=lambda incentive: incentive.id)}
            if not draft.incentives:
                ui.label(_('None.')).classes('text-sm text-grey-6')
        self.badge_column.clear()
        with self.badge_column:
            self.badge_rows = [DraftBadge(badge) for badge in draft.badges]
            if not draft.badges:
                ui.label(_('None.')).classes('text-sm text-grey-6')
        self.quest_column.clear()
        with self.quest_column:
            self.quest_rows = [DraftQuest(quest) for quest in sorted(draft.quests, key=lambda q: q.key)]
            if not draft.quests:
                ui.label(_('None.')).classes('text-sm text-grey-6')
        self.show_hours(draft)

    def show_hours(self, draft: RuleSet) -> None:
        """A text per team, the draft's hours or (a draft that leaves them as the log has them) those in force."""
        teams = self.services.directory.teams
        calendars = draft.working_hours if draft.working_hours is not None else {
            team_id: calendar for team_id in teams
            if (calendar := self.services.working_hours.calendar(team_id)) is not None}
        self.hours_column.clear()
        self.hours_inputs, self.hours_shown = {}, {}
        with self.hours_column:
            for team_id in sorted(set(teams) | set(calendars), key=lambda t: (teams.get(t, ''), t)):
                calendar = calendars.get(team_id)
                self.hours_shown[team_id] = format_calendar(calendar)
                text = ui.textarea(teams.get(team_id, _('team #{id}').format(id=team_id)),
                                   value=self.hours_shown[team_id], placeholder='24/7') \
                    .props('autogrow outlined dense').classes('w-full font-mono text-xs') \
                    .mark(f'draft-hours-{team_id}')
                self.hours_inputs[team_id] = (calendar.zone if calendar is not None else floor_timezone(), text)

    def edited(self) -> RuleSet | None:
        """The draft with the editors' values, or None (and the reason shown) if a value is refused."""
        document = rules_as_document(self.draft)
        document['scoring'] = {name: number.value for name, number in self.values.items()}
        document['levels'] = [{**row, 'title': title.value, 'condition': condition.value or ''}
                              for row, (title, condition) in zip(document['levels'], self.level_inputs, strict=True)]
        document['incentives'] = [incentive.as_data() for incentive in self.draft.incentives
                                  if self.incentive_switches[incentive.id].value]
        hours = {team_id: text.value or '' for team_id, (_zone, text) in self.hours_inputs.items()}
        if self.draft.working_hours is not None or hours != self.hours_shown:
            document['working_hours'] = [{'team_id': team_id, 'zone': zone, 'hours': hours[team_id]}
                                         for team_id, (zone, _text) in self.hours_inputs.items()]
        try:
            document['badges'] = [data for row in self.badge_rows if (data := row.data()) is not None]
            now = self.services.clock.now()
            document['quests'] = [data for row in self.quest_rows if (data := row.data(now)) is not None]
            draft = rules_from_document(document)
        except RulesError as error:
            self.error.set_text(str(error))
            return None
        self.error.set_text('')
        return draft

    async def start(self) -> None:
        if (who := self.lead()) is None or self.preview is not None or (draft := self.edited()) is None:
            return
        try:
            self.preview = self.services.rules.preview(who, draft, days=int(self.days.value or 0))
        except (ActionError, RulesError) as error:
            self.error.set_text(str(error))
            return
        self._running(True)
        self.status.set_text(_('Reading the log…'))
        background_tasks.create(self._run(self.preview), name='what-if preview')

    async def _run(self, preview: Preview) -> None:
        try:
            result = await preview.run()
        except Cancelled:
            self.status.set_text(_('Preview cancelled: nothing was changed.'))
            return
        finally:
            self.preview = None
            self._running(False)
        self.status.set_text(ngettext('Replayed {events} events of the last {days} day (of {total} in the log).',
                                      'Replayed {events} events of the last {days} days (of {total} in the log).',
                                      result.days).format(events=number(result.events), days=number(result.days),
                                                          total=number(preview.total)))
        self.show(result)

    def cancel(self) -> None:
        if self.preview is not None:
            self.preview.cancel()
            self.status.set_text(_('Cancelling…'))

    def _follow(self) -> None:
        if self.preview is None or self.preview.cancelled:
            return
        if self.preview.total:
            self.progress.set_value(min(1.0, self.preview.done / self.preview.total))
            self.status.set_text(_('Replaying: {done} of {total} events…').format(
                done=number(self.preview.done), total=number(self.preview.total)))
        else:
            self.status.set_text(_('Reading the log: {count} events…').format(count=number(self.preview.read)))

    def _running(self, running: bool) -> None:
        self.timer.active = running
        self.progress.set_visibility(running)
        self.progress.set_value(0)
        self.cancel_button.set_visibility(running)

    def show(self, result: WhatIf) -> None:
        self.results.clear()
        with self.results:
            affected = result.most_affected()
            with ui.row().classes('w-full gap-2 items-center').mark('whatif-most-affected'):
                ui.label(_('Most affected:')).classes('font-medium')
                if not affected:
                    ui.label(_('nobody: the draft changes no one\'s points.')).classes('text-sm')
                for agent in affected:
                    ui.chip(f'{agent.name} {agent.points_after - agent.points_before:+d}',
                            color='positive' if agent.points_after > agent.points_before else 'negative') \
                        .props('outline dense')
            ui.plotly(_chart(result)).classes('w-full h-72').mark('whatif-chart')
            columns = [{'name': 'name', 'label': _('Agent'), 'field': 'name', 'align': 'left', 'sortable': True},
                       {'name': 'points', 'label': _('Points'), 'field': 'points', 'align': 'left'},
                       *({'name': domain.value, 'label': _(title), 'field': domain.value, 'align': 'left'}
                         for domain, title in DOMAIN_TITLES.items()),
                       {'name': 'all_time', 'label': _('Rank, all time'), 'field': 'all_time', 'align': 'left'},
                       {'name': 'month', 'label': _('Rank, month'), 'field': 'month', 'align': 'left'},
                       {'name': 'level', 'label': _('Level'), 'field': 'level', 'align': 'left'}]
            ui.table(columns=columns, rows=[_row(agent) for agent in result.agents], row_key='id') \
                .classes('w-full').props('dense flat').mark('whatif-table')
            with ui.column().classes('w-full gap-0 bg-white rounded p-3').mark('whatif-changes'):
                ui.label(_('Changing hands')).classes('font-medium')
                for badge in result.badges:
                    name = localized(badge['name'], badge.get('translations'), 'name')
                    ui.label(_('Badge {name}: gained by {gained}; lost by {lost}').format(
                        name=name, gained=', '.join(badge['gained_by_names']) or _('nobody'),
                        lost=', '.join(badge['lost_by_names']) or _('nobody'))).classes('text-sm')
                for level in result.levels:
                    ui.label(_('{name}: level {before} → {after}').format(
                        name=level['name'], before=level['before'], after=level['after'])).classes('text-sm')
                for quest in result.quests:
                    title = localized(quest['title'], quest['translations'], 'title')
                    ui.label((_('Quest {quest} ({scope} #{holder}): completed') if quest['after'] else
                              _('Quest {quest} ({scope} #{holder}): no longer completed')).format(
                        quest=title, scope=quest['scope'], holder=quest['holder'])).classes('text-sm')
                if not (result.badges or result.levels or result.quests):
                    ui.label(_('No badge, level or quest would change hands.')).classes('text-sm text-grey-7')

    def export(self) -> None:
        if self.lead() is None or (draft := self.edited()) is None:
            return
        ui.download.content(json.dumps(rules_as_document(draft), ensure_ascii=False, indent=2).encode(), 'rules.json',
                            'application/json')

    async def imported(self, event: events.UploadEventArguments) -> None:
        if self.lead() is None:
            return
        try:
            draft = rules_from_document(json.loads(await event.file.read()))
        except (RulesError, UnicodeDecodeError, ValueError) as error:
            reason = str(error) if isinstance(error, RulesError) else _('the file is not a JSON document')
            self.error.set_text(_('Import refused: {reason}').format(reason=reason))
            return
        self.error.set_text('')
        self.show_draft(draft)
        ui.notify(_('Draft imported: preview it, then publish or discard it.'), type='positive')

    async def publish(self) -> None:
        if (who := self.lead()) is None or (draft := self.edited()) is None:
            return
        try:
            published = await self.services.rules.publish(who, draft)
        except ActionError as error:
            self.error.set_text(str(error))
            ui.notify(str(error), type='warning', multi_line=True)
            return
        self.results.clear()
        self.status.set_text('')
        what = published[0]
        for part in published[1:]:
            what = _('{list} and {item}').format(list=what, item=part)
        ui.notify(_('Published ({what}): the draft applies from now on.').format(what=what), type='positive')
        await self.start_from_live()

    async def discard(self) -> None:
        if self.preview is not None:
            self.preview.cancel()
        self.results.clear()
        self.status.set_text('')
        self.error.set_text('')
        await self.start_from_live()
        ui.notify(_('Draft discarded: the live rules are unchanged.'))


class DraftBadge:
    """One badge of the draft: kept or dropped, its name, its metric (event, measure, filters: the badge editor's
    :class:`MetricEditor`) and its rule's numbers, as the live badge editor words them."""

    def __init__(self, badge: BadgeDefinition) -> None:
        self.badge = badge
        mark = f'draft-badge-{badge.key}'
        self.rarity: ui.number | None = None
        self.metric: MetricEditor | None = None  # its event and filters, as the badge editor builds them
        self.rule: tuple[ui.select, ui.select, ui.select, ui.number] | None = None  # aggregate, window, direction, min
        with ui.row().classes('w-full no-wrap items-start gap-1'):
            self.kept = ui.switch(value=True).props('dense').classes('pt-2').mark(mark) \
                .tooltip(_('Off: the draft has no such badge'))
            with ui.expansion(badge.name).props('dense').classes('grow min-w-0 text-sm').mark(f'{mark}-open'):
                ui.label(badge_summary(badge)).classes('text-xs text-grey-7')
                self.name = ui.input(_('Name'), value=badge.name).props('dense').classes('w-full').mark(f'{mark}-name')
                if badge.kind == BadgeKind.RANDOM:
                    self.rarity = ui.number(_('Chance (random)'), value=badge.rarity, min=0, max=1, step=0.01) \
                        .props('dense').classes('w-40').mark(f'{mark}-rarity')
                elif badge.metric is not None:
                    self.metric = MetricEditor(mark=mark, dense=True)
                    self.metric.set_value(badge.as_dict()['metric'])
                    with ui.grid(columns=2).classes('w-full gap-x-2 gap-y-0'):
                        self.rule = (
                            ui.select(labelled(AGGREGATIONS), label=_('Aggregate'),
                                      value=badge.aggregation.value).props('dense'),
                            ui.select({w.value: _(LABELS[w.value]) for w in Window}, label=_('Window'),
                                      value=badge.window.value).props('dense'),
                            ui.select({d.value: _(LABELS[d.value]) for d in Direction}, label=_('Direction'),
                                      value=badge.direction.value).props('dense'),
                            ui.number(_('Minimum volume'), value=badge.minimum_volume, min=1, step=1, precision=0)
                            .props('dense').mark(f'{mark}-minimum'))

    def data(self) -> dict[str, Any] | None:
        """The badge as the rules document has it, or None if dropped; :class:`RulesError` for a value refused."""
        if not self.kept.value:
            return None
        data = self.badge.as_dict() | {'name': self.name.value or ''}
        what = _('badge {name}').format(name=self.badge.name)
        if self.rarity is not None:
            if self.rarity.value is None:
                raise RulesError(_('{what}: the chance is a number from 0 to 1.').format(what=what))
            data['rarity'] = float(self.rarity.value)
        if self.metric is not None:
            data['metric'] = self.metric.data()
        if self.rule is not None:
            aggregation, window, direction, minimum = self.rule
            data |= {'aggregation': aggregation.value, 'window': window.value, 'direction': direction.value,
                     'minimum_volume': _whole(minimum.value, _('{what}: the minimum volume').format(what=what))}
        return data


class DraftQuest:
    """One quest of the draft: kept or dropped, its target, reward points and period, as the live quest editor offers
    them (a recurring quest's period stays: its rounds run from its start until a lead ends it)."""

    def __init__(self, quest: QuestDefinition) -> None:
        self.quest = quest
        mark = f'draft-quest-{quest.key}'
        self.first = floor_day(quest.starts_at)
        self.last = floor_day(quest.ends_at - timedelta(microseconds=1))
        with ui.row().classes('w-full no-wrap items-start gap-1'):
            self.kept = ui.switch(value=True).props('dense').classes('pt-2').mark(mark) \
                .tooltip(_('Off: the draft has no such quest'))
            with ui.expansion(quest.title).props('dense').classes('grow min-w-0 text-sm').mark(f'{mark}-open'):
                ui.label(quest_summary(quest)).classes('text-xs text-grey-7')
                with ui.row().classes('w-full no-wrap gap-1'):
                    self.target = ui.number(_('Target (N)'), value=quest.target, min=1, precision=0) \
                        .props('dense').classes('w-28').mark(f'{mark}-target')
                    self.points = ui.number(_('Reward points'), value=quest.reward_points, min=0, precision=0) \
                        .props('dense').classes('w-28').mark(f'{mark}-points')
                with ui.grid(columns=2).classes('w-full gap-x-2 gap-y-0') as period_fields:
                    self.preset = ui.select(translated(PRESETS), value=Preset.CUSTOM.value, label=_('Period')) \
                        .props('dense').classes('col-span-2').mark(f'{mark}-preset')
                    custom = {'value': Preset.CUSTOM.value}
                    self.first_day = ui.input(_('First day'), value=self.first.isoformat()).props('dense type=date') \
                        .mark(f'{mark}-first-day').bind_visibility_from(self.preset, 'value', **custom)
                    self.last_day = ui.input(_('Last day'), value=self.last.isoformat()).props('dense type=date') \
                        .mark(f'{mark}-last-day').bind_visibility_from(self.preset, 'value', **custom)
                if quest.repeat != Repeat.NONE:  # its rounds run from its start until a lead ends it (its own tab)
                    period_fields.set_visibility(False)
                    ui.label(_('{repeats}: its rounds keep their period.').format(repeats=_(REPEATS[quest.repeat])))\
                        .classes('text-xs text-grey-7')

    def data(self, now: datetime) -> dict[str, Any] | None:
        """The quest as the rules document has it, or None if dropped; :class:`RulesError` for a value refused."""
        if not self.kept.value:
            return None
        what = _('quest {title}').format(title=self.quest.title)
        data = self.quest.as_dict() | {'target': _whole(self.target.value, _('{what}: the target').format(what=what)),
                                       'reward_points': _whole(self.points.value,
                                                               _('{what}: the reward points').format(what=what))}
        first, last = day_from_input(self.first_day.value), day_from_input(self.last_day.value)
        if self.quest.repeat != Repeat.NONE or (self.preset.value == Preset.CUSTOM.value and
                                                 (first, last) == (self.first, self.last)):
            return data  # its period as it is, to the microsecond (a quest ended early ends when it was ended)
        try:
            starts_at, ends_at = period(self.preset.value or '', now, first_day=first, last_day=last)
        except QuestError as error:
            raise RulesError(f'{what}: {error}') from None
        return data | {'starts_at': starts_at.isoformat(), 'ends_at': ends_at.isoformat()}


def _whole(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or not float(value).is_integer():
        raise RulesError(_('{what} is a whole number.').format(what=what))
    return int(value)


def _row(agent: AgentWhatIf) -> dict[str, object]:
    def rank(ranks: dict[str, int | None], board: str) -> str:
        return '—' if ranks.get(board) is None else f'#{ranks[board]}'

    row: dict[str, object] = {'id': agent.id, 'name': agent.name,
                              'points': f'{agent.points_before} → {agent.points_after}',
                              'level': f'{agent.level_before} → {agent.level_after}'}
    for domain in DOMAIN_TITLES:
        row[domain.value] = (f'{agent.points_by_domain_before[domain.value]} → '
                             f'{agent.points_by_domain_after[domain.value]}')
    for board in ('all_time', 'month'):
        row[board] = f'{rank(agent.rank_before, board)} → {rank(agent.rank_after, board)}'
    return row


def _chart(result: WhatIf) -> dict[str, object]:
    """Each agent's points before and after, as grouped bars."""
    names = [agent.name for agent in result.agents]
    return {'data': [{'type': 'bar', 'name': _('Live rules'), 'x': names,
                      'y': [a.points_before for a in result.agents]},
                     {'type': 'bar', 'name': _('Draft'), 'x': names, 'y': [a.points_after for a in result.agents]}],
            'layout': {'barmode': 'group', 'margin': {'l': 40, 'r': 10, 't': 10, 'b': 60},
                       'legend': {'orientation': 'h'}}}

