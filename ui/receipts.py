"""Receipts opened: a score receipt (the rule with the event's numbers), a badge (its rule, window, figures) and the
levels reached (each condition against the metrics then), each with the events behind it, in a dialog built on demand
and deleted on close."""
from collections.abc import Awaitable, Callable

from nicegui import ui

from services.container import Services
from services.domain.errors import ActionError
from services.domain.i18n import _, ngettext
from services.domain.receipts import EventLine
from services.domain.scoring import DOMAIN_TITLES
from services.domain.wording import moment_text
from services.game.badges import image_url
from services.game.progress import Receipt
from services.platform.directory import AgentView
from ui.actions import attempt_result

OpenConversation = Callable[[int], Awaitable[None]]


async def show_receipt(services: Services, actor: Callable[[], AgentView | None], receipt: Receipt, *,
                       open_conversation: OpenConversation | None = None, agent_id: int | None = None) -> None:
    """Open the explanation of one of the logged-in agent's receipts (or, for a lead, ``agent_id``'s: the service
    checks) in a dialog (built on demand, deleted on close)."""
    viewer = actor()
    if viewer is None:
        return
    detail = await attempt_result(services.receipts.explain(viewer, event_id=receipt.event_id,
                                                            agent_id=viewer.id if agent_id is None else agent_id,
                                                            kind=receipt.kind))
    if detail is None:
        return
    with page_content(), ui.dialog() as dialog, ui.card().classes('w-[32rem] gap-2').mark('receipt'):
        ui.label(detail.worded_title()).classes('text-lg font-bold ' +
                                       ('text-positive' if receipt.points > 0 else 'text-negative'))
        ui.label(f'{_(DOMAIN_TITLES[detail.domain])} · {moment_text(receipt.occurred_at, style="short")}').classes(
            'text-xs text-grey-7 -mt-2')
        for fact in detail.facts:
            ui.label(fact).classes('text-sm')
        ui.label(_('The events behind it')).classes('text-sm font-bold mt-2')
        event_lines(detail.events, dialog, open_conversation)
        close_button(dialog)
    dialog.on('hide', dialog.delete)
    dialog.open()


async def show_badge_receipt(services: Services, actor: Callable[[], AgentView | None], *, agent_id: int,
                             badge_key: str, holding_id: int | None = None,
                             open_conversation: OpenConversation | None = None) -> None:
    """Open why ``agent_id`` holds (or held) a badge: its rule, the window, the figures and the events behind it."""
    viewer = actor()
    if viewer is None:
        return
    try:
        detail = await services.receipts.explain_badge(viewer, agent_id=agent_id, badge_key=badge_key,
                                                       holding_id=holding_id)
    except ActionError as error:
        ui.notify(str(error), type='warning')
        return
    with page_content(), ui.dialog() as dialog, \
            ui.card().classes('w-[36rem] max-w-full gap-2').mark('badge-receipt'):
        with ui.row().classes('items-center no-wrap gap-3'):
            ui.image(image_url(detail.image)).classes('w-12 h-12 shrink-0')
            with ui.column().classes('gap-0'):
                ui.label(detail.name).classes('text-lg font-bold')
                ui.label(f'{detail.holder} · {detail.description}').classes('text-xs text-grey-7')
        ui.label(detail.gained).classes('text-sm')
        for line in detail.rule:
            ui.label(line).classes('text-sm')
        ui.label(detail.window).classes('text-sm text-grey-8')
        with ui.column().classes('w-full gap-0').mark('badge-standing'):
            for index, line in enumerate(detail.standing):
                ui.label(line).classes('text-sm' + (' font-bold' if index == 0 else ''))
        shown = len(detail.events)
        ui.label(ngettext('The events behind it (the {shown} most telling of {total})',
                          'The events behind it (the {shown} most telling of {total})', detail.events_total)
                 .format(shown=shown, total=detail.events_total) if shown < detail.events_total else
                 _('The events behind it')).classes('text-sm font-bold mt-2')
        if not detail.events:
            ui.label(_('None left in the window.')).classes('text-sm text-grey-6')
        event_lines(detail.events, dialog, open_conversation)
        close_button(dialog)
    dialog.on('hide', dialog.delete)
    dialog.open()


