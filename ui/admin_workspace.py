"""The lead's workspace settings (/admin/workspace): routing, departments, agents' skills, rules and SLA policies.

Only leads see the page; every handler checks again (UI actions bypass HTTP middleware) and the services refuse an
agent too. Refusals and invalid input are shown where they happened.
"""
from collections.abc import Callable

from nicegui import ui

from services.container import Services
from services.domain.automation import (
    FIELD_LABELS,
    FIELDS,
    OPERATORS,
    TIME_TRIGGERS,
    TRIGGERS,
    RuleError,
    RuleSpec,
    RuleView,
    conditions_from,
)
from services.domain.events import Channel
from services.domain.i18n import Phrase, _, pgettext
from services.domain.inbox import PRIORITIES
from services.domain.labels import channel_text, priority_text
from services.domain.wording import delay
from services.helpdesk.routing import CHANNELS, MAX_CAPACITY, MODELS, MODES
from services.helpdesk.sla import ESCALATIONS, SlaPolicyView
from services.platform.directory import AgentView
from ui.actions import attempt
from ui.format import translated
from ui.session import handler_actor, page_visitor

PATH = '/admin/workspace'
EXAMPLES = {'text': 'subscription, upgrade, payment', 'channel': 'email, chat', 'priority': 'high, urgent',
            'language': 'fr, nl', 'department': 'Sales'}  # what a condition's values look like
MODEL_WORDS = {'shared': lambda: pgettext('routing model', 'shared'),  # in 'Routing: Least busy, shared model'
               'dedicated': lambda: pgettext('routing model', 'dedicated')}


def register(services: Services) -> None:

    @ui.page(PATH)
    def admin_workspace() -> None:
        if (visitor := page_visitor(services, lead=True)) is None:
            return
        storage, agent = visitor
        ui.page_title(_('DeskQuest · Workspace settings'))
        ui.query('body').classes('bg-blue-grey-1')

        lead = handler_actor(services, storage, agent,
                             lead_only=_('Only a lead can change the workspace settings.'))

        with ui.header().classes('items-center bg-blue-grey-9 py-2 px-4 gap-4'):
            ui.button(icon='arrow_back', on_click=lambda: ui.navigate.to('/')).props('flat round color=white') \
                .tooltip(_('Back to the inbox')).mark('back')
            ui.label(_('Workspace settings')).classes('text-lg font-bold')
            ui.space()
            ui.label(agent.name).classes('font-medium')

        with ui.row().classes('w-full items-start gap-4 p-2 no-wrap'):
            with ui.column().classes('gap-4 w-[30rem] shrink-0'):
                RoutingCard(services, lead)
                # the other cards offer the departments too (resolved when called: they are built below)
                DepartmentsCard(services, lead, on_change=lambda: (agents.show_departments(),
                                                                   rules.form.show_departments()))
                SlaCard(services, lead)
            with ui.column().classes('gap-4 grow min-w-0'):
                rules = RulesCard(services, lead)
                agents = AgentsCard(services, lead)


Lead = Callable[[], AgentView | None]


def error_line(marker: str) -> ui.label:
    label = ui.label().classes('text-negative text-sm').mark(marker)
    label.set_visibility(False)
    return label


class RoutingCard:
    def __init__(self, services: Services, lead: Lead) -> None:
        self.services = services
        self.lead = lead
        config = services.routing.config
        with ui.card().classes('w-full gap-2').mark('routing-card'):
            ui.label(_('Routing')).classes('text-lg font-bold')
            ui.label(_('New conversations go to available agents with the skill, the department and room for them.')) \
                .classes('text-sm text-grey-7')
            self.mode = ui.select(translated(MODES), value=config.mode, label=_('Mode')).classes('w-full') \
                .mark('routing-mode')
            self.model = ui.select(translated(MODELS), value=config.model, label=_('Model')).classes('w-full') \
                .mark('routing-model')
            ui.button(_('Save routing'), on_click=self.save).props('no-caps').mark('save-routing')

    async def save(self) -> None:
        if (who := self.lead()) is None:
            return
        await attempt(self.services.routing.set_mode(who, mode=self.mode.value, model=self.model.value),
                      done=_('Routing: {mode}, {model} model').format(mode=_(MODES[self.mode.value]),
                                                                      model=MODEL_WORDS[self.model.value]()))


