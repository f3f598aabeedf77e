"""The lean forwarding consumer: Muster's room fan-out with nothing of Muster's per-event work.

It speaks the harness's protocol (ready, subscribe, send, message) and fans
room events out exactly as ``messaging.consumers.LiveConsumer`` does — one
subscription per room per process (``messaging.rooms.RoomFanout``), the frame
encoded once, each socket's ``Outbox`` — but with no session, database, access
re-check, presence or read state. Beside Muster's consumer in the same run it
shows what Muster's own per-event work costs. Served as
``bench.lean_fanout:application`` (``python -m bench chat --apps muster,lean``).
"""

import json
import os
from typing import Any

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "muster.settings")
django_application = get_asgi_application()

from channels.consumer import get_handler_name  # noqa: E402
from channels.generic.websocket import AsyncWebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path  # noqa: E402

from messaging.naming import conversation_group  # noqa: E402
from messaging.process_live import process_live  # noqa: E402
from messaging.rooms import AsgiSend, Outbox, shared_frame  # noqa: E402
from muster.websocket_frames import frame_writer  # noqa: E402


class LeanConsumer(AsyncWebsocketConsumer):
    base_send: AsgiSend

    async def connect(self) -> None:
        self.outbox = Outbox(self.base_send, frame_writer(self.scope))
        self.base_send = self.outbox.send
        self.rooms: set[int] = set()
        self.sequence = 0
        await self.accept()
        await self.send(json.dumps({"type": "session.ready", "member": 0, "handle": ""}))

    async def dispatch(self, message: dict[str, Any]) -> None:
        """Straight to the handler, as LiveConsumer does: no database hop per event."""
        await getattr(self, get_handler_name(message))(message)

    async def disconnect(self, code: int) -> None:
        for room in self.rooms:
            await process_live().rooms.leave(self.channel_layer, room, self)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        frame = json.loads(text_data or "{}")
        room = int(frame.get("conversation") or 0)
        if frame.get("type") == "subscribe":
            self.rooms.add(room)
            await process_live().rooms.join(self.channel_layer, room, self)
            subscribed = {"type": "subscribed", "conversation": room, "version": 0}
            await self.send(json.dumps({**subscribed, "replayed": 0, "complete": True}))
        elif frame.get("type") == "send":
            self.sequence += 1
            body = str(frame.get("body", ""))
            message: dict[str, Any] = {"conversation": room, "id": self.sequence, "version": self.sequence}
            message |= {"author": None, "body": body, "body_html": f"<p>{body}</p>", "created_at": "", "edited": False}
            scope = {"conversation_id": room, "community_id": None, "marking_id": 0, "community_marking_id": None}
            encoded = json.dumps({"type": "message", "message": message})
            await self.channel_layer.group_send(
                conversation_group(room), {"type": "message.changed", "scope": scope, "frame": encoded}
            )
            await self.send(json.dumps({"type": "message.ack", "nonce": frame.get("nonce"), "message": message}))

    def room_event(self, event: dict[str, Any]) -> None:
        self.outbox.put(shared_frame(event, lambda: str(event["frame"])))


application = ProtocolTypeRouter(
    {"http": django_application, "websocket": URLRouter([path("ws/live/", LeanConsumer.as_asgi())])}
)
