"""A person's language (issue 16): their choice is a LANGUAGE_CHANGED event with themselves as actor, the directory
holds the latest and reads it back from the log at start-up, and a rebuild finds nothing to repair."""
from models import StoredEvent
from services.container import Services
from services.game.rebuild import differences, replay
from services.platform.directory import AgentView


async def test_the_last_choice_is_kept_and_read_back_from_the_log(services: Services, ana: AgentView,
                                                                  lead: AgentView) -> None:
    await services.accounts.set_language(ana, 'lv')
    await services.accounts.set_language(ana, 'lv')  # the same again: nothing to record
    await services.accounts.set_language(ana, 'nl')
    await services.accounts.set_language(lead, 'fr')
    events = await StoredEvent.filter(kind='language_changed').order_by('id')
    assert [(event.agent_id, event.data['language']) for event in events] == \
        [(ana.id, 'lv'), (ana.id, 'nl'), (lead.id, 'fr')]
    assert services.directory.agent(ana.id).language == 'nl'
    services.directory.languages.clear()
    await services.directory.load()  # as at start-up
    assert services.directory.agent(ana.id).language == 'nl' and services.directory.agent(lead.id).language == 'fr'
    assert await differences(await replay()) == []
