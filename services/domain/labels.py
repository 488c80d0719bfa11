"""The words for values the app stores in English (a channel, a priority, a rating), in the reader's language: the
same word wherever one is shown, on a page, on a kiosk or in a badge's rule. The values themselves stay English in the
API and the exports."""
from services.domain.events import Channel, Rating
from services.domain.i18n import N_, _, pgettext

CHANNEL_LABELS = {Channel.EMAIL: N_('Email'), Channel.CHAT: N_('Chat'), Channel.PHONE: N_('Phone'),
                  Channel.SOCIAL: N_('Social')}  # shown through _()
PRIORITY_WORDS = {'low': lambda: pgettext('priority', 'low'), 'normal': lambda: pgettext('priority', 'normal'),
                  'high': lambda: pgettext('priority', 'high'), 'urgent': lambda: pgettext('priority', 'urgent')}

CHANNEL_VALUES = frozenset(channel.value for channel in Channel)
RATING_WORDS = {Rating.GOOD.value: N_('good'), Rating.NEUTRAL.value: N_('neutral'), Rating.BAD.value: N_('bad')}


def priority_text(priority: str) -> str:
    """A priority as a person reads it ('low', 'normal', 'high', 'urgent')."""
    return PRIORITY_WORDS[priority]() if priority in PRIORITY_WORDS else priority


def channel_text(channel: Channel) -> str:
    return _(CHANNEL_LABELS[channel])


def rating_text(rating: str) -> str:
    """A customer's rating as a person reads it ('good', 'neutral', 'bad')."""
    return _(RATING_WORDS[rating]) if rating in RATING_WORDS else rating


def value_text(field: str, value: str | int) -> str | None:
    """A stored value of an event's ``field`` (a channel, a priority, a rating) in words; None for a value that has
    none (a tag, a shortcut: shown as written)."""
    if field == 'channel' and value in CHANNEL_VALUES:
        return channel_text(Channel(value)).lower()  # inside a sentence: 'is email or chat'
    if field == 'priority' and value in PRIORITY_WORDS:
        return priority_text(str(value))
    if field == 'rating' and value in RATING_WORDS:
        return rating_text(str(value))
    return None
