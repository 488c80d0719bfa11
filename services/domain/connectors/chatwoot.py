"""Chatwoot's account webhooks, read into facts.

Chatwoot sends each delivery from an independent job, so they arrive in any order and one action often sends several:
every delivery that carries a conversation also says the conversation exists (``OPENED``), and status and assignee are
read as states. Shapes: ``Message#webhook_data`` and ``Conversations::EventDataPresenter#push_data`` (Chatwoot 4.x)."""
import hashlib
from collections.abc import Mapping
from typing import Any

from services.domain.connectors.facts import Fact, FactKind, HelpdeskAgent, Reading, Status, Unreadable
from services.domain.connectors.reading import field, identifier, mapping, moment, text
from services.domain.events import Channel, Rating

CONVERSATION_EVENTS = ('conversation_created', 'conversation_status_changed', 'conversation_updated')
MESSAGE_EVENTS = ('message_created', 'message_updated')
# what to tick in Chatwoot's webhook form (Settings → Integrations → Webhooks)
SUBSCRIBED = CONVERSATION_EVENTS + MESSAGE_EVENTS

CHANNELS = {
    'Channel::WebWidget': Channel.CHAT, 'Channel::Api': Channel.CHAT, 'Channel::Email': Channel.EMAIL,
    'Channel::Voice': Channel.PHONE, 'Channel::FacebookPage': Channel.SOCIAL, 'Channel::TwitterProfile': Channel.SOCIAL,
    'Channel::Instagram': Channel.SOCIAL, 'Channel::Whatsapp': Channel.SOCIAL, 'Channel::Telegram': Channel.SOCIAL,
    'Channel::Line': Channel.SOCIAL, 'Channel::Sms': Channel.SOCIAL, 'Channel::TwilioSms': Channel.SOCIAL,
}
STATUSES = {'open': Status.OPEN, 'pending': Status.PENDING, 'snoozed': Status.PENDING, 'resolved': Status.RESOLVED}


def read(payload: object) -> Reading:
    """The facts in one decoded delivery.

    :raises Unreadable: when the payload lacks what Chatwoot always sends for its event.
    """
    payload = mapping(payload, 'The delivery')
    event = payload.get('event')
    if not isinstance(event, str) or not event:
        raise Unreadable('The delivery has no "event": is this URL pasted into a Chatwoot webhook?')
    if event in CONVERSATION_EVENTS:
        return Reading(event=event, facts=conversation_facts(payload, states=True))
    if event == 'message_created':
        return message_created(payload)
    if event == 'message_updated':
        return message_updated(payload)
    return Reading(event=event, ignored=f'DeskQuest does not use Chatwoot\'s "{event[:60]}" events.')


def message_created(message: Mapping[str, Any]) -> Reading:
    conversation = mapping(field(message, 'conversation', 'The message'), 'The message\'s conversation')
    facts = list(conversation_facts(conversation, states=False))
    ticket = identifier(conversation, 'id', 'The message\'s conversation')
    key = f'message:{identifier(message, "id", "The message")}'
    at = moment(field(message, 'created_at', 'The message'), 'The message\'s created_at')
    length = len(text(message, 'content'))
    kind = message.get('message_type')
    sender = message.get('sender') if isinstance(message.get('sender'), Mapping) else {}
    if kind in ('incoming', 0):
        facts.append(Fact(kind=FactKind.CUSTOMER_WROTE, ticket=ticket, at=at, key=key, length=length))
    elif kind in ('outgoing', 1):
        if sender.get('type') != 'user':  # an agent bot or an automation: nobody to reward
            return Reading(event='message_created', facts=tuple(facts),
                           ignored='An outgoing message not sent by an agent (a bot or an automation).')
        kind_of_fact = FactKind.NOTE if message.get('private') is True else FactKind.REPLIED
        facts.append(Fact(kind=kind_of_fact, ticket=ticket, at=at, key=key, agent=agent(sender), length=length))
    else:  # template (a survey, a greeting) or activity
        return Reading(event='message_created', facts=tuple(facts),
                       ignored=f'A {str(kind)[:20]} message: neither the customer nor an agent wrote it.')
    return Reading(event='message_created', facts=tuple(facts))


