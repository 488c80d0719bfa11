"""The agent's one screen: progress card, unified inbox and live leaderboard (plus simulator controls for leads)."""
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext

from nicegui import ui

from services.container import Services
from services.domain.i18n import N_, _
from services.domain.personal_bests import RecapPeriod
from services.game.badges import AgentBadges
from services.game.progress import ProgressView
from services.helpdesk.sla import alert_text
from services.platform.directory import AgentView
from simulation.simulator import Simulator
from ui.boss_bar import BossBar, boss_feed_for
from ui.clock_ticker import clock_ticker_for
from ui.external_conversation import show_external_conversation
from ui.i18n import language_menu
from ui.inbox_panel import InboxPanel, queue_views_for
from ui.kudos import KudosDialog
from ui.leaderboard_card import LeaderboardCard, TeamBoardCard, feed_for
from ui.my_ratings import MyRatingsDialog
from ui.presence_menu import PresenceMenu
from ui.progress_card import ProgressCard
from ui.recap import recap_url
from ui.receipts import show_badge_receipt, show_level_receipt, show_receipt
from ui.session import handler_actor, log_out, page_visitor
from ui.sim_controls import SimulatorControls
from ui.team_chat import TeamChatPanel


def register(services: Services, *, simulator: Simulator | None) -> None:
    feed = feed_for(services.leaderboard)  # created here, outside any page, so it outlives every tab
    queues = queue_views_for(services.inbox)
    ticker = clock_ticker_for(services.clock)
    boss_feed = boss_feed_for(services.boss, ticker)  # the queue boss's bar, worded once for every tab
    boss_feed.audience('floor', lambda agent_id: getattr(services.directory.agent(agent_id), 'name', None))

    @ui.page('/')
    async def workspace(conversation: int | None = None) -> None:
        """:param conversation: a conversation to open at once (a receipt's link from another page)."""
        if (visitor := page_visitor(services)) is None:
            return
        storage, agent = visitor
        # read before building anything: the page is sent at its first await, and must not flash zero points first
        initial_progress = None if agent.is_lead else await services.progress.view(agent.id)
        season_recap = None if agent.is_lead else await services.recap.season_ready(agent.id)
        ui.page_title('DeskQuest')
        ui.query('body').classes('bg-blue-grey-1')

        actor = handler_actor(services, storage, agent)
        # a team working in another helpdesk (issue 14): the game without DeskQuest's inbox
        elsewhere = services.directory.works_elsewhere(agent)

        # one height for every header (the lead's simulator controls are taller than an agent's buttons), so the columns
        # below can take exactly the rest of the screen; gap-4 wrapped at 1366 px
        with ui.header().classes('items-center bg-blue-grey-9 py-0 px-4 gap-2 h-16 no-wrap'):
            ui.image('/assets/logo.svg').classes('w-8 h-8')
            ui.label('DeskQuest').classes('text-lg font-bold')
            ui.space()
            if agent.is_lead and simulator is not None:
                SimulatorControls(simulator, ticker=ticker, actor=actor)
            header_tools = ui.row().classes('items-center gap-1 no-wrap')  # presence, chat, canned replies, ratings
            ui.label(agent.name).classes('font-medium').mark('agent-name')
            with ui.row().classes('items-center gap-1 text-sm bg-deep-purple-5 px-2 rounded no-wrap'):
                level_icon = ui.icon('badge', size='xs')
                level_chip = ui.label().mark('level-chip')
            language_menu(services, actor=actor)
            ui.button(icon='account_circle', on_click=lambda: ui.navigate.to('/account')) \
                .props('flat round color=white').tooltip(_('Your account: language, sessions and password')) \
                .mark('account-link')
            ui.button(icon='logout', on_click=lambda: log_out(services, storage)) \
                .props('flat round color=white').tooltip(_('Log out')).mark('logout')

        async def open_conversation(conversation_id: int) -> None:
            """A receipt's or a rating's conversation: in the inbox (made below: looked up when clicked), or, without
            one, what DeskQuest knows of it."""
            if inbox is not None:
                await inbox.conversation.open(conversation_id)
            elif not await show_external_conversation(services, conversation_id):
                ui.notify(_('#{id} is in DeskQuest’s inbox, which your team does not use.').format(id=conversation_id),
                          type='info')

        def boards(cell: Callable[[], AbstractContextManager] = nullcontext) -> None:
            """:param cell: what each board is placed in (side by side without an inbox)."""
            with cell():
                LeaderboardCard(feed, me=agent.id)
            with cell():
                if agent.is_lead and services.directory.teams:  # any team's board; an agent sees their own
                    TeamBoardCard(feed, me=None, team_id=agent.team_id, choices=dict(sorted(
                        services.directory.teams.items(), key=lambda item: item[1])))
                elif agent.team_id is not None:
                    TeamBoardCard(feed, me=agent.id, team_id=agent.team_id, team_name=agent.team_name)

        inbox: InboxPanel | None = None
        # the screen's height is shared out: each column scrolls on its own, the page itself does not
        with ui.row().classes('w-full no-wrap items-stretch gap-4').style('height: calc(100vh - 96px)'):
            with ui.column().classes(('w-96' if elsewhere else 'w-80') +
                                     ' shrink-0 gap-4 h-full overflow-y-auto flex-nowrap'):
                BossBar(boss_feed, audience='floor')
                if season_recap is not None:  # a season just ended: offered until opened, or for a few days
                    season_recap_notice(season_recap)
                progress = ProgressCard(
                    on_receipt=lambda receipt: show_receipt(services, actor, receipt,
                                                            open_conversation=open_conversation),
                    on_badge=lambda key: show_badge_receipt(services, actor, agent_id=agent.id, badge_key=key,
                                                            open_conversation=open_conversation),
                    on_level=lambda: show_level_receipt(services, actor, open_conversation=open_conversation),
                ) if not agent.is_lead else None
                if not elsewhere:
                    boards()
            if elsewhere:  # no inbox: the boards take its place, side by side, under a word on where work happens
                with ui.column().classes('grow gap-4 h-full overflow-y-auto flex-nowrap').mark('elsewhere-main'):
                    with ui.card().classes('w-full bg-blue-1').mark('elsewhere-note'):
                        ui.label(_('{team} works in its own helpdesk').format(team=agent.team_name)) \
                            .classes('text-md font-bold')
                        ui.label(_('Your tickets are worked there; what you do there scores here. Your progress and '
                                   'quests are on the left, the boards below, and your points buy rewards.')) \
                            .classes('text-sm')
                        ui.button(_('Rewards'), icon='redeem', on_click=lambda: ui.navigate.to('/rewards')) \
                            .props('flat dense color=primary').mark('elsewhere-rewards')
                    with ui.row().classes('w-full gap-4 items-start'):
                        boards(lambda: ui.column().classes('grow basis-80 gap-4'))
            else:
                inbox = InboxPanel(services, agent, actor, queues)
        with ui.right_drawer(value=False).props('width=360 bordered overlay elevated') \
                .classes('bg-blue-grey-1 p-3') as chat_drawer:
            chat = TeamChatPanel(services, agent, actor, open_conversation=open_conversation,
                                 on_unread=lambda count: (chat_badge.set_text(str(count)),
                                                          chat_badge.set_visibility(count > 0)))
        chat_drawer.on_value_change(lambda event: chat.opened(bool(event.value)))
        with header_tools:
            if not elsewhere:  # presence steers routing, which gives them nothing
                PresenceMenu(services, agent, actor)
            with ui.button(icon='forum', on_click=chat_drawer.toggle).props('flat round color=white') \
                    .tooltip(_('Team chat')).mark('chat-toggle'):
                chat_badge = ui.badge('0', color='red').props('floating rounded').mark('chat-unread')
                chat_badge.set_visibility(False)
            if not elsewhere:  # canned replies are the inbox's
                ui.button(icon='quickreply', on_click=lambda: ui.navigate.to('/canned')) \
                    .props('flat round color=white').tooltip(_('Canned replies')).mark('canned-link')
            ui.button(icon='emoji_events', on_click=lambda: ui.navigate.to('/trophies')) \
                .props('flat round color=white').tooltip(_('Trophies and badges')).mark('trophies-link')
            if not agent.is_lead:
                ratings = MyRatingsDialog(services, agent, open_conversation=open_conversation)
                ui.button(icon='star_rate', on_click=ratings.open).props('flat round color=white') \
                    .tooltip(_('My ratings')).mark('my-ratings-button')
                kudos = KudosDialog(services, actor)
                ui.button(icon='volunteer_activism', on_click=kudos.open).props('flat round color=white') \
                    .tooltip(_('Thank a colleague')).mark('kudos-button')
            page_links(agent)

        shown_level = [initial_progress.level if initial_progress else 1]

        def show_progress(view: ProgressView) -> None:
            if view.level > shown_level[0]:
                ui.notify(_('Level up! You are now {title} (level {level}).').format(title=view.shown_level_title,
                                                                             level=view.level),
                          type='positive', icon=view.level_icon)
            shown_level[0] = view.level
            level_icon.set_name(view.level_icon)
            level_chip.set_text(view.shown_level_title)
            if progress is not None:
                progress.show(view)

        def show_badges(badges: AgentBadges) -> None:
            for definition in badges.gained:
                ui.notify(_('New badge: {name}! {description}.').format(name=definition.name,
                                                                   description=definition.description),
                          type='positive', icon='military_tech')
            if progress is not None:
                progress.show_badges(badges.held)

        if initial_progress is None:
            level_chip.set_text(_('Team lead'))
        else:
            show_progress(initial_progress)
            services.progress.changed(agent.id).subscribe(show_progress)  # unsubscribed when the tab closes
            show_badges(AgentBadges(agent_id=agent.id, held=services.badges.held_by(agent.id)))
            services.badges.agent_changed(agent.id).subscribe(show_badges)
        if inbox is not None:
            inbox.show(services.inbox.items())
            services.inbox.changed.subscribe(inbox.show)
        if conversation is not None:
            await open_conversation(conversation)

        services.notices.for_agent(agent.id).subscribe(lambda notice: ui.notify(notice.text, type=notice.kind,
                                                                                multi_line=True))
        if agent.is_lead:  # SLA escalations that notify the lead, one notification per burst
            services.sla.alerts.subscribe(lambda alerts: ui.notify(alert_text(alerts), type='warning',
                                                                   position='bottom-right', timeout=8000))

        # a lead moved the agent's team into or out of another helpdesk: the page is built again for it
        services.connections.changed.subscribe(
            lambda _: ui.navigate.reload() if services.directory.works_elsewhere(agent) != elsewhere else None)

        returning = not services.presence.is_online(agent.id)  # no other tab of theirs: the simulator played them
        services.presence.tab_opened(agent.id)  # the simulator leaves an agent's work alone while they are here

        def tab_closed() -> None:
            services.presence.tab_closed(agent.id)
            if not services.presence.is_online(agent.id):
                services.away.left(agent.id)  # the demo's simulator works as them from here
        ui.context.client.on_delete(tab_closed)
        if returning and (away := await services.away.returned(agent.id)) is not None:
            ui.notify(away.text, type='info', multi_line=True, timeout=15000, position='top')


