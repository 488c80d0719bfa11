"""Registers every page; called once from main.py."""
from services.container import Services
from ui import admin_badges, canned_page, kiosk, login, trophies, workspace


def register(services: Services) -> None:
    login.register(services)
    workspace.register(services)
    kiosk.register(services)
    canned_page.register(services)
    trophies.register(services)
    admin_badges.register(services)
