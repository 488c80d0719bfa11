"""The trophy room: this month's standings for each trophy, past winners, and who holds which badge now (a holder or
a badge won opens its receipt)."""
from collections.abc import Callable

from nicegui import ui

from services.container import Services
from services.domain.badges import BadgeDefinition
from services.domain.i18n import _
from services.domain.wording import month, number, weekday_time
from services.game.badges import image_url
from services.game.trophies import TrophySnapshot
from services.platform.directory import AgentView, Directory
from ui.receipts import show_badge_receipt
from ui.session import handler_actor, page_visitor

HISTORY_SHOWN = 15
HISTORY_SCANNED = 100  # teasing badges the viewer may not see are skipped


def agent_name(directory: Directory, agent_id: int) -> str:
    agent = directory.agent(agent_id)
    return agent.name if agent else _('Agent {id}').format(id=agent_id)


class TrophyStandings:
    """This month's trophies as cards (built once, refreshed when the shared snapshot changes)."""

    def __init__(self, services: Services, *, kiosk: bool = False, rows: int = 5) -> None:
        self.services = services
        self.kiosk = kiosk
        self.rows = rows
        self.container = ui.row().classes('w-full gap-4 items-stretch').mark('trophy-standings')
        self._shown: tuple | None = None
        self.show(services.trophies.snapshot())
        services.trophies.changed.subscribe(self.show)  # unsubscribed when the tab closes

    def show(self, snapshot: TrophySnapshot) -> None:
        """Update the cards in place: every kiosk and trophy page gets each change, and most changes move a number."""
        shown = tuple((trophy.key, tuple((agent_name(self.services.directory, standing.agent_id), standing.points)
                                         for standing in snapshot.standings[trophy.key][:self.rows]))
                      for trophy in snapshot.trophies)
        if shown == self._shown:
            return
        if self._shown is None or [key for key, _standings in shown] != [key for key, _standings in self._shown]:
            self._build(snapshot)
        self._shown = shown
        for key, standings in shown:
            self._nobody[key].set_visibility(not standings)
            for place, (row, name, points) in enumerate(self._rows[key], start=1):
                row.set_visibility(place <= len(standings))
                if place <= len(standings):
                    name.set_text(f'{place}. {standings[place - 1][0]}')
                    points.set_text(number(standings[place - 1][1]))

    def _build(self, snapshot: TrophySnapshot) -> None:
        """One card per trophy with a fixed number of rows (built again only if the trophies themselves change)."""
        self.container.clear()
        self._rows: dict[str, list[tuple[ui.row, ui.label, ui.label]]] = {}
        self._nobody: dict[str, ui.label] = {}
        card_classes = 'bg-transparent shadow-none border border-grey-8 min-w-56' if self.kiosk else 'min-w-64'
        with self.container:
            for trophy in snapshot.trophies:
                with ui.card().classes(f'gap-1 grow {card_classes}').mark(f'trophy-{trophy.key}'):
                    with ui.row().classes('items-center no-wrap gap-2'):
                        ui.icon(trophy.icon, size='md', color='amber-6')
                        with ui.column().classes('gap-0'):
                            ui.label(_(trophy.name)).classes('text-xl font-bold' if self.kiosk else 'font-bold')
                            if not self.kiosk:
                                ui.label(_(trophy.description)).classes('text-xs text-grey-7')
                    self._nobody[trophy.key] = ui.label(_('Nobody yet this month')).classes('text-sm text-grey-6')
                    self._rows[trophy.key] = []
                    for _place in range(self.rows):
                        with ui.row().classes('w-full justify-between no-wrap ' +
                                              ('text-lg' if self.kiosk else 'text-sm')) as row:
                            name = ui.label()
                            points = ui.label().classes('font-bold')
                        self._rows[trophy.key].append((row, name, points))


def badge_holders(services: Services, viewer: AgentView | None, definitions: tuple[BadgeDefinition, ...],
                  holders: dict[str, frozenset[int]], on_holder: Callable[[str, int], object] | None = None) -> None:
    """Each badge with its current holders, teasing ones hidden from those who may not see them; clicking a holder
    calls ``on_holder`` with the badge's key and the agent."""
    for definition in definitions:
        visible = [agent_id for agent_id in sorted(holders.get(definition.key, ()))
                   if services.badges.visible(definition, agent_id, viewer)]
        with ui.row().classes('w-full items-center no-wrap gap-3').mark(f'holders-{definition.key}'):
            ui.image(image_url(definition.image)).classes('w-9 h-9 shrink-0')
            with ui.column().classes('gap-0'):
                ui.label(definition.shown_name).classes('font-medium')
                ui.label(definition.shown_description).classes('text-xs text-grey-7')
            ui.space()
            if not visible:
                ui.label('—').classes('text-sm')
            with ui.row().classes('gap-1 no-wrap text-sm'):
                for index, agent_id in enumerate(visible):
                    ui.label(agent_name(services.directory, agent_id) + (',' if index < len(visible) - 1 else '')) \
                        .classes('cursor-pointer hover:underline').mark(f'holder-{definition.key}-{agent_id}') \
                        .tooltip(_('Why? Click to see the events behind it')) \
                        .on('click', lambda key=definition.key, a=agent_id: on_holder(key, a) if on_holder else None)