class DepartmentsCard:
    def __init__(self, services: Services, lead: Lead, *, on_change: Callable[[], object]) -> None:
        self.services = services
        self.lead = lead
        self.on_change = on_change
        with ui.card().classes('w-full gap-2').mark('departments-card'):
            ui.label(_('Departments')).classes('text-lg font-bold')
            self.rows = ui.column().classes('w-full gap-1')
            with ui.row().classes('w-full items-center no-wrap gap-2'):
                self.new_name = ui.input(placeholder=_('New department')).props('dense outlined').classes('grow') \
                    .mark('new-department')
                ui.button(icon='add', on_click=self.create).props('flat round dense').tooltip(_('Add')) \
                    .mark('add-department')
            self.error = error_line('department-error')
        self.show()

    def show(self) -> None:
        self.rows.clear()
        with self.rows:
            for department in sorted(self.services.routing.departments.values(), key=lambda d: d.name.casefold()):
                with ui.row().classes('w-full items-center no-wrap gap-1'):
                    name = ui.input(value=department.name).props('dense borderless').classes('grow') \
                        .mark(f'department-name-{department.id}')
                    ui.button(icon='save', on_click=lambda d=department.id, n=name: self.rename(d, n.value)) \
                        .props('flat round dense').tooltip(_('Rename')).mark(f'rename-department-{department.id}')
                    ui.button(icon='delete', on_click=lambda d=department.id: self.delete(d)) \
                        .props('flat round dense color=negative').tooltip(_('Delete')) \
                        .mark(f'delete-department-{department.id}')

    async def create(self) -> None:
        if (who := self.lead()) is None:
            return
        if await attempt(self.services.routing.create_department(who, self.new_name.value or ''),
                         done=_('Department added'), error_label=self.error):
            self.new_name.set_value('')
            self.show()
            self.on_change()

    async def rename(self, department_id: int, name: str) -> None:
        if (who := self.lead()) is None:
            return
        if await attempt(self.services.routing.rename_department(who, department_id, name), done=_('Renamed'),
                         error_label=self.error):
            self.show()
            self.on_change()

    async def delete(self, department_id: int) -> None:
        if (who := self.lead()) is None:
            return
        if await attempt(self.services.routing.delete_department(who, department_id), done=_('Department deleted'),
                         error_label=self.error):
            self.show()
            self.on_change()


