"""The wall screen: a read-only, large-type, dark leaderboard and queue health that update live."""
from nicegui import ui

from services.container import Services
from services.domain.events import Channel
from services.domain.inbox import InboxItem
from services.domain.leaderboard import Period
from services.domain.levels import level_info
from services.domain.projection import LevelUp
from services.domain.quests import QuestCompletion
from services.game.badges import image_url
from ui.clock_ticker import clock_ticker_for
from ui.format import CHANNEL_ICONS, CHANNEL_LABELS
from ui.leaderboard_card import LeaderboardCard, feed_for
from ui.trophies import TrophyStandings, agent_name

CELEBRATION_SECONDS = 6.0
TEAM_ROTATION_SECONDS = 15.0  # the week's board shows the floor, then each team in turn


def register(services: Services) -> None:
    feed = feed_for(services.leaderboard)  # created here, outside any page, so it outlives every tab
    ticker = clock_ticker_for(services.clock)

    @ui.page('/kiosk')
    def kiosk() -> None:
        ui.page_title('DeskQuest · Live floor')
        ui.dark_mode(True)
        ui.query('body').classes('bg-grey-10 text-white')
        with ui.row().classes('w-full items-center px-6 pt-4'):
            ui.label('DeskQuest').classes('text-4xl font-bold text-amber-5')
            ui.label('live floor').classes('text-3xl text-grey-5')
            ui.space()
            clock = ui.label().classes('text-4xl font-mono text-grey-4').mark('kiosk-clock')
        # a level-up is celebrated for a few seconds in a banner over the top of the screen
        with ui.row().classes('fixed top-4 left-1/2 -translate-x-1/2 z-50 items-center gap-4 px-8 py-4 rounded-xl '
                              'bg-amber-6 text-grey-10 shadow-lg') as banner:
            banner_icon = ui.icon('celebration', size='xl')
            banner_text = ui.label().classes('text-4xl font-bold').mark('level-up-banner')
        banner.set_visibility(False)
        shown = [0]  # which celebration is up: an older one's timer must not hide a newer one

        def celebrate(level_ups: list[LevelUp]) -> None:
            up = level_ups[-1]
            level = level_info(up.new, levels=services.levels.levels)
            show_banner(level.icon, f'{agent_name(services.directory, up.agent_id)} reached level {up.new}: '
                                    f'{level.title}!')

        def celebrate_mission(completion: QuestCompletion) -> None:
            if completion.team_id is not None:  # a team mission: the whole floor sees it
                show_banner('groups', f"Team {services.directory.teams.get(completion.team_id, '')} accomplished "
                                      f"the mission '{completion.title}'!")

        def show_banner(icon: str, text: str) -> None:
            banner_icon.set_name(icon)
            banner_text.set_text(text)
            banner.set_visibility(True)
            shown[0] += 1
            with banner:
                ui.timer(CELEBRATION_SECONDS, lambda mine=shown[0]: mine == shown[0] and banner.set_visibility(False),
                         once=True)

        services.levels.level_ups.subscribe(celebrate)
        services.quests.completed.subscribe(celebrate_mission)
        with ui.row().classes('w-full no-wrap gap-8 px-6 items-start'):
            with ui.column().classes('grow'):
                LeaderboardCard(feed, me=None, kiosk=True, period=Period.TODAY, rows=8)  # the trophies fit below
            with ui.column().classes('w-1/3 gap-6'):
                with ui.card().classes('w-full bg-transparent shadow-none gap-2'):
                    ui.label('Customers waiting').classes('text-5xl font-bold')
                    queue = {channel: _queue_row(channel) for channel in Channel}
                week = LeaderboardCard(feed, me=None, kiosk=True, period=Period.WEEK, rows=5, teams=0)
                rotate_teams(week, services)
                KioskBadges(services)
        with ui.column().classes('w-full px-6 pb-6 gap-2'):
            ui.label('Trophies of the month').classes('text-3xl font-bold text-amber-5')
            TrophyStandings(services, kiosk=True, rows=2)

        def show_queue(items: list[InboxItem]) -> None:
            for channel, label in queue.items():
                waiting = sum(1 for item in items if item.channel == channel and item.waiting_since is not None)
                label.set_text(str(waiting))

        show_queue(services.inbox.items())
        services.inbox.changed.subscribe(show_queue)
        clock.set_text(services.clock.now().strftime('%a %H:%M'))
        ticker.ticked.subscribe(lambda now: clock.set_text(now.strftime('%a %H:%M')))


class KioskBadges:
    """Who holds which badge now, as the public sees it (teasing badges only for teams that opted in)."""

    def __init__(self, services: Services) -> None:
        self.services = services
        with ui.column().classes('w-full gap-2'):
            ui.label('Badges').classes('text-5xl font-bold')
            self.grid = ui.grid(columns=2).classes('w-full gap-x-6 gap-y-2').mark('kiosk-badges')
        self.shown: list[tuple[str, str]] | None = None
        self.show(services.badges.public_holders())
        services.badges.changed.subscribe(self.show)  # unsubscribed when the tab closes

    def show(self, holders: dict[str, frozenset[int]]) -> None:
        rows = [(definition.image, f'{definition.name}: ' + ', '.join(
                    agent_name(self.services.directory, agent_id) for agent_id in sorted(holders[definition.key])))
                for definition in self.services.badges.definitions if holders.get(definition.key)]
        if rows == self.shown:
            return
        self.shown = rows
        self.grid.clear()
        with self.grid:
            for image, text in rows:
                with ui.row().classes('items-center no-wrap gap-2'):
                    ui.image(image_url(image)).classes('w-8 h-8 shrink-0')
                    ui.label(text).classes('text-lg text-grey-4 ellipsis')


def rotate_teams(card: LeaderboardCard, services: Services) -> None:
    """Turn the card to the floor and each team in turn: a change of room for this tab, no ranking of its own."""
    boards: list[tuple[int | None, str]] = [(None, '')] + sorted(services.directory.teams.items(),
                                                                 key=lambda item: item[1])
    if len(boards) == 1:
        return
    turn = [0]

    def next_board() -> None:
        turn[0] = (turn[0] + 1) % len(boards)
        card.show_team(*boards[turn[0]])

    ui.timer(TEAM_ROTATION_SECONDS, next_board, immediate=False)


def _queue_row(channel: Channel) -> ui.label:
    with ui.row().classes('items-center gap-4 text-3xl'):
        ui.icon(CHANNEL_ICONS[channel], size='lg', color='amber-5')
        ui.label(CHANNEL_LABELS[channel]).classes('w-40')
        return ui.label().classes('font-bold').mark(f'queue-{channel.value}')
