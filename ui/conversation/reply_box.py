"""The reply box: free text to the customer or an internal note; ``/shortcut`` suggests canned replies (Tab takes the
first), and Ctrl+Enter sends."""
import re
from collections.abc import Callable

from nicegui import ui

from services.container import Services
from services.domain.canned import CannedReplyView, placeholder_values, render
from services.domain.i18n import N_, _
from services.domain.inbox import ConversationDetail
from services.platform.directory import AgentView
from ui.actions import attempt
from ui.canned_page import CannedPicker
from ui.conversation.tabs import Draft

TYPING_SHORTCUT = re.compile(r'^/[\w-]*$')
REPLY_PLACEHOLDER = N_('Write a reply, or type / and a shortcut for a canned reply')  # shown through _()
NOTE_PLACEHOLDER = N_('Internal note: only agents see it, never the customer')


class ReplyBox:
    """What the agent writes in the shown conversation, with the conversation's own buttons beside Send."""

    def __init__(self, services: Services, agent: AgentView, actor: Callable[[], AgentView | None], *,
                 shown: Callable[[], ConversationDetail | None], buttons: Callable[[], None],
                 on_typing: Callable[[], None]) -> None:
        """``buttons`` builds the conversation's buttons (take, resolve, ...) in the row before Send; ``on_typing`` is
        called when the agent types (not when the code fills the box)."""
        self.services = services
        self.agent = agent
        self.actor = actor
        self.shown = shown  # the conversation shown now (None once its tab closed), the one a reply goes to
        self.on_typing = on_typing
        self.canned: list[CannedReplyView] = []  # the agent's, loaded each time a conversation is opened
        self.picked_canned: dict[int, int] = {}  # conversation -> the canned reply put in its box, counted when sent
        self._quiet = False  # the reply box is being set by the code, not typed in
        self.suggestions = ui.row().classes('w-full gap-1 shrink-0').mark('suggestions')
        self.mode = ui.toggle({False: _('Reply to customer'), True: _('Internal note')}, value=False,
                              on_change=self._show_mode).props('no-caps size=sm').classes('shrink-0') \
            .mark('reply-mode')
        self.reply = ui.textarea(placeholder=_(REPLY_PLACEHOLDER), on_change=self._typed) \
            .props('outlined autogrow').classes('w-full shrink-0').mark('reply')
        self.reply.on('keydown.ctrl.enter', self.send)
        self.reply.on('keydown.tab.prevent', self._pick_first)
        with ui.row().classes('w-full justify-end gap-2 shrink-0'):
            CannedPicker(services, agent, on_pick=self._apply,
                         language=lambda: detail.customer_language if (detail := self.shown()) else None)
            buttons()
            self.send_button = ui.button(_('Send'), icon='send', on_click=self.send).props('no-caps').mark('send')

    @property
    def text(self) -> str:
        return self.reply.value or ''

    def draft(self) -> Draft:
        """What is written, to keep while another conversation is shown."""
        return Draft(text=self.text, note=bool(self.mode.value))

    def restore(self, draft: Draft) -> None:
        """Show what was written in the conversation shown now (empty for one opened afresh)."""
        self.mode.set_value(draft.note)
        self._set_reply(draft.text)

    def clear(self) -> None:
        self._set_reply('')

    def forget(self, conversation_id: int) -> None:
        """The conversation's tab closed: a canned reply picked for it is not counted."""
        self.picked_canned.pop(conversation_id, None)

    def show(self, *, may_write: bool, closed: bool) -> None:
        """Fit the box to the conversation shown: whether the agent may write in it, whether it is closed."""
        self.send_button.set_visibility(may_write)  # notes can be added after the conversation, too
        self.reply.set_visibility(may_write)
        self.mode.set_visibility(may_write)
        if closed and not self.mode.value:
            self.mode.set_value(True)  # a closed conversation takes notes, not replies
        self.suggestions.clear()

    async def send(self) -> None:
        """Send the reply, or add the note."""
        actor, detail = self.actor(), self.shown()
        if actor is None or detail is None:
            return
        note = bool(self.mode.value)
        if note:
            sent = self.services.inbox.add_note(actor, detail.item.id, self.text)
        else:
            sent = self.services.inbox.reply(actor, detail.item.id, self.text,
                                             canned_id=self.picked_canned.get(detail.item.id))
        if not await attempt(sent):
            return
        self._set_reply('')
        self.picked_canned.pop(detail.item.id, None)
        ui.notify(_('Note added (only agents see it)') if note else _('Reply sent'), type='positive')

    def _typed(self) -> None:
        if not self._quiet and self.text.strip():
            self.on_typing()
        self._suggest()

    def _set_reply(self, text: str) -> None:
        self._quiet = True
        try:
            self.reply.set_value(text)
        finally:
            self._quiet = False

    def _show_mode(self) -> None:
        note = bool(self.mode.value)
        self.reply.props(f'placeholder="{_(NOTE_PLACEHOLDER if note else REPLY_PLACEHOLDER)}"')
        if note:
            self.reply.props('bg-color=amber-1')
        else:
            self.reply.props(remove='bg-color')
        self.send_button.set_text(_('Add note') if note else _('Send'))
        self.send_button.props('icon=sticky_note_2' if note else 'icon=send')
        self.suggestions.clear()

    def _suggest(self) -> None:
        self.suggestions.clear()
        text = self.text.strip()
        if self.mode.value or not TYPING_SHORTCUT.match(text):
            return
        matches = [c for c in self.canned if c.shortcut.startswith(text[1:])]
        with self.suggestions:
            if not matches:
                ui.label(_('No canned reply starts with {text}').format(text=text)).classes('text-sm text-negative')
            for canned in matches[:6]:
                ui.button(f'/{canned.shortcut} · {canned.title}', on_click=lambda c=canned: self._apply(c)) \
                    .props('outline dense no-caps size=sm').mark(f'canned-{canned.shortcut}')

    def _pick_first(self) -> None:
        text = self.text.strip()
        matches = [c for c in self.canned if TYPING_SHORTCUT.match(text) and c.shortcut.startswith(text[1:])]
        if matches and not self.mode.value:
            self._apply(matches[0])

    def _apply(self, canned: CannedReplyView) -> None:
        """Put the canned reply, placeholders filled, into the box; it stays editable before sending."""
        detail = self.shown()
        if detail is None:
            return
        values = placeholder_values(customer_name=detail.item.customer_name, ticket_id=detail.item.id,
                                    agent_name=self.agent.name, company=detail.customer_company,
                                    agent_team=self.agent.team_name)
        self.reply.set_value(render(canned.body, values))
        self.picked_canned[detail.item.id] = canned.id
        self.suggestions.clear()
