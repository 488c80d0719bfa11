"""Seed the demo floor plus one hostile customer into a database, through the real services, before a server starts.

Run as ``python -m tests.e2e.hostile_seed DB_URL`` from the project root; the end-to-end fixtures do that.
"""
import asyncio
import sys

from models import Customer
from services.container import build
from services.domain.events import Channel
from services.platform.clock import AcceleratedClock
from services.platform.settings import Settings
from simulation.demo import start_demo

HOSTILE_NAME = '<img src=x onerror=alert(1)>'
HOSTILE_SUBJECT = '<script>alert(2)</script>'
HOSTILE_BODY = '<b>bold?</b> <img src=y onerror=alert(3)>'


async def seed(db_url: str) -> int:
    """Seed the demo floor and a conversation with a customer whose name is HTML; return its conversation id."""
    clock = AcceleratedClock()  # as the demo server that later opens this database
    services = build(Settings(db_url=db_url, simulator=False), clock=clock)
    await start_demo(services, quests=False, clock=clock)
    try:
        customer = await Customer.create(name=HOSTILE_NAME, email='mallory@example.com', language='en')
        return await services.inbox.create_conversation(customer_id=customer.id, channel=Channel.EMAIL,
                                                        subject=HOSTILE_SUBJECT, body=HOSTILE_BODY)
    finally:
        await services.stop()


if __name__ == '__main__':
    print(asyncio.run(seed(sys.argv[1])))
