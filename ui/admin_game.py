"""The leads' game area: rewards, the approval queue, incentives and disputes, one tab each.

A tab is a (name, icon, builder) line in :data:`SECTIONS`; a builder gets the :class:`AdminContext` and builds its
content inside the tab panel. Every handler asks ``context.lead()`` again: UI actions bypass HTTP middleware.
"""
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date

from nicegui import ui

from services.container import Services
from services.domain.events import Channel, Rating
from services.domain.floor_calendar import floor_day
from services.domain.i18n import N_, _, floor_timezone, pgettext
from services.domain.incentives import Incentive, IncentiveKind
from services.domain.labels import channel_text
from services.domain.rewards import RedemptionStatus, RedemptionView, RewardDraft, RewardView
from services.domain.wording import moment_text, points
from services.game.disputes import RatedView
from services.platform.directory import AgentView
from ui.actions import attempt, attempt_result
from ui.admin_badges import badges_section
from ui.admin_boss import BossTab
from ui.admin_quests import quests_section
from ui.admin_scoring import ScoringTab
from ui.admin_seasons import SeasonsTab
from ui.admin_wellbeing import WellbeingTab
from ui.admin_whatif import WhatIfTab
from ui.admin_working_hours import WorkingHoursTab
from ui.session import handler_actor, page_visitor
from ui.translations_editor import TranslationsEditor


@dataclass(frozen=True, kw_only=True, slots=True)
class AdminContext:
    services: Services
    agent: AgentView
    lead: Callable[[], AgentView | None]  # the logged-in lead, checked again; None (and told why) otherwise


Builder = Callable[[AdminContext], Awaitable[object] | object]


def register(services: Services) -> None:
    @ui.page('/admin/game')
    async def admin_game() -> None:
        if (visitor := page_visitor(services, lead=True, message=_('The game settings are for leads.'))) is None:
            return
        storage, agent = visitor

        lead = handler_actor(services, storage, agent, lead_only=_('Only a lead can do that.'))

        ui.page_title(_('Game · DeskQuest'))
        ui.query('body').classes('bg-blue-grey-1')
        with ui.header().classes('items-center bg-blue-grey-9 py-2 px-4 gap-4'):
            ui.button(icon='arrow_back', on_click=lambda: ui.navigate.to('/')).props('flat round color=white') \
                .tooltip(_('Back to the workspace')).mark('back')
            ui.label(_('Game')).classes('text-lg font-bold')
            ui.space()
            ui.label(agent.name).classes('font-medium')
        context = AdminContext(services=services, agent=agent, lead=lead)
        with ui.column().classes('w-full max-w-6xl mx-auto gap-2 p-4'):
            with ui.tabs().classes('w-full').props('align=left no-caps outside-arrows mobile-arrows') as tabs:
                for name, icon, _build in SECTIONS:  # the English name is the tab's key and marker
                    ui.tab(name, label=_(name), icon=icon).mark(f'tab-{name.lower()}')
            with ui.tab_panels(tabs, value=SECTIONS[0][0]).classes('w-full bg-transparent'):
                for name, _icon, build in SECTIONS:
                    with ui.tab_panel(name).classes('p-0 gap-3'):
                        result = build(context)
                        if isinstance(result, Awaitable):
                            await result


