"""The CRM card beside the conversation: the customer's details, edited in place, their past conversations and
purchases. A save by anyone shows on every tab that has the same customer open."""
from collections.abc import Awaitable, Callable
from dataclasses import replace

from nicegui import ui

from services.container import Services
from services.domain.i18n import N_, _, ngettext
from services.domain.wording import day
from services.helpdesk.crm import CustomerCard, CustomerDetails, cleaned
from services.platform.directory import AgentView
from ui.actions import attempt_result
from ui.format import status_text

FIELDS = ('phone', 'social_handle', 'language', 'company')
LABELS = {'name': N_('Name'), 'emails': N_('E-mails'), 'phone': N_('Phone'), 'social_handle': N_('Social handle'),
          'language': N_('Language'), 'company': N_('Company'), 'notes': N_('Notes'),
          'custom_fields': N_('Custom fields')}  # shown through _()


class CrmCard:
    """Built when the first conversation is opened (most tabs never open one), then updated in place."""

    def __init__(self, services: Services, agent: AgentView, actor: Callable[[], AgentView | None], *,
                 open_conversation: Callable[[int], Awaitable[None]] | None = None) -> None:
        self.services = services
        self.agent = agent
        self.actor = actor
        self.open_conversation = open_conversation
        self.shown: CustomerCard | None = None
        self.inputs: dict[str, ui.input] = {}
        self.custom_rows: list[tuple[ui.input, ui.input]] = []
        self.container = ui.card().classes('w-64 2xl:w-72 shrink-0 h-full overflow-y-auto gap-1 flex-nowrap p-3') \
            .mark('crm-card')
        self.container.set_visibility(False)
        self.body: ui.column | None = None

    async def show(self, customer_id: int | None) -> None:
        """Show the customer (None: hide the card)."""
        if customer_id is None:
            self.container.set_visibility(False)
            return
        if (card := await attempt_result(self.services.crm.card(customer_id))) is None:
            return
        if self.body is None:
            self._build()
        self._fill(card)
        self.container.set_visibility(True)

    def _build(self) -> None:
        with self.container, ui.column().classes('w-full gap-1') as self.body:
            with ui.row().classes('w-full items-center no-wrap gap-1'):
                ui.icon('contact_page', color='primary')
                ui.label(_('Customer')).classes('text-base font-bold grow')
                self.count = ui.badge().props('color=blue-grey-6').mark('crm-conversation-count')
            self.stale = ui.row().classes('w-full items-center no-wrap gap-1 bg-amber-2 rounded px-2')
            with self.stale:
                ui.label(_('Someone else changed this customer.')).classes('text-xs grow')
                ui.button(_('Show'), on_click=self._reload).props('flat dense no-caps size=sm')
            self.stale.set_visibility(False)
            self.inputs['name'] = _field(_(LABELS['name'])).mark('crm-name')
            self.emails = ui.input_chips(_(LABELS['emails']), new_value_mode='add-unique').props('dense borderless') \
                .classes('w-full').mark('crm-emails')
            for name in FIELDS:
                self.inputs[name] = _field(_(LABELS[name])).mark(f'crm-{name.replace("_", "-")}')
            self.notes = ui.textarea(_(LABELS['notes'])).props('dense borderless autogrow').classes('w-full') \
                .mark('crm-notes')
            ui.label(_(LABELS['custom_fields'])).classes('text-xs text-grey-7 mt-1')
            self.custom = ui.column().classes('w-full gap-0')
            ui.button(_('Add field'), icon='add', on_click=lambda: self._add_custom_row('', '')) \
                .props('flat dense no-caps size=sm').mark('crm-add-field')
            with ui.row().classes('w-full justify-end gap-1'):
                ui.button(_('Undo'), on_click=self._undo).props('flat dense no-caps').mark('crm-undo')
                ui.button(_('Save'), icon='save', on_click=self._save).props('dense no-caps').mark('crm-save')
            ui.separator()
            self.past_title = ui.label().classes('text-sm font-bold')
            self.past = ui.column().classes('w-full gap-0').mark('crm-past')
            ui.separator()
            ui.label(_('Purchases')).classes('text-sm font-bold')
            self.purchases = ui.column().classes('w-full gap-0').mark('crm-purchases')
        self.services.crm.changed.subscribe(self._on_changed)  # unsubscribed when the tab closes
        self.services.inbox.conversation_changed.subscribe(self._on_conversation_changed)

    def _fill(self, card: CustomerCard) -> None:
        self.shown = card
        details = card.details
        self.stale.set_visibility(False)
        self.inputs['name'].set_value(details.name)
        self.emails.set_value(list(details.emails))
        for name in FIELDS:
            self.inputs[name].set_value(getattr(details, name))
        self.notes.set_value(details.notes)
        self.custom.clear()
        self.custom_rows = []
        for key, value in details.custom_fields:
            self._add_custom_row(key, value)
        self._show_conversations(card)
        self.purchases.clear()
        with self.purchases:
            if not card.purchases:
                ui.label(_('No purchases')).classes('text-xs text-grey-6')
            for purchase in card.purchases:
                with ui.row().classes('w-full no-wrap text-xs gap-2'):
                    ui.label(purchase.product).classes('grow truncate')
                    ui.label(purchase.amount).classes('text-grey-8')
                    ui.label(day(purchase.purchased_at)).classes('text-grey-6')

    def _show_conversations(self, card: CustomerCard) -> None:
        count = card.conversation_count
        self.count.set_text(ngettext('{count} conversation', '{count} conversations', count).format(count=count))
        self.past_title.set_text(_('Conversations ({count})').format(count=count))
        self.past.clear()
        with self.past:
            for past in card.past_conversations:
                text = f'#{past.id} {past.subject} · {past.channel} · {status_text(past.status)}' + \
                    (' · ' + _('rated {rating}').format(rating=past.rating) if past.rating else '')
                link = ui.label(text).classes('text-xs truncate w-full').mark(f'crm-past-{past.id}')
                if self.open_conversation is not None:
                    link.classes('cursor-pointer text-primary hover:underline') \
                        .on('click', lambda _=None, conversation_id=past.id: self.open_conversation(conversation_id))

    def _add_custom_row(self, key: str, value: str) -> None:
        with self.custom, ui.row().classes('w-full no-wrap gap-1 items-center') as row:
            key_input = ui.input(value=key, placeholder=_('field')).props('dense borderless').classes('w-28') \
                .mark('crm-custom-key')
            value_input = ui.input(value=value, placeholder=_('value')).props('dense borderless').classes('grow') \
                .mark('crm-custom-value')
            pair = (key_input, value_input)
            ui.button(icon='close', on_click=lambda: (self.custom_rows.remove(pair), row.delete())) \
                .props('flat round dense size=xs')
        self.custom_rows.append(pair)

    def _typed(self) -> CustomerDetails:
        return CustomerDetails(
            name=self.inputs['name'].value or '', emails=tuple(self.emails.value or ()),
            phone=self.inputs['phone'].value or '', social_handle=self.inputs['social_handle'].value or '',
            language=self.inputs['language'].value or '', company=self.inputs['company'].value or '',
            notes=self.notes.value or '',
            custom_fields=tuple((key.value or '', value.value or '') for key, value in self.custom_rows))

    async def _save(self) -> None:
        actor = self.actor()
        if actor is None or self.shown is None:
            return
        if (changed := await attempt_result(self.services.crm.update(actor, self.shown.id, self._typed()),
                                            multi_line=True)) is None:
            return
        if changed:
            ui.notify(_('Saved: {fields}').format(
                fields=', '.join(_(LABELS[name]).lower() for name in changed)), type='positive')
        else:
            ui.notify(_('Nothing changed'))

    def _undo(self) -> None:
        if self.shown is not None:
            self._fill(self.shown)

    async def _reload(self) -> None:
        if self.shown is not None:
            await self.show(self.shown.id)

    def _on_conversation_changed(self, conversation_id: int) -> Awaitable[None] | None:
        """One of the shown customer's conversations changed (or a new one arrived): its line follows. Checked
        synchronously: only a card showing that customer gets a coroutine (a task), not every tab's card."""
        if self.shown is None:
            return None
        item = self.services.inbox.open_items.get(conversation_id)
        if any(past.id == conversation_id for past in self.shown.past_conversations) or \
                (item is not None and item.customer_id == self.shown.id):
            return self._reload_conversations(self.shown.id)
        return None

    async def _reload_conversations(self, customer_id: int) -> None:
        card = await self.services.crm.card(customer_id)
        if self.shown is not None and self.shown.id == customer_id:
            self.shown = replace(self.shown, conversation_count=card.conversation_count,
                                 past_conversations=card.past_conversations)
            self._show_conversations(self.shown)

    def _on_changed(self, card: CustomerCard) -> None:
        """Someone saved a customer: follow it unless this tab holds edits of its own that would be lost."""
        if self.shown is None or card.id != self.shown.id:
            return
        typed = cleaned(self._typed())
        if typed in (self.shown.details, card.details):
            self._fill(card)
        else:
            self.stale.set_visibility(True)


def _field(label: str) -> ui.input:
    return ui.input(label).props('dense borderless').classes('w-full')
