"""The lead's live monitor through NiceGUI's simulated users: agents are sent away, the figures change on their own
after an event, an action goes through with the lead as actor, a handler refuses someone no longer a lead, and a change
to one agent is sent as that row alone, made once for every tab."""
from collections.abc import Callable
from datetime import timedelta

import pytest
from nicegui.testing import User

from models import Customer, StoredEvent
from services.domain.events import Channel
from services.platform.accounts import AccountDraft
from tests.ui.support import agent, demote, log_in, notified, services, set_value, until
from ui import monitor as ui_monitor


def rows(user: User, marker: str) -> list[dict]:
    table, = user.find(marker=marker).elements
    return table.rows


def chat_waiting(user: User) -> int:
    return next(row['waiting'] for row in rows(user, 'monitor-channels') if row['channel'] == 'chat')


def queued_chats() -> int:
    return sum(1 for item in services().inbox.items()
               if item.channel == Channel.CHAT and item.assignee_id is None and item.status == 'new')


async def open_monitor(user: User) -> None:
    await log_in(user, 'lead')
    user.find(marker='monitor-link').click()
    await user.should_see('Live monitor', retries=50)
    await user.should_see(marker='monitor-agents', retries=50)


async def test_an_agent_is_sent_back_to_the_inbox(user: User) -> None:
    await log_in(user, 'ana')
    await user.should_not_see(marker='monitor-link')
    await user.open('/monitor')
    await user.should_see(marker='agent-name', retries=50)
    await user.should_not_see(marker='monitor-channels')


async def test_the_figures_follow_an_event_without_reloading(create_user: Callable[[], User]) -> None:
    lead = create_user()
    await open_monitor(lead)
    before = queued_chats()  # the periodic sweep brings a tab opened during start-up up to date
    await until(lambda: chat_waiting(lead) == before, message='the waiting chats to show')
    customer = await Customer.all().order_by('id').first()
    await services().inbox.create_conversation(customer_id=customer.id, channel=Channel.CHAT, subject='Hello',
                                               body='Anyone there?')
    await until(lambda: chat_waiting(lead) == before + 1, message='the new chat to be counted as waiting')
    ana = agent('ana')
    assert any(row['name'] == ana.name for row in rows(lead, 'monitor-agents'))


async def test_a_lead_changes_a_capacity_and_a_demoted_lead_is_refused(user: User) -> None:
    await open_monitor(user)
    ana = agent('ana')
    set_value(user, 'monitor-agent', ana.id)
    set_value(user, 'monitor-capacity', 9)
    user.find(marker='monitor-set-capacity').click()
    await user.should_see('Ana Ozola may now have 9 in hand.', retries=50)
    await until(lambda: any(row['id'] == ana.id and row['load'].endswith('/ 9')
                            for row in rows(user, 'monitor-agents')), message="ana's capacity to show")
    event = await StoredEvent.filter(kind='workspace_configured').order_by('-id').first()
    assert event.agent_id == agent('lead').id and event.data['capacity'] == 9

    demote('lead')
    user.find(marker='monitor-release').click()
    await until(lambda: notified(user, 'Only a lead can act from the monitor.') == 1,
                message='the handler to refuse the demoted lead')
    assert not await StoredEvent.filter(kind='released').exists()


async def test_a_lead_releases_an_agents_conversations_and_sees_it_in_the_monitor(user: User) -> None:
    await open_monitor(user)
    ana = agent('ana')
    conversation = min(services().inbox.items(), key=lambda item: item.id)
    await services().inbox.take(ana, conversation.id)
    set_value(user, 'monitor-agent', ana.id)
    user.find(marker='monitor-release').click()
    await user.should_see("Ana Ozola's conversations are back in the queue.", retries=50)
    await user.should_see(f"Lena Lead released Ana Ozola's 1 conversation to the queue (#{conversation.id})",
                          retries=50)
    user.find(marker='monitor-release').click()
    await user.should_see('Ana Ozola has no conversations in hand to release.', retries=50)
    assert await StoredEvent.filter(kind='released').count() == 1


