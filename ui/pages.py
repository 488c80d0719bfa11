"""Registers every page; called once from main.py."""
from services.container import Services
from ui import admin_badges, admin_game, admin_workspace, canned_page, kiosk, login, rewards_page, trophies, workspace


def register(services: Services) -> None:
    login.register(services)
    workspace.register(services)
    kiosk.register(services)
    canned_page.register(services)
    admin_workspace.register(services)
    rewards_page.register(services)
    admin_game.register(services)
    trophies.register(services)
    admin_badges.register(services)
