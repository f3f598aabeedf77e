"""Messages and their scope as the plain data live events and the HTTP fallback carry."""

from messaging.events import AuthorData, MessageData, ScopeData
from messaging.models import Conversation, Message
from verification.models import Member


def author_data(member: Member) -> AuthorData:
    return {"id": member.pk, "handle": member.handle or "", "name": member.display_name}


def message_data(message: Message) -> MessageData:
    return {
        "conversation": message.conversation_id,
        "id": message.sequence,
        "version": message.version,
        "author": author_data(message.author) if message.author is not None else None,
        "body": message.body,
        "body_html": message.body_html,
        "created_at": message.created_at.isoformat(),
        "edited": message.edited_at is not None,
        "deleted": message.deleted_at is not None,
    }


def scope_data(conversation: Conversation) -> ScopeData:
    """Where a conversation's events come from; the community must be loaded with the conversation."""
    community = conversation.community
    return {
        "conversation_id": conversation.pk,
        "community_id": conversation.community_id,
        "marking_id": conversation.marking_id,
        "community_marking_id": community.marking_id if community is not None else None,
    }