class AgentsCard:
    """Each agent's departments, channel skills, capacity and dedicated channel, and unlocking their logins."""

    def __init__(self, services: Services, lead: Lead) -> None:
        self.services = services
        self.lead = lead
        with ui.card().classes('w-full gap-2').mark('agents-card'):
            ui.label(_('Agents')).classes('text-lg font-bold')
            ui.label(_('Channels are the skills used in the shared model; in the dedicated model an agent serves '
                       'only their dedicated channel. Capacity: conversations in hand at once.')) \
                           .classes('text-sm text-grey-7')
            self.error = error_line('agent-error')
            self.department_selects: list[ui.select] = []
            departments = department_options(services)
            channels = {channel: channel_text(Channel(channel)) for channel in CHANNELS}
            for view in services.directory.floor():
                routing = services.routing.of(view.id)
                with ui.row().classes('w-full items-center no-wrap gap-2').mark(f'agent-{view.id}'):
                    ui.label(view.name).classes('w-36 shrink-0 truncate')
                    member = ui.select(departments, value=sorted(routing.departments), multiple=True,
                                       label=_('Departments')).props('dense use-chips').classes('w-56') \
                        .mark(f'agent-departments-{view.id}')
                    self.department_selects.append(member)
                    skills = ui.select(channels, value=[c for c in CHANNELS if c in routing.channels], multiple=True,
                                       label=_('Channels')).props('dense').classes('w-56') \
                        .mark(f'agent-channels-{view.id}')
                    capacity = ui.number(_('Capacity'), value=routing.capacity, min=1, max=MAX_CAPACITY, step=1,
                                         format='%d').props('dense').classes('w-20').mark(f'agent-capacity-{view.id}')
                    dedicated = ui.select({'': '—'} | channels, value=routing.dedicated_channel or '',
                                          label=_('Dedicated')).props('dense').classes('w-28') \
                        .mark(f'agent-dedicated-{view.id}')
                    ui.button(icon='save', on_click=lambda v=view, m=member, s=skills, c=capacity, d=dedicated:
                              self.save(v, m.value, s.value, c.value, d.value)) \
                        .props('flat round dense').tooltip(_('Save')).mark(f'save-agent-{view.id}')
                    # failed-login locks live in memory, not in the event stream: the colour is as of the page's build
                    locked = services.auth.locked(view.username)
                    ui.button(icon='lock_open', on_click=lambda e, v=view: self.unlock(v, e.sender)) \
                        .props(f'flat round dense color={"negative" if locked else "grey"}') \
                        .tooltip(_('Unlock logins after too many failed ones')).mark(f'unlock-agent-{view.id}')

    def show_departments(self) -> None:
        options = department_options(self.services)
        for select in self.department_selects:
            select.set_options(options, value=[d for d in select.value or [] if d in options])

    async def save(self, view: AgentView, departments: list[int], channels: list[str], capacity: float | None,
                   dedicated: str) -> None:
        if (who := self.lead()) is None:
            return
        await attempt(self.services.routing.save_agent(who, view.id, departments=departments or [],
                                                       channels=channels or [], capacity=_whole(capacity),
                                                       dedicated_channel=dedicated or None),
                      done=_('{name} saved').format(name=view.name), error_label=self.error)


    async def unlock(self, view: AgentView, button: ui.element) -> None:
        if (who := self.lead()) is None:
            return
        if await attempt(self.services.auth.unlock(who, view.id), done=_('{name} can log in again')
            .format(name=view.name),
                         error_label=self.error):
            button.props('color=grey')


class SlaCard:
    def __init__(self, services: Services, lead: Lead) -> None:
        self.services = services
        self.lead = lead
        with ui.card().classes('w-full gap-2').mark('sla-card'):
            ui.label(_('SLA policies')).classes('text-lg font-bold')
            ui.label(_("Targets in minutes from the conversation's creation; the escalation happens once per target "
                       "when the given share of it has passed.")).classes('text-sm text-grey-7')
            for policy in services.sla.policy_views():
                with ui.column().classes('w-full gap-0').mark(f'sla-{policy.priority}') as box:
                    ui.label(priority_text(policy.priority).capitalize()).classes('font-bold')
                    error = error_line(f'sla-error-{policy.priority}')
                    with ui.row().classes('w-full items-center no-wrap gap-2'):
                        first = ui.number(_('First response'), value=policy.first_response_minutes, min=1,
                                          format='%d') \
                            .props('dense').classes('w-24 shrink-0').mark(f'sla-first-{policy.priority}')
                        resolution = ui.number(_('Resolution'), value=policy.resolution_minutes, min=1, format='%d') \
                            .props('dense').classes('w-20 shrink-0').mark(f'sla-resolution-{policy.priority}')
                        percent = ui.number(_('At %'), value=policy.escalate_at_percent, min=10, max=99, format='%d') \
                            .props('dense').classes('w-12 shrink-0').mark(f'sla-percent-{policy.priority}')
                        escalation = ui.select(translated(ESCALATIONS), value=policy.escalation,
                                               label=_('Escalation')) \
                            .props('dense').classes('grow min-w-0').mark(f'sla-escalation-{policy.priority}')
                        ui.button(icon='save', on_click=lambda p=policy.priority, f=first, r=resolution, a=percent,
                                  e=escalation, x=error: self.save(p, f.value, r.value, a.value, e.value, x)) \
                            .props('flat round dense').tooltip(_('Save')).mark(f'save-sla-{policy.priority}')
                    error.move(box)  # under the inputs

    async def save(self, priority: str, first: float | None, resolution: float | None, percent: float | None,
                   escalation: str, error: ui.label) -> None:
        if (who := self.lead()) is None:
            return
        policy = SlaPolicyView(priority=priority, first_response_minutes=_whole(first),
                               resolution_minutes=_whole(resolution), escalate_at_percent=_whole(percent),
                               escalation=escalation)
        await attempt(self.services.sla.save_policy(who, policy),
                      done=_('{priority} policy saved').format(priority=priority_text(priority).capitalize()),
                      error_label=error)


