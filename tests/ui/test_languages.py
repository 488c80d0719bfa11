"""Choosing a language (issue 16): the login page, the header and /account follow it, and a logged-in person's choice is
kept with their account, so another browser opens in it too."""
from collections.abc import Callable

import pytest
from nicegui.testing import User

from models import StoredEvent
from services.domain.errors import ActionError
from tests.ui.support import agent, choose, log_in, sees, services, set_value, until


async def test_the_login_page_speaks_the_language_chosen_on_it(user: User) -> None:
    await user.open('/login')
    await user.should_see('Support that levels up.')
    await choose(user, 'fr')
    await user.should_see('Un support client qui passe au niveau supérieur.', retries=50)
    await user.should_see("Nom d'utilisateur")
    await user.should_see('Se connecter')
    await choose(user, 'lv')
    await user.should_see('Klientu atbalsts nākamajā līmenī.', retries=50)
    await user.should_see('Lietotājvārds')
    user.find(marker='login').click()  # nothing typed: the warning is Latvian too, from the handler
    await user.should_see('Ievadiet lietotājvārdu un paroli.', retries=50)


async def test_a_choice_in_the_header_is_kept_with_the_account(create_user: Callable[[], User]) -> None:
    first, second = create_user(), create_user()
    lead = agent('lead')
    await log_in(first, 'lead')
    await first.should_see('Team lead', retries=50)
    await choose(first, 'lv')
    await first.should_see('Vadītājs', retries=50)  # the header's chip
    await first.should_see(marker='logout')
    assert agent('lead').language == 'lv'
    event = await StoredEvent.get(kind='language_changed')
    assert event.agent_id == lead.id and event.data['language'] == 'lv' and event.data['id'] == lead.id

    await first.open('/account')
    await first.should_see('Jūsu konts', retries=50)
    await first.should_see('Paroles maiņa')
    await first.should_see('Beigt visas pārējās sesijas')

    await log_in(second, 'lead')  # another browser, which never chose: the account's language
    await second.should_see('Vadītājs', retries=50)

    await choose(second, 'fr')
    await second.should_see("Chef d'équipe", retries=50)
    assert agent('lead').language == 'fr'
    assert await StoredEvent.filter(kind='language_changed').count() == 2
    await services().directory.load()  # as at start-up: the last choice, read back from the log
    assert agent('lead').language == 'fr' and agent('ana').language == ''

    await second.open('/account')  # the account page's own choice
    await second.should_see('Votre compte', retries=50)
    set_value(second, 'account-language', 'nl')
    await second.should_see('Je account', retries=50)
    await second.should_see('Je wachtwoord wijzigen')
    assert agent('lead').language == 'nl'


async def test_only_a_language_the_app_speaks_is_kept(user: User) -> None:
    ana = agent('ana')
    for wrong in ('de', '', 'lv; DROP TABLE', None):
        with pytest.raises(ActionError, match='Choose one of the languages offered.'):
            await services().accounts.set_language(ana, wrong)
    assert agent('ana').language == ''
    assert not await StoredEvent.filter(kind='language_changed').exists()


async def test_a_french_agent_works_the_inbox_and_a_conversation_in_french(create_user: Callable[[], User]) -> None:
    ana, lead = create_user(), create_user()
    await log_in(ana, 'ana')
    await choose(ana, 'fr')
    await ana.should_see('8 ouvertes', retries=50)  # the inbox's count, a plural
    await ana.should_see('Boîte de réception')
    await ana.should_see('points au total')  # her progress card
    await ana.should_see(marker='card-csat', content="CSAT : pas encore d'évaluation")
    await ana.should_see(marker='points-today', content="Aujourd'hui +0")
    await services().kudos.send(agent('bruno'), agent('ana').id, 'Merci pour le coup de main')
    await ana.should_see(marker='points-today', content="Aujourd'hui +5", retries=50)  # a live update, still French
    await ana.should_see(marker='lifetime-points', content='5')
    await log_in(lead, 'lead')  # English beside her: the rows both see are made once per language, not shared
    await lead.should_see(marker='inbox-count', retries=50)
    conversation = min(services().inbox.items(), key=lambda item: item.id)
    await services().inbox.customer_message(conversation.id, 'Any news?')  # one change, both tabs redraw its row
    await ana.should_see(marker=f'conversation-{conversation.id}', content=' · priorité ', retries=50)
    await lead.should_see(marker=f'conversation-{conversation.id}', content=' priority', retries=50)
    assert not sees(lead, marker=f'conversation-{conversation.id}', content='priorité')

    ana.find(marker=f'conversation-{conversation.id}').click()
    await ana.should_see(marker='reply', retries=50)
    await ana.should_see('Transférer')
    await ana.should_see('Envoyer')
    ana.find(marker='send').click()  # nothing written: the service's refusal, in her language
    await ana.should_see('La réponse est vide : écrivez quelque chose ou choisissez une réponse type avec /.',
                         retries=50)


