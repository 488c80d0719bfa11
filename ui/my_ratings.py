"""My ratings: what customers said about the agent's resolved conversations, with a link to each one."""
from collections.abc import Awaitable, Callable

from nicegui import ui

from services.container import Services
from services.domain.events import Rating
from services.helpdesk.ratings import MyRatings
from services.platform.directory import AgentView

ICONS = {Rating.GOOD: ('sentiment_satisfied', 'positive'), Rating.NEUTRAL: ('sentiment_neutral', 'amber-8'),
         Rating.BAD: ('sentiment_dissatisfied', 'negative')}


class MyRatingsDialog:
    """A dialog built when first opened and read from the log each time (most tabs never open it)."""

    def __init__(self, services: Services, agent: AgentView, *,
                 open_conversation: Callable[[int], Awaitable[None]]) -> None:
        self.services = services
        self.agent = agent
        self.open_conversation = open_conversation
        self.parent = ui.context.slot.parent
        self.dialog: ui.dialog | None = None

    async def open(self) -> None:
        ratings = await self.services.ratings.of(self.agent.id)
        if self.dialog is None:
            with self.parent, ui.dialog() as self.dialog, \
                    ui.card().classes('w-[40rem] max-w-full gap-2').mark('my-ratings'):
                with ui.row().classes('w-full items-center'):
                    ui.label('My ratings').classes('text-lg font-bold grow')
                    ui.button(icon='close', on_click=self.dialog.close).props('flat round dense')
                self.content = ui.column().classes('w-full gap-2')
        self._show(ratings)
        self.dialog.open()

    def _show(self, ratings: MyRatings) -> None:
        self.content.clear()
        with self.content:
            ui.label('Last 7 days').classes('text-sm text-grey-7')
            with ui.row().classes('gap-4').mark('rating-counts'):
                for rating, (icon, color) in ICONS.items():
                    with ui.row().classes('items-center gap-1'):
                        ui.icon(icon, color=color)
                        ui.label(f'{ratings.counts[rating]} {rating.value}').mark(f'count-{rating.value}')
            ui.separator()
            if not ratings.recent:
                ui.label('No ratings yet: resolve conversations and customers will tell you how you did.') \
                    .classes('text-sm text-grey-6')
            with ui.column().classes('w-full gap-1 max-h-[60vh] overflow-y-auto flex-nowrap'):
                for rated in ratings.recent:
                    icon, color = ICONS[rated.rating]
                    with ui.row().classes('w-full no-wrap items-start gap-2').mark(f'rated-{rated.conversation_id}'):
                        ui.icon(icon, color=color).classes('mt-1')
                        with ui.column().classes('gap-0 grow min-w-0'):
                            with ui.row().classes('gap-2 items-baseline no-wrap w-full'):
                                ui.label(f'#{rated.conversation_id}').classes('text-primary cursor-pointer underline') \
                                    .on('click', lambda c=rated.conversation_id: self._go(c)) \
                                    .mark(f'rated-link-{rated.conversation_id}')
                                ui.label(rated.subject).classes('truncate grow')
                                ui.label(rated.rated_at.strftime('%d %b %H:%M')).classes('text-xs text-grey-6')
                            if rated.comment:
                                ui.label(f'“{rated.comment}”').classes('text-sm italic text-grey-8')

    async def _go(self, conversation_id: int) -> None:
        if self.dialog is not None:
            self.dialog.close()
        await self.open_conversation(conversation_id)
