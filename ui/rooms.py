"""One Socket.IO message to every tab in a room, encoded once: how the live boards and the lead's monitor reach
hundreds of tabs without serialising anything per tab."""
import asyncio
from collections.abc import Iterable, Iterator
from itertools import zip_longest
from typing import Any

import engineio.packet
import socketio.packet
from nicegui import core

BROADCAST_SLICE = 64  # sockets queued per turn of the event loop, so one broadcast never holds the loop for long


async def broadcast(room: str, message: str, payload: dict[str, Any]) -> None:
    """One Socket.IO event to every socket in ``room``: encoded once and queued on each socket in turn.

    ``AsyncServer.emit`` encodes once too, but starts a task per recipient; with hundreds of tabs those tasks cost
    more than the sending itself.
    """
    await broadcast_all([(room, message, payload)])


async def broadcast_all(messages: Iterable[tuple[str, str, dict[str, Any]]]) -> None:
    """Several events, each to its room (``(room, message, payload)``), from one task, as :func:`broadcast` sends one.

    The rooms share one ``BROADCAST_SLICE`` of sockets per turn of the loop: a change sent to four languages' rooms
    (or to a floor's and every team's) then takes as many turns as one room of the same tabs, instead of four tasks
    each queueing a slice in the same turn. Those full turns used to delay the monitors and wall displays, which
    recompute a few turns after a change, until nearly every board had gone out (issue 16: +35 ms at their median
    with the floor split across four languages). The rooms' sockets are taken in turn, one of each room, so the tabs
    of the room named last (a language, a team) do not always wait for all the others'.
    """
    server = core.sio
    rooms = []
    for room, message, payload in messages:
        encoded = server.packet_class(socketio.packet.EVENT, namespace='/', data=[message, payload]).encode()
        packet = engineio.packet.Packet(engineio.packet.MESSAGE, encoded)
        rooms.append([(eio_sid, packet) for _, eio_sid in server.manager.get_participants('/', room)])
    for index, (eio_sid, packet) in enumerate(_in_turn(rooms)):
        if index and index % BROADCAST_SLICE == 0:
            await asyncio.sleep(0)  # let the sockets queued so far write, and anything else waiting run
        await server.eio.send_packet(eio_sid, packet)


def _in_turn(queues: list[list[tuple[str, Any]]]) -> Iterator[tuple[str, Any]]:
    """The queues' items taken one of each in turn: a, b, c, a, b, c, a, c, …"""
    for items in zip_longest(*queues):
        yield from (item for item in items if item is not None)