# the lead's pages, in the header's menu: what it says, its icon, where it goes, the marker tests find it by
LEAD_PAGES = (
    (N_('Live monitor'), 'monitor_heart', '/monitor', 'monitor-link'),
    (N_('Analytics'), 'insights', '/analytics', 'analytics-link'),
    (N_('Workspace settings'), 'tune', '/admin/workspace', 'admin-link'),
    (N_('Game settings'), 'sports_esports', '/admin/game', 'admin-game-link'),
    (N_('Accounts'), 'manage_accounts', '/admin/accounts', 'admin-accounts-link'),
    (N_('Connected helpdesks'), 'hub', '/admin/integrations', 'admin-integrations-link'),
    (N_('Exports'), 'download', '/admin/exports', 'admin-exports-link'),
    (N_('REST API tokens'), 'key', '/admin/api', 'admin-api-link'),
    (N_('Wall displays'), 'tv', '/admin/displays', 'admin-displays-link'),
    (N_('Agents’ recaps'), 'auto_stories', '/recap', 'recap-link'),
)


def season_recap_notice(period: RecapPeriod) -> None:
    """The card offering the agent their recap of the season that just ended."""
    with ui.card().classes('w-full bg-deep-purple-1 gap-1').mark('season-recap-ready'):
        with ui.row().classes('items-center gap-2 no-wrap'):
            ui.icon('auto_stories', color='deep-purple-7')
            ui.label(_('Your season recap is ready')).classes('text-base font-bold')
        ui.label(_('{season} is over: see your best day, your bests and how you grew since the season before.')
                 .format(season=period.season)).classes('text-sm').mark('season-recap-text')
        ui.button(_('Open my recap'), on_click=lambda: ui.navigate.to(recap_url(period))) \
            .props('no-caps dense color=deep-purple').mark('season-recap-open')


def page_links(agent: AgentView) -> None:
    """Leads set up the workspace, the game, the accounts and the connections from one menu (a button each made the
    header wrap at 1366 px); agents spend their points."""
    if agent.is_lead:
        with ui.button(icon='admin_panel_settings').props('flat round color=white') \
                .tooltip(_('Settings, accounts and data')).mark('admin-menu'), ui.menu():
            for label, icon, path, marker in LEAD_PAGES:
                with ui.menu_item(on_click=lambda path=path: ui.navigate.to(path)).mark(marker), \
                        ui.row().classes('items-center gap-3 no-wrap'):
                    ui.icon(icon, size='sm').classes('text-blue-grey-7')
                    ui.label(_(label))
    else:
        ui.button(icon='redeem', on_click=lambda: ui.navigate.to('/rewards')) \
            .props('flat round color=white').tooltip(_('Rewards')).mark('rewards-link')
        ui.button(icon='insights', on_click=lambda: ui.navigate.to('/analytics')) \
            .props('flat round color=white').tooltip(_('My analytics')).mark('analytics-link')
        ui.button(icon='auto_stories', on_click=lambda: ui.navigate.to('/recap')) \
            .props('flat round color=white').tooltip(_('My month’s recap')).mark('recap-link')