class RewardsTab:
    """Create, edit and deactivate the store's rewards."""

    def __init__(self, context: AdminContext) -> None:
        self.context = context
        self.editing: RewardView | None = None
        self._build_form()
        with ui.row().classes('w-full items-center'):
            ui.label(_('Agents spend their points here; a lead approves each redemption. Empty stock: unlimited.')) \
                .classes('text-sm text-grey-8 grow')
            ui.button(_('New reward'), icon='add', on_click=lambda: self._open(None)).props('no-caps') \
                .mark('new-reward')
        self.rows = ui.column().classes('w-full gap-1').mark('admin-rewards')
        self.show()
        context.services.rewards.catalogue_changed.subscribe(lambda _rewards: self.show())  # unsubscribed with the tab

    def show(self) -> None:
        self.rows.clear()
        with self.rows:
            rewards = self.context.services.rewards.all_rewards()
            if not rewards:
                ui.label(_('No rewards yet.')).classes('text-sm text-grey-6')
            for reward in rewards:
                with ui.row().classes('w-full items-center no-wrap gap-3 bg-white rounded px-3 py-1') \
                        .mark(f'admin-reward-{reward.id}'):
                    with ui.column().classes('gap-0 grow min-w-0'):
                        ui.label(reward.name).classes('font-medium' + ('' if reward.active else ' text-grey-6'))
                        ui.label(reward.description).classes('text-xs text-grey-7 truncate')
                    ui.label(points(reward.cost)).classes('text-sm')
                    ui.label(reward.stock_text).classes('text-sm text-grey-8 w-24').mark(f'admin-stock-{reward.id}')
                    if not reward.active:
                        ui.badge(_('inactive'), color='grey')
                    ui.button(icon='edit', on_click=lambda r=reward: self._open(r)).props('flat round dense') \
                        .tooltip(_('Edit')).mark(f'edit-reward-{reward.id}')
                    ui.button(icon='visibility_off' if reward.active else 'visibility',
                              on_click=lambda r=reward: self._toggle(r)).props('flat round dense') \
                        .tooltip(_('Deactivate') if reward.active else _('Activate')).mark(f'toggle-reward-{reward.id}')

    def _build_form(self) -> None:
        with ui.dialog() as self.dialog, ui.card().classes('w-[32rem] gap-2').mark('reward-form'):
            self.form_title = ui.label().classes('text-lg font-bold')
            self.name = ui.input(_('Name')).classes('w-full').mark('reward-name')
            self.description = ui.textarea(_('Description')).props('autogrow').classes('w-full') \
                .mark('reward-description')
            self.translations = TranslationsEditor({'name': N_('Name'), 'description': N_('Description')},
                                                   mark='reward')
            with ui.row().classes('w-full no-wrap gap-2 items-center'):
                self.cost = ui.number(_('Cost (points)'), min=1, precision=0).classes('grow').mark('reward-cost')
                self.stock = ui.number(_('Stock (empty: unlimited)'), min=0, precision=0).classes('grow') \
                    .mark('reward-stock')
                self.active = ui.switch(_('Active'), value=True).mark('reward-active')
            with ui.row().classes('w-full justify-end gap-2'):
                ui.button(_('Cancel'), on_click=self.dialog.close).props('flat no-caps')
                ui.button(_('Save'), icon='save', on_click=self._save).props('no-caps').mark('reward-save')

    def _open(self, reward: RewardView | None) -> None:
        self.editing = reward
        self.form_title.set_text(_('New reward') if reward is None else _('Edit {name}').format(name=reward.name))
        self.name.set_value(reward.name if reward else '')
        self.description.set_value(reward.description if reward else '')
        self.translations.set_value(reward.translations if reward else None)
        self.cost.set_value(reward.cost if reward else None)
        self.stock.set_value(reward.stock if reward else None)
        self.active.set_value(reward.active if reward else True)
        self.dialog.open()

    async def _save(self) -> None:
        if (lead := self.context.lead()) is None:
            return
        draft = RewardDraft(name=self.name.value or '', description=self.description.value or '',
                            cost=int(self.cost.value or 0),
                            stock=None if self.stock.value is None else int(self.stock.value),
                            active=bool(self.active.value), translations=self.translations.value)
        saved = await attempt_result(self.context.services.rewards.save(
            lead, draft, reward_id=self.editing.id if self.editing else None), multi_line=True)
        if saved is None:
            return
        self.dialog.close()
        ui.notify(_('Saved {name}').format(name=saved.name), type='positive')

    async def _toggle(self, reward: RewardView) -> None:
        if (lead := self.context.lead()) is None:
            return
        draft = RewardDraft(name=reward.name, description=reward.description, cost=reward.cost, stock=reward.stock,
                            active=not reward.active, translations=reward.translations)
        if not await attempt(self.context.services.rewards.save(lead, draft, reward_id=reward.id)):
            return
        ui.notify((_('{name} is offered again.') if draft.active else _('{name} is no longer offered.'))
                  .format(name=reward.name))


