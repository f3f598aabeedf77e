"""Chat's live events, typed: what chat services put on the channel layer and what sockets send to browsers.

The events every feature may send (item replies, notification counts, access
changes) are typed in ``notices.events``.

Layer events (``*Event``) travel between processes through the channel layer;
their ``type`` names the consumer handler (``message.changed`` ->
``message_changed``). Frames (``*Frame``) are the JSON a browser receives.
Conversation events carry their scope so a socket re-checks access without
the database (``messaging.access.LiveAccess.refusal``).
"""

from typing import Literal, NotRequired, TypedDict


class ScopeData(TypedDict):
    conversation_id: int
    community_id: int | None
    marking_id: int
    community_marking_id: int | None


class AuthorData(TypedDict):
    id: int
    handle: str
    name: str
    # What the {% avatar %} tag shows: initials on the colour ``avatar-c<colour>``.
    initials: str
    colour: int


class QuoteData(TypedDict):
    """The message a reply answers, in the same conversation: who wrote it and how it began."""

    id: int
    author: str
    snippet: str
    deleted: bool


class ReactionData(TypedDict):
    emoji: str
    label: str
    count: int
    members: list[int]
    names: list[str]


class MessageData(TypedDict):
    conversation: int
    id: int
    version: int
    author: AuthorData | None
    body: str
    body_html: str
    created_at: str
    edited: bool
    deleted: bool
    reply_to: QuoteData | None
    reactions: list[ReactionData]
    client_id: str


# --- Layer events -----------------------------------------------------------


class MessageChangedEvent(TypedDict):
    type: Literal["message.changed"]
    scope: ScopeData
    # The browser's MessageFrame, JSON-encoded once by the sender instead of once per
    # recipient (and decoded by nobody on the way).
    frame: str


class TypingEvent(TypedDict):
    type: Literal["conversation.typing"]
    scope: ScopeData
    member: AuthorData


class PresenceChange(TypedDict):
    member: AuthorData
    state: Literal["online", "idle", "offline"]


class PresenceEvent(TypedDict):
    """Presence changes in one conversation, gathered by each process for a moment and sent together:
    a room of a thousand filling up costs a few events, not a million frames."""

    type: Literal["member.presence"]
    scope: ScopeData
    changes: list[PresenceChange]


class ReadEvent(TypedDict):
    """To the reader's own sockets: another tab or device read up to ``up_to``."""

    type: Literal["conversation.read"]
    conversation: int
    up_to: int


# --- Frames to the browser ---------------------------------------------------


class ReadyFrame(TypedDict):
    type: Literal["session.ready"]
    member: int
    handle: str


class RefusedFrame(TypedDict):
    type: Literal["session.refused"]
    reason: str


class PausedFrame(TypedDict):
    type: Literal["live.paused"]
    reason: str


class SubscribedFrame(TypedDict):
    type: Literal["subscribed"]
    conversation: int
    version: int
    replayed: int
    complete: bool


class MessageFrame(TypedDict):
    type: Literal["message"]
    message: MessageData


class AckFrame(TypedDict):
    type: Literal["message.ack"]
    nonce: str
    client_id: str
    message: MessageData


class TypingFrame(TypedDict):
    type: Literal["typing"]
    conversation: int
    member: AuthorData


class PresenceFrame(TypedDict):
    type: Literal["presence"]
    conversation: int
    changes: list[PresenceChange]


class ReadFrame(TypedDict):
    type: Literal["read"]
    conversation: int
    up_to: int


class ThreadReplyFrame(TypedDict):
    type: Literal["thread.reply"]
    thread: int
    post: int


class NotificationsFrame(TypedDict):
    type: Literal["notifications"]
    unread: int


class ConversationClosedFrame(TypedDict):
    type: Literal["conversation.closed"]
    conversation: int
    reason: str


class ErrorFrame(TypedDict):
    type: Literal["error"]
    error: str
    detail: str
    conversation: NotRequired[int]
    nonce: NotRequired[str]
    retry_after: NotRequired[int]
