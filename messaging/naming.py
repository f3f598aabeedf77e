"""What conversations are called and where they live: titles, links and channel-layer groups."""

from django.urls import reverse

from messaging.models import Conversation, Message, Participant
from verification.models import Member


def conversation_title(conversation: Conversation, viewer: Member) -> str:
    """What the member calls a conversation: a room by its community, a direct message by the other person,
    a group by its title or its people. Needs ``people`` (``selectors.inbox``) for direct and group."""
    if conversation.community is not None:
        return f"{conversation.community.name} · {conversation.title}"
    people: list[Participant] = getattr(conversation, "people", [])
    others = [row.member.display_name for row in people if row.member_id != viewer.pk]
    if conversation.kind == Conversation.Kind.DIRECT:
        return others[0] if others else "Direct message"
    if conversation.title:
        return conversation.title
    return ", ".join(others) if others else "Group conversation"


def conversation_url(conversation: Conversation) -> str:
    return reverse("messaging:conversation", args=[conversation.pk])


def message_url(message: Message) -> str:
    return f"{reverse('messaging:conversation', args=[message.conversation_id])}#m{message.sequence}"


def conversation_group(conversation_id: int) -> str:
    """The channel-layer group a conversation's live events go to."""
    return f"conversation.{conversation_id}"
