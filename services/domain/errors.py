"""The error every layer raises for an action that cannot be done, and every caller shows as it is."""
from services.domain.i18n import phrase


class ActionError(Exception):
    """An action a person asked for that cannot be done; the message says why and nothing was written."""


class PhrasedError(Exception):
    """An error kept as what went wrong (a :class:`Phrase`: an ``N_()``-marked message and its values) and worded where
    it is read: ``str(error)`` is the sentence in the language in force then (a person's, in their tab's handler; the
    REST API, the webhooks, the CLI and the logs have nobody behind them and get English), ``error.args[0]`` is always
    the English one. A rule checked in one place and quoted in another (the rules document, a level's editor) is
    worded once, for whoever reads it.
    """

    def __init__(self, message: str, /, **values: object) -> None:
        self.phrase = phrase(message, **values)
        super().__init__(self.phrase.text(locale='en'))

    def __str__(self) -> str:
        return self.phrase.text()


PROBLEM = '{problem}'  # a PhrasedError that passes on a message worded already (not marked: nothing to translate)
