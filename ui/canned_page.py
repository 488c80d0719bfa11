"""Canned replies: the picker beside the reply box, and the page where agents keep their own replies and leads the
shared ones."""
from collections.abc import Callable

from nicegui import ui

from services.container import Services
from services.domain.canned import LANGUAGES, PLACEHOLDERS, CannedReplyDraft, CannedReplyView
from services.domain.i18n import _
from services.platform.directory import AgentView
from ui.actions import attempt, attempt_result
from ui.session import handler_actor, page_visitor


class CannedPicker:
    """A button beside the reply box listing the agent's canned replies; a pick fills the box, which stays editable."""

    def __init__(self, services: Services, agent: AgentView, *, on_pick: Callable[[CannedReplyView], None],
                 language: Callable[[], str | None] = lambda: None) -> None:
        """``language``: the shown conversation's customer's language (None: none shown); its replies come first."""
        self.services = services
        self.agent = agent
        self.on_pick = on_pick
        self.language = language
        with ui.button(_('Canned replies'), icon='quickreply').props('outline no-caps').mark('canned-picker'):
            self.menu = ui.menu().props('max-height=60vh').on('before-show', self._fill)
        self._fill()
        services.canned_replies.changed.subscribe(self._fill)  # unsubscribed when the tab closes

    def _fill(self) -> None:
        self.menu.clear()
        with self.menu:
            replies = self.services.canned_replies.visible_to(self.agent.id, language=self.language())
            if not replies:
                ui.menu_item(_('No canned replies yet')).props('disable')
            for reply in replies:
                with ui.menu_item(on_click=lambda r=reply: self.on_pick(r)).classes('max-w-md') \
                        .mark(f'pick-{reply.shortcut}'):
                    with ui.column().classes('gap-0'):
                        ui.label(f'{reply.title} · /{reply.shortcut}').classes('font-medium')
                        ui.label(' · '.join((_('shared') if reply.shared else _('mine'), reply.language,
                                             _('used {count}×').format(count=reply.usage_count)))) \
                                                 .classes('text-xs text-grey-7')


def register(services: Services) -> None:
    @ui.page('/canned')
    async def canned_page() -> None:
        if (visitor := page_visitor(services)) is None:
            return
        storage, agent = visitor

        actor = handler_actor(services, storage, agent)

        ui.page_title(_('Canned replies · DeskQuest'))
        ui.query('body').classes('bg-blue-grey-1')
        departments = await services.canned_replies.departments()
        with ui.header().classes('items-center bg-blue-grey-9 py-2 px-4 gap-4'):
            ui.button(icon='arrow_back', on_click=lambda: ui.navigate.to('/')).props('flat round color=white') \
                .tooltip(_('Back to the workspace')).mark('back')
            ui.label(_('Canned replies')).classes('text-lg font-bold')
            ui.space()
            ui.label(agent.name).classes('font-medium')
        page = CannedRepliesPage(services, agent, actor, departments)
        services.canned_replies.changed.subscribe(page.lists.refresh)  # unsubscribed when the tab closes