class ApprovalsTab:
    """The redemptions waiting for a lead, and the latest decisions."""

    def __init__(self, context: AdminContext) -> None:
        self.context = context
        self.denying: RedemptionView | None = None
        with ui.dialog() as self.deny_dialog, ui.card().classes('w-[28rem] gap-2').mark('deny-form'):
            self.deny_title = ui.label().classes('text-base font-bold')
            self.deny_note = ui.input(_('Why (the agent is told)')).classes('w-full').mark('deny-note')
            with ui.row().classes('w-full justify-end gap-2'):
                ui.button(_('Cancel'), on_click=self.deny_dialog.close).props('flat no-caps')
                ui.button(_('Deny and refund'), icon='undo', color='negative', on_click=self._deny).props('no-caps') \
                    .mark('deny-confirm')
        ui.label(_('Waiting for a decision')).classes('text-base font-bold')
        self.pending = ui.column().classes('w-full gap-1').mark('approval-queue')
        ui.label(_('Decided lately')).classes('text-base font-bold mt-2')
        self.decided = ui.column().classes('w-full gap-1').mark('decided')
        context.services.rewards.redemptions_changed.subscribe(self.load)  # unsubscribed with the tab

    async def load(self) -> None:
        if (lead := self.context.lead()) is None:
            return
        pending = await self.context.services.rewards.pending(lead)
        decided = await self.context.services.rewards.decided(lead)
        self.pending.clear()
        with self.pending:
            if not pending:
                ui.label(_('Nothing waiting.')).classes('text-sm text-grey-6')
            for redemption in pending:
                with ui.row().classes('w-full items-center no-wrap gap-3 bg-white rounded px-3 py-1') \
                        .mark(f'pending-{redemption.id}'):
                    ui.label(redemption.agent_name).classes('font-medium w-40')
                    ui.label(redemption.reward_name).classes('grow')
                    ui.label(points(redemption.cost)).classes('text-sm')
                    ui.label(moment_text(redemption.requested_at, style='short')).classes('text-xs text-grey-6')
                    ui.button(_('Approve'), icon='check', color='positive',
                              on_click=lambda r=redemption: self._approve(r)).props('no-caps dense') \
                        .mark(f'approve-{redemption.id}')
                    ui.button(_('Deny'), icon='close', color='negative',
                              on_click=lambda r=redemption: self._ask_deny(r)).props('no-caps dense outline') \
                        .mark(f'deny-{redemption.id}')
        self.decided.clear()
        with self.decided:
            for redemption in decided:
                with ui.row().classes('w-full items-center no-wrap gap-3 px-3').mark(f'decided-{redemption.id}'):
                    ui.label(redemption.agent_name).classes('w-40')
                    ui.label(redemption.reward_name).classes('grow')
                    ui.label(redemption.note).classes('text-sm italic text-grey-8')
                    ui.label(points(redemption.cost)).classes('text-sm')
                    ui.badge(REDEMPTION_WORDS[redemption.status](),
                             color='positive' if redemption.status.value == 'approved' else 'negative') \
                        .mark(f'decided-status-{redemption.id}')

    async def _approve(self, redemption: RedemptionView) -> None:
        await self._decide(redemption, approve=True)

    def _ask_deny(self, redemption: RedemptionView) -> None:
        self.denying = redemption
        self.deny_title.set_text(_('Deny {reward} for {agent}? {points} are refunded.').format(
            reward=redemption.reward_name, agent=redemption.agent_name, points=points(redemption.cost)))
        self.deny_note.set_value('')
        self.deny_dialog.open()

    async def _deny(self) -> None:
        self.deny_dialog.close()
        if self.denying is not None:
            await self._decide(self.denying, approve=False, note=self.deny_note.value or '')

    async def _decide(self, redemption: RedemptionView, *, approve: bool, note: str = '') -> None:
        if (lead := self.context.lead()) is None:
            return
        if not await attempt(self.context.services.rewards.decide(lead, redemption.id, approve=approve, note=note)):
            return
        ui.notify((_('Approved {reward} for {agent}.') if approve else _('Denied {reward} for {agent}.'))
                  .format(reward=redemption.reward_name, agent=redemption.agent_name))


