"""Messages and their scope as the plain data live events and the HTTP fallback carry."""

from django.utils.html import strip_tags
from django.utils.text import Truncator

from messaging.events import AuthorData, MessageData, QuoteData, ReactionData, ScopeData
from messaging.models import REACTIONS, Conversation, Message
from muster.avatars import avatar_colour, member_initials
from verification.models import Member

QUOTE_CHARACTERS = 120
FORMER_MEMBER = "A former member"


def author_data(member: Member) -> AuthorData:
    return {
        "id": member.pk,
        "handle": member.handle or "",
        "name": member.display_name,
        "initials": member_initials(member),
        "colour": avatar_colour(member),
    }


def quote_snippet(message: Message) -> str:
    """The start of a quoted message as plain text ("" when deleted: its words are gone)."""
    if message.is_deleted:
        return ""
    return Truncator(" ".join((strip_tags(message.body_html) or message.body).split())).chars(QUOTE_CHARACTERS)


def quote_data(message: Message | None) -> QuoteData | None:
    """What a reply shows of the message it answers. Replies stay inside one conversation, so whoever
    may read the reply may read the quote."""
    if message is None:
        return None
    return {
        "id": message.sequence,
        "author": message.author.display_name if message.author is not None else FORMER_MEMBER,
        "snippet": quote_snippet(message),
        "deleted": message.is_deleted,
    }


def reactions_data(message: Message) -> list[ReactionData]:
    """The message's reactions by emoji, in the fixed order; uses ``prefetch_related("reactions__member")``
    when the caller made it, so a page of messages costs one query for all their reactions."""
    if message.is_deleted:
        return []
    by_emoji: dict[str, ReactionData] = {}
    for reaction in message.reactions.all():
        label = REACTIONS.get(reaction.emoji, "")
        entry = by_emoji.setdefault(
            reaction.emoji, {"emoji": reaction.emoji, "label": label, "count": 0, "members": [], "names": []}
        )
        entry["count"] += 1
        entry["members"].append(reaction.member_id)
        entry["names"].append(reaction.member.display_name)
    return [by_emoji[emoji] for emoji in REACTIONS if emoji in by_emoji]


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
        "reply_to": quote_data(message.reply_to) if message.reply_to_id is not None else None,
        "reactions": reactions_data(message),
        "client_id": message.client_id,
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
