"""Hostile text through every service entry point that stores what a person (or a webhook) typed: each is refused
with a message naming the field, nothing is written, and nothing is logged as an error (issue 19, on both backends:
NUL in a reply or a chat message was a traceback on PostgreSQL)."""
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import date

import pytest
from tortoise import Tortoise

from models import Customer, Department
from services.container import Services
from services.domain.automation import RuleSpec
from services.domain.canned import CannedReplyDraft
from services.domain.errors import ActionError
from services.domain.events import Channel, Rating
from services.domain.incentives import Incentive, IncentiveKind
from services.domain.rewards import RewardDraft
from services.game.quests import QuestDraft
from services.platform.accounts import AccountDraft
from services.platform.directory import AgentView
from tests.integration.support import waiting_ids

Entry = Callable[[str], Awaitable[object]]

HOSTILE = {
    'a 100,000-character paste': 'x' * 100_000,
    'NUL': 'before\x00after',
    'a bell (another control character)': 'ding\x07',
    'an escape sequence': '\x1b[31mred',
    'a lone surrogate': 'broken \ud800 text',
}
NOT_ON_ONE_LINE = {'a line break': 'first\nsecond', 'a tab': 'left\tright'}
BLANK = {'nothing': '', 'only whitespace': ' \t\n '}


async def test_hostile_text_is_refused_with_a_clear_message_and_writes_nothing(
        services: Services, ana: AgentView, lead: AgentView, caplog: pytest.LogCaptureFixture) -> None:
    entries = await _entry_points(services, ana, lead)
    caplog.set_level(logging.ERROR)
    for name, (entry, required, one_line) in entries.items():
        cases = HOSTILE | (BLANK if required else {}) | (NOT_ON_ONE_LINE if one_line else {})
        for case, text in cases.items():
            before = await _rows()
            with pytest.raises(ActionError) as refused:
                await entry(text)
            message = str(refused.value)
            assert message.isprintable() and len(message) < 300, (name, case, message)  # quotes nothing it refused
            assert await _rows() == before, f'{name} wrote something for {case}'
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR], caplog.text


async def test_overrides_are_removed_from_names_everyone_sees(services: Services, lead: AgentView,
                                                              ana: AgentView) -> None:
    department_id = await services.routing.create_department(lead, 'Re\u202eturns\u2066')
    assert (await Department.get(id=department_id)).name == 'Returns'
    badge = {**services.badges.definitions[0].as_dict(), 'key': 'tidy', 'name': '\u202eTidy\u202c desk'}
    assert (await services.badges.save(lead, badge)).name == 'Tidy desk'
    details = (await services.crm.card(1)).details
    await services.crm.update(ana, 1, replace(details, name='Marie \u202eLaurent', company='\u2067Parc\u2069'))
    customer = await Customer.get(id=1)
    assert (customer.name, customer.company) == ('Marie Laurent', 'Parc')
    # text that is not a name keeps them: a reply may quote right-to-left writing as it is
    conversation_id = (await waiting_ids())[0]
    assert await services.inbox.reply(ana, conversation_id, 'see \u2067שלום\u2069') == 'see \u2067שלום\u2069'


