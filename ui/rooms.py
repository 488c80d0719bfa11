"""One Socket.IO message to every tab in a room, encoded once: how the live boards and the lead's monitor reach
hundreds of tabs without serialising anything per tab."""
import asyncio
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
    server = core.sio
    encoded = server.packet_class(socketio.packet.EVENT, namespace='/', data=[message, payload]).encode()
    packet = engineio.packet.Packet(engineio.packet.MESSAGE, encoded)
    for index, (_, eio_sid) in enumerate(list(server.manager.get_participants('/', room))):
        if index and index % BROADCAST_SLICE == 0:
            await asyncio.sleep(0)  # let the sockets queued so far write, and anything else waiting run
        await server.eio.send_packet(eio_sid, packet)
