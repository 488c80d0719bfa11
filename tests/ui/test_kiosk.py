"""The wall display (issue 15) through NiceGUI's simulated users: pairing with a lead's one-time code (good, wrong,
expired), revocation sending the TV back to the pairing screen, celebrations, and public names (an alias shown, an
opted-out agent never, the bottom of a ranking never)."""
import json
from collections.abc import Callable
from datetime import timedelta

import pytest
from nicegui import app, storage
from nicegui.testing import User

from models import Display, StoredEvent
from services.domain.events import Channel, EventKind
from services.domain.i18n import _
from services.domain.leaderboard import Period
from services.domain.projection import LevelUp
from services.platform.displays import digest
from tests.ui.support import agent, demote, log_in, notified, pair_kiosk, running, services, set_value, until
from ui import kiosk as ui_kiosk
from ui.i18n import _tab_languages as tab_languages
from ui.kiosk import KioskSlide


async def test_an_unpaired_kiosk_shows_only_the_pairing_screen(user: User) -> None:
    await user.open('/kiosk')
    await user.should_see('Pair this display', retries=50)
    await user.should_not_see('Ana Ozola')
    await user.should_not_see(marker='kiosk-screen')


async def test_a_good_code_pairs_the_display_once_and_it_stays_paired(user: User) -> None:
    display_id = await pair_kiosk(user, slides=('today', 'queue'))
    await user.should_see('Lobby TV', retries=50)
    row = await Display.get(id=display_id)
    assert row.paired_at is not None and row.code_hash is None and row.device_hash is not None
    assert await StoredEvent.filter(kind=EventKind.DISPLAY_PAIRED.value).count() == 1
    created = await StoredEvent.get(kind=EventKind.DISPLAY_CREATED.value)
    assert created.agent_id == agent('lead').id
    await user.open('/kiosk')  # opened again (a reload, a restart): still paired, with no code typed
    await user.should_see(marker='kiosk-screen', retries=50)
    await user.should_not_see(marker='pairing-code')


async def test_a_tv_paired_before_pairings_were_bound_to_browsers_stays_paired(user: User) -> None:
    display, _code = await services().displays.create(agent('lead'), name='Hall TV', team_ids=[], slides=['today'],
                                                      slide_seconds=20)
    await Display.filter(id=display.id).update(device_hash=digest('old-device-token'), code_hash=None,
                                               paired_at=services().clock.now())
    await services().displays.load()
    await user.open('/kiosk')
    await user.should_see(marker='pairing-code', retries=50)
    # what the TV's browser kept then: its device token in NiceGUI's user storage (keyed by the browser id)
    browser_id = user.client.request.session['id']
    with_request = storage.request_contextvar.set(user.client.request)
    try:
        app.storage.user[ui_kiosk.LEGACY_DEVICE_KEY] = 'old-device-token'
    finally:
        storage.request_contextvar.reset(with_request)
    await user.open('/kiosk')
    await user.should_see('Hall TV', retries=50)
    assert (await Display.get(id=display.id)).device_hash == digest(browser_id)  # bound to the browser now
    assert services().displays.check('old-device-token') is None


async def test_a_wrong_or_used_code_is_refused_and_changes_nothing(user: User) -> None:
    display, code = await services().displays.create(agent('lead'), name='Hall', team_ids=[], slides=['today'],
                                                     slide_seconds=20)
    await user.open('/kiosk')
    await user.should_see(marker='pairing-code', retries=50)
    user.find(marker='pairing-code').type('ZZZZ-ZZZZ' if code != 'ZZZZZZZZ' else 'YYYY-YYYY')
    user.find(marker='pair').click()
    await user.should_see('This code is not valid', retries=50)
    user.find(marker='pairing-code').clear().type('<script>')
    user.find(marker='pair').click()
    await user.should_see('A pairing code has 8 letters and digits', retries=50)
    await user.should_not_see(marker='kiosk-screen')
    assert (await Display.get(id=display.id)).device_hash is None
    assert not await StoredEvent.filter(kind=EventKind.DISPLAY_PAIRED.value).exists()


async def test_an_expired_code_is_refused(user: User) -> None:
    display, code = await services().displays.create(agent('lead'), name='Hall', team_ids=[], slides=['today'],
                                                     slide_seconds=20)
    row = await Display.get(id=display.id)
    await Display.filter(id=display.id).update(code_expires_at=row.code_expires_at - timedelta(minutes=11))
    await user.open('/kiosk')
    await user.should_see(marker='pairing-code', retries=50)
    user.find(marker='pairing-code').type(code)
    user.find(marker='pair').click()
    await user.should_see('This code has expired', retries=50)
    assert (await Display.get(id=display.id)).device_hash is None


