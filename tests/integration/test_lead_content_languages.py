"""Lead-authored texts per language (issue 16): a badge's, a level's, a quest's and a reward's names and descriptions
given in French, Dutch or Latvian, shown in the reader's language with the floor's default text as fallback, carried
by the rules document; and canned replies offered in the customer's language first."""
import json

import pytest

from models import BadgeDefinitionRow, Conversation, LevelRow, Reward
from services.container import Services
from services.domain.canned import CannedReplyDraft
from services.domain.errors import ActionError
from services.domain.i18n import speaking
from services.domain.rewards import RewardDraft
from services.domain.whatif import RulesError, rules_as_document, rules_from_document
from services.game.badges import definition_from_row
from services.game.quests import QuestDraft
from services.game.rebuild import differences, replay
from services.game.whatif import live_rules
from services.platform.directory import AgentView


async def test_a_badge_shows_in_the_readers_language_and_falls_back_to_the_default(services: Services,
                                                                                    lead: AgentView) -> None:
    cleaner = services.badges.definition('cleaner').as_dict()
    await services.badges.save(lead, {**cleaner, 'translations': {'lv': {'name': 'Tīrītājs'},
                                                                  'fr': {'name': ' ', 'description': ''}}})
    for definition in (services.badges.definition('cleaner'),
                       definition_from_row(await BadgeDefinitionRow.get(key='cleaner'))):  # as read at start-up
        assert definition.translations == {'lv': {'name': 'Tīrītājs'}}  # empty texts are not kept
        with speaking('lv'):
            assert definition.shown_name == 'Tīrītājs'
            assert definition.shown_description == cleaner['description']  # not translated: the default
        with speaking('en'):
            assert definition.shown_name == cleaner['name']
        with speaking('fr'):  # no French name: the default one
            assert definition.shown_name == cleaner['name']
    await services.badges.settle()
    assert await differences(await replay()) == []


async def test_bad_translations_are_refused_and_change_nothing(services: Services, lead: AgentView) -> None:
    cleaner = services.badges.definition('cleaner').as_dict()
    with pytest.raises(ActionError, match="Unknown translation language 'de'"):
        await services.badges.save(lead, {**cleaner, 'translations': {'de': {'name': 'Putzer'}}})
    with pytest.raises(ActionError, match="no text 'colour'"):
        await services.badges.save(lead, {**cleaner, 'translations': {'fr': {'colour': 'bleu'}}})
    with pytest.raises(ActionError, match='too long'):
        await services.levels.save(lead, 2, title='Rookie', icon='egg', condition='points >= 200',
                                   translations={'nl': {'title': 'x' * 81}})
    with pytest.raises(ActionError, match="Unknown translation language 'xx'"):
        await services.rewards.save(lead, RewardDraft(name='Tea', cost=5, translations={'xx': {'name': 'Thé'}}))
    assert (await BadgeDefinitionRow.get(key='cleaner')).translations == {}
    assert (await LevelRow.get(number=2)).translations == {}
    assert not await Reward.filter(name='Tea').exists()


async def test_levels_quests_and_rewards_in_the_readers_language(services: Services, lead: AgentView) -> None:
    await services.levels.save(lead, 2, title='Rookie', icon='egg', condition='points >= 200',
                               translations={'fr': {'title': 'Débutant'}, 'lv': {'title': 'Iesācējs'}})
    level = next(level for level in services.levels.levels if level.number == 2)
    with speaking('fr'):
        assert level.shown_title == 'Débutant'
    with speaking('nl'):
        assert level.shown_title == 'Rookie'
    await services.levels.save(lead, 2, title='Rookie', icon='egg', condition='points >= 300')  # keeps them
    assert (await LevelRow.get(number=2)).translations['lv'] == {'title': 'Iesācējs'}

    quest = await services.quests.save(lead, QuestDraft(title='Resolve 5 today', target=5, preset='today',
                                                        reward_points=10,
                                                        translations={'nl': {'title': 'Los er vandaag 5 op'}}))
    with speaking('nl'):
        assert services.quests.definition(quest.key).shown_title == 'Los er vandaag 5 op'
        assert services.quests.definition(quest.key).shown_description == ''
    with speaking('lv'):
        assert services.quests.definition(quest.key).shown_title == 'Resolve 5 today'

    reward = await services.rewards.save(lead, RewardDraft(name='Tea', description='A cup of tea', cost=5,
                                                           translations={'lv': {'name': 'Tēja'}}))
    shown = next(r for r in services.rewards.catalogue() if r.id == reward.id)
    with speaking('lv'):
        assert (shown.shown_name, shown.shown_description) == ('Tēja', 'A cup of tea')
    with speaking('en'):
        assert shown.shown_name == 'Tea'
    await services.badges.settle()
    assert await differences(await replay()) == []


