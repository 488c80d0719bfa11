"""The agent's rewards store: the spendable balance, the rewards, redeeming one, and what became of each redemption."""
from collections.abc import Callable

from nicegui import ui

from services.container import Services
from services.domain.i18n import _, floor_timezone, pgettext
from services.domain.rewards import RedemptionStatus, RedemptionView, RewardView
from services.domain.wording import moment_text, number, points
from services.game.progress import ProgressView
from services.platform.directory import AgentView
from services.platform.notices import Notice
from ui.actions import attempt
from ui.session import handler_actor, page_visitor

STATUS_COLORS = {RedemptionStatus.PENDING: 'amber-8', RedemptionStatus.APPROVED: 'positive',
                 RedemptionStatus.DENIED: 'negative'}
REDEMPTION_WORDS = {RedemptionStatus.PENDING: lambda: pgettext('redemption', 'pending'),
                    RedemptionStatus.APPROVED: lambda: pgettext('redemption', 'approved'),
                    RedemptionStatus.DENIED: lambda: pgettext('redemption', 'denied')}


def register(services: Services) -> None:
    @ui.page('/rewards')
    async def rewards_page() -> None:
        # leads keep the store, they do not shop in it
        if (visitor := page_visitor(services, lead=False, elsewhere='/admin/game')) is None:
            return
        storage, agent = visitor

        actor = handler_actor(services, storage, agent)

        # read before building: the page is sent at its first await and must not flash a zero balance first
        progress = await services.progress.view(agent.id)
        balance = await services.rewards.balance(agent.id)
        redemptions = await services.rewards.redemptions_of(agent.id)
        ui.page_title(_('Rewards · DeskQuest'))
        ui.query('body').classes('bg-blue-grey-1')
        with ui.header().classes('items-center bg-blue-grey-9 py-2 px-4 gap-4'):
            ui.button(icon='arrow_back', on_click=lambda: ui.navigate.to('/')).props('flat round color=white') \
                .tooltip(_('Back to the workspace')).mark('back')
            ui.label(_('Rewards')).classes('text-lg font-bold')
            ui.space()
            ui.label(agent.name).classes('font-medium')
        page = RewardsStore(services, agent, actor, earned=progress.points, spent=balance.spent)
        page.show_catalogue(services.rewards.catalogue())
        page.show_redemptions(redemptions)
        services.rewards.catalogue_changed.subscribe(page.show_catalogue)  # unsubscribed when the tab closes
        services.progress.changed(agent.id).subscribe(page.show_progress)
        services.notices.for_agent(agent.id).subscribe(page.show_notice)


