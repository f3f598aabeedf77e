"""A bare broadcast server written with ``websockets``: the floor the chat fan-out is measured against.

It speaks just enough of the ``/ws/live/`` protocol for the benchmark's
clients: ``session.ready`` on connect, ``subscribed`` for a subscribe frame,
and for every ``send`` frame one ``message`` frame, of the same shape and
about the same size as Daphne's, broadcast to every connected socket (the
sender included) plus a ``message.ack`` to the sender. No database, no
channel layer, no access check, one JSON encoding per message: what one
Python process can fan out at best on this machine.

    python -m bench.ws_baseline --port 8765
"""

import argparse
import asyncio
import html
import json
from datetime import UTC, datetime
from typing import Any

from websockets.asyncio.server import ServerConnection, broadcast, serve

AUTHOR = {"id": 1, "handle": "sender", "name": "Bench Sender"}


class Room:
    def __init__(self) -> None:
        self.sockets: set[ServerConnection] = set()
        self.sequence = 0

    def message(self, conversation: Any, body: str) -> dict[str, Any]:
        self.sequence += 1
        return {
            "conversation": conversation,
            "id": self.sequence,
            "version": self.sequence,
            "author": AUTHOR,
            "body": body,
            "body_html": f"<p>{html.escape(body)}</p>",
            "created_at": datetime.now(UTC).isoformat(),
            "edited": False,
            "deleted": False,
        }

    async def handle(self, socket: ServerConnection) -> None:
        await socket.send(json.dumps({"type": "session.ready", "member": 0, "handle": ""}))
        self.sockets.add(socket)
        try:
            async for raw in socket:
                frame = json.loads(raw)
                kind = frame.get("type")
                if kind == "subscribe":
                    subscribed = {"type": "subscribed", "conversation": frame.get("conversation"), "version": 0}
                    await socket.send(json.dumps({**subscribed, "replayed": 0, "complete": True}))
                elif kind == "send":
                    message = self.message(frame.get("conversation"), str(frame.get("body", "")))
                    broadcast(self.sockets, json.dumps({"type": "message", "message": message}))
                    await socket.send(
                        json.dumps({"type": "message.ack", "nonce": frame.get("nonce"), "message": message})
                    )
        finally:
            self.sockets.discard(socket)


async def serve_forever(host: str, port: int) -> None:
    room = Room()
    # Daphne does not compress frames either; the benchmark's clients do not offer it.
    async with serve(room.handle, host, port, compression=None, ping_interval=None, backlog=1024):
        await asyncio.Future()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    arguments = parser.parse_args()
    asyncio.run(serve_forever(arguments.host, arguments.port))


if __name__ == "__main__":
    main()