async def test_a_revoked_display_goes_back_to_the_pairing_screen(user: User) -> None:
    display_id = await pair_kiosk(user)
    await services().displays.revoke(agent('lead'), display_id)
    await user.should_see('Pair this display', retries=50)
    revoked = await StoredEvent.get(kind=EventKind.DISPLAY_REVOKED.value)
    assert revoked.agent_id == agent('lead').id and revoked.data['id'] == display_id


async def test_a_new_code_paired_elsewhere_lets_the_old_tv_go(user: User) -> None:
    display_id = await pair_kiosk(user)
    code = await services().displays.issue_code(agent('lead'), display_id)
    await services().displays.pair(code, device='browser-id-of-another-tv')  # another TV takes the display's place
    await user.should_see('Pair this display', retries=50)


async def test_a_lead_creates_and_revokes_a_display_and_an_agent_cannot(user: User) -> None:
    await log_in(user, 'lead')
    await user.open('/admin/displays')
    await user.should_see(marker='no-displays', retries=50)
    user.find(marker='display-create').click()
    await user.should_see('Give the display a name.', retries=50)
    user.find(marker='display-name-input').type('Lobby TV')
    user.find(marker='display-create').click()
    await user.should_see(marker='pairing-code-new', retries=50)
    row = await Display.get(name='Lobby TV')
    shown, = user.find(marker='pairing-code-new').elements
    assert len(shown.text) == 9 and row.code_hash is not None and shown.text.replace('-', '') not in row.code_hash
    await user.should_see(marker=f'display-{row.id}', retries=50)
    demote('lead')
    user.find(marker=f'display-revoke-{row.id}').click()
    await until(lambda: notified(user, 'Only a lead can manage wall displays.') == 1,
                message='the revocation to be refused for an agent')
    assert (await Display.get(id=row.id)).revoked_at is None
    assert not await StoredEvent.filter(kind=EventKind.DISPLAY_REVOKED.value).exists()


async def test_a_level_up_and_a_badge_are_celebrated_in_turn(user: User) -> None:
    await pair_kiosk(user)
    services().levels.level_ups.emit([LevelUp(agent_id=agent('bruno').id, old=1, new=2)])
    async with services().game.unit_of_work() as work:  # Ana tags a conversation: nobody else tagged one this week
        await work.record(EventKind.TAGGED, agent_id=agent('ana').id, conversation_id=1, data={'tag': 'vip'})
    await user.should_see(marker='celebration-banner', retries=50)
    await user.should_see('reached level 2', retries=50)
    await user.should_see('Ana Ozola won the badge Tagger!', retries=100)  # queued behind the level-up, not lost


async def test_public_screens_show_aliases_never_the_opted_out_nor_the_bottom(user: User) -> None:
    for username in ('ana', 'bruno', 'chloe'):
        conversation_id = next(item.id for item in services().inbox.items() if item.assignee_id is None)
        await services().inbox.reply(agent(username), conversation_id, 'Hello!')
        await services().inbox.resolve(agent(username), conversation_id)
    await services().displays.set_profile(agent('ana'), alias='Captain A', opted_out=False)
    await services().displays.set_profile(agent('bruno'), alias='', opted_out=True)
    await pair_kiosk(user)
    with user.scope(marker='slide-today'):
        await user.should_see('Captain A', retries=50)
        await user.should_not_see('Ana Ozola')
        await user.should_not_see(agent('bruno').name)
    ranked = services().leaderboard.snapshot().agents[Period.TODAY]
    assert len(ranked) > 6
    for row in ranked[-3:]:  # the bottom of the ranking is never on the wall
        await user.should_not_see(row.name)
    slide, = user.find(kind=KioskSlide).elements
    shown = slide.feed.parts[slide.key]['today/rows']
    assert len(shown) == 5 and agent('bruno').name not in {row[1] for row in shown}  # the top five public names


async def test_an_agent_opts_out_on_their_account_page_and_the_lead_sees_it_without_a_way_to_undo(
        create_user: Callable[[], User]) -> None:
    user = create_user()
    await log_in(user, 'bruno')
    await user.open('/account')
    await user.should_see(marker='public-alias', retries=50)
    user.find(marker='public-alias').type('B.')
    user.find(marker='public-opt-out').click()
    user.find(marker='save-public-profile').click()
    await user.should_see('Saved: the wall displays follow within a second.', retries=50)
    assert services().displays.public_name(agent('bruno').id) is None
    changed = await StoredEvent.get(kind=EventKind.PUBLIC_PROFILE_CHANGED.value)
    assert changed.agent_id == agent('bruno').id and changed.data == {'alias': 'B.', 'opted_out': True}
    lead = create_user()
    await log_in(lead, 'lead')
    await lead.open('/admin/displays')
    await lead.should_see(marker=f'opted-out-{agent("bruno").id}', retries=50)
    await lead.should_not_see(marker='public-opt-out')  # the lead's page has no switch for someone else