async def _entry_points(services: Services, ana: AgentView, lead: AgentView) -> dict[str, tuple[Entry, bool, bool]]:
    """Every entry point that stores typed text: (call with the text, whether it is required, whether it is one
    line)."""
    conversation_id = (await waiting_ids())[0]
    details = (await services.crm.card(1)).details
    badge = {**services.badges.definitions[0].as_dict(), 'key': 'hostile'}
    today = date.today()
    inbox, crm, routing = services.inbox, services.crm, services.routing

    def customer(field: str) -> Entry:
        return lambda text: crm.update(ana, 1, replace(details, **{field: text}))

    return {
        'reply': (lambda text: inbox.reply(ana, conversation_id, text), True, False),
        'internal note': (lambda text: inbox.add_note(ana, conversation_id, text), True, False),
        'transfer note': (lambda text: inbox.transfer(lead, conversation_id, to_agent_id=ana.id, note=text), False,
                          False),
        'customer message (webhook)': (lambda text: inbox.customer_message(conversation_id, text), True, False),
        'new conversation subject (webhook)': (lambda text: inbox.create_conversation(
            customer_id=1, channel=Channel.EMAIL, subject=text, body='Hello'), False, True),
        'new conversation body (webhook)': (lambda text: inbox.create_conversation(
            customer_id=1, channel=Channel.EMAIL, subject='Hello', body=text), False, False),
        'rating comment': (lambda text: inbox.rate(conversation_id, Rating.GOOD, comment=text), False, False),
        'tag': (lambda text: inbox.tag(ana, conversation_id, text), True, False),
        'team chat': (lambda text: services.team_chat.send(ana, text), True, False),
        'customer name': (customer('name'), True, True),
        'customer company': (customer('company'), False, True),
        'customer notes': (customer('notes'), False, False),
        'customer phone': (customer('phone'), False, True),
        'customer social handle': (customer('social_handle'), False, True),
        'customer language': (customer('language'), True, True),
        'customer custom field name': (lambda text: crm.update(
            ana, 1, replace(details, custom_fields=((text, 'Gold'),))), False, True),
        'customer e-mail': (lambda text: crm.update(ana, 1, replace(details, emails=(f'a{text}@example.com',))),
                            False, True),
        'customer custom field': (lambda text: crm.update(ana, 1, replace(details, custom_fields=(('Plan', text),))),
                                  False, True),
        'department name': (lambda text: routing.create_department(lead, text), True, True),
        'department description': (lambda text: routing.create_department(lead, 'Returns', text), False, False),
        'department rename': (lambda text: routing.rename_department(lead, next(iter(routing.departments)), text),
                              True, True),
        'canned reply title': (lambda text: services.canned_replies.save(ana, CannedReplyDraft(
            title=text, shortcut='hostile', body='Hello')), True, True),
        'canned reply text': (lambda text: services.canned_replies.save(ana, CannedReplyDraft(
            title='Hostile', shortcut='hostile', body=text)), True, False),
        'automation rule name': (lambda text: services.automation.save_rule(lead, RuleSpec(
            name=text, trigger='conversation_created', action='set_priority', value='urgent')), True, True),
        'automation rule message': (lambda text: services.automation.save_rule(lead, RuleSpec(
            name='Follow up', trigger='after_resolution', action='send_message', value=text, delay_minutes=60)),
            True, False),
        'badge name': (lambda text: services.badges.save(lead, {**badge, 'name': text}), True, True),
        'badge description': (lambda text: services.badges.save(lead, {**badge, 'description': text}), False,
                              False),
        'level title': (lambda text: services.levels.save(lead, 2, title=text, icon='egg', condition='points >= 10'),
                        True, True),
        'level condition': (lambda text: services.levels.save(lead, 2, title='Rookie', icon='egg', condition=text),
                            False, False),
        'quest title': (lambda text: services.quests.save(lead, QuestDraft(title=text, target=2, reward_points=5)),
                        True, True),
        'quest description': (lambda text: services.quests.save(lead, QuestDraft(
            title='Resolve 2', description=text, target=2, reward_points=5)), False, False),
        'reward name': (lambda text: services.rewards.save(lead, RewardDraft(name=text, cost=100)), True, True),
        'reward description': (lambda text: services.rewards.save(lead, RewardDraft(
            name='Lunch', description=text, cost=100)), False, False),
        'redemption decision note': (lambda text: services.rewards.decide(lead, 1, approve=False, note=text), False,
                                     False),
        'incentive name': (lambda text: services.incentives.save(lead, Incentive(
            name=text, kind=IncentiveKind.BONUS, starts_on=today, ends_on=today, bonus_points=5)), True, True),
        'dispute reason': (lambda text: services.disputes.invalidate(lead, 1, text), True, False),
        "an agent's dispute reason": (lambda text: services.disputes.dispute(ana, 1, text), True, False),
        'dispute turned down reason': (lambda text: services.disputes.reject(lead, 1, text), True, False),
        'account username': (lambda text: services.accounts.create(lead, AccountDraft(
            username=text, password='a long passphrase')), True, True),
        'account display name': (lambda text: services.accounts.create(lead, AccountDraft(
            username='hostile', display_name=text, password='a long passphrase')), False, True),
        'account password': (lambda text: services.accounts.create(lead, AccountDraft(
            username='hostile', password=text)), True, True),
        'password reset': (lambda text: services.accounts.reset_password(lead, ana.id, text), True, True),
        'login username': (lambda text: services.auth.authenticate(text, 'a long passphrase'), False, True),
    }


async def _rows() -> dict[str, int]:
    """How many rows every table holds: a refused input changes none of them."""
    return {model.__name__: await model.all().count()
            for app in Tortoise.apps.values() for model in app.values()}