class RewardsStore:
    def __init__(self, services: Services, agent: AgentView, actor: Callable[[], AgentView | None], *,
                 earned: int, spent: int) -> None:
        self.services = services
        self.agent = agent
        self.actor = actor
        self.earned = earned
        self.spent = spent
        self.chosen: RewardView | None = None
        self.redeem_buttons: dict[int, tuple[RewardView, ui.button]] = {}
        with ui.dialog() as self.confirm, ui.card().classes('gap-3').mark('redeem-confirm'):
            self.confirm_text = ui.label().classes('text-base')
            with ui.row().classes('w-full justify-end gap-2'):
                ui.button(_('Not now'), on_click=self.confirm.close).props('flat no-caps')
                ui.button(_('Redeem'), icon='redeem', on_click=self._redeem).props('no-caps').mark('redeem-confirm-yes')
        with ui.column().classes('w-full max-w-5xl mx-auto gap-4 p-4'):
            with ui.card().classes('w-full').mark('balance-card'):
                with ui.row().classes('w-full items-end justify-between'):
                    with ui.column().classes('gap-0'):
                        self.balance_label = ui.label().classes('text-4xl font-bold text-primary').mark('balance')
                        ui.label(_('points to spend')).classes('text-xs text-grey-7')
                    self.balance_detail = ui.label().classes('text-sm text-grey-8').mark('balance-detail')
                running = services.incentives.running()
                if running:
                    with ui.row().classes('gap-2'):
                        for incentive in running:
                            ui.chip(_('{incentive} until {time} {zone}').format(
                                incentive=incentive.label, time=incentive.until_time, zone=floor_timezone()),
                                icon='bolt', color='amber-3').props('dense')
            ui.label(_('Rewards')).classes('text-lg font-bold')
            self.catalogue = ui.row().classes('w-full gap-4').mark('catalogue')
            ui.label(_('My redemptions')).classes('text-lg font-bold')
            self.redemptions = ui.column().classes('w-full gap-1').mark('my-redemptions')
        self._show_balance()

    @property
    def available(self) -> int:
        return self.earned - self.spent

    def show_catalogue(self, rewards: list[RewardView]) -> None:
        """The rewards changed (rare): the cards are rebuilt."""
        self.catalogue.clear()
        self.redeem_buttons.clear()
        with self.catalogue:
            if not rewards:
                ui.label(_('The store is empty for now: your lead adds rewards.')).classes('text-sm text-grey-6')
            for reward in rewards:
                with ui.card().classes('w-60 gap-1').mark(f'reward-{reward.id}'):
                    ui.label(reward.shown_name).classes('text-base font-bold')
                    ui.label(reward.shown_description).classes('text-sm text-grey-8 grow')
                    with ui.row().classes('w-full items-center justify-between'):
                        ui.label(points(reward.cost)).classes('font-medium text-primary')
                        ui.label(reward.stock_text).classes('text-xs text-grey-7').mark(f'stock-{reward.id}')
                    button = ui.button(_('Redeem'), icon='redeem', on_click=lambda r=reward: self._ask(r)) \
                        .props('no-caps').classes('w-full').mark(f'redeem-{reward.id}')
                    self.redeem_buttons[reward.id] = (reward, button)
        self._enable_buttons()

    def show_redemptions(self, redemptions: list[RedemptionView]) -> None:
        self.redemptions.clear()
        with self.redemptions:
            if not redemptions:
                ui.label(_('Nothing redeemed yet.')).classes('text-sm text-grey-6')
            for redemption in redemptions:
                with ui.row().classes('w-full items-center no-wrap gap-3 bg-white rounded px-3 py-1') \
                        .mark(f'redemption-{redemption.id}'):
                    ui.label(redemption.shown_reward_name).classes('font-medium grow')
                    if redemption.note:
                        ui.label(f'“{redemption.note}”').classes('text-sm italic text-grey-8')
                    ui.label(points(redemption.cost)).classes('text-sm')
                    ui.label(moment_text(redemption.requested_at, style='short')).classes('text-xs text-grey-6')
                    ui.badge(REDEMPTION_WORDS[redemption.status](), color=STATUS_COLORS[redemption.status]) \
                        .mark(f'redemption-status-{redemption.id}')

    def show_progress(self, view: ProgressView) -> None:
        """Points came in (or were taken back): the balance and which rewards are affordable change in place."""
        self.earned = view.points
        self._show_balance()

    async def show_notice(self, notice: Notice) -> None:
        """A lead decided one of this agent's redemptions: tell them, and show its new status and the refund."""
        ui.notify(notice.text, type=notice.kind, multi_line=True)
        await self._reload()

    async def _reload(self) -> None:
        balance = await self.services.rewards.balance(self.agent.id)
        self.spent = balance.spent
        self._show_balance()
        self.show_redemptions(await self.services.rewards.redemptions_of(self.agent.id))

    def _show_balance(self) -> None:
        self.balance_label.set_text(number(self.available))
        self.balance_detail.set_text(_('{earned} lifetime points · {spent} spent').format(earned=number(self.earned),
                                                                                       spent=number(self.spent)))
        self._enable_buttons()

    def _enable_buttons(self) -> None:
        for reward, button in self.redeem_buttons.values():
            button.set_enabled(reward.available and reward.cost <= self.available)

    def _ask(self, reward: RewardView) -> None:
        self.chosen = reward
        self.confirm_text.set_text(_('Redeem {reward} for {cost}? You will have {left} left; a lead approves it.')
                                   .format(reward=reward.name, cost=points(reward.cost),
                                           left=points(self.available - reward.cost)))
        self.confirm.open()

    async def _redeem(self) -> None:
        actor, reward = self.actor(), self.chosen
        self.confirm.close()
        if actor is None or reward is None:
            return
        if not await attempt(self.services.rewards.redeem(actor, reward.id), multi_line=True):
            return
        ui.notify(_('Redeemed {reward}: a lead will approve it soon.').format(reward=reward.shown_name),
                  type='positive')
        await self._reload()
