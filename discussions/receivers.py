"""Discussions' answers to what lower layers announce."""

from typing import Any

from communities.models import Community
from discussions.services import board_create
from verification.models import Member


def open_starter_board(sender: Any, community: Community, owner: Member, board_name: str = "", **kwargs: Any) -> None:
    """A community set up from a template opens with a board of that name, made by its owner (in the
    sender's transaction)."""
    if board_name.strip():
        board_create(community=community, actor=owner, name=board_name.strip())
