"""Tortoise's migrations of DeskQuest's tables, in order; the next one is made by ``python -m tortoise makemigrations``
(docs/ARCHITECTURE.md, "Migrations") and applied by ``python main.py migrate`` or at start."""
