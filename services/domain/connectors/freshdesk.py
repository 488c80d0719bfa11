"""Freshdesk's automation-rule webhooks ("Trigger webhook"), read into facts.

Freshdesk has no fixed payload: the admin writes the body with placeholders, so DeskQuest gives the exact body to paste
(:data:`BODY`) and reads only that. Its traps: ``{{triggered_event}}`` renders a string that is not JSON, like
``{status:{from:4,to:6}}`` or ``{ticket_action:created}``, so it is pasted inside a JSON string and parsed here; the
placeholders carry no time and no delivery id, so a delivery is timed by its arrival; agents have no id among the
placeholders, so an agent is known by their e-mail (which also links them to a DeskQuest agent)."""
import hashlib
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from services.domain.connectors.facts import Fact, FactKind, HelpdeskAgent, Reading, Status, Unreadable
from services.domain.connectors.reading import mapping, text
from services.domain.events import Channel

# the body to paste into the rule's "Trigger webhook" action (Encoding JSON, Content Advanced); every placeholder is
# one of Freshdesk's ticket placeholders, each inside a JSON string
BODY = '''{
  "deskquest": "freshdesk",
  "ticket_id": "{{ticket.id}}",
  "subject": "{{ticket.subject}}",
  "status": "{{ticket.status}}",
  "source": "{{ticket.source}}",
  "requester_name": "{{ticket.requester.name}}",
  "agent_name": "{{ticket.agent.name}}",
  "agent_email": "{{ticket.agent.email}}",
  "triggered_event": "{{triggered_event}}"
}'''
# the rules' events to tick: a ticket-creation rule, and a ticket-update rule on these events
SUBSCRIBED = ('Ticket is created', 'Status is changed', 'Agent is updated', 'Reply is sent', 'Note is added')
STATUSES = {'open': Status.OPEN, 'pending': Status.PENDING, 'waiting on customer': Status.PENDING,
            'waiting on third party': Status.PENDING, 'resolved': Status.RESOLVED, 'closed': Status.RESOLVED}
STATUS_CODES = {'2': 'open', '3': 'pending', '4': 'resolved', '5': 'closed'}  # Freshdesk's built-in status numbers
CHANNELS = {'email': Channel.EMAIL, 'portal': Channel.EMAIL, 'feedback widget': Channel.EMAIL,
            'outbound email': Channel.EMAIL, 'phone': Channel.PHONE, 'chat': Channel.CHAT, 'mobihelp': Channel.CHAT,
            'twitter': Channel.SOCIAL, 'facebook': Channel.SOCIAL, 'whatsapp': Channel.SOCIAL}
EVENT = re.compile(r'^\{\s*([a-z_]+)\s*:\s*(?:\{\s*from\s*:\s*([^,{}]*)\s*,\s*to\s*:\s*([^,{}]*)\s*\}|([^{}]*))\s*\}$')


def read(payload: object, *, received: datetime) -> Reading:
    """The facts in one decoded delivery, timed ``received`` (Freshdesk sends no time of its own).

    :raises Unreadable: when the body is not the one DeskQuest gave, or ``triggered_event`` cannot be read.
    """
    payload = mapping(payload, 'The delivery')
    if payload.get('deskquest') != 'freshdesk':
        raise Unreadable('The delivery is not DeskQuest\'s Freshdesk body: paste the JSON shown for this connection '
                         'into the rule\'s "Trigger webhook" action (Encoding JSON, Content Advanced).')
    ticket = text(payload, 'ticket_id').strip()
    if not ticket.isdigit():
        raise Unreadable(f'"ticket_id" is not a Freshdesk ticket number: {ticket[:40]!r}.')
    event, before, after = triggered_event(text(payload, 'triggered_event'))
    agent = ticket_agent(payload)
    stamp = received.isoformat()
    facts = [Fact(kind=FactKind.OPENED, ticket=ticket, at=received, key='opened',
                  channel=CHANNELS.get(text(payload, 'source').strip().lower(), Channel.EMAIL),
                  subject=text(payload, 'subject').strip(), customer=text(payload, 'requester_name').strip())]
    # every delivery carries the ticket's state now: the status and the assignee, as of its arrival
    status = STATUSES.get(text(payload, 'status').strip().lower())
    if event == 'status' and after is not None:  # the event's own 'to' is more precise than the status name
        status = STATUSES.get(STATUS_CODES.get(after, ''), status)
    if status is not None:
        facts.append(Fact(kind=FactKind.STATUS, ticket=ticket, at=received, key=f'status:{status.value}:{stamp}',
                          status=status))
    facts.append(Fact(kind=FactKind.ASSIGNED, ticket=ticket, at=received, agent=agent,
                      key=f'assignee:{agent.external_id if agent else "-"}:{stamp}'))
    once = hashlib.sha256(f'{event}|{before}|{after}|{stamp}'.encode()).hexdigest()[:16]
    if event in ('reply_sent', 'reply') and agent is not None:
        facts.append(Fact(kind=FactKind.REPLIED, ticket=ticket, at=received, key=f'reply:{once}', agent=agent))
    elif event == 'note_type' and agent is not None:
        facts.append(Fact(kind=FactKind.NOTE, ticket=ticket, at=received, key=f'note:{once}', agent=agent))
    elif event not in ('ticket_action', 'status', 'responder_id', 'reply_sent', 'reply', 'note_type'):
        return Reading(event=event, facts=tuple(facts), ignored=f'DeskQuest does not use Freshdesk\'s "{event}" '
                                                                'events beyond the ticket\'s state.')
    return Reading(event=event, facts=tuple(facts))


def triggered_event(value: str) -> tuple[str, str | None, str | None]:
    """``{status:{from:4,to:6}}`` → ('status', '4', '6'); ``{ticket_action:created}`` → ('ticket_action', None,
    'created'). Freshdesk renders it without quotes, so it is not JSON.

    :raises Unreadable: for anything else (the placeholder was left out, or pasted outside a JSON string).
    """
    found = EVENT.match(value.strip())
    if found is None:
        raise Unreadable(f'"triggered_event" is not Freshdesk\'s {{name:value}} form: {value[:60]!r}.')
    name, before, after, single = found.groups()
    if single is not None:
        return name, None, single.strip()
    return name, before.strip(), after.strip()


def ticket_agent(payload: Mapping[str, Any]) -> HelpdeskAgent | None:
    """The ticket's agent, known by e-mail (Freshdesk's placeholders give no agent id); nobody when unassigned."""
    email = text(payload, 'agent_email').strip().lower()
    if '@' not in email:
        return None
    name = text(payload, 'agent_name').strip()[:120] or email.partition('@')[0]
    return HelpdeskAgent(external_id=email[:64], name=name, email=email)
