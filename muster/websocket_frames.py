"""A websocket frame built once for every socket of a room, and the uvicorn protocol that writes it.

A server frames each text message it sends: a header, then the text as
UTF-8. Frames from a server are never masked, so a room event's frame is the
same bytes for every socket it goes to. ``text_frame`` builds them once (with
wsproto, as uvicorn's own protocol would for each socket), and an ASGI
``websocket.send`` message may carry them under ``FRAME_KEY`` beside its
``text``. ``FramesWSProtocol`` (uvicorn's wsproto protocol, run with
``uvicorn --ws muster.websocket_frames:FramesWSProtocol``) writes those bytes
as they are; any other server reads the ``text`` and ignores the key.
"""

from typing import Any

from uvicorn.protocols.utils import ClientDisconnected
from uvicorn.protocols.websockets.wsproto_impl import WSProtocol
from wsproto.connection import Connection, ConnectionState, ConnectionType
from wsproto.events import Message

FRAME_KEY = "muster.frame"


def text_frame(text: str) -> bytes:
    """The bytes of one unfragmented, uncompressed text message from a server."""
    return Connection(ConnectionType.SERVER).send(Message(data=text))


class FramesWSProtocol(WSProtocol):
    """uvicorn's wsproto protocol, writing a ``websocket.send`` that carries its frame without framing it
    again. Everything else (the handshake, closing, a send without a frame) is uvicorn's own."""

    async def send(self, message: Any) -> None:
        frame = message.get(FRAME_KEY)
        if frame is None or message["type"] != "websocket.send":
            await super().send(message)
            return
        await self.writable.wait()
        if self.disconnected:
            raise ClientDisconnected()
        if self.conn.state is not ConnectionState.OPEN:
            # Not open for messages (not yet accepted, closing, closed): uvicorn's own send gives its error.
            await super().send(message)
            return
        if not self.transport.is_closing():
            self.transport.write(frame)
