"""Rooms, members and conversations for messaging tests."""

from dataclasses import dataclass
from typing import Any

from communities.models import Community
from communities.services import community_create, membership_join
from messaging.models import Conversation, Message
from messaging.services import SendAnswer, room_ensure_default
from tests.verification.factories import make_verified_member
from verification.models import Marking, Member


@dataclass
class Room:
    community: Community
    conversation: Conversation
    owner: Member
    members: list[Member]


def make_room(*, members: int = 2, slug: str = "gulf", marking: str = "unmarked", **community: Any) -> Room:
    """A community with its default room, its owner and ``members`` more members who joined."""
    owner = make_verified_member(markings=[] if marking == "unmarked" else [marking])
    created = community_create(
        creator=owner, name=slug.title(), slug=slug, marking=Marking.objects.get(slug=marking), **community
    )
    joined = []
    for _ in range(members):
        member = make_verified_member(markings=[] if marking == "unmarked" else [marking])
        membership_join(community=created, member=member)
        joined.append(member)
    return Room(created, room_ensure_default(community=created), owner, joined)


def saved(answers: list[SendAnswer]) -> list[Message]:
    """The answers of ``messages_send``, each of which must be a saved message."""
    assert all(isinstance(answer, Message) for answer in answers), answers
    return [answer for answer in answers if isinstance(answer, Message)]
