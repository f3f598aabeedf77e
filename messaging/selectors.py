"""Reads for conversations and messages, already narrowed by the access policy."""

from django.db.models import Count, F, OuterRef, Prefetch, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from communities.models import Community
from messaging import access
from messaging.models import Conversation, Message, Participant, Reaction
from verification.models import Member

REPLAY_LIMIT = 500


def visible_conversations(member: Member) -> QuerySet[Conversation]:
    return access.filter_visible_conversations(member, Conversation.objects.all())


def inbox(member: Member) -> QuerySet[Conversation]:
    """The member's conversations, newest activity first, each with its unread count and last message.

    A constant number of queries however many conversations: the read position
    and the unread count are subqueries, the people of direct and group
    conversations one prefetch.
    """
    last_read = Participant.objects.filter(conversation=OuterRef("pk"), member=member).values("last_read_sequence")
    unread = (
        Message.objects.filter(conversation=OuterRef("pk"), deleted_at=None, sequence__gt=OuterRef("read_up_to"))
        .exclude(author=member)
        .order_by()
        .values("conversation")
        .annotate(unread=Count("pk"))
        .values("unread")
    )
    # A room's participant rows are only its readers' positions: its people are the community's.
    people = (
        Participant.objects.filter(left_at=None)
        .exclude(conversation__kind=Conversation.Kind.ROOM)
        .select_related("member")
        .order_by("joined_at")
    )
    return (
        visible_conversations(member)
        .annotate(read_up_to=Coalesce(Subquery(last_read[:1]), Value(0)))
        .annotate(unread=Coalesce(Subquery(unread[:1]), Value(0)))
        .select_related("community", "community__marking", "marking", "last_message", "last_message__author")
        .prefetch_related(Prefetch("participants", queryset=people, to_attr="people"))
        .order_by(F("last_message_at").desc(nulls_last=True), "-pk")
    )


def rooms_of(member: Member, community: Community) -> QuerySet[Conversation]:
    return visible_conversations(member).filter(community=community).order_by("-is_default_room", "title")


def with_message_parts(messages: QuerySet[Message]) -> QuerySet[Message]:
    """What showing a message needs (author, the quoted message and its author, reactions and who made them),
    in a constant number of queries however many messages."""
    return messages.select_related("author", "reply_to", "reply_to__author").prefetch_related(
        Prefetch("reactions", queryset=Reaction.objects.select_related("member").order_by("created_at", "pk"))
    )


def message_history(
    member: Member, conversation: Conversation, *, before: int | None = None, limit: int = 50
) -> list[Message]:
    """The latest ``limit`` messages (or those before sequence ``before``), oldest first."""
    messages = access.filter_visible_messages(member, Message.objects.filter(conversation=conversation))
    if before is not None:
        messages = messages.filter(sequence__lt=before)
    newest_first = with_message_parts(messages).order_by("-sequence")[:limit]
    return list(reversed(newest_first))


def messages_changed_since(member: Member, conversation: Conversation, version: int) -> list[Message]:
    """Every message sent, edited or deleted after ``version``, in the order it changed (at most REPLAY_LIMIT)."""
    messages = access.filter_visible_messages(member, Message.objects.filter(conversation=conversation))
    return list(with_message_parts(messages.filter(version__gt=version)).order_by("version")[:REPLAY_LIMIT])
