"""Canned replies as people manage them: shared ones (leads) and personal ones (each agent's own), kept in memory.

The replies are few and read on every conversation a tab opens, so all of them are held in memory and every tab picks
its agent's list from there; the database is read once at start and written on each change.
"""
from dataclasses import replace

from nicegui import Event
from tortoise.expressions import F

from models import CannedReply, Department
from services.domain.canned import (
    MAX_BODY,
    MAX_TITLE,
    CannedReplyDraft,
    CannedReplyView,
    problems_with,
    visible_replies,
)
from services.domain.errors import ActionError
from services.domain.events import EventKind
from services.domain.i18n import N_, _
from services.domain.text import checked_text
from services.platform.clock import Clock
from services.platform.directory import AgentView
from services.platform.event_log import GameService, UnitOfWork


class CannedReplyService:
    def __init__(self, *, clock: Clock, game: GameService) -> None:
        self.clock = clock
        self.game = game
        self.replies: dict[int, CannedReplyView] = {}
        self.changed: Event[None] = Event()  # a reply was saved or deleted (usage counts change silently)

    async def load(self) -> None:
        self.replies = {reply.id: _view(reply) for reply in await CannedReply.all()}

    def visible_to(self, agent_id: int, *, language: str | None = None) -> list[CannedReplyView]:
        """The shared replies and the agent's own, by shortcut; their own wins a shortcut both use. With the
        customer's ``language``, those written in it first."""
        return visible_replies(self.replies.values(), agent_id, language=language)

    def shared(self) -> list[CannedReplyView]:
        return sorted((reply for reply in self.replies.values() if reply.shared), key=lambda reply: reply.shortcut)

    def manageable_by(self, agent_id: int) -> list[CannedReplyView]:
        """What the management page lists for an agent: every shared reply, then their own (even those shadowing a
        shared shortcut), each group by shortcut."""
        return sorted((reply for reply in self.replies.values() if reply.shared or reply.owner_id == agent_id),
                      key=lambda reply: (not reply.shared, reply.shortcut))

    def find(self, agent_id: int, shortcut: str) -> CannedReplyView | None:
        """The reply ``/shortcut`` sends for this agent: their personal one first, else the shared one."""
        return next((reply for reply in self.visible_to(agent_id) if reply.shortcut == shortcut), None)

    async def departments(self) -> dict[int, str]:
        return {row[0]: row[1] for row in await Department.all().order_by('name').values_list('id', 'name')}

    async def save(self, actor: AgentView, draft: CannedReplyDraft, *, reply_id: int | None = None) -> CannedReplyView:
        """Create (no ``reply_id``) or edit a reply; shared ones are the leads', personal ones their owner's."""
        if problems := problems_with(draft):
            raise ActionError(' '.join(problems))
        shortcut = draft.shortcut.strip().removeprefix('/')
        owner_id = None if draft.shared else actor.id
        if draft.shared and not actor.is_lead:
            raise ActionError(_('Only a lead can save shared canned replies; save it as your personal one instead.'))
        async with self.game.unit_of_work() as work:
            if reply_id is not None:
                reply = await CannedReply.get_or_none(id=reply_id)
                if reply is None:
                    raise ActionError(_('That canned reply no longer exists.'))
                self._check_may_change(actor, _view(reply))
                if (reply.owner_id is None) != draft.shared:
                    raise ActionError(_('A canned reply stays shared or personal: create a new one instead.'))
            if draft.department_id is not None and not await Department.exists(id=draft.department_id):
                raise ActionError(_('That department no longer exists.'))
            taken = CannedReply.filter(shortcut=shortcut, owner_id=owner_id) if owner_id is not None else \
                CannedReply.filter(shortcut=shortcut, owner_id__isnull=True)
            if reply_id is not None:
                taken = taken.exclude(id=reply_id)
            if await taken.exists():
                message = _('There already is a shared canned reply /{shortcut}.') if draft.shared else \
                    _('There already is a personal canned reply /{shortcut}.')
                raise ActionError(message.format(shortcut=shortcut))
            values = dict(shortcut=shortcut, title=checked_text(draft.title, N_('Title'), MAX_TITLE, name=True),
                          body=checked_text(draft.body, N_('Text'), MAX_BODY, multiline=True),
                          language=draft.language, department_id=draft.department_id)
            if reply_id is None:
                reply = await CannedReply.create(owner_id=owner_id, **values)
            else:
                reply.update_from_dict(values)
                await reply.save()
            await work.record(EventKind.CANNED_REPLY_SAVED, agent_id=actor.id,
                              data={'canned_reply_id': reply.id, 'shortcut': shortcut, 'shared': draft.shared,
                                    'created': reply_id is None, 'length': len(reply.body)})
            view = _view(reply)
            work.after_commit(lambda: self._store(view))
        return view

    async def delete(self, actor: AgentView, reply_id: int) -> None:
        async with self.game.unit_of_work() as work:
            reply = await CannedReply.get_or_none(id=reply_id)
            if reply is None:
                raise ActionError(_('That canned reply no longer exists.'))
            self._check_may_change(actor, _view(reply))
            await reply.delete()
            await work.record(EventKind.CANNED_REPLY_DELETED, agent_id=actor.id,
                              data={'canned_reply_id': reply_id, 'shortcut': reply.shortcut,
                                    'shared': reply.owner_id is None})
            work.after_commit(lambda: self._forget(reply_id))

    async def count_use(self, work: UnitOfWork, reply_id: int) -> None:
        """One more reply was sent with it: counted in the sender's unit of work, in memory after it commits."""
        await CannedReply.filter(id=reply_id).update(usage_count=F('usage_count') + 1)
        work.after_commit(lambda: self._count(reply_id))

    def _check_may_change(self, actor: AgentView, reply: CannedReplyView) -> None:
        if reply.shared and not actor.is_lead:
            raise ActionError(
                _('Only a lead can change the shared canned reply /{shortcut}.')
                .format(shortcut=reply.shortcut))
        if not reply.shared and reply.owner_id != actor.id:
            raise ActionError(
                _("/{shortcut} is another agent's personal canned reply.")
                .format(shortcut=reply.shortcut))

    def _store(self, view: CannedReplyView) -> None:
        self.replies[view.id] = view
        self.changed.emit()

    def _forget(self, reply_id: int) -> None:
        self.replies.pop(reply_id, None)
        self.changed.emit()

    def _count(self, reply_id: int) -> None:
        if (reply := self.replies.get(reply_id)) is not None:
            self.replies[reply_id] = replace(reply, usage_count=reply.usage_count + 1)


def _view(reply: CannedReply) -> CannedReplyView:
    return CannedReplyView(id=reply.id, shortcut=reply.shortcut, title=reply.title, body=reply.body,
                           language=reply.language, owner_id=reply.owner_id, department_id=reply.department_id,
                           usage_count=reply.usage_count)