async def show_level_receipt(services: Services, actor: Callable[[], AgentView | None], *,
                             open_conversation: OpenConversation | None = None) -> None:
    """Open the levels the logged-in agent reached: when, the condition, the metrics then and the event that tipped
    it; and where they stand against the next one."""
    viewer = actor()
    if viewer is None:
        return
    try:
        detail = await services.receipts.explain_levels(viewer, agent_id=viewer.id)
    except ActionError as error:
        ui.notify(str(error), type='warning')
        return
    with page_content(), ui.dialog() as dialog, \
            ui.card().classes('w-[36rem] max-w-full gap-2').mark('level-receipt'):
        ui.label(_('Level {number}: {title}').format(number=detail.level, title=detail.title)) \
            .classes('text-lg font-bold')
        if detail.next_title:
            ui.label(_('Next: {title}').format(title=detail.next_title)).classes('text-sm font-bold')
            ui.label(' · '.join(detail.next_checks)).classes('text-sm text-grey-8')
        with ui.column().classes('w-full gap-3 max-h-[60vh] overflow-y-auto flex-nowrap'):
            for step in detail.steps:
                with ui.column().classes('w-full gap-0').mark(f'level-step-{step.number}'):
                    with ui.row().classes('items-center no-wrap gap-2'):
                        ui.icon(step.icon, color='deep-purple-5')
                        ui.label(_('Level {number}: {title}').format(number=step.number, title=step.title)) \
                            .classes('font-bold')
                        if step.reached_at is not None:
                            ui.label(moment_text(step.reached_at, style='short')).classes('text-xs text-grey-7')
                    if step.number > 1:
                        ui.label(_('Condition: {condition}').format(condition=step.condition)).classes('text-sm')
                    if step.checks:
                        ui.label(_('Then: {checks}').format(checks=' · '.join(step.checks))) \
                            .classes('text-sm text-grey-8')
                    if step.note:
                        ui.label(step.note).classes('text-sm text-grey-7')
                    if step.event is not None:
                        event_lines([step.event], dialog, open_conversation)
        close_button(dialog)
    dialog.on('hide', dialog.delete)
    dialog.open()


def event_lines(lines: list[EventLine], dialog: ui.dialog, open_conversation: OpenConversation | None) -> None:
    """The events behind a receipt, one line each; the conversation's number opens it (and closes the dialog)."""
    with ui.column().classes('w-full gap-0 max-h-[40vh] overflow-y-auto flex-nowrap'):
        for line in lines:
            with ui.row().classes('w-full no-wrap gap-3 text-sm' + (' font-bold' if line.scored else '')):
                ui.label(f'{line.at:%d %b %H:%M}').classes('text-grey-7 shrink-0')
                ui.label(line.text).classes('grow')
                if line.conversation_id is not None and open_conversation is not None:
                    ui.label(f'#{line.conversation_id}').classes('text-primary cursor-pointer underline shrink-0') \
                        .on('click', lambda c=line.conversation_id: _go(dialog, open_conversation, c)) \
                        .mark(f'receipt-conversation-{line.conversation_id}')
                elif line.conversation_id is not None:
                    ui.label(f'#{line.conversation_id}').classes('text-grey-7 shrink-0')


def page_content() -> ui.element:
    """Where a receipt's dialog lives: the page itself, not the element clicked, which a live update may redraw (the
    card's badges, the trophy page's holders) and take the open dialog with it."""
    return ui.context.client.content


def close_button(dialog: ui.dialog) -> None:
    with ui.row().classes('w-full justify-end'):
        ui.button(_('Close'), on_click=dialog.close).props('flat no-caps')


async def _go(dialog: ui.dialog, open_conversation: OpenConversation, conversation_id: int) -> None:
    dialog.close()
    await open_conversation(conversation_id)
