"""The game's async services: they store and fold what the rules in services.domain decide."""
