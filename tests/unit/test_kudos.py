"""Peer kudos (issue 20): the rules, the award the fold gives and its receipt's words."""
from datetime import UTC, datetime

import pytest

from services.domain.errors import ActionError
from services.domain.events import EventKind, GameEvent
from services.domain.kudos import KUDOS_PER_DAY, check_kudos, thanks_left
from services.domain.projection import GameProjection
from services.domain.receipts import describe, facts
from services.domain.scoring import AwardKind, Domain

AT = datetime(2026, 12, 7, 10, tzinfo=UTC)


def thanks(event_id: int = 1, *, to: int = 2, points: int = 5, message: str = 'You saved my shift') -> GameEvent:
    return GameEvent(id=event_id, key=f'k{event_id}', kind=EventKind.KUDOS_SENT, occurred_at=AT, agent_id=to,
                     data={'by': 1, 'from_name': 'Ana', 'message': message, 'points': points})


def test_thanks_go_to_a_colleague_on_the_floor_a_few_times_a_day() -> None:
    check_kudos(sender_id=1, receiver_id=2, receiver_plays=True, sent_today=KUDOS_PER_DAY - 1)
    for arguments, message in ((dict(receiver_id=1, receiver_plays=True, sent_today=0), 'cannot thank yourself'),
                               (dict(receiver_id=2, receiver_plays=False, sent_today=0), 'not on the floor'),
                               (dict(receiver_id=2, receiver_plays=True, sent_today=KUDOS_PER_DAY),
                                f'sent your {KUDOS_PER_DAY} thanks for today')):
        with pytest.raises(ActionError, match=message):
            check_kudos(sender_id=1, **arguments)
    assert [thanks_left(sent) for sent in (0, KUDOS_PER_DAY - 1, KUDOS_PER_DAY, KUDOS_PER_DAY + 2)] == \
        [KUDOS_PER_DAY, 1, 0, 0]


def test_the_fold_gives_the_colleague_the_points_the_thanks_carries_with_the_message_as_reason() -> None:
    projection = GameProjection()
    outcome = projection.apply(thanks())
    assert [(a.agent_id, a.points, a.domain, a.kind) for a in outcome.awards] == \
        [(2, 5, Domain.QUALITY, AwardKind.KUDOS)]
    assert outcome.awards[0].reason == 'thanks from Ana: “You saved my shift”'
    assert projection.agents[2].quality == 5 and 1 not in projection.agents  # the sender earns nothing
    assert projection.apply(thanks(2, points=0)).awards == []  # a thanks worth nothing is still a thanks
    long = projection.apply(thanks(3, message='x' * 280)).awards[0]
    assert len(long.reason) == 200


def test_the_receipt_tells_who_said_thanks_and_what() -> None:
    data = thanks().data
    assert facts(AwardKind.KUDOS.value, EventKind.KUDOS_SENT.value, data, AT) == [
        'Ana said thanks: “You saved my shift”. A colleague’s thanks is worth +5 quality.']
    assert describe(EventKind.KUDOS_SENT.value, data, 'Bruno') == 'Ana thanked Bruno'
