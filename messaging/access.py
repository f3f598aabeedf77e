"""Who may read and write in a conversation: the rule of chat, plugged into the content registry.

A room admits the members of its community (whatever the community's
visibility: chat is for those who joined); a direct or group conversation
admits its active participants. Both need the member cleared for the
conversation's marking (and a room for its community's). Messages take their
conversation's visibility. ``LiveAccess`` is the socket's copy of the same
rule, checked in memory on every event.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from communities.models import Community
from messaging.models import Conversation, Message, Participant
from verification import policy
from verification.models import Marking, Member
from verification.policy import AnyUser, Barrier, MemberAccess


def conversations_visible_by_rule(access: MemberAccess, queryset: QuerySet[Any]) -> QuerySet[Any]:
    """The conversation rule as the registry calls it, in one SQL query."""
    room_ok = Q(
        kind=Conversation.Kind.ROOM,
        community__status=Community.Status.ACTIVE,
        community_id__in=access.community_ids(),
        community__marking_id__in=access.visible_marking_ids,
    )
    takes_part = Participant.objects.filter(conversation=OuterRef("pk"), member_id=access.member_id or 0, left_at=None)
    private_ok = ~Q(kind=Conversation.Kind.ROOM) & Q(Exists(takes_part))
    return queryset.filter(room_ok | private_ok, marking_id__in=access.visible_marking_ids)


def filter_visible_conversations(user: AnyUser | None, queryset: QuerySet[Conversation]) -> QuerySet[Conversation]:
    """The conversations the member may read and write in, in one SQL query."""
    return policy.filter_visible(user, queryset)


def filter_visible_messages(user: AnyUser | None, queryset: QuerySet[Message]) -> QuerySet[Message]:
    """Chat messages carry their conversation's visibility and marking (deleted ones stay as placeholders)."""
    return queryset.filter(conversation__in=filter_visible_conversations(user, Conversation.objects.all()).values("pk"))


def can_view_conversation(user: AnyUser | None, conversation: Conversation) -> bool:
    return filter_visible_conversations(user, Conversation.objects.filter(pk=conversation.pk)).exists()


def check_view_conversation_permission(
    user: AnyUser | None, conversation: Conversation, request: HttpRequest | None = None
) -> None:
    """Reading and sending need the same standing: a member who may read a conversation may write in it."""
    if not can_view_conversation(user, conversation):
        raise policy.deny(user, "view", conversation, request)


def can_moderate_conversation(user: AnyUser | None, conversation: Conversation) -> bool:
    """A room's community moderators; a group conversation's creator. Direct messages have no moderator."""
    if conversation.community is not None:
        return policy.can_moderate(user, conversation.community)
    access = policy.member_access(user)
    return (
        conversation.kind == Conversation.Kind.GROUP
        and access.may_see_content
        and conversation.created_by_id == access.member_id
        and can_view_conversation(user, conversation)
    )


def filter_members_who_may_converse(marking: Marking, queryset: QuerySet[Member]) -> QuerySet[Member]:
    """Members who may be in a direct or group conversation at ``marking``: cleared now, and for it."""
    return queryset.filter(policy.members_cleared_to_see_content() & policy.members_cleared_for(marking)).distinct()


def filter_members_who_may_view_conversation(
    conversation: Conversation, queryset: QuerySet[Member]
) -> QuerySet[Member]:
    """The members of ``queryset`` who may read ``conversation`` (for mentions), in one SQL query."""
    allowed = policy.members_cleared_to_see_content() & policy.members_cleared_for(conversation.marking)
    community = conversation.community
    if community is not None:
        if community.status != Community.Status.ACTIVE:
            return queryset.none()
        allowed &= policy.members_cleared_for(community.marking) & policy.members_in_role_groups(community)
    else:
        participants = Participant.objects.filter(conversation=conversation, left_at=None).values("member_id")
        allowed &= Q(pk__in=participants)
    return queryset.filter(allowed).distinct()