async def test_the_rules_document_carries_the_translations_and_older_ones_still_import(services: Services,
                                                                                       lead: AgentView) -> None:
    siesta = services.badges.definition('siesta').as_dict()
    await services.badges.save(lead, {**siesta, 'translations': {'fr': {'name': 'Sieste', 'description': 'La plus '
                                                                        'longue pause en 7 jours'}}})
    await services.levels.save(lead, 3, title='Apprentice', icon='menu_book',
                               condition='points >= 800 and resolved >= 40', translations={'lv': {'title': 'Māceklis'}})
    await services.quests.save(lead, QuestDraft(title='Resolve 5 today', target=5, preset='today',
                                                reward_points=10,
                                                translations={'fr': {'title': 'Résoudre 5 aujourd’hui'}}))
    document = json.loads(json.dumps(rules_as_document(await live_rules()), ensure_ascii=False))
    read = rules_from_document(document)
    assert next(b for b in read.badges if b.key == 'siesta').translations['fr']['name'] == 'Sieste'
    assert next(level for level in read.levels if level.number == 3).translations == {'lv': {'title': 'Māceklis'}}
    assert [quest.translations for quest in read.quests] == [{'fr': {'title': 'Résoudre 5 aujourd’hui'}}]
    assert rules_as_document(read) == document  # round trip

    for part in ('badges', 'levels', 'quests'):  # a document exported before translations existed
        for row in document[part]:
            del row['translations']
    older = rules_from_document(document)
    assert all(not row.translations for part in (older.badges, older.levels, older.quests) for row in part)

    document['badges'][0]['translations'] = {'fr': {'name': 7}}
    with pytest.raises(RulesError, match=r'badges #1: .*must be text'):
        rules_from_document(document)


async def test_a_published_draft_carries_translations_alone(services: Services, lead: AgentView) -> None:
    document = rules_as_document(await live_rules())
    document['levels'][1]['translations'] = {'nl': {'title': 'Groentje'}}
    document['badges'][0]['translations'] = {'lv': {'name': 'Satiksmes regulētājs'}}
    assert await services.rules.publish(lead, rules_from_document(document)) == ['levels', '1 badge']
    assert (await LevelRow.get(number=2)).translations == {'nl': {'title': 'Groentje'}}
    key = document['badges'][0]['key']
    assert (await BadgeDefinitionRow.get(key=key)).translations == {'lv': {'name': 'Satiksmes regulētājs'}}
    with speaking('nl'):
        assert next(level for level in services.levels.levels if level.number == 2).shown_title == 'Groentje'
    await services.badges.settle()
    assert await differences(await replay()) == []


async def test_canned_replies_in_the_customers_language_come_first(services: Services, lead: AgentView,
                                                                   ana: AgentView) -> None:
    for shortcut, language in (('zz-sveiki', 'lv'), ('zz-bonjour', 'fr'), ('zz-thanks', 'en')):
        await services.canned_replies.save(lead, CannedReplyDraft(title=shortcut, shortcut=shortcut, body='…',
                                                                  language=language, shared=True))
    conversation = await Conversation.filter(customer__language='lv').first()
    assert conversation is not None  # the demo's Latvian customers write in
    detail = await services.inbox.detail(conversation.id)
    assert detail.customer_language == 'lv'
    replies = await services.inbox.canned_replies(ana.id, language=detail.customer_language)
    languages = [reply.language for reply in replies]
    assert languages[0] == 'lv' and languages == sorted(languages, key=lambda language: language != 'lv')
    assert [r.shortcut for r in replies if r.language != 'lv'] == sorted(r.shortcut for r in replies
                                                                        if r.language != 'lv')
    french = services.canned_replies.visible_to(ana.id, language='fr')
    assert french[0].shortcut == 'zz-bonjour'
    assert [r.shortcut for r in services.canned_replies.visible_to(ana.id)] == \
        sorted(r.shortcut for r in french)  # no language: by shortcut, as before