def message_updated(message: Mapping[str, Any]) -> Reading:
    """A customer's CSAT answer arrives as an update of the survey message; a second answer replaces the first."""
    conversation = mapping(field(message, 'conversation', 'The message'), 'The message\'s conversation')
    facts = list(conversation_facts(conversation, states=False))
    attributes = message.get('content_attributes') if isinstance(message.get('content_attributes'), Mapping) else {}
    submitted = attributes.get('submitted_values') if isinstance(attributes.get('submitted_values'), Mapping) else {}
    answer = submitted.get('csat_survey_response')
    if message.get('content_type') != 'input_csat' or not isinstance(answer, Mapping):
        return Reading(event='message_updated', facts=tuple(facts), ignored='An edited message, not a CSAT answer.')
    score = answer.get('rating')
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise Unreadable(f'The CSAT rating is not a number from 1 to 5: {str(score)[:20]!r}.')
    comment = answer.get('feedback_message') if isinstance(answer.get('feedback_message'), str) else ''
    message_id = identifier(message, 'id', 'The message')
    answered = hashlib.sha256(f'{score}|{comment}'.encode()).hexdigest()[:16]  # the same answer sent twice: one key
    meta = conversation.get('meta') if isinstance(conversation.get('meta'), Mapping) else {}
    times = [moment(field(message, 'created_at', 'The message'), 'The message\'s created_at')]
    for name in ('updated_at', 'last_activity_at'):  # the survey's own time is when it was sent, not answered
        if isinstance(conversation.get(name), (int, float)):
            times.append(moment(conversation[name], f'The conversation\'s {name}'))
    facts.append(Fact(kind=FactKind.RATED, ticket=identifier(conversation, 'id', 'The message\'s conversation'),
                      at=max(times), key=f'csat:{message_id}:{answered}', agent=assignee(meta), score=score,
                      rating=rating(score), comment=comment.strip()))
    return Reading(event='message_updated', facts=tuple(facts))


def conversation_facts(conversation: Mapping[str, Any], *, states: bool) -> tuple[Fact, ...]:
    """That the conversation exists; with ``states`` (a conversation event), also its status and assignee now."""
    ticket = identifier(conversation, 'id', 'The conversation')
    created = moment(field(conversation, 'created_at', 'The conversation'), 'The conversation\'s created_at')
    meta = conversation.get('meta') if isinstance(conversation.get('meta'), Mapping) else {}
    customer = meta.get('sender') if isinstance(meta.get('sender'), Mapping) else {}
    extra = conversation.get('additional_attributes')
    subject = text(extra, 'mail_subject') if isinstance(extra, Mapping) else ''
    facts = [Fact(kind=FactKind.OPENED, ticket=ticket, at=created, key='opened',
                  channel=CHANNELS.get(text(conversation, 'channel'), Channel.CHAT), subject=subject,
                  customer=text(customer, 'name'))]
    if states:
        changed = conversation.get('updated_at', conversation.get('timestamp', conversation['created_at']))
        at = moment(changed, 'The conversation\'s updated_at')
        status = STATUSES.get(text(conversation, 'status'))
        if status is None:
            raise Unreadable(f'The conversation\'s status is not one Chatwoot has: {text(conversation, "status")!r}.')
        facts.append(Fact(kind=FactKind.STATUS, ticket=ticket, at=at, key=f'status:{status.value}:{changed}',
                          status=status))
        assigned = assignee(meta)
        facts.append(Fact(kind=FactKind.ASSIGNED, ticket=ticket, at=at,
                          key=f'assignee:{assigned.external_id if assigned else "-"}:{changed}', agent=assigned))
    return tuple(facts)


def assignee(meta: Mapping[str, Any]) -> HelpdeskAgent | None:
    """The conversation's assigned agent (id and name only: Chatwoot leaves the e-mail out); a bot counts as nobody."""
    who = meta.get('assignee')
    if not isinstance(who, Mapping) or meta.get('assignee_type', 'User') != 'User' or who.get('type', 'user') != 'user':
        return None
    return agent(who)


def agent(who: Mapping[str, Any]) -> HelpdeskAgent:
    email = text(who, 'email').strip().lower()
    return HelpdeskAgent(external_id=identifier(who, 'id', 'The agent'),
                         name=(text(who, 'available_name') or text(who, 'name')).strip()[:120] or 'Chatwoot agent',
                         email=email if '@' in email else None)


def rating(score: int) -> Rating:
    """Chatwoot's five faces as DeskQuest's three ratings."""
    return Rating.GOOD if score >= 4 else Rating.NEUTRAL if score == 3 else Rating.BAD