async def approvals_tab(context: AdminContext) -> None:
    await ApprovalsTab(context).load()


# a redemption's status as a lead reads it; the value stays English in the API and the exports
REDEMPTION_WORDS = {RedemptionStatus.PENDING: lambda: pgettext('redemption status', 'pending'),
                    RedemptionStatus.APPROVED: lambda: pgettext('redemption status', 'approved'),
                    RedemptionStatus.DENIED: lambda: pgettext('redemption status', 'denied')}


def channel_options() -> dict[str, str]:
    """An incentive's channel choices in the reader's language."""
    return {'': _('Every channel')} | {channel.value: channel_text(channel) for channel in Channel}


class IncentivesTab:
    """Time-boxed multipliers and bonuses: they apply to resolutions from the moment they are saved."""

    def __init__(self, context: AdminContext) -> None:
        self.context = context
        self.editing: Incentive | None = None
        self._build_form()
        with ui.row().classes('w-full items-center'):
            ui.label(_('Incentives add their own ledger entries to resolutions inside their days and hours ({zone}); '
                       'a reopen takes them back with the resolution.').format(zone=floor_timezone())) \
                .classes('text-sm text-grey-8 grow')
            ui.button(_('New incentive'), icon='add', on_click=lambda: self._open(None)).props('no-caps') \
                .mark('new-incentive')
        self.rows = ui.column().classes('w-full gap-1').mark('admin-incentives')
        self.show()
        context.services.incentives.changed.subscribe(self.show)  # unsubscribed with the tab

    def show(self) -> None:
        self.rows.clear()
        with self.rows:
            incentives = self.context.services.incentives.in_force()
            if not incentives:
                ui.label(_('No incentives.')).classes('text-sm text-grey-6')
            running = {incentive.id for incentive in self.context.services.incentives.running()}
            for incentive in incentives:
                with ui.row().classes('w-full items-center no-wrap gap-3 bg-white rounded px-3 py-1') \
                        .mark(f'incentive-{incentive.id}'):
                    ui.icon('bolt', color='amber-8' if incentive.id in running else 'grey')
                    with ui.column().classes('gap-0 grow'):
                        ui.label(incentive.label).classes('font-medium')
                        ui.label(incentive.summary).classes('text-xs text-grey-7')
                    if incentive.id in running:
                        ui.badge(_('running'), color='amber-8')
                    ui.button(icon='edit', on_click=lambda i=incentive: self._open(i)).props('flat round dense') \
                        .tooltip(_('Edit')).mark(f'edit-incentive-{incentive.id}')
                    ui.button(icon='delete', on_click=lambda i=incentive: self._delete(i)) \
                        .props('flat round dense').tooltip(_('End it')).mark(f'delete-incentive-{incentive.id}')

    def _build_form(self) -> None:
        with ui.dialog() as self.dialog, ui.card().classes('w-[36rem] gap-2').mark('incentive-form'):
            self.form_title = ui.label().classes('text-lg font-bold')
            with ui.row().classes('w-full no-wrap gap-2 items-center'):
                self.name = ui.input(_('Name'), placeholder=_('chat afternoon')).classes('grow').mark('incentive-name')
                self.kind = ui.toggle({IncentiveKind.MULTIPLIER.value: _('Multiplier'),
                                       IncentiveKind.BONUS.value: _('Bonus')},
                                      value=IncentiveKind.MULTIPLIER.value).props('no-caps').mark('incentive-kind')
            self.channel = ui.select(channel_options(), value='', label=_('Channel')).classes('w-full') \
                .mark('incentive-channel')
            with ui.row().classes('w-full no-wrap gap-2'):
                self.starts_on = ui.input(_('First day')).props('type=date').classes('grow').mark('incentive-starts')
                self.ends_on = ui.input(_('Last day')).props('type=date').classes('grow').mark('incentive-ends')
            with ui.row().classes('w-full no-wrap gap-2'):
                self.from_time = ui.input(_('From ({zone})').format(zone=floor_timezone())).props('type=time') \
                    .classes('grow').mark('incentive-from')
                self.until_time = ui.input(_('Until ({zone})').format(zone=floor_timezone())).props('type=time') \
                    .classes('grow').mark('incentive-until')
            with ui.row().classes('w-full no-wrap gap-2').bind_visibility_from(
                    self.kind, 'value', value=IncentiveKind.MULTIPLIER.value):
                self.multiplier = ui.number(_('Multiplier (×1 to ×5)'), value=2, min=1, max=5, step=0.5, precision=1) \
                    .classes('grow').mark('incentive-multiplier')
            with ui.row().classes('w-full no-wrap gap-2').bind_visibility_from(
                    self.kind, 'value', value=IncentiveKind.BONUS.value):
                self.bonus = ui.number(_('Bonus points per resolution'), value=5, min=1, precision=0).classes('grow') \
                    .mark('incentive-bonus')
                self.beyond = ui.number(_('beyond this many an hour'), value=3, min=0, precision=0).classes('grow') \
                    .mark('incentive-beyond')
            with ui.row().classes('w-full justify-end gap-2'):
                ui.button(_('Cancel'), on_click=self.dialog.close).props('flat no-caps')
                ui.button(_('Save'), icon='save', on_click=self._save).props('no-caps').mark('incentive-save')

    def _open(self, incentive: Incentive | None) -> None:
        self.editing = incentive
        today = floor_day(self.context.services.clock.now())
        self.form_title.set_text(_('New incentive') if incentive is None
                                 else _('Edit {name}').format(name=incentive.name))
        self.name.set_value(incentive.name if incentive else '')
        self.kind.set_value((incentive.kind if incentive else IncentiveKind.MULTIPLIER).value)
        self.channel.set_value(incentive.channel or '' if incentive else '')
        self.starts_on.set_value((incentive.starts_on if incentive else today).isoformat())
        self.ends_on.set_value((incentive.ends_on if incentive else today).isoformat())
        self.from_time.set_value(incentive.from_time if incentive else '14:00')
        self.until_time.set_value(incentive.until_time if incentive else '17:00')
        self.multiplier.set_value(incentive.multiplier if incentive else 2)
        self.bonus.set_value(incentive.bonus_points if incentive and incentive.bonus_points else 5)
        self.beyond.set_value(incentive.beyond_per_hour if incentive else 3)
        self.dialog.open()

    async def _save(self) -> None:
        if (lead := self.context.lead()) is None:
            return
        days = [_day(self.starts_on.value), _day(self.ends_on.value)]
        if None in days:
            ui.notify(_('Pick the first and the last day.'), type='negative')
            return
        kind = IncentiveKind(self.kind.value)
        incentive = Incentive(id=self.editing.id if self.editing else 0, name=self.name.value or '', kind=kind,
                              channel=self.channel.value or None, starts_on=days[0] or date.min,
                              ends_on=days[1] or date.min, from_time=self.from_time.value or '',
                              until_time=self.until_time.value or '',
                              multiplier=float(self.multiplier.value or 0) if kind == IncentiveKind.MULTIPLIER else 1,
                              bonus_points=int(self.bonus.value or 0) if kind == IncentiveKind.BONUS else 0,
                              beyond_per_hour=int(self.beyond.value or 0) if kind == IncentiveKind.BONUS else 0)
        if (saved := await attempt_result(self.context.services.incentives.save(lead, incentive),
                                          multi_line=True)) is None:
            return
        self.dialog.close()
        ui.notify(_('Saved {name}').format(name=saved.label), type='positive')

    async def _delete(self, incentive: Incentive) -> None:
        if (lead := self.context.lead()) is None:
            return
        if not await attempt(self.context.services.incentives.delete(lead, incentive.id)):
            return
        ui.notify(_('Ended {name}; the points it gave stay.').format(name=incentive.label))


