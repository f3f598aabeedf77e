"""The floor under the chat benchmark: Daphne, channels and channels-redis with nothing of Muster's.

The same protocol as ``messaging.consumers.LiveConsumer`` for what the
harness uses (ready, subscribe, send, message), with no database, no session,
no access policy and no presence: what the stack costs before the consumer
does anything. Like ``LiveConsumer``, it hands each event straight to its
handler: Channels' stock ``dispatch`` would first close stale database
connections, a hop to the database thread per event per socket, which this
consumer, using no database, would pay for nothing and the floor would then
overstate. Run the chat benchmark against it with ``--apps floor``.
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

ROOM = "floor.room"


class FloorConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        await self.accept()
        await self.send(json.dumps({"type": "session.ready", "member": 0, "handle": ""}))

    async def dispatch(self, message: dict[str, Any]) -> None:
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        frame = json.loads(text_data or "{}")
        if frame.get("type") == "subscribe":
            await self.channel_layer.group_add(ROOM, self.channel_name)
            subscribed = {"type": "subscribed", "conversation": frame.get("conversation"), "version": 0}
            await self.send(json.dumps({**subscribed, "replayed": 0, "complete": True}))
        elif frame.get("type") == "send":
            body = str(frame.get("body", ""))
            message = {"conversation": frame.get("conversation"), "id": 1, "version": 1, "author": None}
            message |= {"body": body, "body_html": f"<p>{body}</p>", "created_at": "", "edited": False}
            encoded = json.dumps({"type": "message", "message": message})
            await self.channel_layer.group_send(ROOM, {"type": "floor.message", "frame": encoded})
            await self.send(json.dumps({"type": "message.ack", "nonce": frame.get("nonce"), "message": message}))

    async def floor_message(self, event: dict[str, Any]) -> None:
        await self.send(text_data=event["frame"])


application = ProtocolTypeRouter(
    {"http": django_application, "websocket": URLRouter([path("ws/live/", FloorConsumer.as_asgi())])}
)
