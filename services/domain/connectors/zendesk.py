"""Zendesk's event-subscription webhooks (``zen:event-type:ticket.*``), read into facts.

Every ticket event carries the whole ticket in ``detail`` (ids as strings), so each says the ticket exists and who is
assigned; Zendesk does not promise the order of events from one action. Its agents arrive as ids (and a name on
comments): the e-mail that links them to DeskQuest agents is not in these payloads."""
import hashlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from services.domain.connectors.facts import Fact, FactKind, HelpdeskAgent, Reading, Status, Unreadable
from services.domain.connectors.reading import field, identifier, mapping, moment, text
from services.domain.events import Channel, Rating

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


# the body of a *trigger* webhook (Admin Center → Objects and rules → Triggers → action "Notify by > Active webhook"),
# for teams that prefer triggers to event subscriptions: every placeholder is one of Zendesk's, inside a JSON string
TRIGGER_BODY = """{
  "deskquest": "zendesk-trigger",
  "ticket_id": "{{ticket.id}}",
  "title": "{{ticket.title}}",
  "status": "{{ticket.status}}",
  "via": "{{ticket.via}}",
  "created_at": "{{ticket.created_at_with_timestamp}}",
  "updated_at": "{{ticket.updated_at_with_timestamp}}",
  "requester_name": "{{ticket.requester.name}}",
  "assignee_name": "{{ticket.assignee.name}}",
  "assignee_email": "{{ticket.assignee.email}}",
  "rating": "{{satisfaction.current_rating}}",
  "rating_comment": "{{satisfaction.current_comment}}"
}"""
TRIGGER_RATINGS = {'good': Rating.GOOD, 'bad': Rating.BAD}  # 'offered' and 'unoffered' are no rating yet


def read(payload: object) -> Reading:
    """The facts in one decoded delivery: an event subscription's, or DeskQuest's trigger body.

    :raises Unreadable: when the payload lacks what Zendesk always sends for its event.
    """
    payload = mapping(payload, 'The delivery')
    if payload.get('deskquest') == 'zendesk-trigger':
        return read_trigger(payload)
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


def read_trigger(payload: Mapping[str, Any]) -> Reading:
    """DeskQuest's trigger body (:data:`TRIGGER_BODY`): the ticket's state as of its last update; an agent is known by
    e-mail (the placeholders give no agent id), a satisfaction rating once the customer gave one."""
    ticket = text(payload, 'ticket_id').strip()
    if not ticket.isdigit():
        raise Unreadable(f'"ticket_id" is not a Zendesk ticket number: {ticket[:40]!r}.')
    at = moment(payload.get('updated_at'), 'The ticket\'s updated_at')
    status = STATUSES.get(text(payload, 'status').strip().lower())
    if status is None:
        raise Unreadable(f'The ticket\'s status is not one Zendesk has: {text(payload, "status")[:20]!r}.')
    email = text(payload, 'assignee_email').strip().lower()
    assignee = HelpdeskAgent(external_id=email[:64], email=email,
                             name=text(payload, 'assignee_name').strip()[:120] or email.partition('@')[0]) \
        if '@' in email else None
    stamp = at.isoformat()
    facts = [Fact(kind=FactKind.OPENED, ticket=ticket, key='opened',
                  at=moment(payload.get('created_at'), 'The ticket\'s created_at'),
                  channel=CHANNELS.get(text(payload, 'via').strip().lower().replace(' ', '_'), Channel.EMAIL),
                  subject=text(payload, 'title').strip(), customer=text(payload, 'requester_name').strip()),
             Fact(kind=FactKind.STATUS, ticket=ticket, at=at, key=f'status:{status.value}:{stamp}', status=status),
             Fact(kind=FactKind.ASSIGNED, ticket=ticket, at=at, agent=assignee,
                  key=f'assignee:{assignee.external_id if assignee else "-"}:{stamp}')]
    rating = TRIGGER_RATINGS.get(text(payload, 'rating').strip().lower().split(' ')[0].strip(',.'))
    if rating is not None:
        comment = text(payload, 'rating_comment').strip()
        answered = hashlib.sha256(f'{rating.value}|{comment}'.encode()).hexdigest()[:16]
        facts.append(Fact(kind=FactKind.RATED, ticket=ticket, at=at, key=f'csat:{answered}', agent=assignee,
                          rating=rating, comment=comment))
    return Reading(event='trigger', facts=tuple(facts))
