"""The CRM card: a customer's details, past conversations and purchases, edited in place by agents and leads."""
import re
from dataclasses import dataclass, field, replace
from datetime import datetime

from nicegui import Event

from models import Conversation, Customer, Purchase
from services.domain.errors import ActionError
from services.domain.events import EventKind
from services.domain.i18n import N_, _, ngettext
from services.domain.text import BIDI_CONTROLS, checked_text, empty_refusal
from services.helpdesk.inbox import InboxService
from services.platform.clock import Clock
from services.platform.directory import AgentView
from services.platform.event_log import GameService

EMAIL_PATTERN = re.compile(r'^[^@\s]+@[^@\s]+\.[^@\s.]+$')
PHONE_PATTERN = re.compile(r'^\+?[\d ()./-]{4,40}$')
LANGUAGE_PATTERN = re.compile(r'^[a-z]{2}(-[A-Za-z]{2})?$')
MAX_EMAILS = 5
MAX_CUSTOM_FIELDS = 20
MAX_NOTES = 2_000
LIMITS = {'name': 160, 'email': 200, 'phone': 40, 'social_handle': 80, 'company': 120, 'custom_key': 40,
          'custom_value': 200, 'language': 8}
PAST_CONVERSATIONS = 20  # listed on the card; the count covers them all
EDITABLE = ('name', 'emails', 'phone', 'social_handle', 'language', 'company', 'notes', 'custom_fields')


@dataclass(frozen=True, kw_only=True, slots=True)
class PastConversation:
    id: int
    subject: str
    channel: str
    status: str
    created_at: datetime
    rating: str | None


@dataclass(frozen=True, kw_only=True, slots=True)
class PurchaseView:
    product: str
    amount_cents: int
    currency: str
    purchased_at: datetime

    @property
    def amount(self) -> str:
        return f'{self.amount_cents / 100:,.2f} {self.currency}'


@dataclass(frozen=True, kw_only=True, slots=True)
class CustomerDetails:
    """The editable part of the card: what a person types, checked by :func:`problems_with` before it is saved."""
    name: str
    emails: tuple[str, ...]  # the first is the main address
    phone: str = ''
    social_handle: str = ''
    language: str = 'en'
    company: str = ''
    notes: str = ''
    custom_fields: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class CustomerCard:
    id: int
    details: CustomerDetails
    conversation_count: int
    past_conversations: list[PastConversation] = field(default_factory=list)
    purchases: list[PurchaseView] = field(default_factory=list)


class CrmService:
    def __init__(self, *, clock: Clock, game: GameService, inbox: InboxService) -> None:
        self.clock = clock
        self.game = game
        self.inbox = inbox
        self.changed: Event[CustomerCard] = Event()  # a customer was edited: the new card, read once for every tab

    async def card(self, customer_id: int) -> CustomerCard:
        customer = await Customer.get_or_none(id=customer_id)
        if customer is None:
            raise ActionError(_('Customer {customer_id} does not exist.').format(customer_id=customer_id))
        conversations = Conversation.filter(customer_id=customer_id)
        past = await conversations.order_by('-id').limit(PAST_CONVERSATIONS)
        purchases = await Purchase.filter(customer_id=customer_id).order_by('-purchased_at')
        return CustomerCard(
            id=customer.id, details=_details(customer), conversation_count=await conversations.count(),
            past_conversations=[PastConversation(id=c.id, subject=c.subject, channel=c.channel, status=c.status,
                                                 created_at=c.created_at, rating=c.rating) for c in past],
            purchases=[PurchaseView(product=p.product, amount_cents=p.amount_cents, currency=p.currency,
                                    purchased_at=p.purchased_at) for p in purchases])

    async def customer_of(self, conversation_id: int) -> int | None:
        ids = await Conversation.filter(id=conversation_id).values_list('customer_id', flat=True)
        return ids[0] if ids else None

    async def update(self, actor: AgentView, customer_id: int, details: CustomerDetails) -> list[str]:
        """Save the card's details; return the names of the fields that changed (none: nothing is written)."""
        details = cleaned(details)
        if problems := problems_with(details):
            raise ActionError(' '.join(problems))
        async with self.game.unit_of_work() as work:
            customer = await Customer.get_or_none(id=customer_id)
            if customer is None:
                raise ActionError(_('Customer {customer_id} does not exist.').format(customer_id=customer_id))
            before = _details(customer)
            changed = [name for name in EDITABLE if getattr(before, name) != getattr(details, name)]
            if not changed:
                return []
            customer.name = details.name
            customer.email = details.emails[0] if details.emails else ''
            customer.other_emails = list(details.emails[1:])
            customer.phone, customer.social_handle = details.phone, details.social_handle
            customer.language, customer.company, customer.notes = details.language, details.company, details.notes
            customer.custom_fields = dict(details.custom_fields)
            await customer.save()
            await work.record(EventKind.CUSTOMER_UPDATED, agent_id=actor.id,
                              data={'customer_id': customer_id, 'fields': changed})
        if 'name' in changed:
            self._rename_in_inbox(customer_id, details.name)
        self.changed.emit(await self.card(customer_id))  # after the commit, once for every tab showing the customer
        return changed

    def _rename_in_inbox(self, customer_id: int, name: str) -> None:
        """The open queue shows customers by name: those rows follow the new one."""
        items = self.inbox.open_items
        for conversation_id in [i for i, item in items.items() if item.customer_id == customer_id]:
            items[conversation_id] = replace(items[conversation_id], customer_name=name)
        self.inbox.broadcast.poke()