def past_seasons(services: Services) -> None:
    """The finished seasons of the boards, the latest first, each with its champions and podium (their final
    standings: a finished season cannot be edited)."""
    results = services.seasons.past()
    current = services.seasons.current()
    with ui.card().classes('w-full gap-2').mark('past-seasons'):
        ui.label(_('Past seasons')).classes('text-lg font-bold')
        if current is not None:
            ui.label(_('Running now: {name} ({dates})').format(name=current.name, dates=current.dates())) \
                .classes('text-sm text-grey-8').mark('season-running')
        if not results:
            ui.label(_('No finished season yet.')).classes('text-sm text-grey-7')
        for result in results:
            with ui.row().classes('w-full items-center no-wrap gap-3').mark(f'past-season-{result.season.start}'):
                ui.icon('emoji_events', size='sm', color='amber-6')
                with ui.column().classes('gap-0 min-w-48'):
                    ui.label(result.season.name).classes('font-medium')
                    ui.label(result.season.dates()).classes('text-xs text-grey-7')
                if not result.standings:
                    ui.label(_('Nobody scored in it.')).classes('text-sm text-grey-7')
                with ui.row().classes('gap-4 text-sm'):
                    for place, agent_id, points in result.standings:
                        ui.label(f'{place}. {agent_name(services.directory, agent_id)} · {number(points)}') \
                            .classes('font-bold' if place == 1 else '')


async def open_in_workspace(conversation_id: int) -> None:
    ui.navigate.to(f'/?conversation={conversation_id}')


def register(services: Services) -> None:
    @ui.page('/trophies')
    async def trophies_page() -> None:
        if (visitor := page_visitor(services)) is None:
            return
        storage, agent = visitor
        actor = handler_actor(services, storage, agent)

        def receipt(key: str, agent_id: int, holding_id: int | None = None) -> object:
            return show_badge_receipt(services, actor, agent_id=agent_id, badge_key=key, holding_id=holding_id,
                                      open_conversation=open_in_workspace)

        ui.page_title(_('Trophies · DeskQuest'))
        ui.query('body').classes('bg-blue-grey-1')
        with ui.header().classes('items-center bg-blue-grey-9 py-2 px-4 gap-4'):
            ui.button(icon='arrow_back', on_click=lambda: ui.navigate.to('/')).props('flat round color=white') \
                .tooltip(_('Back to the workspace'))
            ui.label(_('Trophies and badges')).classes('text-lg font-bold')
        with ui.column().classes('w-full max-w-6xl mx-auto p-4 gap-4'):
            snapshot = services.trophies.snapshot()
            month_title = ui.label().classes('text-2xl font-bold')
            TrophyStandings(services)

            @ui.refreshable
            def history(snapshot: TrophySnapshot) -> None:
                month_title.set_text(_('Trophies of {month}').format(month=month(snapshot.month)))
                if not snapshot.history:
                    ui.label(_('No finished month yet: the first winners are crowned on the 1st.')) \
                        .classes('text-sm text-grey-7')
                    return
                rows = [{'month': month(past), **{
                    trophy.key: ', '.join(agent_name(services.directory, a) for a in sorted(winners[trophy.key]))
                    or '—' for trophy in snapshot.trophies}} for past, winners in snapshot.history]
                columns = [{'name': 'month', 'label': _('Month'), 'field': 'month', 'align': 'left'}] + \
                    [{'name': t.key, 'label': _(t.name), 'field': t.key, 'align': 'left'} for t in snapshot.trophies]
                ui.table(columns=columns, rows=rows, row_key='month').classes('w-full').mark('trophy-history')

            with ui.card().classes('w-full gap-2'):
                ui.label(_('Trophy cabinet')).classes('text-lg font-bold')
                history(snapshot)
            services.trophies.changed.subscribe(history.refresh)
            past_seasons(services)

            @ui.refreshable
            def holders(current: dict[str, frozenset[int]]) -> None:
                badge_holders(services, agent, services.badges.definitions, current, on_holder=receipt)

            with ui.card().classes('w-full gap-2').mark('badge-holders'):
                ui.label(_('Badges held now')).classes('text-lg font-bold')
                holders(services.badges.tracker.board.current)
            services.badges.changed.subscribe(lambda _changed: holders.refresh(services.badges.tracker.board.current))

            with ui.card().classes('w-full gap-1').mark('badge-history'):
                ui.label(_('Latest badges won')).classes('text-lg font-bold')
                shown = 0
                for holding in await services.badges.latest_won(HISTORY_SCANNED):
                    definition = services.badges.definition(holding.badge_key)
                    if definition is None or not services.badges.visible(definition, holding.agent_id, agent):
                        continue
                    held = _('held until {moment}').format(moment=weekday_time(holding.lost_at)) if holding.lost_at \
                        else _('still held')
                    with ui.row().classes('items-center no-wrap gap-2 text-sm cursor-pointer hover:underline') \
                            .mark(f'won-{holding.id}') \
                            .on('click', lambda h=holding: receipt(h.badge_key, h.agent_id, h.id)):
                        ui.image(image_url(definition.image)).classes('w-6 h-6')
                        ui.label(_('{name} won {badge} on {moment} ({held})').format(
                            name=agent_name(services.directory, holding.agent_id), badge=definition.name,
                            moment=weekday_time(holding.gained_at), held=held))
                    shown += 1
                    if shown == HISTORY_SHOWN:
                        break
                if not shown:
                    ui.label(_('No badge won yet.')).classes('text-sm text-grey-7')