class RulesCard:
    """The rules, and a form to create or edit one (errors shown under it)."""

    def __init__(self, services: Services, lead: Lead) -> None:
        self.services = services
        self.lead = lead
        self.editing: int | None = None
        with ui.card().classes('w-full gap-2').mark('rules-card'):
            ui.label(_('Automation rules')).classes('text-lg font-bold')
            self.list = ui.column().classes('w-full gap-1')
            ui.separator()
            self.form = RuleForm(services, on_save=self.save, on_cancel=self.cancel)
        self.show()

    def show(self) -> None:
        self.list.clear()
        with self.list:
            rules = self.services.automation.rule_views()
            if not rules:
                ui.label(_('No rules yet.')).classes('text-grey-7')
            for rule in rules:
                with ui.row().classes('w-full items-center no-wrap gap-2').mark(f'rule-{rule.id}'):
                    ui.switch(value=rule.spec.enabled, on_change=lambda e, r=rule.id: self.enable(r, e.value)) \
                        .props('dense').tooltip(_('Enabled')).mark(f'rule-enabled-{rule.id}')
                    with ui.column().classes('gap-0 grow min-w-0'):
                        ui.label(rule.spec.name).classes('font-medium truncate')
                        ui.label(self.describe(rule)).classes('text-sm text-grey-7')
                        if rule.last_error:
                            failure = rule.last_error
                            ui.label(_('Last failure: {last_error}').format(
                                last_error=failure.text() if isinstance(failure, Phrase) else failure)) \
                                .classes('text-sm text-negative')
                    ui.button(icon='edit', on_click=lambda r=rule: self.edit(r)).props('flat round dense') \
                        .tooltip(_('Edit')).mark(f'edit-rule-{rule.id}')
                    ui.button(icon='delete', on_click=lambda r=rule.id: self.delete(r)) \
                        .props('flat round dense color=negative').tooltip(_('Delete')).mark(f'delete-rule-{rule.id}')

    def describe(self, rule: RuleView) -> str:
        spec = rule.spec
        when = _(TRIGGERS[spec.trigger]) if spec.trigger in TRIGGERS else spec.trigger
        if spec.trigger in TIME_TRIGGERS:
            when = f'{delay(spec.delay_minutes)} — {when.lower()}'
        conditions = (' ' + _('and') + ' ').join(
            _('{field} {operator} {values}')
                .format(field=_(FIELD_LABELS[c.field]).lower(), operator=_(OPERATORS[c.operator]),
                                                    values=', '.join(self.form.shown_values(c.field, c.values)))
            for c in spec.conditions)
        action = self.services.automation.actions.get(spec.action)
        what = _(action.label) if action else spec.action
        value = self.form.value_text(spec.action, spec.value)
        head = _('{when} if {conditions}').format(when=when, conditions=conditions) if conditions else when
        return f'{head} → {what}' + (f': {value}' if value else '')

    def edit(self, rule: RuleView) -> None:
        self.editing = rule.id
        self.form.load(rule.spec)

    def cancel(self) -> None:
        self.editing = None
        self.form.load(None)

    async def save(self, spec: RuleSpec) -> None:
        if (who := self.lead()) is None:
            return
        rule_id = self.editing
        if await attempt(self.services.automation.save_rule(who, spec, rule_id=rule_id),
                         done=_('Rule saved') if rule_id else _('Rule created'), error_label=self.form.error):
            self.cancel()
            self.show()

    async def enable(self, rule_id: int, enabled: bool) -> None:
        if (who := self.lead()) is None:
            return
        if rule_id in self.services.automation.rules and \
                self.services.automation.rules[rule_id].spec.enabled == enabled:
            return
        await attempt(self.services.automation.set_enabled(who, rule_id, enabled),
                      done=_('Rule enabled') if enabled else _('Rule disabled'))
        self.show()

    async def delete(self, rule_id: int) -> None:
        if (who := self.lead()) is None:
            return
        if await attempt(self.services.automation.delete_rule(who, rule_id), done=_('Rule deleted')):
            if self.editing == rule_id:
                self.cancel()
            self.show()