async def test_a_latvian_agent_sees_the_inbox_with_latvian_plurals(user: User) -> None:
    await log_in(user, 'ana')
    await choose(user, 'lv')
    await user.should_see('Iesūtne', retries=50)
    await user.should_see('8 atvērtas', retries=50)  # CLDR "other"
    user.find(marker='search').type('marie')
    await user.should_see('1 atvērta', retries=50)  # "one"
    user.find(marker='search').clear()
    user.find(marker='search').type('nobody-writes-this')
    await user.should_see('0 atvērtu', retries=50)  # "zero", as 10 and 11–19
    await user.should_see('Nekas negaida. Baudiet mieru!')
    user.find(marker='search').clear()
    await user.should_see('8 atvērtas', retries=50)

    conversation = min(services().inbox.items(), key=lambda item: item.id)
    user.find(marker=f'conversation-{conversation.id}').click()
    await user.should_see(marker='reply', retries=50)
    await user.should_see('Pārsūtīt')
    await user.should_see('Sūtīt')
    await user.should_see(marker='conversation-title', content=f'#{conversation.id} ')


async def test_a_latvian_agent_sees_the_header_dialogs_boards_and_trophies_in_latvian(
        create_user: Callable[[], User]) -> None:
    """Her board's rows come in a payload made for Latvian, an English colleague's in one made for English (each
    shared by every tab of that language); the kudos dialog and the trophy room speak Latvian, dates included."""
    from services.domain.wording import month
    from ui.leaderboard_card import Board
    await services().accounts.set_language(agent('ana'), 'lv')
    ana, bruno, chloe = create_user(), create_user(), create_user()
    for user, username in ((ana, 'ana'), (bruno, 'bruno'), (chloe, 'chloe')):
        await log_in(user, username)

    def floor_board(user: User) -> Board:
        return next(board for board in user.find(kind=Board).elements if board.team_id is None)
    assert floor_board(ana).language == 'lv' and floor_board(bruno).language == 'en'
    assert floor_board(bruno)._props['board']['rows'] is floor_board(chloe)._props['board']['rows']
    assert floor_board(ana)._props['board'] is not floor_board(bruno)._props['board']

    ana.find(marker='kudos-button').click()
    await ana.should_see(marker='kudos', retries=50)
    with ana.scope(marker='kudos'):
        await ana.should_see('Pateikties kolēģim', retries=50)  # the dialog's title, not the button's tooltip
    bruno.find(marker='kudos-button').click()
    await bruno.should_see(marker='kudos', retries=50)
    with bruno.scope(marker='kudos'):
        await bruno.should_see('Thank a colleague', retries=50)

    await ana.open('/trophies')
    await ana.should_see('Trofejas un nozīmītes', retries=50)
    await ana.should_see(f'Trofejas: {month(services().trophies.snapshot().month, locale="lv")}')  # the month in lv


