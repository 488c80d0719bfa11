"""/admin/integrations through NiceGUI's simulated users (issue 14): a lead connects Chatwoot, sees the URL, secret and
steps once, watches deliveries arrive, replays a failed one, and gives an agent the helpdesk named a login."""
import hashlib
import hmac
from pathlib import Path

from nicegui.testing import User

from models import Agent, Connection
from tests.ui.support import log_in, sees, services, set_value, until

FIXTURES = Path(__file__).parent.parent / 'fixtures' / 'webhooks'


def value_of(user: User, marker: str) -> str:
    element, = user.find(marker=marker).elements
    return element.value


async def deliver(token: str, secret: str, name: str) -> tuple[int, str]:
    body = (FIXTURES / 'chatwoot' / f'{name}.json').read_bytes()
    timestamp = str(int(services().connections.wall.now().timestamp()))  # the helpdesk signs by the wall clock
    signature = hmac.new(secret.encode(), timestamp.encode() + b'.' + body, hashlib.sha256).hexdigest()
    return await services().connections.receive(token, {'X-Chatwoot-Signature': f'sha256={signature}',
                                                        'X-Chatwoot-Timestamp': timestamp}, body)


async def test_a_lead_connects_chatwoot_and_sees_a_delivery_arrive_and_replays_a_failed_one(user: User) -> None:
    await log_in(user, 'lead')
    user.find(marker='admin-integrations-link').click()
    await user.should_see('Connect a helpdesk', retries=50)
    await user.should_see('No helpdesk is connected yet.', retries=50)
    set_value(user, 'kind', 'chatwoot')
    user.find(marker='name').type('Support EU')
    user.find(marker='connect').click()
    await user.should_see(marker='shown-once', retries=50)
    await user.should_see('message_updated', retries=20)  # the events to tick, in the steps
    secret = value_of(user, 'new-secret')
    url = value_of(user, 'new-url')
    connection = await Connection.get(name='Support EU')
    assert url.endswith(f'/webhooks/{connection.token}') and len(secret) >= 32
    assert secret not in connection.secret_encrypted  # kept encrypted: the page is the only place it is shown
    user.find(marker='dismiss').click()
    await user.should_not_see(marker='shown-once', retries=20)

    assert (await deliver(connection.token, secret, 'conversation_created'))[0] == 200
    await user.should_see('conversation_created', retries=50)  # pushed to the open page
    assert (await deliver(connection.token, 'a secret from before', 'message_created_reply'))[0] == 401
    await user.should_see('The signature does not match', retries=50)
    failed = (await services().connections.deliveries(services().directory.agent(connection.created_by_id),
                                                       connection.id))[0]
    user.find(marker=f'reenter-{connection.id}').type('a secret from before')
    user.find('Save secret').click()
    await user.should_see('is saved', retries=50)
    user.find(marker=f'replay-{failed.id}').click()
    await user.should_see('Replayed', retries=50)
    await until(lambda: not sees(user, marker=f'replay-{failed.id}'), message='the replay button to go')

    # the reply's sender became an agent without a login: the lead invites them
    made = await Agent.get(password_hash='!')
    await user.should_see(marker=f'unlinked-{made.id}', retries=50)
    user.find(marker=f'invite-password-{made.id}').type('a first password')
    user.find(marker=f'invite-{made.id}').click()
    await user.should_see('Invited', retries=50)
    await until(lambda: not sees(user, marker=f'unlinked-{made.id}'), message='the invited agent to leave')
    assert (await Agent.get(id=made.id)).username == 'ana.ozola'


async def test_an_invalid_connection_is_refused_where_it_was_typed(user: User) -> None:
    await log_in(user, 'lead')
    await user.open('/admin/integrations')
    await user.should_see('Connect a helpdesk', retries=50)
    user.find(marker='secret').type('short')
    user.find(marker='connect').click()
    await user.should_see('Name the connection', retries=50)
    assert not await Connection.exists()


async def test_a_lead_merges_an_agent_a_helpdesk_named(user: User) -> None:
    await log_in(user, 'lead')
    lead = services().directory.agent((await Agent.get(username='lead')).id)
    new = await services().connections.create(lead, 'chatwoot', 'Support EU')
    token = new.connection.url_path.rsplit('/', 1)[1]
    assert (await deliver(token, new.secret, 'message_created_reply'))[0] == 200
    made = await Agent.get(password_hash='!')
    ana = await Agent.get(username='ana')
    await user.open('/admin/integrations')
    await user.should_see(marker=f'merge-{made.id}', retries=50)
    set_value(user, f'merge-into-{made.id}', ana.id)
    user.find(marker=f'merge-{made.id}').click()
    await user.should_see('Merged', retries=50)
    await until(lambda: not sees(user, marker=f'unlinked-{made.id}'), message='the merged agent to leave the list')
    assert not (await Agent.get(id=made.id)).active
