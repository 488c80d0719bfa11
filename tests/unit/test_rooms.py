"""Broadcasts to rooms: several rooms sent by one task share one slice of sockets per turn of the loop, and take their
sockets in turn."""
import asyncio
from types import SimpleNamespace

import pytest
from nicegui import core

from ui import rooms
from ui.rooms import BROADCAST_SLICE, broadcast_all


async def test_rooms_sent_together_share_one_slice_of_sockets_per_turn_and_take_turns(
        monkeypatch: pytest.MonkeyPatch) -> None:
    sizes = {'en': 100, 'fr': 100, 'nl': 100, 'lv': 30}
    members = {f'board-{language}': [(f'sid-{language}-{n}', f'eio-{language}-{n}') for n in range(size)]
               for language, size in sizes.items()}
    queued: list[tuple[str, int]] = []  # (eio sid, the turn it was queued in)
    turns = [0]

    async def send_packet(eio_sid: str, packet: object) -> None:
        queued.append((eio_sid, turns[0]))
    really_sleep = asyncio.sleep

    async def sleep(delay: float) -> None:
        turns[0] += 1
        await really_sleep(delay)
    server = SimpleNamespace(packet_class=core.sio.packet_class,
                             manager=SimpleNamespace(get_participants=lambda _namespace, room: members[room]),
                             eio=SimpleNamespace(send_packet=send_packet))
    monkeypatch.setattr(core, 'sio', server)
    monkeypatch.setattr(rooms.asyncio, 'sleep', sleep)
    await broadcast_all([(room, 'deskquest_board', {'v': 1, 'room': room}) for room in members])
    order = [sid for sid, _turn in queued]
    assert sorted(order) == sorted(eio for room in members.values() for _sid, eio in room)  # each socket once
    assert order[:5] == ['eio-en-0', 'eio-fr-0', 'eio-nl-0', 'eio-lv-0', 'eio-en-1']  # one of each room in turn
    assert order[-3:] == ['eio-en-99', 'eio-fr-99', 'eio-nl-99']  # the small room done early, the others together
    per_turn = [sum(1 for _sid, turn in queued if turn == number) for number in range(turns[0] + 1)]
    assert max(per_turn) == BROADCAST_SLICE and len(per_turn) == -(-330 // BROADCAST_SLICE)
