"""Badge and level receipts through NiceGUI's simulated users: from the progress card and the trophy page."""
from collections.abc import Callable

from nicegui.testing import User

from services.domain.events import EventKind
from tests.ui.support import agent, choose, log_in, services


async def tag_as_ana(conversation_id: int = 1) -> None:
    """Ana tags a conversation: nobody else tagged one this week, so she wins Tagger."""
    async with services().game.unit_of_work() as work:
        await work.record(EventKind.TAGGED, agent_id=agent('ana').id, conversation_id=conversation_id,
                          data={'tag': 'vip'})
    await services().badges.settle()


async def open_the_tagger_receipt(user: User) -> None:
    """Ana tags a conversation, wins Tagger and opens its receipt from her card."""
    await tag_as_ana()
    with user.scope(marker='progress-card'):
        await user.should_see(marker='badge-tagger', retries=50)
    user.find(marker='badge-tagger').click()
    await user.should_see(marker='badge-receipt', retries=50)


async def test_a_badge_on_the_card_opens_its_receipt_and_its_conversation(user: User) -> None:
    await log_in(user, 'ana')
    await user.should_see('none this week yet', retries=50)
    await open_the_tagger_receipt(user)
    with user.scope(marker='badge-receipt'):
        await user.should_see('Tagger')
        await user.should_see('Won by whoever has the most conversations with one of these events.')
        await user.should_see('You: 1 conversation.')
        await user.should_see('Nobody else had any of these events in the window.')
        await user.should_see('Ana Ozola tagged it “vip”')
    user.find(marker='receipt-conversation-1').click()  # the event's conversation opens in the inbox
    await user.should_see(marker='tab-1', retries=50)


async def test_the_level_on_the_card_opens_the_levels_reached(user: User) -> None:
    lead, ana = agent('lead'), agent('ana')
    await services().levels.save(lead, 2, title='Rookie', icon='egg', condition='replies >= 1')
    await log_in(user, 'ana')
    user.find(marker='card-level').click()
    await user.should_see(marker='level-receipt', retries=50)
    with user.scope(marker='level-receipt'):
        await user.should_see('Level 1: Novice')
        await user.should_see('Where everyone starts.')
        await user.should_see('replies: 0 (needs ≥ 1) ✗')  # where she stands against the next level
    user.find('Close').click()
    await services().inbox.reply(ana, 1, 'Hello, looking into it')
    with user.scope(marker='progress-card'):
        await user.should_see('Rookie', retries=50)
    user.find(marker='card-level').click()
    await user.should_see(marker='level-step-2', retries=50)
    with user.scope(marker='level-step-2'):
        await user.should_see('Level 2: Rookie')
        await user.should_see('Condition: replies >= 1')
        await user.should_see('Then: replies: 1 (needs ≥ 1) ✓')
        await user.should_see('Ana Ozola replied (22 characters)')


async def test_the_trophy_page_opens_the_receipts_of_badges_others_may_see(create_user: Callable[[], User]) -> None:
    ana = agent('ana')
    await tag_as_ana()
    async with services().game.unit_of_work() as work:  # a teasing badge: Coffee
        await work.record(EventKind.PRESENCE_CHANGED, agent_id=ana.id, data={'status': 'on_break',
                                                                            'previous': 'online', 'seconds': 60})
    await services().badges.settle()
    viewer, holder = create_user(), create_user()
    await log_in(viewer, 'bruno')  # both before either opens a live page: a later login's redirect could go astray
    await log_in(holder, 'ana')
    await viewer.open('/trophies')
    await viewer.should_see(marker=f'holder-tagger-{ana.id}', retries=50)
    await viewer.should_not_see(marker=f'holder-coffee-{ana.id}')  # teasing: hidden from Bruno
    viewer.find(marker=f'holder-tagger-{ana.id}').click()
    await viewer.should_see(marker='badge-receipt', retries=50)
    with viewer.scope(marker='badge-receipt'):
        await viewer.should_see('Ana Ozola: 1 conversation.')
    viewer.find(marker='receipt-conversation-1').click()  # opens in the workspace
    await viewer.should_see(marker='tab-1', retries=50)

    await holder.open('/trophies')
    await holder.should_see(marker=f'holder-coffee-{ana.id}', retries=50)  # her own teasing badge
    holder.find(marker=f'holder-coffee-{ana.id}').click()
    await holder.should_see(marker='badge-receipt', retries=50)
    with holder.scope(marker='badge-receipt'):
        await holder.should_see('A teasing badge: only its holder and the leads see it, unless the team chose to '
                                'show them.')
        await holder.should_see('Ana Ozola went from online to on break')


async def test_a_badge_receipt_is_worded_in_the_readers_language(user: User) -> None:
    await log_in(user, 'ana')
    await choose(user, 'fr')
    await user.should_see('8 ouvertes', retries=50)  # the page built again in French
    await open_the_tagger_receipt(user)
    with user.scope(marker='badge-receipt'):
        await user.should_see('Événements comptés : étiquettes.')
        await user.should_see("Gagné par qui a le plus de conversations avec l'un de ces événements.")
        await user.should_see('Vous : 1 conversation.')
        await user.should_see("Personne d'autre n'a eu aucun de ces événements dans la fenêtre.")


async def test_a_level_conditions_parse_error_is_worded_in_the_leads_language(user: User) -> None:
    await log_in(user, 'lead')
    await choose(user, 'fr')
    await user.should_see("Chef d'équipe", retries=50)  # the page built again in French
    await user.open('/admin/game')
    user.find(marker='tab-badges & levels').click()
    await user.should_see(marker='level-condition-3', retries=50)
    user.find(marker='level-condition-3').clear().type('points >= and resolved >= 40')
    user.find(marker='level-save-3').click()
    await user.should_see("Niveau 3 : Nombre attendu après '>=' à la colonne 11, trouvé : 'and'", retries=50)
