"""My ratings: what customers said about the agent's resolved conversations, with a link to each one, and a way to
dispute one the agent finds unfair (issue 15): a lead decides, and the row says how it stands."""
from collections.abc import Awaitable, Callable

from nicegui import ui

from services.container import Services
from services.domain.events import Rating
from services.domain.i18n import N_, _
from services.domain.labels import rating_text
from services.domain.wording import moment_text
from services.game.disputes import MAX_REASON, DisputeState
from services.helpdesk.ratings import MyRatings, RatedConversation
from services.platform.directory import AgentView
from ui.actions import attempt

ICONS = {Rating.GOOD: ('sentiment_satisfied', 'positive'), Rating.NEUTRAL: ('sentiment_neutral', 'amber-8'),
         Rating.BAD: ('sentiment_dissatisfied', 'negative')}
OUTCOMES = {'pending': (N_('disputed: a lead will decide'), 'amber-8'), 'upheld': (N_('dispute upheld'), 'positive'),
            'rejected': (N_('dispute turned down'), 'grey')}  # shown through _()


class MyRatingsDialog:
    """A dialog built when first opened and read from the log each time (most tabs never open it)."""

    def __init__(self, services: Services, agent: AgentView, *,
                 open_conversation: Callable[[int], Awaitable[None]]) -> None:
        self.services = services
        self.agent = agent
        self.open_conversation = open_conversation
        self.parent = ui.context.slot.parent
        self.dialog: ui.dialog | None = None
        self.disputed: RatedConversation | None = None

    async def open(self) -> None:
        ratings = await self.services.ratings.of(self.agent.id)
        disputes = await self.services.disputes.disputes_of(self.agent, [rated.event_id for rated in ratings.recent])
        if self.dialog is None:
            with self.parent, ui.dialog() as self.dialog, \
                    ui.card().classes('w-[40rem] max-w-full gap-2').mark('my-ratings'):
                with ui.row().classes('w-full items-center'):
                    ui.label(_('My ratings')).classes('text-lg font-bold grow')
                    ui.button(icon='close', on_click=self.dialog.close).props('flat round dense')
                self.content = ui.column().classes('w-full gap-2')
                with ui.column().classes('w-full gap-1').mark('dispute-form') as self.form:
                    self.form_title = ui.label().classes('text-sm font-bold')
                    self.reason = ui.textarea(_('Why is it unfair? (a lead reads it)'),
                                              validation={_('At most {count} characters').format(count=MAX_REASON):
                                                          lambda value: len(value or '') <= MAX_REASON}) \
                        .props('autogrow').classes('w-full').mark('dispute-reason')
                    with ui.row().classes('w-full justify-end gap-2'):
                        ui.button(_('Cancel'), on_click=lambda: self.form.set_visibility(False)).props('flat no-caps')
                        ui.button(_('Dispute'), icon='gavel', on_click=self._dispute).props('no-caps') \
                            .mark('dispute-confirm')
        self.form.set_visibility(False)
        self._show(ratings, disputes)
        self.dialog.open()

    def _ask(self, rated: RatedConversation) -> None:
        self.disputed = rated
        self.form_title.set_text(_('Dispute the {rating} rating on #{ticket}').format(
            rating=rating_text(rated.rating.value), ticket=rated.conversation_id))
        self.reason.set_value('')
        self.form.set_visibility(True)

    async def _dispute(self) -> None:
        if self.disputed is None:
            return
        if await attempt(self.services.disputes.dispute(self.agent, self.disputed.event_id, self.reason.value or ''),
                         done=_('Disputed the rating on #{ticket}: a lead will decide.').format(
                             ticket=self.disputed.conversation_id),
                         multi_line=True):
            await self.open()  # the row now says it is disputed

    def _show(self, ratings: MyRatings, disputes: dict[int, DisputeState]) -> None:
        self.content.clear()
        with self.content:
            ui.label(_('Last 7 days')).classes('text-sm text-grey-7')
            with ui.row().classes('gap-4').mark('rating-counts'):
                for rating, (icon, color) in ICONS.items():
                    with ui.row().classes('items-center gap-1'):
                        ui.icon(icon, color=color)
                        ui.label(_('{count} {rating}').format(count=ratings.counts[rating],
                                                              rating=rating_text(rating.value))) \
                            .mark(f'count-{rating.value}')
            ui.separator()
            if not ratings.recent:
                ui.label(_('No ratings yet: resolve conversations and customers will tell you how you did.')) \
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
                                ui.label(moment_text(rated.rated_at, style='short')).classes('text-xs text-grey-6')
                            if rated.comment:
                                ui.label(f'“{rated.comment}”').classes('text-sm italic text-grey-8')
                            if (state := disputes.get(rated.event_id)) is not None:
                                text, color = OUTCOMES[state.outcome]
                                with ui.row().classes('gap-2 items-center no-wrap'):
                                    ui.badge(_(text), color=color).mark(f'dispute-state-{rated.event_id}')
                                    ui.label(state.answer).classes('text-xs text-grey-7')
                        if rated.event_id not in disputes:
                            ui.button(_('Dispute'), icon='gavel', on_click=lambda r=rated: self._ask(r)) \
                                .props('no-caps dense flat').mark(f'dispute-{rated.event_id}')

    async def _go(self, conversation_id: int) -> None:
        if self.dialog is not None:
            self.dialog.close()
        await self.open_conversation(conversation_id)