def members_who_may_read_message(message: Message, queryset: QuerySet[Member]) -> QuerySet[Member]:
    """A message's readers are its conversation's; a deleted one has none."""
    if message.deleted_at is not None:
        return queryset.none()
    return filter_members_who_may_view_conversation(message.conversation, queryset)


# --- The socket's copy ------------------------------------------------------------------


@dataclass(frozen=True)
class ConversationScope:
    """What a live event says about where it comes from, so a socket can re-check it without the database."""

    conversation_id: int
    community_id: int | None
    marking_id: int
    community_marking_id: int | None = None


@dataclass(frozen=True)
class LiveAccess:
    """A socket's copy of the member's standing, taken at connect and again whenever it changes.

    Services announce every change that can take access away (suspension,
    removal from a community, a clearance withdrawn, leaving a conversation);
    verification expiry is a time the socket watches itself (``expires_at``).
    """

    access: MemberAccess
    room_community_ids: frozenset[int]
    conversation_ids: frozenset[int]
    marking_names: Mapping[int, str]
    expires_at: datetime | None

    def refusal(self, scope: ConversationScope, *, now: datetime | None = None) -> str | None:
        """Why the member may no longer receive this conversation's events; None while they may."""
        barrier = self.barrier_at(now or timezone.now())
        if barrier is not Barrier.NONE:
            return policy.BARRIER_REASONS[barrier]
        for marking_id in (scope.marking_id, scope.community_marking_id):
            if marking_id is not None and marking_id not in self.access.visible_marking_ids:
                return f"You are no longer cleared for {self.marking_names.get(marking_id, 'this marking')}."
        if scope.community_id is not None:
            if scope.community_id not in self.room_community_ids:
                return "You are no longer a member of this community."
        elif scope.conversation_id not in self.conversation_ids:
            return "You are no longer in this conversation."
        return None

    def item_refusal(self, scope: policy.ItemScope, *, now: datetime | None = None) -> str | None:
        """Why the member may no longer receive events about a content item (a thread); None while they may."""
        barrier = self.barrier_at(now or timezone.now())
        if barrier is not Barrier.NONE:
            return policy.BARRIER_REASONS[barrier]
        return policy.scope_refusal(self.access, scope, dict(self.marking_names))

    def barrier_at(self, now: datetime) -> Barrier:
        if self.access.barrier is Barrier.NONE and self.expires_at is not None and self.expires_at <= now:
            return Barrier.EXPIRED
        return self.access.barrier


def live_access(member: Member) -> LiveAccess:
    """The member's standing read afresh from the database (for a socket, which outlives requests)."""
    accesses = live_accesses([member])
    if member.pk not in accesses:
        raise Member.DoesNotExist(f"Member {member.pk} no longer exists.")
    return accesses[member.pk]


def live_accesses(members: Sequence[Member]) -> dict[int, LiveAccess]:
    """The standing of many sockets' members in at most eight queries, however many (a process's periodic refresh).

    Each member object is refreshed in place and carries its new standing
    (``policy.member_accesses``); members no longer in the database are left out.
    """
    accesses = policy.member_accesses(members)
    cleared = [access for access in accesses.values() if access.may_see_content]
    community_ids = frozenset().union(*(access.community_ids() for access in cleared))
    community_markings = dict(
        Community.objects.filter(pk__in=community_ids, status=Community.Status.ACTIVE).values_list("pk", "marking_id")
    )
    conversations: dict[int, set[int]] = {}
    for member_id, conversation_id in (
        Participant.objects.filter(member_id__in=[access.member_id for access in cleared], left_at=None)
        .exclude(conversation__kind=Conversation.Kind.ROOM)
        .values_list("member_id", "conversation_id")
    ):
        conversations.setdefault(member_id, set()).add(conversation_id)
    names = dict(Marking.objects.values_list("pk", "name"))
    by_id = {member.pk: member for member in members}
    return {
        member_id: LiveAccess(
            access,
            frozenset(pk for pk in access.community_ids() if community_markings.get(pk) in access.visible_marking_ids),
            frozenset(conversations.get(member_id, ())),
            names,
            by_id[member_id].verified_until,
        )
        for member_id, access in accesses.items()
    }
