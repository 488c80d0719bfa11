"""Zendesk's event-subscription webhooks (``zen:event-type:ticket.*``), read into facts.

Every ticket event carries the whole ticket in ``detail`` (ids as strings), so each says the ticket exists and who is
assigned; Zendesk does not promise the order of events from one action. Its agents arrive as ids (and a name on
comments): the e-mail that links them to DeskQuest agents is not in these payloads."""
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from services.domain.connectors.facts import Fact, FactKind, HelpdeskAgent, Reading, Status, Unreadable
from services.domain.connectors.reading import field, identifier, mapping, moment, text
from services.domain.events import Channel

PREFIX = 'zen:event-type:'
# what to subscribe the webhook to (Admin Center → Apps and integrations → Webhooks → Create webhook → Zendesk events)
SUBSCRIBED = ('ticket.created', 'ticket.status_changed', 'ticket.comment_added', 'ticket.agent_assignment_changed')
STATUSES = {'new': Status.OPEN, 'open': Status.OPEN, 'pending': Status.PENDING, 'hold': Status.PENDING,
            'solved': Status.RESOLVED, 'closed': Status.RESOLVED}
CHANNELS = {'email': Channel.EMAIL, 'web': Channel.EMAIL, 'web_form': Channel.EMAIL, 'web_service': Channel.EMAIL,
            'api': Channel.EMAIL, 'voice': Channel.PHONE, 'phone': Channel.PHONE, 'chat': Channel.CHAT,
            'native_messaging': Channel.CHAT, 'messaging': Channel.CHAT, 'mobile_sdk': Channel.CHAT,
            'web_widget': Channel.CHAT, 'sms': Channel.SOCIAL, 'twitter': Channel.SOCIAL, 'facebook': Channel.SOCIAL,
            'instagram_dm': Channel.SOCIAL, 'whatsapp': Channel.SOCIAL, 'line': Channel.SOCIAL,
            'wechat': Channel.SOCIAL}


def read(payload: object) -> Reading:
    """The facts in one decoded delivery.

    :raises Unreadable: when the payload lacks what Zendesk always sends for its event.
    """
    payload = mapping(payload, 'The delivery')
    kind = payload.get('type')
    if not isinstance(kind, str) or not kind.startswith(PREFIX):
        raise Unreadable('The delivery has no Zendesk event "type": is the webhook subscribed to Zendesk events '
                         '(not connected to a trigger)?')
    event = kind.removeprefix(PREFIX)
    if event not in SUBSCRIBED:
        return Reading(event=event, ignored=f'DeskQuest does not use Zendesk\'s "{event[:60]}" events.')
    ticket = mapping(field(payload, 'detail', 'The delivery'), 'The delivery\'s detail')
    change = payload.get('event') if isinstance(payload.get('event'), Mapping) else {}
    at = moment(field(payload, 'time', 'The delivery'), 'The delivery\'s time')
    facts = list(ticket_facts(ticket, at=at))
    if event == 'ticket.comment_added':
        facts.append(comment_fact(mapping(field(change, 'comment', 'The event'), 'The comment'),
                                  ticket=facts[0].ticket, at=at))
    return Reading(event=event, facts=tuple(facts))


def ticket_facts(ticket: Mapping[str, Any], *, at: datetime) -> tuple[Fact, ...]:
    """That the ticket exists, its status and its assignee, as of the event's time."""
    ticket_id = identifier(ticket, 'id', 'The ticket')
    via = ticket.get('via') if isinstance(ticket.get('via'), Mapping) else {}
    status_name = text(ticket, 'status').lower()
    status = STATUSES.get(status_name)
    if status is None:
        raise Unreadable(f'The ticket\'s status is not one Zendesk has: {status_name[:20]!r}.')
    assignee_id = ticket.get('assignee_id')
    assignee = (HelpdeskAgent(external_id=identifier(ticket, 'assignee_id', 'The ticket'),
                              name=f'Zendesk agent {str(assignee_id)[:20]}') if assignee_id else None)
    stamp = at.isoformat()
    return (
        Fact(kind=FactKind.OPENED, ticket=ticket_id, key='opened',
             at=moment(field(ticket, 'created_at', 'The ticket'), 'The ticket\'s created_at'),
             channel=CHANNELS.get(text(via, 'channel').lower(), Channel.EMAIL), subject=text(ticket, 'subject')),
        Fact(kind=FactKind.STATUS, ticket=ticket_id, at=at, key=f'status:{status.value}:{stamp}', status=status),
        Fact(kind=FactKind.ASSIGNED, ticket=ticket_id, at=at, agent=assignee,
             key=f'assignee:{assignee.external_id if assignee else "-"}:{stamp}'),
    )


def comment_fact(comment: Mapping[str, Any], *, ticket: str, at: datetime) -> Fact:
    author = mapping(field(comment, 'author', 'The comment'), 'The comment\'s author')
    key = f'comment:{identifier(comment, "id", "The comment")}'
    length = len(text(comment, 'body'))
    if author.get('is_staff') is not True:
        return Fact(kind=FactKind.CUSTOMER_WROTE, ticket=ticket, at=at, key=key, length=length)
    agent = HelpdeskAgent(external_id=identifier(author, 'id', 'The comment\'s author'),
                          name=text(author, 'name').strip()[:120] or 'Zendesk agent')
    kind = FactKind.REPLIED if comment.get('is_public') is True else FactKind.NOTE
    return Fact(kind=kind, ticket=ticket, at=at, key=key, agent=agent, length=length)
