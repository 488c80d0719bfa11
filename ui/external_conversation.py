"""A connected helpdesk's conversation, read-only (issue 14): it is worked in its own helpdesk, so a receipt's or a
rating's link to it shows what DeskQuest knows of it (the helpdesk, its ticket id, the facts received and a link to
the ticket there) instead of an inbox view whose every action would be refused."""
from nicegui import ui

from services.container import Services
from services.domain.i18n import _
from services.domain.wording import moment_text
from ui.receipts import page_content


async def show_external_conversation(services: Services, conversation_id: int) -> bool:
    """Show the conversation in a dialog if a connected helpdesk's; False (nothing shown) if the inbox's own."""
    view = await services.connections.external_conversation(conversation_id)
    if view is None:
        return False
    # on the page itself: a receipt's dialog, whose link opened it, is deleted as it closes
    with page_content(), ui.dialog() as dialog, \
            ui.card().classes('w-[36rem] max-w-full gap-2').mark('external-conversation'):
        with ui.row().classes('items-center gap-2 w-full no-wrap'):
            ui.icon('hub', size='sm').classes('text-blue-grey-7')
            ui.label(f'{view.helpdesk} #{view.ticket}').classes('text-lg font-bold').mark('external-ticket')
            ui.label(f'· {view.connection_name}').classes('text-grey-7 truncate')
            ui.space()
            ui.button(icon='close', on_click=dialog.close).props('flat round dense').mark('external-close')
        ui.label(f'{view.subject or _("(no subject)")} · {view.customer} · {view.channel} · {view.status}') \
            .classes('text-sm')
        ui.label(_("Worked in {helpdesk}, not in DeskQuest's inbox: this is what its deliveries told DeskQuest.")
                 .format(helpdesk=view.helpdesk)) \
            .classes('text-xs text-grey-7')
        with ui.column().classes('w-full gap-0 max-h-80 overflow-y-auto').mark('external-facts'):
            for fact in view.facts:
                with ui.row().classes('w-full gap-3 no-wrap text-sm'):
                    ui.label(moment_text(fact.at, style='short')).classes('text-grey-7 shrink-0 w-24')
                    ui.label(fact.what)
            if not view.facts:
                ui.label(_('No fact of it has arrived yet.')).classes('text-sm text-grey-7')
        if view.url:
            ui.link(_('Open #{ticket} in {helpdesk}').format(ticket=view.ticket, helpdesk=view.helpdesk), view.url,
                    new_tab=True).classes('text-sm') \
                .mark('external-link')
        else:
            ui.label(_("A lead can give this connection {helpdesk}'s address on /admin/integrations to link its "
                       'tickets from here.').format(helpdesk=view.helpdesk)).classes('text-xs text-grey-7') \
                           .mark('external-no-link')
    dialog.on('hide', dialog.delete)  # shown once, then gone
    dialog.open()
    return True
