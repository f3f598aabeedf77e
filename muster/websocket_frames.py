"""A websocket frame built once for every socket of a room, and the uvicorn protocol that writes it.

A server frames each text message it sends: a header, then the text as
UTF-8. Frames from a server are never masked, so a room event's frame is the
same bytes for every socket it goes to. ``text_frame`` builds them once (with
wsproto, as uvicorn's own protocol would for each socket), and an ASGI
``websocket.send`` message may carry them under ``FRAME_KEY`` beside its
``text``. ``FramesWSProtocol`` (uvicorn's wsproto protocol, run with
``uvicorn --ws muster.websocket_frames:FramesWSProtocol``) writes those bytes
as they are; any other server reads the ``text`` and ignores the key.

The protocol also offers each socket's application ``write_frame(frame)``,
under ``WRITE_FRAME`` in the scope's ``extensions``: the same write without a
coroutine, for a caller that sends one frame to a thousand sockets in one turn
of the event loop. It writes when the socket is open and its buffer has room,
and otherwise returns False and leaves the send to ``send``, which waits or
raises as uvicorn does.
"""

from collections.abc import Callable
from typing import Any

from uvicorn.protocols.websockets.wsproto_impl import WSProtocol
from wsproto.connection import Connection, ConnectionState, ConnectionType
from wsproto.events import Message, Request

FRAME_KEY = "muster.frame"
WRITE_FRAME = "muster.write_frame"
FrameWriter = Callable[[bytes], bool]


def text_frame(text: str) -> bytes:
    """The bytes of one unfragmented, uncompressed text message from a server."""
    return Connection(ConnectionType.SERVER).send(Message(data=text))


def frame_writer(scope: dict[str, Any]) -> FrameWriter | None:
    """The socket's ``write_frame``, when its server offers one."""
    offered: dict[str, FrameWriter] | None = scope.get("extensions", {}).get(WRITE_FRAME)
    return offered["write"] if offered else None


class FramesWSProtocol(WSProtocol):
    """uvicorn's wsproto protocol, writing a ``websocket.send`` that carries its frame without framing it
    again. Everything else (the handshake, closing, a send that must wait or fail) is uvicorn's own."""

    def handle_connect(self, event: Request) -> None:
        super().handle_connect(event)
        # The application's task starts on the loop's next turn, with this scope.
        self.scope["extensions"][WRITE_FRAME] = {"write": self.write_frame}

    def write_frame(self, frame: bytes) -> bool:
        """Write ``frame`` now if the socket is open for messages and its buffer has room."""
        if not self.writable.is_set() or self.disconnected or self.conn.state is not ConnectionState.OPEN:
            return False
        if not self.transport.is_closing():
            self.transport.write(frame)
        return True

    async def send(self, message: Any) -> None:
        frame = message.get(FRAME_KEY)
        if frame is None or message["type"] != "websocket.send" or not self.write_frame(frame):
            await super().send(message)
