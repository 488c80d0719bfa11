"""Small display helpers shared by the pages."""
from collections.abc import Mapping
from datetime import datetime

from services.domain.events import Channel
from services.domain.i18n import _, pgettext
from services.domain.wording import duration

CHANNEL_ICONS = {Channel.EMAIL: 'mail', Channel.CHAT: 'chat', Channel.PHONE: 'call', Channel.SOCIAL: 'tag'}
PRIORITY_COLORS = {'low': 'grey-6', 'normal': 'blue-grey-6', 'high': 'orange-8', 'urgent': 'red-7'}
STATUS_COLORS = {'new': 'red-6', 'open': 'blue-7', 'pending': 'grey-7', 'resolved': 'positive', 'abandoned': 'grey-5'}
SLA_SOON_SECONDS = 30 * 60  # a target closer than this is shown as urgent


def since(moment: datetime | None, now: datetime) -> str:
    return duration((now - moment).total_seconds()) if moment else ''


def sla_countdown(due_at: datetime, now: datetime, *, first_response: bool = False) -> tuple[str, str]:
    """The countdown to an SLA target and its colour: 'due in 12 min' (green, orange when close), 'overdue by 5 min'
    (red); 'reply due …' for a first-response target."""
    seconds = (due_at - now).total_seconds()
    if seconds < 0:
        text = _('reply overdue by {time}') if first_response else _('overdue by {time}')
        return text.format(time=duration(-seconds)), 'red-7'
    text = _('reply due in {time}') if first_response else _('due in {time}')
    return text.format(time=duration(seconds)), 'orange-9' if seconds < SLA_SOON_SECONDS else 'green-8'


def status_text(status: str) -> str:
    """A conversation's status as a person reads it ('new', 'open', 'pending', 'resolved', 'abandoned', 'mine'); the
    value itself stays English in the API and the exports."""
    return STATUS_WORDS[status]() if status in STATUS_WORDS else status


# the contexts tell a translator that 'open' is an adjective here, and which noun it goes with
STATUS_WORDS = {'new': lambda: pgettext('conversation status', 'new'),
                'open': lambda: pgettext('conversation status', 'open'),
                'pending': lambda: pgettext('conversation status', 'pending'),
                'resolved': lambda: pgettext('conversation status', 'resolved'),
                'abandoned': lambda: pgettext('conversation status', 'abandoned'),
                'mine': lambda: pgettext('conversation status', 'mine')}


def translated(labels: Mapping[str, str]) -> dict[str, str]:
    """A select's options whose labels are marked with ``N_()`` where they are defined, in the reader's language."""
    return {key: _(text) for key, text in labels.items()}
