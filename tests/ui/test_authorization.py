"""The authorization matrix of the pages (issue 19, Roles): every page the app registers, opened as nobody, an agent and
a lead, and where each lands. The actions' half is tests/integration/test_authorization.py.

/kiosk is open to everyone, but shows only its pairing screen until a lead's code pairs the browser (issue 15:
tests/ui/test_kiosk.py).
"""
import pytest
from nicegui import Client
from nicegui.testing import User

from tests.ui.support import log_in, running, until

# (page, where nobody lands, where an agent lands, where a lead lands)
PAGES: list[tuple[str, str, str, str]] = [
    ('/', '/login', '/', '/'),
    ('/login', '/login', '/', '/'),  # logged in already: on to the workspace
    ('/kiosk', '/kiosk', '/kiosk', '/kiosk'),  # the wall screen: its pairing screen until a lead's code pairs it
    ('/trophies', '/login', '/trophies', '/trophies'),
    ('/canned', '/login', '/canned', '/canned'),
    ('/account', '/login', '/account', '/account'),  # everyone's own sessions and password
    ('/rewards', '/login', '/rewards', '/admin/game'),  # leads keep the store, they do not shop in it
    ('/admin/workspace', '/login', '/', '/admin/workspace'),
    ('/admin/game', '/login', '/', '/admin/game'),
    ('/admin/accounts', '/login', '/', '/admin/accounts'),
    ('/admin/api', '/login', '/', '/admin/api'),  # REST API tokens (issue 14)
    ('/admin/exports', '/login', '/', '/admin/exports'),
    ('/admin/integrations', '/login', '/', '/admin/integrations'),
    ('/monitor', '/login', '/', '/monitor'),  # the lead's live monitor (issue 15)
    ('/analytics', '/login', '/analytics', '/analytics'),  # an agent's own figures, a lead's floor (issue 15)
    ('/admin/displays', '/login', '/', '/admin/displays'),  # wall displays (issue 15)
    ('/recap', '/login', '/recap', '/recap'),  # an agent's own month, any agent's for a lead (issue 20)
]

# what each page titles itself: landing on the path is not enough, the page must have been built there
TITLES = {
    '/': 'DeskQuest',
    '/login': 'DeskQuest · Log in',
    '/kiosk': 'DeskQuest · Live floor',
    '/trophies': 'Trophies · DeskQuest',
    '/canned': 'Canned replies · DeskQuest',
    '/account': 'Your account · DeskQuest',
    '/rewards': 'Rewards · DeskQuest',
    '/admin/workspace': 'DeskQuest · Workspace settings',
    '/admin/game': 'Game · DeskQuest',
    '/admin/accounts': 'Accounts · DeskQuest',
    '/admin/api': 'API · DeskQuest',
    '/admin/exports': 'Exports · DeskQuest',
    '/admin/integrations': 'DeskQuest · Connected helpdesks',
    '/monitor': 'Live monitor · DeskQuest',
    '/analytics': 'Analytics · DeskQuest',
    '/admin/displays': 'Wall displays · DeskQuest',
    '/recap': 'Recap · DeskQuest',
}

ROLES = {'anonymous': (None, 1), 'agent': ('ana', 2), 'lead': ('lead', 3)}  # who logs in, their column in PAGES


@pytest.mark.parametrize('role', ROLES)
async def test_every_page_lets_in_or_sends_away_each_role(user: User, role: str) -> None:
    username, column = ROLES[role]
    if username is not None:
        await log_in(user, username)
    for row in PAGES:
        await lands(user, role, row[0], row[column])

async def test_the_matrix_covers_every_page_the_app_registers(user: User) -> None:
    registered = set(Client.page_routes.values())
    assert registered, 'the app registered no pages: the matrix would check nothing'
    listed = {row[0] for row in PAGES}
    assert registered - listed == set(), 'a page has no row in the authorization matrix'
    assert listed - registered == set(), 'a row names a page the app no longer registers'
    assert set(TITLES) == listed


async def lands(user: User, role: str, page: str, landing: str) -> None:
    """Open ``page`` and wait until ``user`` is on ``landing``, its page built (any redirect is over)."""
    await user.open(page)
    await until(lambda: not running('navigate') and user.back_history[-1] == landing
                and user.client.title == TITLES[landing],
                message=lambda: f'{role} opening {page} to land on {landing}, not on {user.back_history[-1]} '
                                f'titled {user.client.title!r}')
