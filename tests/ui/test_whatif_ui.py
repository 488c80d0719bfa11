"""The What-if tab (issue 18) through NiceGUI's simulated users: draft → preview → publish, or → discard."""
import json
import time
from collections.abc import Callable
from dataclasses import replace

import pytest
from nicegui.elements.upload_files import SmallFileUpload
from nicegui.testing import User

from models import LedgerEntry, StoredEvent
from services.domain.scoring import ScoringPolicy
from services.domain.whatif import rules_as_document
from services.game import whatif as whatif_service
from tests.ui.support import agent, demote, log_in, notified, services, set_value, until


async def open_whatif(user: User) -> None:
    for username in ('ana', 'ana', 'ana', 'bruno'):  # some history to replay: fast resolutions
        conversation_id = min(item.id for item in services().inbox.items() if item.assignee_id is None)
        await services().inbox.reply(agent(username), conversation_id, 'All sorted!')
        await services().inbox.resolve(agent(username), conversation_id)
    await log_in(user, 'lead')
    await user.open('/admin/game')
    user.find(marker='tab-what-if').click()
    await until(lambda: user.find(marker='draft-fast_resolution').elements.pop().value == 10,
                message='the draft to start from the live values')


async def preview(user: User) -> None:
    user.find(marker='whatif-preview').click()
    await user.should_see(marker='whatif-table', retries=100)
    await user.should_see('Replayed', retries=50)


async def test_a_lead_previews_a_draft_then_publishes_it(user: User) -> None:
    await open_whatif(user)
    events = await StoredEvent.all().count()
    ledger = await LedgerEntry.all().count()
    set_value(user, 'draft-fast_resolution', 40)
    set_value(user, 'draft-level-2-condition', 'points >= 20')
    await preview(user)
    await user.should_see(marker='whatif-chart')
    await user.should_see('Most affected:')
    with user.scope(marker='whatif-changes'):
        await user.should_see('level 1 → 2', retries=50)  # the easier level 2, reached by some under the draft
    assert await StoredEvent.all().count() == events and await LedgerEntry.all().count() == ledger  # nothing written
    assert services().scoring.policy == ScoringPolicy()

    user.find(marker='whatif-publish').click()
    await user.should_see('Published (scoring values and levels): the draft applies from now on.', retries=50)
    assert services().scoring.policy.fast_resolution == 40
    assert services().levels.levels[1].condition == 'points >= 20'
    kinds = await StoredEvent.filter(id__gt=events).values_list('kind', flat=True)
    assert sorted(kinds)[:2] == ['levels_changed', 'scoring_changed'] and kinds.count('scoring_changed') == 1


async def test_discard_leaves_no_trace_and_a_bad_value_is_refused(user: User) -> None:
    await open_whatif(user)
    events = await StoredEvent.all().count()
    set_value(user, 'draft-fast_resolution', 9999)
    user.find(marker='whatif-preview').click()
    await user.should_see('scoring: Fast resolution: a whole number of points from 0 to 500', retries=50)
    set_value(user, 'draft-fast_resolution', 0)
    set_value(user, 'draft-minimum_resolved', 3)
    await preview(user)
    user.find(marker='whatif-discard').click()
    await user.should_see('Draft discarded: the live rules are unchanged.', retries=50)
    await until(lambda: user.find(marker='draft-fast_resolution').elements.pop().value == 10,
                message='the draft to be the live values again')
    await user.should_not_see(marker='whatif-table')
    assert await StoredEvent.all().count() == events
    assert services().scoring.policy == ScoringPolicy()


async def test_a_lead_demoted_while_the_tab_is_open_can_neither_preview_nor_publish(user: User) -> None:
    await open_whatif(user)
    events = await StoredEvent.all().count()
    demote('lead')
    set_value(user, 'draft-fast_resolution', 30)
    user.find(marker='whatif-preview').click()
    user.find(marker='whatif-publish').click()
    await until(lambda: notified(user, 'Only a lead can do that.') == 2,
                message='the preview and the publish to be refused with "Only a lead can do that."')
    await user.should_not_see(marker='whatif-table')
    assert await StoredEvent.filter(id__gt=events, kind='scoring_changed').count() == 0


async def test_the_draft_is_exported_and_imported_as_the_rules_document(user: User) -> None:
    await open_whatif(user)
    set_value(user, 'draft-happy_customer', 12)
    user.find(marker='whatif-export').click()
    document = json.loads((await user.download.next()).content)
    assert document == rules_as_document(replace(await services().rules.live(),
                                                 policy=replace(ScoringPolicy(), happy_customer=12)))

    upload, = user.find(marker='whatif-import').elements
    document['scoring']['fast_resolution'] = 35
    await upload.handle_uploads([SmallFileUpload(name='rules.json', content_type='application/json',
                                                 _data=json.dumps(document).encode())])
    await user.should_see('Draft imported: preview it, then publish or discard it.', retries=50)
    assert user.find(marker='draft-fast_resolution').elements.pop().value == 35
    assert user.find(marker='draft-happy_customer').elements.pop().value == 12

    await upload.handle_uploads([SmallFileUpload(name='bad.json', content_type='application/json',
                                                 _data=b'{"deskquest_rules": 1}')])
    await user.should_see('Import refused: The rules document lacks: scoring, levels, badges, quests, incentives.',
                          retries=50)
    assert user.find(marker='draft-fast_resolution').elements.pop().value == 35  # the draft stays as it was


async def test_a_running_preview_shows_its_progress_and_can_be_cancelled(user: User,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    def endless(events: list, *, progress: Callable[[int], None], **_: object) -> None:
        """A fold that never ends by itself (in its worker thread): it reports progress until it is cancelled."""
        done = 0
        while True:
            done = min(done + 1, len(events))
            progress(done)
            time.sleep(0.01)

    monkeypatch.setattr(whatif_service, 'what_if', endless)
    await open_whatif(user)
    user.find(marker='whatif-preview').click()
    await user.should_see('Replaying:', retries=100)
    await user.should_see(marker='whatif-progress')
    user.find(marker='whatif-cancel').click()
    await user.should_see('Preview cancelled: nothing was changed.', retries=100)
    await user.should_not_see(marker='whatif-table')
    await user.should_not_see(marker='whatif-cancel')


async def test_a_draft_without_an_incentive_is_previewed_then_published(user: User) -> None:
    live = await services().rules.live()
    incentive = live.incentives[0]  # the demo's
    await open_whatif(user)
    await user.should_see(marker=f'draft-incentive-{incentive.id}', retries=50)
    set_value(user, f'draft-incentive-{incentive.id}', False)
    await preview(user)
    assert [i.id for i in services().incentives.in_force()] == [i.id for i in live.incentives]  # still live
    user.find(marker='whatif-publish').click()
    await user.should_see('Published (1 incentive change): the draft applies from now on.', retries=50)
    assert incentive.id not in {i.id for i in services().incentives.in_force()}
    deleted = await StoredEvent.filter(kind='incentive_deleted').values_list('data', flat=True)
    assert [data['incentive_id'] for data in deleted] == [incentive.id]
