"""Chat's answers to what lower layers announce."""

from typing import Any

from communities.models import Community
from messaging.services import room_ensure_default


def open_default_room(sender: Any, community: Community, **kwargs: Any) -> None:
    """Every community gets its default chat room when it is created (in the same transaction)."""
    room_ensure_default(community=community)
