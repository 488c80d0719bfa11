"""The thread of a conversation: its tags, the customer's other conversations, and the customer's hybrid thread (every
conversation's entries, the earlier ones dimmed and one click away)."""
from collections.abc import Awaitable, Callable

from nicegui import ui

from services.container import Services
from services.domain.i18n import _, ngettext
from services.domain.inbox import ConversationDetail, PastConversation, ThreadEntry
from services.domain.wording import moment_text
from services.platform.directory import AgentView
from ui.actions import attempt
from ui.format import CHANNEL_ICONS, status_text

EARLIER_SHOWN = 8


class Thread:
    """Tags, the other conversations and the entries of the shown conversation, updated in place as it changes."""

    def __init__(self, services: Services, actor: Callable[[], AgentView | None], *,
                 shown: Callable[[], ConversationDetail | None],
                 open_conversation: Callable[[int], Awaitable[None]]) -> None:
        self.services = services
        self.actor = actor
        self.shown = shown  # the conversation shown now (None once its tab closed), the one a tag goes to
        self.open_conversation = open_conversation
        self.keys: list[str] = []  # the thread entries shown, to append new ones instead of redrawing
        # what the tag chips and the other conversations show, to skip redrawing them when a message comes in
        self._tags_drawn: tuple[int, tuple[str, ...], bool] | None = None
        self._earlier_drawn: tuple[int, list[PastConversation]] | None = None
        with ui.row().classes('w-full items-center gap-1 shrink-0'):
            self.tag_chips = ui.row().classes('gap-1 items-center').mark('tags')
            self.tag_input = ui.input(placeholder=_('+ tag')).props('dense borderless').classes('w-28') \
                .mark('tag-input')
            self.tag_input.on('keydown.enter', self._add_tag)
        self.earlier = ui.row().classes('w-full items-center gap-1 text-xs shrink-0').mark('earlier')
        self.entries = ui.column().classes('w-full gap-1 grow min-h-0 overflow-y-auto p-2 rounded bg-grey-1 '
                                           'flex-nowrap').mark('thread')

    def show(self, detail: ConversationDetail, *, may_work: bool) -> None:
        """Show the conversation (another one, or a change to the one shown); ``may_work``: the agent may tag it."""
        self._show_tags(detail.item.id, detail.tags, removable=may_work)
        self._show_earlier(detail)
        self._show_entries(detail)
        self.tag_input.set_visibility(may_work)

    def restart(self) -> None:
        """Another conversation is about to be shown: its entries are drawn afresh."""
        self.keys = []

    def _show_tags(self, conversation_id: int, tags: tuple[str, ...], *, removable: bool) -> None:
        if self._tags_drawn == (conversation_id, tags, removable):
            return  # most changes to a conversation are new messages: the chips stay as they are
        self._tags_drawn = (conversation_id, tags, removable)
        self.tag_chips.clear()
        with self.tag_chips:
            for tag in tags:
                ui.chip(tag, icon='sell', color='blue-grey-1', removable=removable,
                        on_value_change=lambda e, t=tag: self._remove_tag(t) if not e.value else None) \
                    .props('dense').mark(f'tag-{tag}')

    def _show_earlier(self, detail: ConversationDetail) -> None:
        """The customer's other conversations, one click away (each opens in a tab)."""
        others_ = [c for c in detail.conversations if c.id != detail.item.id]
        if self._earlier_drawn == (detail.item.id, others_):
            return
        self._earlier_drawn = (detail.item.id, others_)
        self.earlier.clear()
        self.earlier.set_visibility(bool(others_))
        with self.earlier:
            ui.label(_('Other conversations:')).classes('text-grey-7')
            for conversation in others_[:EARLIER_SHOWN]:
                ui.button(f'#{conversation.id} {status_text(conversation.status)}',
                          icon=CHANNEL_ICONS[conversation.channel],
                          on_click=lambda c=conversation.id: self.open_conversation(c)) \
                    .props('flat dense no-caps size=sm').tooltip(conversation.subject) \
                    .mark(f'earlier-{conversation.id}')
            if len(others_) > EARLIER_SHOWN:
                more = len(others_) - EARLIER_SHOWN
                ui.label(ngettext('and {count} more', 'and {count} more', more).format(count=more)) \
                    .classes('text-grey-6')

    def _show_entries(self, detail: ConversationDetail) -> None:
        """The customer's hybrid thread. Entries never change, so new ones are appended; anything else redraws."""
        keys = [entry.key for entry in detail.history]
        if keys[:len(self.keys)] != self.keys or not self.keys:
            self.entries.clear()
            self.keys = []
        with self.entries:
            for entry in detail.history[len(self.keys):]:
                self._draw_entry(entry, current=entry.conversation_id == detail.item.id)
        self.keys = keys
        ui.run_javascript(f'const t = document.getElementById("c{self.entries.id}"); '
                          'if (t) t.scrollTop = t.scrollHeight')  # the latest entry in view

    def _draw_entry(self, entry: ThreadEntry, *, current: bool) -> None:
        stamp = moment_text(entry.created_at, style='short')
        if entry.kind == 'transfer':
            with ui.row().classes('w-full justify-center items-center gap-1 text-xs text-amber-10 italic'):
                ui.icon('swap_horiz', size='xs')
                ui.label(f'{entry.author_name} · #{entry.conversation_id} · {stamp} · {entry.body}')
            return
        note = entry.kind == 'note'
        sent = entry.kind == 'agent' or note
        name = _('{name} · internal note').format(name=entry.author_name) if note else entry.author_name
        message = ui.chat_message(entry.body, name=name, sent=sent) \
            .props(f'bg-color={"amber-2" if note else "indigo-1" if sent else "white"}').classes('w-full')
        if note:
            message.mark('note')
        if not current:
            message.classes('opacity-70')
        with message.add_slot('stamp'):
            ui.icon(CHANNEL_ICONS[entry.channel], size='xs').classes('mr-1')
            link = ui.label(f'#{entry.conversation_id} · {stamp}').classes('inline')
            if not current:  # an earlier conversation, one click away
                link.classes('underline cursor-pointer') \
                    .on('click', lambda c=entry.conversation_id: self.open_conversation(c))

    async def _add_tag(self) -> None:
        text = self.tag_input.value or ''
        actor, detail = self.actor(), self.shown()
        if actor is not None and detail is not None and \
                await attempt(self.services.inbox.tag(actor, detail.item.id, text)):
            self.tag_input.set_value('')

    async def _remove_tag(self, tag: str) -> None:
        actor, detail = self.actor(), self.shown()
        if actor is not None and detail is not None:
            await attempt(self.services.inbox.untag(actor, detail.item.id, tag))