async def test_a_display_for_one_team_shows_only_that_team(user: User) -> None:
    aurora = next(team_id for team_id, name in services().directory.teams.items() if name == 'Aurora')
    await pair_kiosk(user, slides=('today',), team_ids=(aurora,))
    with user.scope(marker='slide-today'):
        await user.should_see('Ana Ozola', retries=50)
        await user.should_not_see('Borealis')
        for other in services().directory.floor():
            if other.team_id != aurora:
                await user.should_not_see(other.name)


async def test_a_score_change_sends_a_small_patch_once_for_every_kiosk(
        create_user: Callable[[], User], monkeypatch: pytest.MonkeyPatch) -> None:
    tvs = [create_user() for _ in range(3)]
    await pair_tvs(tvs, ['today', 'week', 'trophies'])  # three TVs of the whole floor: one configuration
    slides = [slide for tv in tvs for slide in tv.find(kind=KioskSlide).elements]
    feed, key = slides[0].feed, slides[0].key
    assert all(slide.feed is feed and slide.key == key for slide in slides)  # one feed, one configuration
    sent: list[tuple[str, dict]] = []

    async def recorded(room: str, message: str, payload: dict) -> None:
        sent.append((room, payload))
    monkeypatch.setattr(ui_kiosk, 'broadcast', recorded)
    ana = agent('ana').id
    await resolution(ana, 999_001)  # Ana leads the day
    await until(lambda: feed.parts[key]['today/rows'][0][1] == 'Ana Ozola', message='Ana to lead the day')
    await feed.floor.settle()
    sent.clear()
    before = dict(feed.parts[key])
    await resolution(ana, 999_002)  # her points only: every rank stays
    await until(lambda: sent, message='the patch to be sent')
    await feed.floor.settle()
    (room, patch), = [(room, patch) for room, patch in sent if 'today/rows' in patch['parts']]  # once, for every TV
    assert room == 'deskquest-kiosk-en-floor-today.trophies.week' and not patch['full']
    changed = {name: rows for name, (length, rows) in patch['parts'].items()}
    assert changed['today/rows'] == ((0, feed.parts[key]['today/rows'][0]),)  # the leader's row alone
    assert all(len(rows) <= 2 for rows in changed.values())  # a row or two per part, no whole slide
    assert 'week/teams' not in changed and 'trophies/heads' not in changed
    whole = json.dumps(feed.full(key), ensure_ascii=False)
    assert len(json.dumps(patch, ensure_ascii=False)) * 3 < len(whole)
    assert feed.parts[key]['today/rows'] != before['today/rows']
    points = feed.parts[key]['today/rows'][0][3]
    for tv in tvs:
        with tv.scope(marker='slide-today'):
            await tv.should_see(points, retries=50)


async def resolution(agent_id: int, conversation_id: int) -> None:
    """Points for one agent, written as the app writes a resolution (the benchmarks' way: no conversation to take)."""
    now = services().clock.now()
    async with services().game.unit_of_work() as work:
        await work.record(EventKind.RESOLVED, agent_id=agent_id, conversation_id=conversation_id, data={
            'channel': 'email', 'created_at': now.isoformat(), 'sla_due_at': (now + timedelta(hours=4)).isoformat(),
            'inbound_count': 1})


async def test_each_language_gets_its_rows_worded_once_for_its_kiosks(
        create_user: Callable[[], User], monkeypatch: pytest.MonkeyPatch) -> None:
    english, french = create_user(), create_user()
    await pair_tvs([english, french], ['queue'], languages=['en', 'fr'])  # each display speaks its lead's choice
    (en_slide,), (fr_slide,) = english.find(kind=KioskSlide).elements, french.find(kind=KioskSlide).elements
    assert en_slide.key[0] == 'en' and fr_slide.key[0] == 'fr' and en_slide.key[1:] == fr_slide.key[1:]
    with french.scope(marker='slide-queue'):
        await french.should_see('E-mail', retries=50)
    with english.scope(marker='slide-queue'):
        await english.should_see('Email', retries=50)
    sent: list[tuple[str, dict]] = []

    async def recorded(room: str, message: str, payload: dict) -> None:
        sent.append((room, payload))
    monkeypatch.setattr(ui_kiosk, 'broadcast', recorded)
    feed = en_slide.feed
    await services().inbox.create_conversation(customer_id=1, channel=Channel.EMAIL, subject='Invoice',
                                               body='Hello, where is my invoice?')
    await until(lambda: len(sent) == 2, message='one patch per language')
    await feed.floor.settle()
    by_room = {room: patch for room, patch in sent}
    assert sorted(by_room) == ['deskquest-kiosk-en-floor-queue', 'deskquest-kiosk-fr-floor-queue'] and len(sent) == 2
    waiting = feed.parts[fr_slide.key]['queue/waiting']
    email = next(index for index, row in enumerate(waiting) if row[1] == 'E-mail')
    assert by_room['deskquest-kiosk-fr-floor-queue']['parts']['queue/waiting'] == (len(waiting),
                                                                                   ((email, waiting[email]),))


