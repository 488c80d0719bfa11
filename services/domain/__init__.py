"""The pure domain: events, errors, rules and their wording. No await, no Tortoise, no NiceGUI, no models."""
