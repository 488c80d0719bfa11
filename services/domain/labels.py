"""The words for values the app stores in English (a channel, a priority), in the reader's language: the same word
wherever one is shown, on a page, on a kiosk or in a badge's rule. The values themselves stay English in the API and
the exports."""
from services.domain.events import Channel
from services.domain.i18n import N_, _, pgettext

CHANNEL_LABELS = {Channel.EMAIL: N_('Email'), Channel.CHAT: N_('Chat'), Channel.PHONE: N_('Phone'),
                  Channel.SOCIAL: N_('Social')}  # shown through _()
PRIORITY_WORDS = {'low': lambda: pgettext('priority', 'low'), 'normal': lambda: pgettext('priority', 'normal'),
                  'high': lambda: pgettext('priority', 'high'), 'urgent': lambda: pgettext('priority', 'urgent')}


def priority_text(priority: str) -> str:
    """A priority as a person reads it ('low', 'normal', 'high', 'urgent')."""
    return PRIORITY_WORDS[priority]() if priority in PRIORITY_WORDS else priority


def channel_text(channel: Channel) -> str:
    return _(CHANNEL_LABELS[channel])
