"""Thank a colleague (issue 20): a dialog from the header; the colleague gets a small quality award with the message as
its receipt."""
from collections.abc import Callable

from nicegui import ui

from services.container import Services
from services.domain.i18n import _, ngettext
from services.domain.kudos import KUDOS_POINTS, MAX_MESSAGE
from services.platform.directory import AgentView
from ui.actions import attempt


class KudosDialog:
    """Built when first opened (most tabs never open it); the colleagues and the thanks left are read each time."""

    def __init__(self, services: Services, actor: Callable[[], AgentView | None]) -> None:
        self.services = services
        self.actor = actor
        self.parent = ui.context.slot.parent
        self.dialog: ui.dialog | None = None

    async def open(self) -> None:
        if (sender := self.actor()) is None:
            return
        choice = await self.services.kudos.choice(sender)
        if self.dialog is None:
            self._build()
        self.colleague.set_options(choice.colleagues)
        self._show_left(choice.left)
        self.message.set_value('')
        self.error.set_visibility(False)
        self.dialog.open()

    def _build(self) -> None:
        with self.parent, ui.dialog() as self.dialog, ui.card().classes('w-[32rem] max-w-full gap-2').mark('kudos'):
            with ui.row().classes('w-full items-center no-wrap'):
                ui.icon('volunteer_activism', color='pink-5', size='sm')
                ui.label(_('Thank a colleague')).classes('text-lg font-bold grow')
                ui.button(icon='close', on_click=self.dialog.close).props('flat round dense')
            ui.label(_('They get {points} quality points, and your words as the receipt.')
                     .format(points=f'{KUDOS_POINTS:+d}')).classes('text-sm text-grey-7')
            self.colleague = ui.select({}, label=_('Colleague'), with_input=True).classes('w-full') \
                .mark('kudos-colleague')
            self.message = ui.textarea(_('What are you thanking them for?')).props(f'maxlength={MAX_MESSAGE} counter') \
                .classes('w-full').mark('kudos-message')
            self.error = ui.label().classes('text-sm text-negative').mark('kudos-error')
            with ui.row().classes('w-full items-center'):
                self.left = ui.label().classes('text-sm text-grey-7 grow').mark('kudos-left')
                self.send_button = ui.button(_('Send thanks'), icon='favorite', on_click=self._send) \
                    .props('color=pink-6').mark('kudos-send')

    def _show_left(self, left: int) -> None:
        self.left.set_text(ngettext('{count} thank-you left today', '{count} thanks left today', left)
                           .format(count=left))
        self.send_button.set_enabled(left > 0)

    async def _send(self) -> None:
        if (sender := self.actor()) is None or self.dialog is None:
            return
        if self.colleague.value is None:
            self.error.set_text(_('Choose the colleague to thank.'))
            self.error.set_visibility(True)
            return
        self.send_button.disable()
        try:
            sent = await attempt(self.services.kudos.send(sender, self.colleague.value, self.message.value),
                                 error_label=self.error)
        finally:
            self.send_button.enable()
        if sent:
            name = self.colleague.options.get(self.colleague.value, _('your colleague'))
            ui.notify(_('Thanks sent to {name}.').format(name=name), type='positive')
            self.dialog.close()