class CannedRepliesPage:
    def __init__(self, services: Services, agent: AgentView, actor: Callable[[], AgentView | None],
                 departments: dict[int, str]) -> None:
        self.services = services
        self.agent = agent
        self.actor = actor
        self.departments = departments
        self.editing: CannedReplyView | None = None
        self.deleting: CannedReplyView | None = None
        self._build_form()
        with ui.dialog() as self.confirm, ui.card().mark('canned-confirm'):
            self.confirm_text = ui.label()
            with ui.row().classes('w-full justify-end gap-2'):
                ui.button(_('Keep it'), on_click=self.confirm.close).props('flat no-caps')
                ui.button(_('Delete'), icon='delete', color='negative', on_click=self._delete) \
                    .props('no-caps').mark('canned-confirm-delete')
        with ui.column().classes('w-full max-w-5xl mx-auto gap-4 p-4'):
            with ui.row().classes('w-full items-center'):
                ui.label(_('Shared replies are for the whole floor (leads edit them); your own are only yours, and '
                           'win a shortcut both use.')).classes('text-sm text-grey-8 grow')
                ui.button(_('New canned reply'), icon='add', on_click=lambda: self._open_form(None)) \
                    .props('no-caps').mark('new-canned')
            self.lists()

    @ui.refreshable_method
    def lists(self) -> None:
        replies = self.services.canned_replies.manageable_by(self.agent.id)
        for key, title, group, editable in (
                ('shared', _('Shared'), [r for r in replies if r.shared], self.agent.is_lead),
                ('mine', _('Mine'), [r for r in replies if not r.shared], True)):
            with ui.card().classes('w-full gap-1').mark(f'canned-{key}'):
                heading = _('{title} ({count})').format(title=title, count=len(group))
                ui.label(heading if editable else _('{heading} · read-only: a lead edits these').format(
                    heading=heading)) \
                    .classes('text-base font-bold')
                if not group:
                    ui.label(_('None yet.')).classes('text-sm text-grey-6')
                for reply in group:
                    self._row(reply, editable)

    def _row(self, reply: CannedReplyView, editable: bool) -> None:
        with ui.row().classes('w-full items-start no-wrap gap-3 py-1 border-t border-gray-200') \
                .mark(f'canned-row-{reply.id}'):
            with ui.column().classes('gap-0 grow min-w-0'):
                department = self.departments.get(reply.department_id, '') if reply.department_id else ''
                ui.label(f'/{reply.shortcut} · {reply.title}').classes('font-medium')
                ui.label(reply.body).classes('text-sm text-grey-8 whitespace-pre-wrap')
                ui.label(' · '.join(part for part in (reply.language, department, _('used {count}×').format(
                    count=reply.usage_count))
                                    if part)).classes('text-xs text-grey-6').mark(f'canned-usage-{reply.id}')
            if editable:
                ui.button(icon='edit', on_click=lambda r=reply: self._open_form(r)).props('flat round dense') \
                    .tooltip(_('Edit')).mark(f'edit-{reply.id}')
                ui.button(icon='delete', on_click=lambda r=reply: self._ask_delete(r)).props('flat round dense') \
                    .tooltip(_('Delete')).mark(f'delete-{reply.id}')

    def _build_form(self) -> None:
        with ui.dialog() as self.dialog, ui.card().classes('w-[36rem] gap-2').mark('canned-form'):
            self.form_title = ui.label().classes('text-lg font-bold')
            with ui.row().classes('w-full no-wrap gap-2'):
                self.title = ui.input(_('Title')).classes('grow').mark('canned-title')
                self.shortcut = ui.input(_('Shortcut'), placeholder=_('without /')).classes('w-40') \
                    .mark('canned-shortcut')
            self.body = ui.textarea(_('Text')).props('autogrow').classes('w-full').mark('canned-body')
            ui.label(_('Placeholders: {names}').format(names=' '.join('{' + name + '}' for name in PLACEHOLDERS))) \
                .classes('text-xs text-grey-7')
            with ui.row().classes('w-full no-wrap gap-2 items-center'):
                self.language = ui.select(list(LANGUAGES), value='en', label=_('Language')).classes('w-28') \
                    .mark('canned-language')
                self.department = ui.select({0: _('Any department')} | self.departments, value=0,
                                            label=_('Department')) \
                    .classes('grow').mark('canned-department')
                self.shared = ui.switch(_('Shared with everyone')).mark('canned-shared')
                self.shared.set_visibility(self.agent.is_lead)
            with ui.row().classes('w-full justify-end gap-2'):
                ui.button(_('Cancel'), on_click=self.dialog.close).props('flat no-caps')
                ui.button(_('Save'), icon='save', on_click=self._save).props('no-caps').mark('canned-save')

    def _open_form(self, reply: CannedReplyView | None) -> None:
        self.editing = reply
        self.form_title.set_text(_('New canned reply') if reply is None else
                                 _('Edit /{shortcut}').format(shortcut=reply.shortcut))
        self.title.set_value(reply.title if reply else '')
        self.shortcut.set_value(reply.shortcut if reply else '')
        self.body.set_value(reply.body if reply else '')
        self.language.set_value(reply.language if reply else 'en')
        self.department.set_value(reply.department_id or 0 if reply else 0)
        self.shared.set_value(reply.shared if reply else self.agent.is_lead)
        self.shared.set_enabled(reply is None)  # a reply stays shared or personal
        self.dialog.open()

    async def _save(self) -> None:
        actor = self.actor()
        if actor is None:
            return
        draft = CannedReplyDraft(title=self.title.value or '', shortcut=self.shortcut.value or '',
                                 body=self.body.value or '', language=self.language.value or 'en',
                                 department_id=self.department.value or None,
                                 shared=bool(self.shared.value) and actor.is_lead)
        saved = await attempt_result(self.services.canned_replies.save(
            actor, draft, reply_id=self.editing.id if self.editing else None), multi_line=True)
        if saved is None:
            return
        self.dialog.close()
        ui.notify(_('Saved /{shortcut}').format(shortcut=saved.shortcut), type='positive')

    def _ask_delete(self, reply: CannedReplyView) -> None:
        self.deleting = reply
        self.confirm_text.set_text(_('Delete /{shortcut} ({title})?').format(
            shortcut=reply.shortcut, title=reply.title))
        self.confirm.open()

    async def _delete(self) -> None:
        actor, reply = self.actor(), self.deleting
        self.confirm.close()
        if actor is None or reply is None:
            return
        if not await attempt(self.services.canned_replies.delete(actor, reply.id)):
            return
        ui.notify(_('Deleted /{shortcut}').format(shortcut=reply.shortcut))
