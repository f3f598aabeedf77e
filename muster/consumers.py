"""The signed-in member's own socket: proves session authentication end to end.

Later features (notification counts, presence) push their events here.
"""

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from verification.policy import Barrier, member_access

CLOSE_UNAUTHENTICATED = 4401
CLOSE_NOT_CLEARED = 4403


class SessionConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        # Refusals accept first so the client receives the close code and the
        # reason, instead of a bare HTTP 403 on the handshake.
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.accept()
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        access = await database_sync_to_async(member_access)(user)
        if access.barrier is not Barrier.NONE:
            await self.accept()
            await self.send_json({"type": "session.refused", "reason": access.barrier.value})
            await self.close(code=CLOSE_NOT_CLEARED)
            return
        await self.accept()
        await self.send_json({"type": "session.ready", "member": user.email})

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})
        else:
            await self.send_json({"type": "error", "error": "unknown message type"})