async def test_a_change_to_one_agent_sends_only_their_row_once_for_every_tab(
        create_user: Callable[[], User], monkeypatch: pytest.MonkeyPatch) -> None:
    leads = [create_user() for _ in range(3)]
    # all log in before any opens the monitor: a simulated user re-points NiceGUI's global ui.navigate at itself
    # whenever its page sends JavaScript, which a live monitor does all the time, so a log-in's redirect could land in
    # an open monitor's tab instead; each then opens its own address
    for lead in leads:
        await log_in(lead, 'lead')
    for lead in leads:
        await lead.open('/monitor')
        await lead.should_see(marker='monitor-agents', retries=50)
    table, = leads[0].find(marker='monitor-agents').elements
    feed = table.feed
    assert all(lead.find(marker='monitor-agents').elements.pop().feed is feed for lead in leads)  # one for all tabs
    ana = agent('ana')
    services().presence.tab_opened(ana.id)  # online since now: the screens count how long themselves
    await services().scheduler.stop()  # no sweep ticks while counting
    await services().monitor.settle()
    await until(lambda: feed.rows_in('en')['agents'][ana.id]['status'] == 'Online', message='ana to be online')
    sent: list[dict] = []

    async def recorded(room: str, message: str, payload: dict) -> None:
        sent.append(payload)
    monkeypatch.setattr(ui_monitor, 'broadcast', recorded)
    computed, made = count_calls(monkeypatch, services().monitor, '_compute'), count_calls(monkeypatch, ui_monitor,
                                                                                            '_agent_row')
    await services().routing.set_capacity(agent('lead'), ana.id, 7)
    await until(lambda: any('agents' in payload for payload in sent), message="ana's row to be sent")
    await services().monitor.settle()
    patch, = [payload for payload in sent if 'agents' in payload]
    assert [row['id'] for row in patch['agents']['rows']] == [ana.id] and patch['agents']['gone'] == ()
    assert patch['agents']['rows'][0]['load'] == '0 / 7' and not patch['full']
    assert computed() == 1 and made() == 1  # once, however many tabs show it

    services().clock.advance_to(services().clock.now() + timedelta(minutes=5))  # her minutes online go by
    await services().monitor.tick()
    await services().monitor.settle()
    assert computed() == 2
    assert not any('agents' in payload for payload in sent[1:])  # nothing to resend: the browser counts them
    for lead in leads:
        assert next(row for row in rows(lead, 'monitor-agents') if row['id'] == ana.id)['load'] == '0 / 7'
    services().scheduler.start()


def count_calls(monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> Callable[[], int]:
    """Replace ``owner.name`` with a wrapper counting its calls; return the count's reader."""
    calls = []
    original = getattr(owner, name)

    def counted(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)
    monkeypatch.setattr(owner, name, counted)
    return lambda: len(calls)


async def test_a_french_lead_and_an_english_one_each_see_the_monitor_in_their_language(
        create_user: Callable[[], User], monkeypatch: pytest.MonkeyPatch) -> None:
    """The rows carry words, so they are made once per language in use (not per tab) and sent to each language's
    room; the column titles and a presence are in the tab's language."""
    lena = agent('lead')
    await services().accounts.create(lena, AccountDraft(username='lea', display_name='Léa Lemaire', role='lead',
                                                         password='a long enough password'))
    await services().accounts.set_language(agent('lea'), 'fr')
    french, english = create_user(), create_user()
    await log_in(french, 'lea', 'a long enough password')  # both log in before either opens the live monitor
    await log_in(english, 'lead')
    for user in (french, english):
        await user.open('/monitor')
        await user.should_see(marker='monitor-agents', retries=50)
    await french.should_see('Supervision en direct', retries=50)
    for title in ('Canal', 'Équipe', 'Agent'):  # the columns' titles, as the browser gets them
        await french.should_see(title, retries=50)
    await english.should_see('Team')
    await english.should_not_see('Équipe')
    ana = agent('ana')
    services().presence.tab_opened(ana.id)
    await services().scheduler.stop()  # no sweep ticks while counting
    await services().monitor.settle()
    await until(lambda: any(row['id'] == ana.id and row['status'] == 'En ligne'
                            for row in rows(french, 'monitor-agents')), message='ana online, in French')
    assert next(row for row in rows(english, 'monitor-agents') if row['id'] == ana.id)['status'] == 'Online'
    assert next(row for row in rows(french, 'monitor-channels') if row['channel'] == 'phone')['label'] == 'Téléphone'

    sent: list[tuple[str, dict]] = []

    async def recorded(room: str, message: str, payload: dict) -> None:
        sent.append((room, payload))
    monkeypatch.setattr(ui_monitor, 'broadcast', recorded)
    made = count_calls(monkeypatch, ui_monitor, '_agent_row')
    await services().routing.set_capacity(lena, ana.id, 6)
    await until(lambda: sum('agents' in payload for _room, payload in sent) == 2, message="ana's row in both languages")
    assert made() == 2  # once per language in use
    assert sorted(room for room, payload in sent if 'agents' in payload) == [
        f'{ui_monitor.ROOM}-en', f'{ui_monitor.ROOM}-fr']
    services().scheduler.start()