async def pair_tvs(tvs: list[User], slides: list[str], *, languages: list[str] | None = None) -> None:
    """Pair each TV with a display of its own (the whole floor, ``slides``, each in its of ``languages``, else the
    floor's), then open each TV's kiosk again: a simulated page that sends JavaScript takes NiceGUI's global
    navigate, so the pairing's own may land elsewhere."""
    for number, tv in enumerate(tvs):
        display, code = await services().displays.create(agent('lead'), name=f'TV {number}', team_ids=[],
                                                         slides=slides, slide_seconds=20,
                                                         language=languages[number] if languages else None)
        await tv.open('/kiosk')
        await tv.should_see(marker='pairing-code', retries=50)
        tv.find(marker='pairing-code').type(code)
        tv.find(marker='pair').click()
        await until(lambda paired=display.id: Display.filter(id=paired, paired_at__isnull=False).exists(),
                    message=f'TV {number} to be paired')
        await until(lambda: not running('navigate'), message='the pairing screen to send the TV on')
    for tv in tvs:
        await tv.open('/kiosk')
        await tv.should_see(marker='kiosk-screen', retries=50)


async def test_a_display_set_to_latvian_speaks_latvian_whatever_its_browser_says(user: User) -> None:
    await user.open('/login')  # this browser chooses French (a cookie), and its Accept-Language is the test client's
    user.find(marker='language-fr').click()
    await user.should_see(marker='login', content=_('Log in', locale='fr'), retries=50)
    await until(lambda: not running('navigate'), message='the login page to be built again in French')
    display, code = await services().displays.create(agent('lead'), name='Riga TV', team_ids=[], slides=['queue'],
                                                     slide_seconds=20, language='lv')
    await user.open('/kiosk')
    await user.should_see(_('Pair this display', locale='fr'), retries=50)  # unpaired: the browser's language
    user.find(marker='pairing-code').type(code)
    user.find(marker='pair').click()
    await user.should_see(marker='kiosk-screen', retries=50)
    slide, = user.find(kind=KioskSlide).elements
    assert slide.key[0] == 'lv' and tab_languages[user.client] == 'lv'  # Quasar's and the reconnect popup's too
    with user.scope(marker='slide-queue'):
        for text in ('Queue health', 'Customers waiting', 'Email'):
            await user.should_see(_(text, locale='lv'), retries=50)
    await user.should_see(marker='slide-title', content=_('Queue health', locale='lv'))
    await user.should_not_see(_('Customers waiting', locale='fr'))

    # the lead chooses Dutch: the TV is built again in Dutch, still paired
    await services().displays.set_language(agent('lead'), display.id, 'nl')
    await user.should_see(_('Customers waiting', locale='nl'), retries=50)  # a new page: no scope of the old one
    slide, = user.find(kind=KioskSlide).elements
    assert slide.key[0] == 'nl' and tab_languages[user.client] == 'nl'


async def test_a_lead_chooses_a_displays_language_and_an_agent_cannot(user: User) -> None:
    await log_in(user, 'lead')
    await user.open('/admin/displays')
    await user.should_see(marker='no-displays', retries=50)
    chosen, = user.find(marker='display-language').elements
    assert chosen.value == services().displays.default_language == 'en'  # the floor's, unless the lead chooses
    user.find(marker='display-name-input').type('Riga TV')
    set_value(user, 'display-language', 'lv')
    user.find(marker='display-create').click()
    await user.should_see(marker='pairing-code-new', retries=50)
    row = await Display.get(name='Riga TV')
    assert row.language == 'lv'
    await user.should_see(marker=f'display-language-{row.id}', retries=50)
    shown, = user.find(marker=f'display-language-{row.id}').elements
    assert shown.value == 'lv'

    set_value(user, f'display-language-{row.id}', 'fr')
    await until(lambda: notified(user, '"Riga TV" now speaks Français.') == 1, message='the change to be confirmed')
    assert (await Display.get(id=row.id)).language == 'fr' == services().displays.displays[row.id].language
    changed = await StoredEvent.get(kind=EventKind.DISPLAY_LANGUAGE_CHANGED.value)
    assert changed.agent_id == agent('lead').id and changed.data['language'] == 'fr'

    demote('lead')
    set_value(user, f'display-language-{row.id}', 'nl')
    await until(lambda: notified(user, 'Only a lead can manage wall displays.') == 1,
                message='the change to be refused for an agent')
    assert (await Display.get(id=row.id)).language == 'fr'
    assert await StoredEvent.filter(kind=EventKind.DISPLAY_LANGUAGE_CHANGED.value).count() == 1
