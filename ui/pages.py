"""Registers every page; called once from main.py."""
from services.container import Services
from ui import admin_workspace, kiosk, login, workspace


def register(services: Services) -> None:
    login.register(services)
    workspace.register(services)
    kiosk.register(services)
    admin_workspace.register(services)
