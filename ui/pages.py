"""Registers every page; called once from main.py."""
from services.container import Services
from simulation.simulator import Simulator
from ui import (
    account,
    admin_accounts,
    admin_api,
    admin_badges,
    admin_displays,
    admin_exports,
    admin_game,
    admin_integrations,
    admin_workspace,
    analytics,
    canned_page,
    i18n,
    kiosk,
    login,
    monitor,
    recap,
    rewards_page,
    trophies,
    workspace,
)


def register(services: Services, *, simulator: Simulator | None) -> None:
    """Register every page; ``simulator`` is the demo's (its controls are shown to leads), None in production."""
    i18n.register(services)  # first: every page's texts follow the person's language (issue 16)
    login.register(services)
    account.register(services)
    workspace.register(services, simulator=simulator)
    kiosk.register(services)
    canned_page.register(services)
    admin_workspace.register(services)
    rewards_page.register(services)
    analytics.register(services)  # charts with drill-down (issue 15)
    admin_game.register(services)
    trophies.register(services)
    admin_badges.register(services)
    admin_accounts.register(services)
    admin_api.register(services)  # the REST API's tokens (issue 14)
    admin_exports.register(services)
    admin_integrations.register(services)  # connected helpdesks (issue 14)
    monitor.register(services)  # the lead's live monitor (issue 15)
    admin_displays.register(services)  # wall displays (issue 15)
    recap.register(services)  # an agent's month against themselves, as a page and an image (issue 20)
