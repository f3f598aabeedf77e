"""The one socket each signed-in page opens: chat, presence, typing, read positions,
new thread replies and the notification count.

The socket authenticates by session (``muster.asgi.SocketMember``, as Django
does for a request) and is refused for foreign origins
(``AllowedHostsOriginValidator``). It checks the access policy at connect, on
every subscription and every send (in SQL, for the conversation), and
re-checks each event before forwarding it, all against the member's standing
(``LiveAccess``), which it re-reads whenever a service announces a change and
when verification expires; the process re-reads every socket's standing
together every ``MUSTER_LIVE_ACCESS_REFRESH_SECONDS`` as a backstop
(``process_live.AccessRefresh``). ``self.member`` carries that standing, so
the services it calls read it instead of recomputing it. Room events reach it
from the process's fan-out (``messaging.rooms``), everything else from its own
channel.
"""

import asyncio
import functools
import json
import logging
import threading
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.utils import timezone

from messaging import access as chat_access
from messaging import presence, selectors, services
from messaging.events import (
    AckFrame,
    ErrorFrame,
    MessageData,
    PresenceChange,
    PresenceFrame,
    ReadEvent,
    ScopeData,
    TypingEvent,
    TypingFrame,
)
from messaging.models import Conversation, Message
from messaging.naming import conversation_group
from messaging.presence import PresenceState
from messaging.process_live import process_live
from messaging.rooms import AsgiSend, Outbox, shared, shared_frame
from messaging.serialise import author_data, message_data, scope_data
from muster.socket_db import socket_database_sync_to_async
from muster.websocket_frames import frame_writer
from notices import live, notifications
from notices.events import AccessChangedEvent, ItemReplyEvent, NotificationsChangedEvent
from verification import policy
from verification.models import Member
from verification.registry import content_registry

logger = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401
CLOSE_NOT_CLEARED = 4403
# 1013 ("try again later") is what this means, but ASGI servers only let applications
# close with 1000 or 3000-4999: 4013 says the same in the application range.
CLOSE_TRY_AGAIN_LATER = 4013
PAUSED_FRAME = {"type": "live.paused", "reason": "Live updates are paused. Retrying…"}
MAX_FRAME_CHARACTERS = 64 * 1024
MAX_SUBSCRIPTIONS = 200
# Sends of one socket waiting for the database at once. Each is queued for the sockets' database thread
# as soon as its frame is read, rather than after the one before was acknowledged; past this many the
# socket's next frames wait, and TCP holds the browser back.
SENDS_IN_FLIGHT = 16
TYPING_INTERVAL_SECONDS = 3.0

# The content type whose page follows new replies ("thread.follow" frames name threads by id).
FOLLOWED_TYPE = "discussions.thread"

ClientHandler = Callable[["LiveConsumer", dict[str, Any]], Awaitable[None]]


