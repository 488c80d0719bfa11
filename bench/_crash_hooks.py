"""The crash harness's server hooks: ``bench/hooks.py``'s, plus a webhook-like delivery endpoint.

Loaded by ``bench/_serve.py --hooks bench/_crash_hooks.py`` (never by the app). DeskQuest has no webhook endpoint yet;
``POST /_bench/deliver?token=T`` does what one will do with an inbound e-mail: it goes through the same service as
every caller (``InboxService.create_conversation``, subject ``Delivery T``) under the idempotency key ``delivery:T``,
and answers only once the transaction has committed, with the conversation's id. That answer is what the harness
calls an *acknowledged write*; a sender that got no answer delivers again with the same token, as a webhook sender
retries, and the key makes it one conversation.
"""
import importlib.util
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI

    from services.container import Services

DELIVERY_KEY = 'delivery:{token}'
DELIVERY_SUBJECT = 'Delivery {token}'
CUSTOMERS = 16  # the demo floor's customers (simulation/demo.py), ids 1..16


def install(app: 'FastAPI', services: 'Services', *, output: Path) -> None:
    """``bench/hooks.py``'s endpoints (the harness waits for ``/_bench/stats``) and ``/_bench/deliver``."""
    _base_hooks().install(app, services, output=output)
    from services.domain.events import Channel  # the checkout under test's, imported once it is on sys.path

    @app.post('/_bench/deliver')
    async def deliver(token: str) -> dict[str, Any]:
        """One inbound e-mail, acknowledged with its conversation's id after its commit (see the module docstring)."""
        conversation_id = await services.inbox.create_conversation(
            customer_id=1 + zlib.crc32(token.encode()) % CUSTOMERS, channel=Channel.EMAIL,
            subject=DELIVERY_SUBJECT.format(token=token), body='Hello, my order has not arrived yet.',
            key=DELIVERY_KEY.format(token=token))
        return {'conversation_id': conversation_id}


def _base_hooks() -> Any:
    spec = importlib.util.spec_from_file_location('deskquest_bench_base_hooks', Path(__file__).with_name('hooks.py'))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
