"""The error every layer raises for an action that cannot be done, and every caller shows as it is."""


class ActionError(Exception):
    """An action a person asked for that cannot be done; the message says why and nothing was written."""
