"""A conversation handed to an agent arrives with a notice (issue 15): transferred by a colleague or a lead, or given
by routing, an automation rule or an SLA escalation. An agent taking a conversation themselves is told nothing."""
from services.domain.events import EventKind
from services.domain.i18n import N_, phrase
from services.domain.projection import Outcome
from services.helpdesk.inbox import InboxService
from services.platform.directory import Directory
from services.platform.notices import Notice, Notices

# who gave the conversation, as the ASSIGNED event's data.by names it, each a whole sentence of its own (a translator
# agrees the verb with its subject); a connected helpdesk's or the API's assignments happened elsewhere, where the
# agent was told already
GIVEN_BY = {'routing': N_('Routing gave you {conversation}.'),
            'rule': N_('An automation rule gave you {conversation}.'),
            'sla': N_('An SLA escalation gave you {conversation}.')}


class HandoverNotices:
    def __init__(self, *, inbox: InboxService, directory: Directory, notices: Notices) -> None:
        self.inbox = inbox
        self.directory = directory
        self.notices = notices

    def on_committed(self, outcomes: list[Outcome]) -> None:
        for outcome in outcomes:
            event = outcome.event
            if event.conversation_id is None:
                continue
            if event.kind == EventKind.TRANSFERRED and (receiver := event.data.get('to_agent_id')) is not None:
                sender = self.directory.agent(event.agent_id) if event.agent_id is not None else None
                words = phrase(N_('{name} transferred you {conversation}.'), name=sender.name,
                               conversation=self._describe(event.conversation_id)) if sender else \
                    phrase(N_('A colleague transferred you {conversation}.'),
                           conversation=self._describe(event.conversation_id))
            elif event.kind == EventKind.ASSIGNED and event.agent_id is not None \
                    and (given := GIVEN_BY.get(event.data.get('by', ''))) is not None:
                receiver, words = event.agent_id, phrase(given, conversation=self._describe(event.conversation_id))
            else:
                continue
            self.notices.send(receiver, Notice(words=words))

    def _describe(self, conversation_id: int) -> str:
        """The conversation as the queue shows it: number, channel, customer and subject, when it is still open."""
        item = self.inbox.open_items.get(conversation_id)
        if item is None:
            return f'#{conversation_id}'
        return f'#{conversation_id} ({item.channel.value}, {item.customer_name}: {item.subject})'