RATING_ICONS = {Rating.GOOD: ('sentiment_satisfied', 'positive'), Rating.NEUTRAL: ('sentiment_neutral', 'amber-8'),
                Rating.BAD: ('sentiment_dissatisfied', 'negative')}


# one whole sentence per rating (the adjective agrees with its noun in French and Latvian), shown through _()
TURN_DOWN_QUESTIONS = {
    Rating.GOOD: N_('Turn down the dispute of {agent} on #{conversation}? The good rating stands.'),
    Rating.NEUTRAL: N_('Turn down the dispute of {agent} on #{conversation}? The neutral rating stands.'),
    Rating.BAD: N_('Turn down the dispute of {agent} on #{conversation}? The bad rating stands.')}
INVALIDATE_QUESTIONS = {
    Rating.GOOD: N_('Invalidate the good rating of {agent} on #{conversation}? {points} compensate it.'),
    Rating.NEUTRAL: N_('Invalidate the neutral rating of {agent} on #{conversation}? {points} compensate it.'),
    Rating.BAD: N_('Invalidate the bad rating of {agent} on #{conversation}? {points} compensate it.')}
DISPUTED = 'disputed'  # the filter listing the disputes agents raised and no lead decided yet


class DisputesTab:
    """The latest ratings; an unfair one is invalidated with a reason, and its points are compensated."""

    def __init__(self, context: AdminContext) -> None:
        self.context = context
        self.disputed: RatedView | None = None
        self.rejecting = False  # the dialog turns an agent's dispute down rather than invalidating the rating
        with ui.dialog() as self.dialog, ui.card().classes('w-[30rem] gap-2').mark('invalidate-form'):
            self.dialog_title = ui.label().classes('text-base font-bold')
            self.reason = ui.textarea(_('Why? (the agent is told)')).props('autogrow').classes('w-full') \
                .mark('invalidate-reason')
            with ui.row().classes('w-full justify-end gap-2'):
                ui.button(_('Cancel'), on_click=self.dialog.close).props('flat no-caps')
                self.confirm = ui.button(_('Invalidate'), icon='gavel', color='negative', on_click=self._decide) \
                    .props('no-caps').mark('invalidate-confirm')
        with ui.row().classes('w-full items-center'):
            ui.label(_('Invalidating a rating adds entries that cancel its points; the history stays. Once per '
                       'rating. Agents dispute their own ratings: "Disputed" lists those waiting for you.')) \
                .classes('text-sm text-grey-8 grow')
            self.only = ui.toggle({'': _('All'), Rating.BAD.value: _('Bad'), Rating.GOOD.value: _('Good'),
                                   DISPUTED: _('Disputed')}, value='',
                                  on_change=self.load).props('no-caps dense').mark('ratings-filter')
        self.rows = ui.column().classes('w-full gap-1').mark('ratings')
        context.services.disputes.changed.subscribe(self.load)  # unsubscribed with the tab

    async def load(self) -> None:
        if (lead := self.context.lead()) is None:
            return
        disputed = self.only.value == DISPUTED
        only = Rating(self.only.value) if self.only.value and not disputed else None
        ratings = await self.context.services.disputes.ratings(lead, only=only, disputed=disputed)
        self.rows.clear()
        with self.rows:
            if not ratings:
                ui.label(_('No disputes waiting.') if disputed else _('No ratings yet.')).classes('text-sm text-grey-6')
            for rated in ratings:
                icon, color = RATING_ICONS[rated.rating]
                with ui.row().classes('w-full items-center no-wrap gap-3 bg-white rounded px-3 py-1 min-h-[44px]') \
                        .mark(f'rating-{rated.event_id}'):
                    ui.icon(icon, color=color)
                    ui.label(f'#{rated.conversation_id}').classes('w-16')
                    ui.label(rated.agent_name).classes('w-40 font-medium')
                    ui.label(rated.comment).classes('text-sm italic text-grey-8 grow truncate')
                    ui.label(moment_text(rated.rated_at, style='short')).classes('text-xs text-grey-6')
                    ui.label(f'{rated.points:+d}').classes('w-10 text-right')
                    if rated.disputed_because is not None:
                        ui.badge(_('disputed'), color='amber-8') \
                            .tooltip(f'{rated.agent_name}: {rated.disputed_because}') \
                            .mark(f'disputed-{rated.event_id}')
                    if rated.invalidated_because is not None:
                        ui.badge(_('invalidated'), color='grey').tooltip(rated.invalidated_because) \
                            .mark(f'invalidated-{rated.event_id}')
                    elif rated.rejected_because is not None:
                        ui.badge(_('rating stands'), color='grey').tooltip(rated.rejected_because) \
                            .mark(f'rejected-{rated.event_id}')
                    else:
                        if rated.disputed_because is not None:
                            ui.button(_('Turn down'), icon='block',
                                      on_click=lambda r=rated: self._ask(r, reject=True)) \
                                .props('no-caps dense flat').mark(f'reject-{rated.event_id}')
                        ui.button(_('Invalidate'), icon='gavel', on_click=lambda r=rated: self._ask(r)) \
                            .props('no-caps dense flat').mark(f'invalidate-{rated.event_id}')
                if rated.disputed_because is not None and disputed:
                    ui.label(_('{agent} says: {reason}').format(agent=rated.agent_name,
                                                                reason=rated.disputed_because)) \
                        .classes('text-sm text-grey-8 pl-12').mark(f'dispute-reason-{rated.event_id}')

    def _ask(self, rated: RatedView, *, reject: bool = False) -> None:
        self.disputed, self.rejecting = rated, reject
        if reject:
            self.dialog_title.set_text(_(TURN_DOWN_QUESTIONS[rated.rating]).format(
                agent=rated.agent_name, conversation=rated.conversation_id))
            self.confirm.set_text(_('Turn down'))
        else:
            self.dialog_title.set_text(_(INVALIDATE_QUESTIONS[rated.rating]).format(
                agent=rated.agent_name, conversation=rated.conversation_id, points=points(-rated.points, signed=True)))
            self.confirm.set_text(_('Invalidate'))
        self.reason.set_value('')
        self.dialog.open()

    async def _decide(self) -> None:
        if (lead := self.context.lead()) is None or self.disputed is None:
            return
        disputes = self.context.services.disputes
        if self.rejecting:
            if await attempt(disputes.reject(lead, self.disputed.event_id, self.reason.value or ''),
                             done=_('Turned down; the rating of {agent} stands.').format(
                                 agent=self.disputed.agent_name), multi_line=True):
                self.dialog.close()
            return
        compensated = await attempt_result(disputes.invalidate(
            lead, self.disputed.event_id, self.reason.value or ''), multi_line=True)
        if compensated is None:
            return
        self.dialog.close()
        ui.notify(_('Invalidated; {points} for {agent}.').format(points=points(compensated, signed=True),
                                                                 agent=self.disputed.agent_name), type='positive')


