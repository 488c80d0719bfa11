"""A score receipt opened: the rule it came from, with the numbers, and the conversation's events behind it."""
from collections.abc import Callable

from nicegui import ui

from services.container import Services
from services.directory import AgentView
from services.inbox import ActionError
from services.progress import Receipt


async def show_receipt(services: Services, actor: Callable[[], AgentView | None], receipt: Receipt) -> None:
    """Open the explanation of one of the logged-in agent's receipts in a dialog (built on demand, deleted on close)."""
    viewer = actor()
    if viewer is None:
        return
    try:
        detail = await services.receipts.explain(viewer, event_id=receipt.event_id, agent_id=viewer.id,
                                                 kind=receipt.kind)
    except ActionError as error:
        ui.notify(str(error), type='negative')
        return
    with ui.dialog() as dialog, ui.card().classes('w-[32rem] gap-2').mark('receipt'):
        ui.label(detail.title).classes('text-lg font-bold ' +
                                       ('text-positive' if receipt.points > 0 else 'text-negative'))
        ui.label(f'{detail.domain.capitalize()} · {receipt.occurred_at:%d %b %Y %H:%M} UTC').classes(
            'text-xs text-grey-7 -mt-2')
        for fact in detail.facts:
            ui.label(fact).classes('text-sm')
        ui.label('The events behind it').classes('text-sm font-bold mt-2')
        with ui.column().classes('w-full gap-0'):
            for line in detail.events:
                with ui.row().classes('w-full no-wrap gap-3 text-sm' + (' font-bold' if line.scored else '')):
                    ui.label(f'{line.at:%d %b %H:%M}').classes('text-grey-7 shrink-0')
                    ui.label(line.text)
        with ui.row().classes('w-full justify-end'):
            ui.button('Close', on_click=dialog.close).props('flat no-caps')
    dialog.on('hide', dialog.delete)
    dialog.open()
