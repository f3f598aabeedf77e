"""The live events every feature may send, typed (``TypedDict`` + ``Literal``).

Their ``type`` names the consumer handler (``item.reply`` -> ``item_reply``).
An event about a content item carries the item's scope (type, id, community,
markings, restriction), so a socket re-checks access in memory before it
forwards anything (``verification.policy.scope_refusal``). Events that belong
to one feature (chat messages, typing, presence) are typed in that feature.
"""

from typing import Literal, TypedDict

from verification.policy import ItemScope


class ItemReplyEvent(TypedDict):
    type: Literal["item.reply"]
    scope: ItemScope
    reply: int


class NotificationsChangedEvent(TypedDict):
    type: Literal["notifications.changed"]


class AccessChangedEvent(TypedDict):
    type: Literal["access.changed"]
