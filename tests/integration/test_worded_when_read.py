"""A notice, a receipt and a refusal on a real database (issue 16): a thanks is told and receipted in the words of the
reader's tab (French, Latvian, English), while the ledger row, the API's ledger and receipt and the export keep the
stored English; a refusal is one sentence in the actor's language."""
import pytest

from models import LedgerEntry, StoredEvent
from services.container import Services
from services.domain.errors import ActionError
from services.domain.events import EventKind
from services.domain.kudos import KUDOS_POINTS
from services.domain.scoring import AwardKind
from services.platform.directory import AgentView
from services.platform.exports import ExportQuery, ledger_rows
from services.platform.notices import Notice
from tests.conftest import START
from tests.extra_catalog import reading_in, translations

FR = {'{name} thanked you: “{message}” ({points} quality)': '{name} vous a remercié : « {message} » ({points} qualité)',
      'thanks from {name}: “{message}”': 'remerciements de {name} : « {message} »',
      'Only a lead can change the routing.': 'Seul un responsable peut modifier le routage.'}
LV = {'{name} thanked you: “{message}” ({points} quality)': '{name} jums pateicās: “{message}” ({points} kvalitāte)',
      'thanks from {name}: “{message}”': '{name} pateicība: “{message}”',
      'Only a lead can change the routing.': 'Tikai vadītājs var mainīt maršrutēšanu.'}


@pytest.fixture
def catalogs(monkeypatch):
    with translations(monkeypatch, {'fr': FR, 'lv': LV}):
        yield


async def test_a_thanks_is_told_and_receipted_in_the_readers_words_and_kept_in_english(
        catalogs, services: Services, ana: AgentView, bruno: AgentView) -> None:
    told: list[Notice] = []
    services.notices.for_agent(bruno.id).subscribe(told.append)
    with reading_in('lv'):  # the sender's language plays no part: the notice is worded when it is shown
        await services.kudos.send(ana, bruno.id, 'Paldies!')
    [notice] = told
    with reading_in('fr'):
        assert notice.text == f'{ana.name} vous a remercié : « Paldies! » (+{KUDOS_POINTS} qualité)'
    with reading_in('lv'):
        assert notice.text == f'{ana.name} jums pateicās: “Paldies!” (+{KUDOS_POINTS} kvalitāte)'
    assert notice.text == f'{ana.name} thanked you: “Paldies!” (+{KUDOS_POINTS} quality)'

    stored = f'thanks from {ana.name}: “Paldies!”'
    entry = await LedgerEntry.get(agent_id=bruno.id, kind=AwardKind.KUDOS.value)
    assert entry.reason == stored  # what the ledger keeps (and a rebuild compares) is English
    view = await services.progress.view(bruno.id)
    event = await StoredEvent.get(kind=EventKind.KUDOS_SENT.value)
    with reading_in('fr'):
        assert view.receipts[0].text == f'+{KUDOS_POINTS} remerciements de {ana.name} : « Paldies! »'
        detail = await services.receipts.explain(bruno, event_id=event.id, agent_id=bruno.id,
                                                 kind=AwardKind.KUDOS.value)
        assert detail.worded_title() == f'+{KUDOS_POINTS} remerciements de {ana.name} : « Paldies! »'
        assert detail.title == f'+{KUDOS_POINTS} {stored}'  # the API's receipt title
        # the API and the exports are machine-readable: English whatever language is in force
        page = await services.api_reads.ledger(bruno.id)
        assert [line.reason for line in page.items if line.kind == AwardKind.KUDOS.value] == [stored]
        exported = [row async for batch in ledger_rows(ExportQuery(first=START.date(), last=START.date()))
                    for row in batch if row['kind'] == AwardKind.KUDOS.value]
        assert [row['reason'] for row in exported] == [stored]
    with reading_in('lv'):
        assert view.receipts[0].text == f'+{KUDOS_POINTS} {ana.name} pateicība: “Paldies!”'
    assert view.receipts[0].text == f'+{KUDOS_POINTS} {stored}'


@pytest.mark.parametrize(('language', 'refusal'), [('fr', 'Seul un responsable peut modifier le routage.'),
                                                   ('lv', 'Tikai vadītājs var mainīt maršrutēšanu.'),
                                                   (None, 'Only a lead can change the routing.')])
async def test_a_refusal_is_one_sentence_in_the_actors_language(catalogs, services: Services, ana: AgentView,
                                                                language: str | None, refusal: str) -> None:
    config = services.routing.config
    with reading_in(language), pytest.raises(ActionError) as refused:
        await services.routing.set_mode(ana, mode='round_robin', model='shared')
    assert str(refused.value) == refusal
    assert services.routing.config == config  # refused: nothing changed