class FrameError(Exception):
    """A client frame that cannot be acted on; answered with an error frame, nothing else closes."""

    def __init__(self, error: str, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.frame: ErrorFrame = {"type": "error", "error": error, "detail": detail, **extra}  # type: ignore[typeddict-item]


def _int_field(content: dict[str, Any], name: str, *, minimum: int = 0) -> int:
    value = content.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise FrameError("malformed", f'"{name}" must be a whole number of at least {minimum}.')
    return value


def _text_field(content: dict[str, Any], name: str) -> str:
    value = content.get(name)
    if not isinstance(value, str):
        raise FrameError("malformed", f'"{name}" must be text.')
    return value


REFUSALS = (services.RateLimitedError, ValidationError, PermissionDenied, ObjectDoesNotExist)


def _refusal(refused: Exception, conversation: Any, nonce: Any) -> FrameError:
    """The error frame answering a write the services refused."""
    extra: dict[str, Any] = {"conversation": conversation, "nonce": "" if nonce is None else str(nonce)[:64]}
    if isinstance(refused, services.RateLimitedError):
        return FrameError("rate_limited", str(refused), retry_after=refused.retry_after, **extra)
    if isinstance(refused, ValidationError):
        return FrameError("invalid", " ".join(refused.messages), **extra)
    return FrameError("not_found", "No such conversation or message, or you are not in it.", **extra)


def _answer_refusals(write: Callable[[], Message]) -> Message | Exception:
    try:
        return write()
    except REFUSALS as refused:
        return refused


@dataclass(frozen=True)
class QueuedSend:
    """A send frame, read and waiting for the database thread."""

    conversation_id: int
    body: str
    client_id: str
    nonce: str
    reply_sequence: int | None


def _send_alone(member: Member, send: QueuedSend) -> Message:
    # The service reads the conversation itself, locked, only if the member may write in it (a missing
    # conversation and a forbidden one give the same answer); the quoted message is looked up inside the
    # same conversation only.
    reply_to = None
    if send.reply_sequence is not None:
        reply_to = Message.objects.filter(conversation_id=send.conversation_id, sequence=send.reply_sequence).first()
        if reply_to is None:
            raise ValidationError("There is no such message to reply to in this conversation.")
    return services.message_send(
        conversation=Conversation(pk=send.conversation_id),
        author=member,
        body=send.body,
        reply_to=reply_to,
        client_id=send.client_id,
    )


class SendBatch:
    """A socket's sends to one conversation, saved in one call to the database thread (``messages_send``).

    Sends read while the thread is busy join the batch queued last until the thread starts on it, so a
    burst costs one locking query, one count against the rate limit and one commit, not one each. A reply
    goes alone. The loop adds and the thread closes; the lock keeps the two apart.
    """

    def __init__(self, first: QueuedSend) -> None:
        self.sends = [first]
        self._lock = threading.Lock()
        self._closed = False

    def add(self, send: QueuedSend) -> bool:
        first = self.sends[0]
        replying = first.reply_sequence is not None or send.reply_sequence is not None
        if replying or send.conversation_id != first.conversation_id:
            return False
        with self._lock:
            if self._closed or len(self.sends) >= SENDS_IN_FLIGHT:
                return False
            self.sends.append(send)
            return True

    def close(self) -> list[QueuedSend]:
        with self._lock:
            self._closed = True
        return self.sends


class LiveConsumer(AsyncJsonWebsocketConsumer):
    member: Member
    access: chat_access.LiveAccess
    base_send: AsgiSend

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        try:
            await super().__call__(scope, receive, send)
        except live.LAYER_ERRORS:
            logger.warning("Live updates paused: the channel layer is unreachable", exc_info=True)
            if getattr(self, "channel_name", None) is not None:
                # The layer failed under an open socket (the core layer, reading while Redis is down):
                # say why and close, rather than leave the server to drop it without a word.
                await self.pause()
                await self.disconnect(CLOSE_TRY_AGAIN_LATER)
                return
            # The layer could not even give this socket a channel (Redis is down, publish/subscribe
            # layer): answer the handshake, say why, and close so the page retries.
            await receive()
            await send({"type": "websocket.accept"})
            await send({"type": "websocket.send", "text": json.dumps(PAUSED_FRAME)})
            await send({"type": "websocket.close", "code": CLOSE_TRY_AGAIN_LATER})

    async def connect(self) -> None:
        # Refusals accept first so the client receives the close code and the reason.
        self.subscriptions: dict[int, ScopeData] = {}
        # Followed items (a thread's page) by id, with the scope they had when followed.
        self.threads: dict[int, policy.ItemScope] = {}
        self.typing_sent: dict[int, float] = {}
        self.joined_groups: list[str] = []
        self.follow_ups: set[asyncio.Task[None]] = set()
        # Sends being saved, in batches, oldest first; the batch queued last takes sends read until it starts.
        self.sends: deque[asyncio.Task[None]] = deque()
        self.last_batch: SendBatch | None = None
        self.unanswered_sends = 0
        # Everything this socket sends goes through its outbox, in order, room events included.
        self.outbox = Outbox(self.base_send, frame_writer(self.scope))
        self.base_send = self.outbox.send
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.accept()
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.member = user
        # The member's id as a plain int: ``user`` is a lazy object, slow to ask on every room event.
        self.member_id: int = user.pk
        self.access = await socket_database_sync_to_async(chat_access.live_access)(self.member)
        barrier = self.access.barrier_at(timezone.now())
        if barrier is not policy.Barrier.NONE:
            await self.accept()
            await self._refuse(barrier)
            return
        try:
            for group in (live.member_group(self.member.pk), live.EVERYONE):
                await self.channel_layer.group_add(group, self.channel_name)
                self.joined_groups.append(group)
        except live.LAYER_ERRORS:
            logger.warning("Live updates paused: the channel layer is unreachable", exc_info=True)
            await self.accept()
            await self.pause()
            return
        await self.accept()
        await self.send_json({"type": "session.ready", "member": self.member.pk, "handle": self.member.handle or ""})
        await socket_database_sync_to_async(presence.presence_socket_opened)(self.member.pk)
        process = process_live()
        process.watch.watch(self)
        process.access.watch(self)

    async def dispatch(self, message: dict[str, Any]) -> None:
        """Channels' own dispatch closes stale database connections before every event, a trip to the
        database thread per socket per event; every database call here runs in
        ``socket_database_sync_to_async``, which does that itself, so events go straight to their handler."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def pause(self) -> None:
        """Tell the page live updates are paused and close; it reconnects and catches up."""
        await self.send_json(PAUSED_FRAME)
        await self.close(code=CLOSE_TRY_AGAIN_LATER)

    async def disconnect(self, code: int) -> None:
        process = process_live()
        process.watch.consumers.discard(self)
        process.access.sockets.discard(self)
        for conversation_id in getattr(self, "subscriptions", {}):
            await process.rooms.leave(self.channel_layer, conversation_id, self)
        groups = [*getattr(self, "joined_groups", [])]
        groups += [live.item_group(FOLLOWED_TYPE, thread) for thread in getattr(self, "threads", {})]
        try:
            for group in groups:
                await self.channel_layer.group_discard(group, self.channel_name)
        except live.LAYER_ERRORS:
            pass  # the layer is down; its groups expire on their own
        if not getattr(self, "joined_groups", None):
            return
        try:
            if await socket_database_sync_to_async(presence.presence_socket_closed)(self.member.pk) == "offline":
                await self._announce_presence("offline")
        except live.LAYER_ERRORS:
            pass  # presence keys expire by themselves while Redis is away

    # --- Frames from the browser --------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any) -> None:
        try:
            if text_data is None or len(text_data) > MAX_FRAME_CHARACTERS:
                raise FrameError("malformed", "Frames are JSON text of at most 64 KB.")
            try:
                content = json.loads(text_data)
            except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
                raise FrameError("malformed", "That frame is not valid JSON.") from None
            if not isinstance(content, dict) or not isinstance(content.get("type"), str):
                raise FrameError("malformed", 'A frame is a JSON object with a "type".')
            handler = CLIENT_HANDLERS.get(content["type"])
            if handler is None:
                raise FrameError("unknown_type", f'Unknown frame type "{content["type"][:40]}".')
            if handler is not LiveConsumer.send_message:
                await self._sends_answered()
            await handler(self, content)
        except FrameError as error:
            await self._sends_answered()
            await self.send_json(error.frame)

    async def _conversation(self, content: dict[str, Any]) -> Conversation:
        """The conversation a frame names, if the member may be in it; the same answer whether it is
        missing or closed to them, so ids cannot be probed."""
        conversation_id = _int_field(content, "conversation", minimum=1)

        def load() -> Conversation | None:
            visible = selectors.visible_conversations(self.member).select_related("community", "marking")
            return visible.filter(pk=conversation_id).first()

        conversation: Conversation | None = await socket_database_sync_to_async(load)()
        if conversation is None:
            raise FrameError("not_found", "No such conversation, or you are not in it.", conversation=conversation_id)
        return conversation

    async def subscribe(self, content: dict[str, Any]) -> None:
        since = _int_field(content, "since")
        conversation = await self._conversation(content)
        if conversation.pk not in self.subscriptions and len(self.subscriptions) >= MAX_SUBSCRIPTIONS:
            raise FrameError("too_many", f"A page follows at most {MAX_SUBSCRIPTIONS} conversations.")
        # Join the room before reading the backlog, so nothing falls between the two; the
        # client drops anything it already holds (same id, same or older version).
        self.subscriptions[conversation.pk] = scope_data(conversation)
        try:
            await process_live().rooms.join(self.channel_layer, conversation.pk, self)
        except live.LAYER_ERRORS:
            logger.warning("Live updates paused: could not join a room", exc_info=True)
            await self.pause()
            return

        def backlog() -> list[Message]:
            return selectors.messages_changed_since(self.member, conversation, since)

        missed = await socket_database_sync_to_async(backlog)()
        for message in missed:
            await self.send_json({"type": "message", "message": message_data(message)})
        latest = missed[-1].version if missed else since
        complete = len(missed) < selectors.REPLAY_LIMIT
        await self.send_json(
            {
                "type": "subscribed",
                "conversation": conversation.pk,
                "version": latest,
                "replayed": len(missed),
                "complete": complete,
            }
        )
        state: PresenceState = "idle" if content.get("idle") is True else "online"
        await self._announce_presence(state, only=conversation.pk)

    async def unsubscribe(self, content: dict[str, Any]) -> None:
        conversation_id = _int_field(content, "conversation", minimum=1)
        if self.subscriptions.pop(conversation_id, None) is not None:
            await process_live().rooms.leave(self.channel_layer, conversation_id, self)

    async def _write(self, content: dict[str, Any], action: Callable[[Member], Message]) -> Message:
        try:
            message: Message = await socket_database_sync_to_async(lambda: action(self.member))()
            return message
        except REFUSALS as refused:
            raise _refusal(refused, content.get("conversation"), content.get("nonce")) from None

    async def send_message(self, content: dict[str, Any]) -> None:
        body = _text_field(content, "body")
        conversation_id = _int_field(content, "conversation", minimum=1)
        client_id = content.get("client_id", "")
        if not isinstance(client_id, str) or len(client_id) > services.CLIENT_ID_MAX:
            raise FrameError("malformed", f'"client_id" must be text of at most {services.CLIENT_ID_MAX} characters.')
        reply_sequence = content.get("reply_to")
        if reply_sequence is not None:
            reply_sequence = _int_field(content, "reply_to", minimum=1)
        send = QueuedSend(conversation_id, body, client_id, str(content.get("nonce", ""))[:64], reply_sequence)
        self.unanswered_sends += 1
        # A send read while the batch queued last has not reached the database thread joins it.
        if self.last_batch is None or not self.last_batch.add(send):
            self.last_batch = batch = SendBatch(send)
            saving = asyncio.ensure_future(self._save_and_answer(batch))
            self.sends.append(saving)
            saving.add_done_callback(functools.partial(self._send_done, batch))
        if self.unanswered_sends >= SENDS_IN_FLIGHT:
            await asyncio.wait([self.sends[0]])

    async def _save_and_answer(self, batch: SendBatch) -> None:
        """Save a batch of sends in one call to the database thread, and answer each in the order read.

        The thread takes calls in the order they are made and answers them in that order, and an answer
        goes into the outbox without waiting: messages are saved, and answered, in the order their frames
        came."""

        def save(member: Member) -> list[MessageData | Exception]:
            sends = batch.close()
            answers: Sequence[Message | Exception]
            if len(sends) == 1:
                answers = [_answer_refusals(lambda: _send_alone(member, sends[0]))]
            else:
                answers = services.messages_send(
                    conversation=Conversation(pk=sends[0].conversation_id),
                    author=member,
                    drafts=[services.Draft(send.body, send.client_id) for send in sends],
                )
            # The acknowledgements are built in the same trip to the database thread.
            return [message_data(answer) if isinstance(answer, Message) else answer for answer in answers]

        answers = await socket_database_sync_to_async(lambda: save(self.member))()
        for send, answer in zip(batch.sends, answers, strict=True):
            if isinstance(answer, Exception):
                await self.send_json(_refusal(answer, send.conversation_id, send.nonce).frame)
            else:
                ack: AckFrame = {
                    "type": "message.ack",
                    "nonce": send.nonce,
                    "client_id": send.client_id,
                    "message": answer,
                }
                await self.send_json(ack)

    def _send_done(self, batch: SendBatch, saving: asyncio.Task[None]) -> None:
        self.sends.remove(saving)
        self.unanswered_sends -= len(batch.sends)
        if not saving.cancelled() and (error := saving.exception()) is not None:
            # What an exception in a handler does to the socket, without a handler left to raise it in:
            # logged, and the page told to reconnect (its unacknowledged messages are sent again by
            # client id, and saved once).
            logger.error("A chat message could not be saved", exc_info=error)
            self._follow_up(self.pause())

    async def _sends_answered(self) -> None:
        """Wait until every send read so far has been answered, so later frames are answered after them."""
        if self.sends:
            await asyncio.wait([self.sends[-1]])

    def _message_in(self, conversation: Conversation, content: dict[str, Any]) -> Message:
        sequence = _int_field(content, "id", minimum=1)
        return Message.objects.get(conversation=conversation, sequence=sequence)

    async def edit_message(self, content: dict[str, Any]) -> None:
        body = _text_field(content, "body")
        conversation = await self._conversation(content)
        await self._write(
            content,
            lambda member: services.message_edit(
                message=self._message_in(conversation, content), editor=member, body=body
            ),
        )

    async def delete_message(self, content: dict[str, Any]) -> None:
        conversation = await self._conversation(content)
        await self._write(
            content,
            lambda member: services.message_delete(message=self._message_in(conversation, content), actor=member),
        )

    async def react(self, content: dict[str, Any]) -> None:
        """Toggle one of the fixed reactions on a message of a conversation the member is in; the changed
        message reaches the room (this socket included) as a "message" frame."""
        emoji = _text_field(content, "emoji")
        conversation = await self._conversation(content)

        def toggle(member: Member) -> Message:
            message = self._message_in(conversation, content)
            services.reaction_toggle(message=message, member=member, emoji=emoji)
            return message

        await self._write(content, toggle)

    async def mark_read(self, content: dict[str, Any]) -> None:
        up_to = _int_field(content, "id")
        conversation = await self._conversation(content)
        await socket_database_sync_to_async(
            lambda: services.conversation_mark_read(conversation=conversation, member=self.member, up_to=up_to)
        )()

    async def typing(self, content: dict[str, Any]) -> None:
        conversation_id = _int_field(content, "conversation", minimum=1)
        scope = self.subscriptions.get(conversation_id)
        if scope is None:
            raise FrameError(
                "not_subscribed", "Open the conversation before typing in it.", conversation=conversation_id
            )
        now = asyncio.get_running_loop().time()
        if now - self.typing_sent.get(conversation_id, 0.0) < TYPING_INTERVAL_SECONDS:
            return
        self.typing_sent[conversation_id] = now
        event: TypingEvent = {"type": "conversation.typing", "scope": scope, "member": author_data(self.member)}
        await self._group_send(conversation_group(conversation_id), event)

    async def set_presence(self, content: dict[str, Any]) -> None:
        state = content.get("state")
        if state not in ("online", "idle"):
            raise FrameError("malformed", '"state" must be "online" or "idle".')
        changed = await socket_database_sync_to_async(presence.presence_set)(self.member.pk, state)
        if changed is not None:
            await self._announce_presence(changed)

    async def follow_thread(self, content: dict[str, Any]) -> None:
        thread_id = _int_field(content, "thread", minimum=1)
        scope = await socket_database_sync_to_async(self._scope_if_visible)(thread_id)
        if scope is None:
            raise FrameError("not_found", "No such thread, or you may not see it.", thread=thread_id)
        await self.channel_layer.group_add(live.item_group(FOLLOWED_TYPE, thread_id), self.channel_name)
        self.threads[thread_id] = scope

    async def ping(self, content: dict[str, Any]) -> None:
        await self.send_json({"type": "pong"})

    # --- Room events, from the process's fan-out (messaging.rooms) -----------------------

    def room_event(self, event: dict[str, Any]) -> None:
        """One event of a room this socket follows: re-checked against the member's standing in memory,
        then its frame, encoded once for the whole room, queued. A refusal is dealt with in a task."""
        scope: ScopeData = event["scope"]
        conversation_id = scope["conversation_id"]
        if conversation_id not in self.subscriptions or self.outbox.closed:
            return
        refusal = self.access.refusal(
            shared(event, "_scope", lambda: chat_access.ConversationScope(**scope)),
            now=shared(event, "_now", timezone.now),
        )
        if refusal is not None:
            self._follow_up(self._refused_event(conversation_id, refusal))
            return
        message = ROOM_FRAMES[event["type"]](self, event)
        if message is not None:
            self.outbox.put(message)

    def _typing_frame(self, event: dict[str, Any]) -> dict[str, Any] | None:
        if event["member"]["id"] == self.member_id:
            return None
        conversation = event["scope"]["conversation_id"]
        return shared_frame(
            event, lambda: json.dumps(TypingFrame(type="typing", conversation=conversation, member=event["member"]))
        )

    def _presence_frame(self, event: dict[str, Any]) -> dict[str, Any] | None:
        conversation = event["scope"]["conversation_id"]
        changes = event["changes"]
        if self.member_id not in shared(event, "_members", lambda: {change["member"]["id"] for change in changes}):
            return shared_frame(
                event, lambda: json.dumps(PresenceFrame(type="presence", conversation=conversation, changes=changes))
            )
        # This member's own change is left out of their frame: only their sockets pay for a second encoding.
        others = [change for change in changes if change["member"]["id"] != self.member_id]
        frame: PresenceFrame = {"type": "presence", "conversation": conversation, "changes": others}
        return {"type": "websocket.send", "text": json.dumps(frame)} if others else None

    def _follow_up(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self.follow_ups.add(task)
        task.add_done_callback(self.follow_ups.discard)

    async def _refused_event(self, conversation_id: int, refusal: str) -> None:
        if self.access.barrier_at(timezone.now()) is not policy.Barrier.NONE:
            await self.refresh_access()
        elif conversation_id in self.subscriptions:
            await self._close_conversation(conversation_id, refusal)

    # --- Events from the channel layer, for this socket ----------------------------------

    async def live_batch(self, event: dict[str, Any]) -> None:
        """Events for this socket's groups that were published together (``notices.live.BATCH``)."""
        for one in live.unbatched(event):
            await self.dispatch(one)

    async def conversation_read(self, event: ReadEvent) -> None:
        await self.send_json({"type": "read", "conversation": event["conversation"], "up_to": event["up_to"]})

    async def item_reply(self, event: ItemReplyEvent) -> None:
        """A reply on a followed item, re-checked against the scope the event carries (in memory; a
        restricted item, open to named members and groups, is looked up)."""
        scope = event["scope"]
        if scope["type"] != FOLLOWED_TYPE or scope["id"] not in self.threads:
            return
        self.threads[scope["id"]] = scope
        if await self._may_still_follow(scope):
            await self.send_json({"type": "thread.reply", "thread": scope["id"], "post": event["reply"]})
        else:
            await self._unfollow(scope["id"])

    async def notifications_changed(self, event: NotificationsChangedEvent) -> None:
        unread = await socket_database_sync_to_async(notifications.unread_notification_count)(self.member)
        await self.send_json({"type": "notifications", "unread": unread})

    async def access_changed(self, event: AccessChangedEvent) -> None:
        await self.refresh_access()

    # --- Access ------------------------------------------------------------------------

    def _scope_if_visible(self, item_id: int) -> policy.ItemScope | None:
        content_type = content_registry.by_label(FOLLOWED_TYPE).content_type()
        item = policy.resolve_reference(self.member, content_type, item_id)
        return policy.item_scope(item) if item is not None else None

    async def _may_still_follow(self, scope: policy.ItemScope) -> bool:
        if self.access.item_refusal(scope) is not None:
            return False
        if scope["restricted"]:
            return await socket_database_sync_to_async(self._scope_if_visible)(scope["id"]) is not None
        return True

    async def _unfollow(self, item_id: int) -> None:
        self.threads.pop(item_id, None)
        await self.channel_layer.group_discard(live.item_group(FOLLOWED_TYPE, item_id), self.channel_name)
        await self.send_json(
            {"type": "thread.closed", "thread": item_id, "reason": "You may no longer see this thread."}
        )

    async def refresh_access(self) -> None:
        """Re-read the member's standing (after a service announced a change, or their verification expired)."""
        await self.apply_access(await socket_database_sync_to_async(chat_access.live_access)(self.member))

    async def apply_access(self, access: chat_access.LiveAccess | None) -> None:
        """Take the member's standing as read afresh (None: the account is gone); close what they lost,
        and the socket if they lost everything."""
        if access is None:
            await self._refuse(policy.Barrier.INACTIVE)
            return
        self.access = access
        barrier = self.access.barrier_at(timezone.now())
        if barrier is not policy.Barrier.NONE:
            await self._refuse(barrier)
            return
        for conversation_id, scope in list(self.subscriptions.items()):
            refusal = self.access.refusal(chat_access.ConversationScope(**scope))
            if refusal is not None:
                await self._close_conversation(conversation_id, refusal)
        for item_scope in list(self.threads.values()):
            if not await self._may_still_follow(item_scope):
                await self._unfollow(item_scope["id"])

    async def _refuse(self, barrier: policy.Barrier) -> None:
        await self.send_json(
            {"type": "session.refused", "reason": barrier.value, "detail": policy.BARRIER_REASONS[barrier]}
        )
        await self.close(code=CLOSE_NOT_CLEARED)

    async def _close_conversation(self, conversation_id: int, reason: str) -> None:
        self.subscriptions.pop(conversation_id, None)
        await process_live().rooms.leave(self.channel_layer, conversation_id, self)
        await self.send_json({"type": "conversation.closed", "conversation": conversation_id, "reason": reason})

    async def _announce_presence(self, state: PresenceState, *, only: int | None = None) -> None:
        targets = [only] if only is not None else list(self.subscriptions)
        change: PresenceChange = {"member": author_data(self.member), "state": state}
        for conversation_id in targets:
            scope = self.subscriptions.get(conversation_id)
            if scope is not None:
                process_live().presence.add(self.channel_layer, scope, change)

    async def _group_send(self, group: str, event: Any) -> None:
        try:
            await self.channel_layer.group_send(group, event)
        except live.LAYER_ERRORS:
            logger.warning("Live updates paused: could not send %s", event.get("type"), exc_info=True)


RoomFrame = Callable[[LiveConsumer, dict[str, Any]], dict[str, Any] | None]

# The browser frame of each room event, as the ASGI message a socket sends.
ROOM_FRAMES: dict[str, RoomFrame] = {
    "message.changed": lambda consumer, event: shared_frame(event, lambda: str(event["frame"])),
    "conversation.typing": LiveConsumer._typing_frame,
    "member.presence": LiveConsumer._presence_frame,
}

CLIENT_HANDLERS: dict[str, ClientHandler] = {
    "subscribe": LiveConsumer.subscribe,
    "unsubscribe": LiveConsumer.unsubscribe,
    "send": LiveConsumer.send_message,
    "edit": LiveConsumer.edit_message,
    "delete": LiveConsumer.delete_message,
    "react": LiveConsumer.react,
    "read": LiveConsumer.mark_read,
    "typing": LiveConsumer.typing,
    "presence": LiveConsumer.set_presence,
    "thread.follow": LiveConsumer.follow_thread,
    "ping": LiveConsumer.ping,
}
