"""Small display helpers shared by the pages."""
from datetime import datetime

from services.domain.events import Channel
from services.domain.wording import duration

CHANNEL_ICONS = {Channel.EMAIL: 'mail', Channel.CHAT: 'chat', Channel.PHONE: 'call', Channel.SOCIAL: 'tag'}
CHANNEL_LABELS = {Channel.EMAIL: 'Email', Channel.CHAT: 'Chat', Channel.PHONE: 'Phone', Channel.SOCIAL: 'Social'}
PRIORITY_COLORS = {'low': 'grey-6', 'normal': 'blue-grey-6', 'high': 'orange-8', 'urgent': 'red-7'}
STATUS_COLORS = {'new': 'red-6', 'open': 'blue-7', 'pending': 'grey-7', 'resolved': 'positive', 'abandoned': 'grey-5'}
SLA_SOON_SECONDS = 30 * 60  # a target closer than this is shown as urgent


def since(moment: datetime | None, now: datetime) -> str:
    return duration((now - moment).total_seconds()) if moment else ''


def sla_countdown(due_at: datetime, now: datetime, *, first_response: bool = False) -> tuple[str, str]:
    """The countdown to an SLA target and its colour: 'due in 12 min' (green, orange when close), 'overdue by 5 min'
    (red); 'reply due …' for a first-response target."""
    seconds = (due_at - now).total_seconds()
    prefix = 'reply ' if first_response else ''
    if seconds < 0:
        return f'{prefix}overdue by {duration(-seconds)}', 'red-7'
    return f'{prefix}due in {duration(seconds)}', 'orange-9' if seconds < SLA_SOON_SECONDS else 'green-8'