async def disputes_tab(context: AdminContext) -> None:
    await DisputesTab(context).load()


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text or '')
    except ValueError:
        return None


# the tabs, in order: adding one is adding a line (name, icon, builder); the name is shown through _()
SECTIONS: list[tuple[str, str, Builder]] = [
    (N_('Rewards'), 'redeem', RewardsTab),
    (N_('Approvals'), 'fact_check', approvals_tab),
    (N_('Incentives'), 'bolt', IncentivesTab),
    (N_('Disputes'), 'gavel', disputes_tab),
    (N_('Badges & levels'), 'military_tech', lambda context: badges_section(context.services, context.lead)),
    (N_('Scoring'), 'scoreboard', lambda context: ScoringTab(context.services, context.lead)),
    (N_('Quests'), 'flag', lambda context: quests_section(context.services, context.lead)),
    (N_('What-if'), 'science', lambda context: WhatIfTab(context.services, context.lead)),
    (N_('Queue boss'), 'local_fire_department', lambda context: BossTab(context.services, context.lead)),
    (N_('Seasons'), 'emoji_events', lambda context: SeasonsTab(context.services, context.lead)),
    (N_('Wellbeing'), 'spa', lambda context: WellbeingTab(context.services, context.lead)),
    (N_('Working hours'), 'schedule', lambda context: WorkingHoursTab(context.services, context.lead)),
]
