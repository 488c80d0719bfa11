"""Seed a benchmark floor through the real services: the demo floor, more agents, and conversations waiting.

Run with the checkout under test as the working directory: ``python bench/_seed.py DB_URL AGENTS CONVERSATIONS``.
Agents beyond the twelve of the demo floor join its three teams and share the demo password.
"""
import asyncio
import os
import sys

sys.path.insert(0, os.getcwd())

from _checkout import start_services  # noqa: E402

from models import Agent, Customer, Team  # noqa: E402

try:  # the layout since services/ was split into layers, then the flat one of older baselines
    from services.domain.events import Channel
except ModuleNotFoundError:
    from services.events import Channel  # type: ignore[no-redef]

FIRST = ['Alex', 'Maja', 'Jonas', 'Sofia', 'Leon', 'Mila', 'Finn', 'Ella', 'Noah', 'Lina', 'Elias', 'Nora', 'Paul',
         'Ida', 'Emil', 'Lea', 'Oskars', 'Anna', 'Matteo', 'Zoé']
LAST = ['Berg', 'Kalniņš', 'Dubois', 'Visser', 'Novak', 'Rossi', 'Meyer', 'Lambert', 'Ozols', 'Janssen', 'Moreau',
        'Bakker', 'Horvat', 'Fischer', 'Leclerc', 'Smit', 'Bērziņa', 'Conti', 'Peeters', 'Wolff', 'Nieminen', 'Silva',
        'Costa', 'Hansen', 'Weber']


async def seed(db_url: str, agents: int, conversations: int) -> None:
    services = await start_services(db_url, demo=True)  # an empty database gets the demo floor and its queue
    try:
        teams = await Team.all().order_by('id')
        ana = await Agent.get(username='ana')
        existing = await Agent.filter(role='agent').count()
        for number in range(existing, agents):
            name = f'{FIRST[number % len(FIRST)]} {LAST[(number // len(FIRST)) % len(LAST)]}'
            if number >= len(FIRST) * len(LAST):
                name += f' {number // (len(FIRST) * len(LAST)) + 1}'
            await Agent.create(username=f'agent{number:04d}', display_name=name, password_hash=ana.password_hash,
                               role='agent', team=teams[number % len(teams)], is_demo=True, style='steady')
        customers = await Customer.all().order_by('id')
        waiting = len(services.inbox.items())
        for number in range(waiting, conversations):
            await services.inbox.create_conversation(
                customer_id=customers[number % len(customers)].id, channel=list(Channel)[number % len(Channel)],
                subject=f'Question about order {10_000 + number}', body='Hello, I have a question about my order.',
                priority=('urgent', 'high', 'normal', 'low')[number % 4])
    finally:
        await services.stop()


if __name__ == '__main__':
    asyncio.run(seed(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