async def test_a_french_lead_sees_the_game_settings_and_analytics_in_french(user: User) -> None:
    await services().accounts.set_language(agent('lead'), 'fr')
    await log_in(user, 'lead')
    await user.open('/admin/game')
    await user.should_see(marker='tab-rewards', content='Récompenses', retries=50)  # the tab's key stays English
    await user.should_see(marker='tab-quests', content='Quêtes')
    user.find(marker='tab-incentives').click()
    user.find(marker='new-incentive').click()
    await user.should_see('Premier jour', retries=50)  # the incentive form's fields
    await user.should_see('Dernier jour')
    await user.open('/analytics')
    await user.should_see('Statistiques', retries=50)
    await user.should_see(marker='analytics-team', content='Équipe')
    assert not sees(user, content='Analytics')


async def test_the_progress_chart_writes_a_latvian_agents_dates_in_latvian(create_user: Callable[[], User]) -> None:
    """The progress card's plotly chart carries the reader's locale (its month names, its day-and-month order), one
    locale object per language shared by every tab that shows it."""
    from nicegui import ui
    for name in ('ana', 'bruno'):
        await services().accounts.set_language(agent(name), 'lv')
    ana, bruno, emma = create_user(), create_user(), create_user()
    for user, name in ((ana, 'ana'), (bruno, 'bruno'), (emma, 'emma')):
        await log_in(user, name)

    def chart(user: User) -> dict:
        plot, = user.find(kind=ui.plotly).elements
        return plot.props['options']
    await until(lambda: all(chart(user).get('data') for user in (ana, bruno, emma)),
                message='the progress charts to be drawn')
    config = chart(ana)['config']
    assert config['locale'] == 'lv' and list(config['locales']) == ['lv']
    latvian = config['locales']['lv']['format']
    assert (latvian['shortMonths'][11], latvian['days'][0]) == ('dec.', 'svētdiena')
    assert chart(ana)['layout']['xaxis2']['tickformat'] == '%-d. %b'  # "6. dec.", not "06 Dec"
    assert chart(bruno)['config'] is config  # shared, not an observed copy per tab
    assert chart(emma)['config']['locale'] == 'en' and chart(emma)['layout']['xaxis2']['tickformat'] == '%b %-d'


async def test_tabs_in_four_languages_each_get_a_board_change_worded_once_for_their_language(
        create_user: Callable[[], User], monkeypatch: pytest.MonkeyPatch) -> None:
    """One change of the floor's board goes to each language's room once, in that language's words and numbers: an
    English, a French, a Dutch and a Latvian tab all get it (issue 16: encoded once per language, not per tab)."""
    from datetime import timedelta

    from services.domain.events import EventKind
    from services.domain.leaderboard import Period
    from services.domain.wording import number
    from ui import leaderboard_card
    from ui.leaderboard_card import Board
    readers = {'ana': 'en', 'bruno': 'fr', 'chloe': 'nl', 'daan': 'lv'}
    for username, language in readers.items():
        if language != 'en':
            await services().accounts.set_language(agent(username), language)
    users = {username: create_user() for username in readers}
    for username, user in users.items():  # all logged in before any of them opens a live page again
        await log_in(user, username)
    for username, user in users.items():
        board = next(board for board in user.find(kind=Board).elements if board.team_id is None)
        assert board.language == readers[username]

    sent: list[tuple[str, dict]] = []
    really = leaderboard_card.broadcast_all

    async def recorded(messages: list[tuple[str, str, dict]]) -> None:
        sent.extend((room, payload) for room, _message, payload in messages)
        await really(messages)
    monkeypatch.setattr(leaderboard_card, 'broadcast_all', recorded)
    emma = agent('emma')
    now = services().clock.now()
    async with services().game.unit_of_work() as work:  # a resolution, written as the app writes one
        await work.record(EventKind.RESOLVED, agent_id=emma.id, conversation_id=999_001, data={
            'channel': 'email', 'created_at': now.isoformat(), 'sla_due_at': (now + timedelta(hours=4)).isoformat(),
            'inbound_count': 1})
    rooms = {f'deskquest-board-{language}-today': language for language in readers.values()}
    await until(lambda: rooms.keys() <= {room for room, _payload in sent}, message='the board in every language')
    await services().leaderboard.broadcast.settle()
    today = [(room, payload) for room, payload in sent if room in rooms]
    for version in {payload['v'] for _room, payload in today}:  # each ranking once per language, whatever the tabs
        assert sorted(room for room, payload in today if payload['v'] == version) == sorted(rooms)
    total = next(row.points for row in services().leaderboard.snapshot().agents[Period.TODAY]
                 if row.agent_id == emma.id)
    latest = max(payload['v'] for _room, payload in today)
    for room, payload in today:
        if payload['v'] != latest:
            continue
        row = next(row for row in payload['rows'] if row[6] == emma.id)
        assert row[2] == 'Emma Jansen' and row[5] == number(total, locale=rooms[room])
    for username, user in users.items():
        with user.scope(marker='leaderboard'):
            await user.should_see(number(total, locale=readers[username]), retries=50)


