"""The wall screen: a read-only, large-type, dark leaderboard and queue health that update live."""
from nicegui import ui

from services.container import Services
from services.events import Channel
from services.inbox import InboxItem
from services.leaderboard_rules import Period
from ui.format import CHANNEL_ICONS, CHANNEL_LABELS
from ui.leaderboard_card import LeaderboardCard, feed_for


def register(services: Services) -> None:
    feed = feed_for(services.leaderboard)  # created here, outside any page, so it outlives every tab

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
        with ui.row().classes('w-full no-wrap gap-8 px-6 items-start'):
            with ui.column().classes('grow'):
                LeaderboardCard(feed, me=None, kiosk=True, period=Period.TODAY)
            with ui.column().classes('w-1/3 gap-6'):
                with ui.card().classes('w-full bg-transparent shadow-none gap-2'):
                    ui.label('Customers waiting').classes('text-5xl font-bold')
                    queue = {channel: _queue_row(channel) for channel in Channel}
                LeaderboardCard(feed, me=None, kiosk=True, period=Period.WEEK, rows=5, teams=0)

        def show_queue(items: list[InboxItem]) -> None:
            for channel, label in queue.items():
                waiting = sum(1 for item in items if item.channel == channel and item.waiting_since is not None)
                label.set_text(str(waiting))

        show_queue(services.inbox.items())
        services.inbox.changed.subscribe(show_queue)
        ui.timer(1.0, lambda: clock.set_text(services.clock.now().strftime('%a %H:%M')))


def _queue_row(channel: Channel) -> ui.label:
    with ui.row().classes('items-center gap-4 text-3xl'):
        ui.icon(CHANNEL_ICONS[channel], size='lg', color='amber-5')
        ui.label(CHANNEL_LABELS[channel]).classes('w-40')
        return ui.label().classes('font-bold').mark(f'queue-{channel.value}')