class RuleForm:
    def __init__(self, services: Services, *, on_save, on_cancel) -> None:
        self.services = services
        self.on_save = on_save
        self.conditions: list[tuple[ui.select, ui.select, ui.input]] = []
        with ui.column().classes('w-full gap-2').mark('rule-form'):
            self.title = ui.label(_('New rule')).classes('font-bold')
            with ui.row().classes('w-full items-center no-wrap gap-2'):
                self.name = ui.input(_('Name')).props('dense').classes('grow').mark('rule-name')
                self.trigger = ui.select(translated(TRIGGERS), value='conversation_created', label=_('When'),
                                         on_change=self._trigger_changed).props('dense').classes('w-64') \
                    .mark('rule-trigger')
                self.delay = ui.number(_('After (minutes)'), value=1440, min=1, format='%d').props('dense') \
                    .classes('w-32').mark('rule-delay')
            ui.label(_('Conditions (all must hold; values separated by commas)')).classes('text-sm text-grey-7')
            self.condition_rows = ui.column().classes('w-full gap-1').mark('rule-conditions')
            ui.button(_('Add condition'), icon='add', on_click=lambda: self._add_condition()) \
                .props('flat dense no-caps').mark('add-condition')
            with ui.row().classes('w-full items-center no-wrap gap-2'):
                self.action = ui.select({}, label=_('Then'), on_change=self._action_changed).props('dense') \
                    .classes('w-64').mark('rule-action')
                self.values = {
                    'set_department': ui.select({}, label=_('Department')),
                    'set_priority': ui.select({p: priority_text(p) for p in PRIORITIES}, label=_('Priority')),
                    'assign_agent': ui.select({str(a.id): a.name for a in services.directory.floor()},
                                              label=_('Agent')),
                    'add_tag': ui.input(_('Tag')),
                    'send_message': ui.textarea(_('Message ({customer_first_name}, {ticket_number}, '
                                                  '{agent_first_name}, …)')).props('autogrow'),
                }
                for name, element in self.values.items():
                    element.props('dense').classes('grow').mark(f'rule-value-{name}')
            self.show_departments()
            self.enabled = ui.checkbox(_('Enabled'), value=True).mark('rule-form-enabled')
            self.error = error_line('rule-error')
            with ui.row().classes('gap-2'):
                ui.button(_('Save rule'), on_click=self._save).props('no-caps').mark('save-rule')
                ui.button(_('Cancel'), on_click=on_cancel).props('flat no-caps').mark('cancel-rule')
        self.load(None)

    def load(self, spec: RuleSpec | None) -> None:
        """Fill the form with a rule to edit, or empty it for a new one."""
        self.error.set_visibility(False)
        self.title.set_text(_('Edit rule') if spec else _('New rule'))
        self.name.set_value(spec.name if spec else '')
        self.trigger.set_value(spec.trigger if spec else 'conversation_created')
        self._trigger_changed()
        self.delay.set_value(spec.delay_minutes if spec and spec.delay_minutes else 1440)
        self.condition_rows.clear()
        self.conditions = []
        for condition in spec.conditions if spec else ():
            self._add_condition(condition.field, condition.operator,
                                ', '.join(self.shown_values(condition.field, condition.values)))
        if spec is not None and spec.action in self.action.options:
            self.action.set_value(spec.action)
        self._action_changed()
        for name, element in self.values.items():
            empty = None if isinstance(element, ui.select) else ''
            element.set_value(spec.value if spec and spec.action == name and spec.value else empty)
        self.enabled.set_value(spec.enabled if spec else True)

    def show_departments(self) -> None:
        options = {str(id_): name for id_, name in department_options(self.services).items()}
        select = self.values['set_department']
        select.set_options(options, value=select.value if select.value in options else None)

    def shown_values(self, field: str, values: tuple[str, ...]) -> list[str]:
        """Department ids are shown (and typed) as names."""
        if field != 'department':
            return list(values)
        names = {str(d.id): d.name for d in self.services.routing.departments.values()}
        return [names.get(value, value) for value in values]

    def value_text(self, action: str, value: str) -> str:
        element = self.values.get(action)
        if isinstance(element, ui.select):
            return str(element.options.get(value, value)) if isinstance(element.options, dict) else value
        return value if len(value) <= 60 else value[:57] + '…'

    def _add_condition(self, field: str = 'text', operator: str | None = None, values: str = '') -> None:
        with self.condition_rows, ui.row().classes('w-full items-center no-wrap gap-2') as row:
            index = len(self.conditions)
            field_select = ui.select(translated(FIELD_LABELS), value=field).props('dense').classes('w-48') \
                .mark(f'condition-field-{index}')
            operator_select = ui.select({o: _(OPERATORS[o]) for o in FIELDS.get(field, ())},
                                        value=operator or FIELDS.get(field, ('',))[0]).props('dense') \
                .classes('w-40').mark(f'condition-operator-{index}')
            value_input = ui.input(value=values, placeholder=EXAMPLES.get(field, '')).props('dense') \
                .classes('grow').mark(f'condition-values-{index}')
            entry = (field_select, operator_select, value_input)

            def field_changed() -> None:
                operators = FIELDS.get(field_select.value, ())
                operator_select.set_options({o: _(OPERATORS[o]) for o in operators},
                                            value=operators[0] if operators else None)
                value_input.props['placeholder'] = EXAMPLES.get(field_select.value, '')
                value_input.update()

            def remove() -> None:
                self.conditions.remove(entry)
                row.delete()
            field_select.on_value_change(field_changed)
            ui.button(icon='close', on_click=remove).props('flat round dense').tooltip(_('Remove condition')) \
                .mark(f'remove-condition-{index}')
        self.conditions.append(entry)

    def _trigger_changed(self) -> None:
        trigger = self.trigger.value
        self.delay.set_visibility(trigger in TIME_TRIGGERS)
        options = {name: _(action.label) for name, action in self._actions().items() if trigger in action.triggers}
        self.action.set_options(options, value=self.action.value if self.action.value in options else
                                next(iter(options), None))

    def _action_changed(self) -> None:
        for name, element in self.values.items():
            element.set_visibility(name == self.action.value)

    def _actions(self):
        return self.services.automation.actions

    async def _save(self) -> None:
        departments = {d.name.casefold(): str(d.id) for d in self.services.routing.departments.values()}
        raw = []
        for field_select, operator_select, value_input in self.conditions:
            values = [v.strip() for v in (value_input.value or '').split(',') if v.strip()]
            if field_select.value == 'department':
                values = [departments.get(v.casefold(), v) for v in values]
            raw.append({'field': field_select.value, 'operator': operator_select.value, 'value': values})
        try:
            conditions = conditions_from(raw)
        except RuleError as error:
            self.error.set_text(str(error))
            self.error.set_visibility(True)
            return
        element = self.values.get(self.action.value)
        value = element.value if element is not None else ''
        await self.on_save(RuleSpec(name=self.name.value or '', trigger=self.trigger.value,
                                    action=self.action.value or '', value=str(value or ''), conditions=conditions,
                                    delay_minutes=_whole(self.delay.value), enabled=bool(self.enabled.value)))


def department_options(services: Services) -> dict[int, str]:
    return {d.id: d.name for d in sorted(services.routing.departments.values(), key=lambda d: d.name.casefold())}


def _whole(value: float | None) -> int:
    """A whole number from a number input, or -1 (refused by the validation with its message)."""
    return int(value) if value is not None and float(value).is_integer() else -1