async def test_each_agent_sees_their_own_standing_in_their_own_language_and_nobody_elses_is_worded(
        create_user: Callable[[], User], monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the agents someone has a tab open for have their standing found, and each tab words its own line in its
    own language: Emma, with no tab open, costs no place and no words when she overtakes the others."""
    from datetime import timedelta

    from services.domain.events import EventKind
    from services.domain.i18n import current_language
    from services.domain.leaderboard import Period
    from services.domain.wording import points
    from ui import leaderboard_card
    readers = {'ana': 'fr', 'bruno': 'lv'}
    for username, language in readers.items():
        await services().accounts.set_language(agent(username), language)
    users = {username: create_user() for username in readers}
    for username, user in users.items():  # all logged in before any of them opens a live page again
        await log_in(user, username)
    ana, bruno, emma = agent('ana'), agent('bruno'), agent('emma')
    feed = leaderboard_card.feed_for(services().leaderboard)
    assert feed.watched == {ana.id, bruno.id}
    await users['ana'].should_see(marker='standing', content='Vous êtes 1er : personne ne vous devance.')  # at once
    await users['bruno'].should_see(marker='standing', content='Jūs esat 1. vietā: neviens nav priekšā.')

    found: list[set[int]] = []
    worded: list[str] = []
    places_of, standing_line = leaderboard_card.places_of, leaderboard_card.standing_line

    def finding(snapshot, agent_ids):
        found.append(set(agent_ids))
        return places_of(snapshot, agent_ids)

    def wording(place, period, *, in_team):
        worded.append(current_language())
        return standing_line(place, period, in_team=in_team)
    monkeypatch.setattr(leaderboard_card, 'places_of', finding)
    monkeypatch.setattr(leaderboard_card, 'standing_line', wording)
    now = services().clock.now()
    async with services().game.unit_of_work() as work:  # Emma resolves, as the app writes it: she leads the floor
        await work.record(EventKind.RESOLVED, agent_id=emma.id, conversation_id=999_001, data={
            'channel': 'email', 'created_at': now.isoformat(), 'sla_due_at': (now + timedelta(hours=4)).isoformat(),
            'inbound_count': 1})
    await until(lambda: services().leaderboard.snapshot().agents[Period.TODAY][0].agent_id == emma.id,
                message='Emma to lead the floor')
    behind = services().leaderboard.snapshot().agents[Period.TODAY][0].points
    await users['ana'].should_see(marker='standing', retries=50,
                                  content=f'Vous êtes 2e, à {points(behind, locale="fr")} de Emma.')
    await users['bruno'].should_see(marker='standing', retries=50,
                                    content=f'Jūs esat 2. vietā, {points(behind, locale="lv")} mazāk nekā Emma.')
    with users['ana'].scope(marker='team-board'):  # her team's board did not move: its line was not worded again
        await users['ana'].should_see(marker='team-standing', content='Vous êtes 1er dans votre équipe')
    assert found and all(agent_ids == {ana.id, bruno.id} for agent_ids in found)
    assert sorted(worded) == ['fr', 'lv']  # each tab's one line that moved, in its language

    users['bruno'].client.delete()  # his tab closed: he is forgotten
    assert feed.watched == {ana.id}