def cleaned(details: CustomerDetails) -> CustomerDetails:
    """Trim what was typed and drop empty rows (an empty e-mail line, a custom field with neither key nor value); the
    names everyone sees lose their bidirectional controls."""
    return CustomerDetails(
        name=BIDI_CONTROLS.sub('', details.name).strip(),
        emails=tuple(email.strip() for email in details.emails if email.strip()),
        phone=details.phone.strip(), social_handle=details.social_handle.strip(), language=details.language.strip(),
        company=BIDI_CONTROLS.sub('', details.company).strip(), notes=details.notes.strip(),
        custom_fields=tuple((key.strip(), value.strip()) for key, value in details.custom_fields
                            if key.strip() or value.strip()))


def problems_with(details: CustomerDetails) -> list[str]:
    """Everything wrong with (cleaned) details, each as a sentence a person can act on."""
    problems = []
    if not details.name:
        problems.append(empty_refusal(N_('Name')))
    typed = [(label, value, LIMITS[name], False) for name, label, value in (
        ('name', N_('Name'), details.name), ('phone', N_('Phone'), details.phone),
        ('social_handle', N_('Social handle'), details.social_handle), ('company', N_('Company'), details.company))]
    typed += [(N_('Language'), details.language, LIMITS['language'], False),
              (N_('Notes'), details.notes, MAX_NOTES, True)]
    typed += [(N_('E-mail address'), email, LIMITS['email'], False) for email in details.emails]
    for key, value in details.custom_fields:
        typed += [(N_('Custom field name'), key, LIMITS['custom_key'], False),
                  (_('Value of {field}').format(field=key[:40]) if key.isprintable() else _('Custom field value'),
                   value, LIMITS['custom_value'], False)]
    refused = set()  # said once: the checks below do not repeat (or quote) what is refused here
    for label, value, limit, multiline in typed:
        try:
            checked_text(value, label, limit, multiline=multiline)
        except ActionError as error:
            problems.append(str(error))
            refused.add(value)
    if len(details.emails) > MAX_EMAILS:
        problems.append(ngettext('At most {count} e-mail address.', 'At most {count} e-mail addresses.', MAX_EMAILS)
                        .format(count=MAX_EMAILS))
    for email in details.emails:
        if email not in refused and not EMAIL_PATTERN.match(email):
            problems.append(_('"{email}" is not an e-mail address.').format(email=email[:60]))
    if len(set(details.emails)) != len(details.emails):
        problems.append(_('An e-mail address is listed twice.'))
    if details.phone and details.phone not in refused and not PHONE_PATTERN.match(details.phone):
        problems.append(_('"{phone}" is not a phone number (digits, spaces, + ( ) . / -).').format(
            phone=details.phone[:60]))
    if details.language not in refused and not LANGUAGE_PATTERN.match(details.language):
        problems.append(_('"{language}" is not a language code such as en, fr or pt-BR.').format(
            language=details.language[:20]))
    if len(details.custom_fields) > MAX_CUSTOM_FIELDS:
        problems.append(ngettext('At most {count} custom field.', 'At most {count} custom fields.', MAX_CUSTOM_FIELDS)
                        .format(count=MAX_CUSTOM_FIELDS))
    keys = [key for key, _value in details.custom_fields]
    for key, value in details.custom_fields:
        if not key and value not in refused:
            problems.append(_('The custom field with the value "{value}" has no name.').format(value=value[:40]))
    if len(set(keys)) != len(keys):
        problems.append(_('A custom field name is used twice.'))
    return problems


def _details(customer: Customer) -> CustomerDetails:
    return CustomerDetails(
        name=customer.name, emails=tuple(email for email in (customer.email, *customer.other_emails) if email),
        phone=customer.phone, social_handle=customer.social_handle, language=customer.language,
        company=customer.company, notes=customer.notes,
        custom_fields=tuple((str(key), str(value)) for key, value in customer.custom_fields.items()))
