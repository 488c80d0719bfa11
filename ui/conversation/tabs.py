"""The tab bar: the open conversations as tabs, each keeping the text half-written in it; closing a tab that holds
text asks first."""
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from nicegui import ui

from services.domain.i18n import _

MAX_TABS = 8


@dataclass(frozen=True, kw_only=True, slots=True)
class Draft:
    text: str
    note: bool  # an internal note, not a reply: kept with the text so a note is never sent to the customer


NO_DRAFT = Draft(text='', note=False)


class TabBar:
    """The open conversations, in the order they were opened; a click on a tab opens it, its cross closes it."""

    def __init__(self, *, on_open: Callable[[int], Awaitable[None]],
                 on_close: Callable[[int], Awaitable[None]]) -> None:
        self.on_open = on_open
        self.on_close = on_close
        self.tabs: list[int] = []  # the open conversations, in the order they were opened
        self.labels: dict[int, str] = {}
        self.drafts: dict[int, Draft] = {}  # half-written replies and notes survive switching between tabs
        self.row = ui.row().classes('w-full gap-1 no-wrap overflow-x-auto shrink-0').mark('conversation-tabs')
        with ui.dialog() as self.discard_dialog, ui.card():
            self.discard_text = ui.label()
            with ui.row().classes('w-full justify-end'):
                ui.button(_('Keep it'), on_click=lambda: self.discard_dialog.submit(False)).props('flat no-caps') \
                    .mark('keep-draft')
                ui.button(_('Discard'), on_click=lambda: self.discard_dialog.submit(True), color='negative') \
                    .props('no-caps').mark('discard-draft')

    def full(self, conversation_id: int) -> bool:
        """Whether opening the conversation needs a tab more than :data:`MAX_TABS`."""
        return conversation_id not in self.tabs and len(self.tabs) >= MAX_TABS

    def add(self, conversation_id: int, label: str) -> None:
        if conversation_id not in self.tabs:
            self.tabs.append(conversation_id)
        self.labels[conversation_id] = label

    def keep(self, conversation_id: int, draft: Draft) -> None:
        """Keep the text half-written in a conversation while another one is shown."""
        self.drafts[conversation_id] = draft

    def kept(self, conversation_id: int) -> Draft:
        return self.drafts.get(conversation_id, NO_DRAFT)

    def take_draft(self, conversation_id: int) -> Draft:
        """The text kept for a conversation that is shown again (no longer kept here: the reply box holds it)."""
        return self.drafts.pop(conversation_id, NO_DRAFT)

    async def may_close(self, conversation_id: int, text: str) -> bool:
        """Whether the tab may close: a half-written text is discarded only once the agent says so."""
        if not text.strip():
            return True
        self.discard_text.set_text(_('Discard the text you started for #{ticket}?').format(ticket=conversation_id))
        return bool(await self.discard_dialog)

    def remove(self, conversation_id: int) -> int:
        """Close the tab and drop its text; return where it was."""
        self.drafts.pop(conversation_id, None)
        index = self.tabs.index(conversation_id)
        self.tabs.remove(conversation_id)
        return index

    def draw(self, active: int | None) -> None:
        """The tab bar changes only when a tab is opened, closed or switched to: redrawn then, a handful of buttons."""
        self.row.clear()
        with self.row:
            for conversation_id in self.tabs:
                shown = conversation_id == active
                edited = conversation_id in self.drafts
                with ui.button_group().props('flat' if not shown else 'unelevated'):
                    ui.button(self.labels[conversation_id] + (' ✎' if edited else ''),
                              on_click=lambda c=conversation_id: self.on_open(c)) \
                        .props(f'dense no-caps {"color=primary" if shown else "flat color=grey-8"}') \
                        .mark(f'tab-{conversation_id}')
                    ui.button(icon='close', on_click=lambda c=conversation_id: self.on_close(c)) \
                        .props(f'dense size=sm {"color=primary" if shown else "flat color=grey-8"}') \
                        .mark(f'close-tab-{conversation_id}')
