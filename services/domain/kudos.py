"""Peer kudos (issue 20): an agent thanks a colleague, who gets a small quality award with the message as its receipt.

The rules are kept small on purpose: a few thanks a day each, never to oneself, only to a colleague who plays the game,
so that thanks stay worth reading and cannot be traded for points.
"""
from services.domain.errors import ActionError
from services.domain.i18n import _, ngettext

KUDOS_POINTS = 5  # quality points for the colleague thanked: a tenth of a good day, never a strategy
KUDOS_PER_DAY = 3  # thanks one person can send in a day
MAX_MESSAGE = 280


def check_kudos(*, sender_id: int, receiver_id: int, receiver_plays: bool, sent_today: int,
                per_day: int = KUDOS_PER_DAY) -> None:
    """Refuse thanks the rules do not allow, saying why.

    :param receiver_plays: the colleague is an active agent on the floor (not a lead, not disabled)
    :param sent_today: the thanks the sender already sent today
    :raises ActionError: to oneself, to someone not on the floor, or past the day's limit
    """
    if sender_id == receiver_id:
        raise ActionError(_('Thanks go to a colleague: you cannot thank yourself.'))
    if not receiver_plays:
        raise ActionError(_('That colleague is not on the floor: choose an active agent.'))
    if sent_today >= per_day:
        raise ActionError(ngettext('You have sent your {count} thank-you for today: more tomorrow.',
                                   'You have sent your {count} thanks for today: more tomorrow.', per_day)
                          .format(count=per_day))


def thanks_left(sent_today: int, *, per_day: int = KUDOS_PER_DAY) -> int:
    """How many thanks the sender can still send today."""
    return max(0, per_day - sent_today)
