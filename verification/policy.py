"""The access policy: the one place that decides who may see and do what.

A member may see a content item only when all hold (DESIGN.md, "Access"):

1. signed in, active, verified (approved, not expired, not suspended), has
   accepted the current Rules of Behavior, and has MFA when they are staff, a
   verifier, or cleared for any marking;
2. may view its community: open communities admit every verified member,
   restricted and private ones only their members (a guardian object
   permission on the community, held through the community's role groups);
3. is authorised for its marking (and the community's marking);
4. no per-item restriction leaves them out (guardian object permissions on the
   item, to the member or to one of their groups);
5. it is published (drafts and scheduled items are their author's alone).

``filter_*`` functions narrow a queryset in SQL (a constant number of queries,
whatever the rows); ``can_*`` answer for one object; ``check_*`` raise
``PermissionDenied`` and write the denial to the audit log. Guardian is used
here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar, cast

from allauth.mfa.models import Authenticator
from django.apps import apps
from django.contrib.auth.models import AnonymousUser, Group
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm
from guardian.utils import get_group_obj_perms_model, get_user_obj_perms_model

from verification.audit import audit_record
from verification.models import AuditEvent, Marking, MarkingAuthorisation, Member, RulesAcceptance, RulesOfBehavior

if TYPE_CHECKING:
    from datetime import datetime

    from communities.models import ActivityEvent, Community, CommunityContent
    from discussions.models import Post
    from library.models import SavedItem
    from messaging.models import Conversation, Message, Notification
    from wiki.models import WikiPage

ContentT = TypeVar("ContentT", bound="CommunityContent")
AnyUser = Member | AnonymousUser

ACCESS_CACHE_ATTRIBUTE = "_muster_access"


class Barrier(StrEnum):
    """Why a signed-in member may not see content yet, in the order they must be cleared."""

    NONE = "none"
    ANONYMOUS = "anonymous"
    INACTIVE = "inactive"
    SUSPENDED = "suspended"
    UNVERIFIED = "unverified"
    EXPIRED = "expired"
    RULES = "rules"
    MFA = "mfa"


@dataclass(frozen=True)
class MemberAccess:
    """What the policy knows about one member, computed once per request."""

    member_id: int | None
    barrier: Barrier
    visible_marking_ids: frozenset[int]
    has_mfa: bool
    is_verifier: bool
    is_staff: bool
    # Community id -> the community permissions the member holds there (access, moderate, manage).
    community_permissions: Mapping[int, frozenset[str]] = field(default_factory=dict)

    @property
    def may_see_content(self) -> bool:
        return self.barrier is Barrier.NONE

    def community_ids(self, codename: str = "access_community") -> frozenset[int]:
        return frozenset(pk for pk, codenames in self.community_permissions.items() if codename in codenames)


def member_access(user: AnyUser | None) -> MemberAccess:
    """The member's standing, cached on the user object (so once per request)."""
    if user is None or not user.is_authenticated:
        return MemberAccess(None, Barrier.ANONYMOUS, frozenset(), False, False, False)
    if not isinstance(user, Member):
        raise TypeError(f"Expected a Member, got {type(user).__name__}")
    cached = getattr(user, ACCESS_CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]

    has_mfa = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    is_verifier = user.has_perm("verification.review_application")
    markings = Marking.objects.filter(Q(rank=0) | Q(authorisations__member=user)).values_list("pk", "rank")
    unmarked = {pk for pk, rank in markings if rank == 0}
    authorised = {pk for pk, rank in markings if rank != 0}
    current_rules = (
        RulesOfBehavior.objects.order_by("-version")
        .annotate(accepted=Exists(RulesAcceptance.objects.filter(rules=OuterRef("pk"), member=user)))
        .values_list("accepted", flat=True)
        .first()
    )
    accepted_rules = current_rules is None or current_rules

    if not user.is_active:
        barrier = Barrier.INACTIVE
    elif user.is_suspended:
        barrier = Barrier.SUSPENDED
    elif user.is_expired:
        barrier = Barrier.EXPIRED
    elif not user.is_verified:
        barrier = Barrier.UNVERIFIED
    elif not accepted_rules:
        barrier = Barrier.RULES
    elif not has_mfa and (user.is_staff or is_verifier or authorised):
        barrier = Barrier.MFA
    else:
        barrier = Barrier.NONE

    visible = frozenset(unmarked | authorised) if barrier is Barrier.NONE else frozenset()
    communities = _community_permissions(user) if barrier is Barrier.NONE else {}
    access = MemberAccess(user.pk, barrier, visible, has_mfa, is_verifier, user.is_staff, communities)
    setattr(user, ACCESS_CACHE_ATTRIBUTE, access)
    return access


def forget_member_access(user: AnyUser) -> None:
    """Drop the cached standing after the member's vetting, rules or MFA changed."""
    if hasattr(user, ACCESS_CACHE_ATTRIBUTE):
        delattr(user, ACCESS_CACHE_ATTRIBUTE)


# --- Communities -----------------------------------------------------------


def _community_permissions(member: Member) -> dict[int, frozenset[str]]:
    """Every community permission the member holds, directly or through a group, in one query."""
    from communities.models import CommunityGroupObjectPermission, CommunityUserObjectPermission

    through_groups = CommunityGroupObjectPermission.objects.filter(group__user=member).values_list(
        "content_object_id", "permission__codename"
    )
    direct = CommunityUserObjectPermission.objects.filter(user=member).values_list(
        "content_object_id", "permission__codename"
    )
    held: dict[int, set[str]] = {}
    for community_id, codename in through_groups.union(direct):
        held.setdefault(community_id, set()).add(codename)
    return {community_id: frozenset(codenames) for community_id, codenames in held.items()}


def filter_known_communities(user: AnyUser | None, queryset: QuerySet[Community]) -> QuerySet[Community]:
    """Communities the member may know exist: active open and restricted ones, private ones they
    belong to, and communities still waiting for approval that they proposed (or, for staff, all of those)."""
    from communities.models import Community

    access = member_access(user)
    if not access.may_see_content or access.member_id is None:
        return queryset.none()
    listed = Q(visibility__in=(Community.Visibility.OPEN, Community.Visibility.RESTRICTED))
    active = Q(status=Community.Status.ACTIVE) & (listed | Q(pk__in=access.community_ids()))
    proposed = Q(status=Community.Status.PENDING) & (Q() if access.is_staff else Q(created_by=access.member_id))
    return queryset.filter(active | proposed, marking_id__in=access.visible_marking_ids)


def filter_content_communities(user: AnyUser | None, queryset: QuerySet[Community]) -> QuerySet[Community]:
    """Communities whose content the member may see: open ones, and any they belong to."""
    from communities.models import Community

    access = member_access(user)
    if not access.may_see_content or access.member_id is None:
        return queryset.none()
    return queryset.filter(
        Q(visibility=Community.Visibility.OPEN) | Q(pk__in=access.community_ids()),
        status=Community.Status.ACTIVE,
        marking_id__in=access.visible_marking_ids,
    )


def filter_member_communities(user: AnyUser | None, queryset: QuerySet[Community]) -> QuerySet[Community]:
    """Communities the member belongs to (and may still see)."""
    access = member_access(user)
    if not access.may_see_content or access.member_id is None:
        return queryset.none()
    return queryset.filter(pk__in=access.community_ids(), marking_id__in=access.visible_marking_ids)


def filter_visible_activity(user: AnyUser | None, queryset: QuerySet[ActivityEvent]) -> QuerySet[ActivityEvent]:
    """Feed events the member may see: the same rule as the items they are about, in one SQL query.

    Events about restricted items are kept only when the item itself passes
    ``filter_visible`` (one subquery per content type, however many events).
    """
    from communities.models import Community

    access = member_access(user)
    if not access.may_see_content or access.member_id is None:
        return queryset.none()
    community_ok = Q(
        community__status=Community.Status.ACTIVE,
        community__marking_id__in=access.visible_marking_ids,
    ) & (Q(community__visibility=Community.Visibility.OPEN) | Q(community_id__in=access.community_ids()))
    restricted_ok = Q(is_restricted=False) | _visible_items_of_every_type(
        user, type_field="target_type", id_field="target_id", restricted_only=True
    )
    return queryset.filter(community_ok, restricted_ok, marking_id__in=access.visible_marking_ids)


def _visible_items_of_every_type(user: AnyUser | None, *, type_field: str, id_field: str, restricted_only: bool) -> Q:
    """Rows pointing (content type, id) at an item the member may see: one subquery per content type."""
    from communities.models import CommunityContent

    visible = Q(pk__in=[])
    for model in apps.get_models():
        if issubclass(model, CommunityContent):
            items = model._default_manager.filter(is_restricted=True) if restricted_only else model._default_manager
            ids = filter_visible(user, items.all()).values("pk")
            visible |= Q(**{type_field: ContentType.objects.get_for_model(model), f"{id_field}__in": ids})
    return visible


def _holds_community_permission(user: AnyUser | None, community: Community, codename: str) -> bool:
    access = member_access(user)
    return (
        access.may_see_content
        and community.marking_id in access.visible_marking_ids
        and codename in access.community_permissions.get(community.pk, frozenset())
    )


def can_know_community(user: AnyUser | None, community: Community) -> bool:
    from communities.models import Community

    return filter_known_communities(user, Community.objects.filter(pk=community.pk)).exists()


def can_view_community_content(user: AnyUser | None, community: Community) -> bool:
    from communities.models import Community

    return filter_content_communities(user, Community.objects.filter(pk=community.pk)).exists()


def is_community_member(user: AnyUser | None, community: Community) -> bool:
    return _holds_community_permission(user, community, "access_community")


def can_moderate(user: AnyUser | None, community: Community) -> bool:
    return _holds_community_permission(user, community, "moderate_community")


def can_manage_community(user: AnyUser | None, community: Community) -> bool:
    return _holds_community_permission(user, community, "manage_community")


def can_invite(user: AnyUser | None, community: Community) -> bool:
    """Members invite; to an invitation-only community, only its moderators do."""
    from communities.models import Community

    if community.join_policy == Community.JoinPolicy.INVITATION:
        return can_moderate(user, community)
    return is_community_member(user, community)


def is_cleared_for(member: Member, marking: Marking) -> bool:
    """Whether a verifier cleared the member for the marking, whatever else stands in their way today.

    For decisions about the future (accepting an invitation while the rules or
    MFA are still to do); what the member may see now is ``member_access``.
    """
    return marking.is_unmarked or member.marking_authorisations.filter(marking=marking).exists()


def can_post(user: AnyUser | None, community: Community, marking: Marking) -> bool:
    """Members post in communities they belong to, at markings they are cleared for."""
    access = member_access(user)
    return marking.pk in access.visible_marking_ids and is_community_member(user, community)


# --- Content items ---------------------------------------------------------


def _item_grants(model: type[models.Model], member_id: int) -> Q:
    """Items on which the member holds ``view_<model>``, directly or through a group."""
    # guardian's stubs say "instance", but the functions take the model class too.
    user_model = get_user_obj_perms_model(cast(Any, model))
    group_model = get_group_obj_perms_model(cast(Any, model))
    if "guardian" in (user_model._meta.app_label, group_model._meta.app_label):
        # Generic permission rows cannot be joined by primary key in one query.
        raise ImproperlyConfigured(f"{model._meta.label} needs direct guardian permission models.")
    codename = f"view_{model._meta.model_name}"
    direct = user_model._default_manager.filter(permission__codename=codename, user=member_id).values(
        "content_object_id"
    )
    through_groups = group_model._default_manager.filter(permission__codename=codename, group__user=member_id).values(
        "content_object_id"
    )
    return Q(pk__in=direct) | Q(pk__in=through_groups)


def filter_visible(user: AnyUser | None, queryset: QuerySet[ContentT]) -> QuerySet[ContentT]:
    """The items of ``queryset`` the member may see, in one SQL query."""
    from communities.models import Community

    access = member_access(user)
    if not access.may_see_content or access.member_id is None:
        return queryset.none()
    community_ok = Q(community__status=Community.Status.ACTIVE) & (
        Q(community__visibility=Community.Visibility.OPEN) | Q(community_id__in=access.community_ids())
    )
    marking_ok = Q(marking_id__in=access.visible_marking_ids, community__marking_id__in=access.visible_marking_ids)
    restriction_ok = Q(is_restricted=False) | _item_grants(queryset.model, access.member_id)
    published_ok = Q(published_at__lte=timezone.now()) | Q(author_id=access.member_id)
    return queryset.filter(community_ok & marking_ok & restriction_ok & published_ok)


def filter_visible_saved_items(user: AnyUser | None, queryset: QuerySet[SavedItem]) -> QuerySet[SavedItem]:
    """A member's saved items whose items they may still see: one subquery per content type."""
    access = member_access(user)
    if not access.may_see_content or access.member_id is None:
        return queryset.none()
    still_visible = _visible_items_of_every_type(
        user, type_field="item_type", id_field="item_id", restricted_only=False
    )
    return queryset.filter(still_visible, member_id=access.member_id)


def filter_visible_posts(user: AnyUser | None, queryset: QuerySet[Post]) -> QuerySet[Post]:
    """Posts (replies, comments) carry their thread's visibility and marking."""
    from discussions.models import Thread

    return queryset.filter(thread__in=filter_visible(user, Thread.objects.all()).values("pk"))


def filter_members_who_may_view(item: CommunityContent, queryset: QuerySet[Member]) -> QuerySet[Member]:
    """The members of ``queryset`` who may see ``item``: the access rule read from the other side.

    For mention suggestions and notifications, in one SQL query. Agrees with
    ``can_view`` for every member (tested against the permission matrix).
    """
    from communities.models import Community

    now = timezone.now()
    community = item.community
    standing = _members_cleared_to_see_content()
    cleared = _members_cleared_for
    if community.status != Community.Status.ACTIVE:
        return queryset.none()
    belongs = Q()
    if community.visibility != Community.Visibility.OPEN:
        role_groups = [community.member_group_id, community.moderator_group_id, community.owner_group_id]
        belongs = Q(pk__in=Member.objects.filter(groups__in=role_groups).values("pk"))
    granted = Q()
    if item.is_restricted:
        user_model = get_user_obj_perms_model(cast(Any, type(item)))
        group_model = get_group_obj_perms_model(cast(Any, type(item)))
        codename = f"view_{item._meta.model_name}"
        direct = user_model._default_manager.filter(content_object=item, permission__codename=codename)
        through = group_model._default_manager.filter(content_object=item, permission__codename=codename)
        granted = Q(pk__in=direct.values("user_id")) | Q(groups__in=through.values("group_id"))
    published = Q() if item.published_at is not None and item.published_at <= now else Q(pk=item.author_id)
    return queryset.filter(
        standing & cleared(item.marking) & cleared(community.marking) & belongs & granted & published
    ).distinct()


def _members_cleared_to_see_content() -> Q:
    """``member_access(...).may_see_content`` as SQL over members."""
    current_rules = RulesOfBehavior.objects.order_by("-version").values("pk")[:1]
    accepted_rules = Exists(RulesAcceptance.objects.filter(member=OuterRef("pk"), rules_id__in=current_rules))
    no_rules_yet = ~Exists(RulesOfBehavior.objects.all())
    has_mfa = Exists(Authenticator.objects.filter(user=OuterRef("pk"), type=Authenticator.Type.TOTP))
    cleared_for_any = Exists(MarkingAuthorisation.objects.filter(member=OuterRef("pk")))
    verifier = Q(user_permissions__codename="review_application") | Q(
        groups__permissions__codename="review_application"
    )
    needs_mfa = Q(is_staff=True) | Q(cleared_for_any) | Q(pk__in=Member.objects.filter(verifier).values("pk"))
    return _verified_now() & (Q(accepted_rules) | Q(no_rules_yet)) & (Q(has_mfa) | ~needs_mfa)


def _members_cleared_for(marking: Marking) -> Q:
    if marking.is_unmarked:
        return Q()
    return Q(pk__in=MarkingAuthorisation.objects.filter(marking=marking).values("member_id"))


def can_view(user: AnyUser | None, item: CommunityContent) -> bool:
    return filter_visible(user, type(item)._default_manager.filter(pk=item.pk)).exists()


def can_edit(user: AnyUser | None, item: CommunityContent) -> bool:
    """Authors edit what they can still see; moderators edit anything in their community they can see."""
    if user is None or not can_view(user, item):
        return False
    return item.author_id == user.pk or can_moderate(user, item.community)


def can_edit_wiki_page(user: AnyUser | None, page: WikiPage) -> bool:
    """Members of the community edit its wiki pages, unless a page is for moderators only."""
    if not can_view(user, page) or not is_community_member(user, page.community):
        return False
    return page.edit_policy == page.EditPolicy.MEMBERS or can_moderate(user, page.community)


def can_download(user: AnyUser | None, item: CommunityContent) -> bool:
    return can_view(user, item)


def can_moderate_item(user: AnyUser | None, item: CommunityContent) -> bool:
    return can_view(user, item) and can_moderate(user, item.community)


# --- Checks that raise -----------------------------------------------------


def _deny(user: AnyUser | None, verb: str, target: models.Model, request: HttpRequest | None) -> PermissionDenied:
    actor = user if isinstance(user, Member) else None
    audit_record(AuditEvent.Action.PERMISSION_DENIED, actor=actor, target=target, request=request, verb=verb)
    return PermissionDenied(f"You may not {verb} this.")


def check_view_permission(user: AnyUser | None, item: CommunityContent, request: HttpRequest | None = None) -> None:
    if not can_view(user, item):
        raise _deny(user, "view", item, request)


def check_edit_permission(user: AnyUser | None, item: CommunityContent, request: HttpRequest | None = None) -> None:
    if not can_edit(user, item):
        raise _deny(user, "edit", item, request)


def check_download_permission(user: AnyUser | None, item: CommunityContent, request: HttpRequest | None = None) -> None:
    if not can_download(user, item):
        raise _deny(user, "download", item, request)


def check_moderate_permission(user: AnyUser | None, community: Community, request: HttpRequest | None = None) -> None:
    if not can_moderate(user, community):
        raise _deny(user, "moderate", community, request)


def check_post_permission(
    user: AnyUser | None, community: Community, marking: Marking, request: HttpRequest | None = None
) -> None:
    if not can_post(user, community, marking):
        raise _deny(user, "post", community, request)


def check_review_permission(user: AnyUser | None, request: HttpRequest | None = None) -> None:
    """Verifiers (with MFA, like everyone who sees content) work the vetting queue."""
    access = member_access(user)
    if not (access.may_see_content and access.is_verifier):
        actor = user if isinstance(user, Member) else None
        audit_record(AuditEvent.Action.PERMISSION_DENIED, actor=actor, request=request, verb="review applications")
        raise PermissionDenied("Only verifiers may do this.")


def can_read_audit_log(user: AnyUser | None) -> bool:
    access = member_access(user)
    return access.may_see_content and user is not None and user.has_perm("verification.view_auditevent")


def check_read_audit_log_permission(user: AnyUser | None, request: HttpRequest | None = None) -> None:
    if not can_read_audit_log(user):
        actor = user if isinstance(user, Member) else None
        audit_record(AuditEvent.Action.PERMISSION_DENIED, actor=actor, request=request, verb="read the audit log")
        raise PermissionDenied("Only verifiers and auditors may read the audit log.")


# --- Conversations and notifications ---------------------------------------
#
# A room admits the members of its community (whatever the community's
# visibility: chat is for those who joined); a direct or group conversation
# admits its active participants. Both need the member cleared for the
# conversation's marking (and a room for its community's).


def filter_visible_conversations(user: AnyUser | None, queryset: QuerySet[Conversation]) -> QuerySet[Conversation]:
    """The conversations the member may read and write in, in one SQL query."""
    from communities.models import Community
    from messaging.models import Conversation, Participant

    access = member_access(user)
    if not access.may_see_content or access.member_id is None:
        return queryset.none()
    room_ok = Q(
        kind=Conversation.Kind.ROOM,
        community__status=Community.Status.ACTIVE,
        community_id__in=access.community_ids(),
        community__marking_id__in=access.visible_marking_ids,
    )
    takes_part = Participant.objects.filter(conversation=OuterRef("pk"), member_id=access.member_id, left_at=None)
    private_ok = ~Q(kind=Conversation.Kind.ROOM) & Q(Exists(takes_part))
    return queryset.filter(room_ok | private_ok, marking_id__in=access.visible_marking_ids)


def filter_visible_messages(user: AnyUser | None, queryset: QuerySet[Message]) -> QuerySet[Message]:
    """Chat messages carry their conversation's visibility and marking."""
    from messaging.models import Conversation

    return queryset.filter(conversation__in=filter_visible_conversations(user, Conversation.objects.all()).values("pk"))


def can_view_conversation(user: AnyUser | None, conversation: Conversation) -> bool:
    from messaging.models import Conversation

    return filter_visible_conversations(user, Conversation.objects.filter(pk=conversation.pk)).exists()


def check_view_conversation_permission(
    user: AnyUser | None, conversation: Conversation, request: HttpRequest | None = None
) -> None:
    """Reading and sending need the same standing: a member who may read a conversation may write in it."""
    if not can_view_conversation(user, conversation):
        raise _deny(user, "view", conversation, request)


def can_moderate_conversation(user: AnyUser | None, conversation: Conversation) -> bool:
    """A room's community moderators; a group conversation's creator. Direct messages have no moderator."""
    if conversation.community is not None:
        return can_moderate(user, conversation.community)
    access = member_access(user)
    return (
        conversation.kind == "group"
        and access.may_see_content
        and conversation.created_by_id == access.member_id
        and can_view_conversation(user, conversation)
    )


def filter_members_who_may_converse(marking: Marking, queryset: QuerySet[Member]) -> QuerySet[Member]:
    """Members who may be in a direct or group conversation at ``marking``: cleared now, and for it."""
    return queryset.filter(_members_cleared_to_see_content() & _members_cleared_for(marking)).distinct()


def filter_members_who_may_view_conversation(
    conversation: Conversation, queryset: QuerySet[Member]
) -> QuerySet[Member]:
    """The members of ``queryset`` who may read ``conversation`` (for mentions), in one SQL query."""
    from communities.models import Community
    from messaging.models import Participant

    allowed = _members_cleared_to_see_content() & _members_cleared_for(conversation.marking)
    community = conversation.community
    if community is not None:
        if community.status != Community.Status.ACTIVE:
            return queryset.none()
        role_groups = [community.member_group_id, community.moderator_group_id, community.owner_group_id]
        allowed &= _members_cleared_for(community.marking) & Q(
            pk__in=Member.objects.filter(groups__in=role_groups).values("pk")
        )
    else:
        participants = Participant.objects.filter(conversation=conversation, left_at=None).values("member_id")
        allowed &= Q(pk__in=participants)
    return queryset.filter(allowed).distinct()


def filter_visible_notifications(user: AnyUser | None, queryset: QuerySet[Notification]) -> QuerySet[Notification]:
    """The member's own notifications about things they may still see (one SQL query).

    A member held up by vetting sees only the decisions about their own
    application; everything else waits until they are cleared, and disappears
    when the item it points at stops being visible to them.
    """
    from communities.models import Community
    from discussions.models import Post, Thread
    from messaging.models import Conversation, Message, Notification

    access = member_access(user)
    if access.member_id is None:
        return queryset.none()
    own = queryset.filter(recipient_id=access.member_id)
    about_vetting = Q(kind=Notification.Kind.VETTING_DECISION)
    if not access.may_see_content:
        return own.filter(about_vetting)

    def pointing_at(model: type[models.Model], visible: QuerySet[Any]) -> Q:
        return Q(target_type=ContentType.objects.get_for_model(model), target_id__in=visible.values("pk"))

    about_known_community = Q(
        kind=Notification.Kind.JOIN_REQUEST_DECISION,
        community__in=filter_known_communities(user, Community.objects.all()).values("pk"),
    )
    visible_conversations = filter_visible_conversations(user, Conversation.objects.all())
    return own.filter(
        about_vetting
        | about_known_community
        | pointing_at(Post, filter_visible_posts(user, Post.objects.all()))
        | pointing_at(Thread, filter_visible(user, Thread.objects.all()))
        | pointing_at(Conversation, visible_conversations)
        | pointing_at(Message, filter_visible_messages(user, Message.objects.all()))
    )


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
            return BARRIER_REASONS[barrier]
        for marking_id in (scope.marking_id, scope.community_marking_id):
            if marking_id is not None and marking_id not in self.access.visible_marking_ids:
                return f"You are no longer cleared for {self.marking_names.get(marking_id, 'this marking')}."
        if scope.community_id is not None:
            if scope.community_id not in self.room_community_ids:
                return "You are no longer a member of this community."
        elif scope.conversation_id not in self.conversation_ids:
            return "You are no longer in this conversation."
        return None

    def barrier_at(self, now: datetime) -> Barrier:
        if self.access.barrier is Barrier.NONE and self.expires_at is not None and self.expires_at <= now:
            return Barrier.EXPIRED
        return self.access.barrier


BARRIER_REASONS = {
    Barrier.NONE: "",
    Barrier.ANONYMOUS: "You are signed out.",
    Barrier.INACTIVE: "Your account is closed.",
    Barrier.SUSPENDED: "Your account is suspended.",
    Barrier.UNVERIFIED: "Your account is not verified.",
    Barrier.EXPIRED: "Your verification has expired: renew it to take part again.",
    Barrier.RULES: "New Rules of Behavior need your acceptance.",
    Barrier.MFA: "Set up two-factor authentication to take part.",
}


def live_access(member: Member) -> LiveAccess:
    """The member's standing read afresh from the database (for a socket, which outlives requests)."""
    from communities.models import Community
    from messaging.models import Conversation, Participant

    member.refresh_from_db()
    forget_member_access(member)
    access = member_access(member)
    rooms: frozenset[int] = frozenset()
    conversations: frozenset[int] = frozenset()
    if access.may_see_content:
        rooms = frozenset(
            Community.objects.filter(
                pk__in=access.community_ids(),
                status=Community.Status.ACTIVE,
                marking_id__in=access.visible_marking_ids,
            ).values_list("pk", flat=True)
        )
        conversations = frozenset(
            Participant.objects.filter(member=member, left_at=None)
            .exclude(conversation__kind=Conversation.Kind.ROOM)
            .values_list("conversation_id", flat=True)
        )
    names = dict(Marking.objects.values_list("pk", "name"))
    return LiveAccess(access, rooms, conversations, names, member.verified_until)


# --- Members ---------------------------------------------------------------


def filter_visible_members(user: AnyUser | None, queryset: QuerySet[Member]) -> QuerySet[Member]:
    """Cleared members see every verified, active, unsuspended member (and themselves)."""
    access = member_access(user)
    if not access.may_see_content:
        return queryset.none()
    return queryset.filter(_verified_now() | Q(pk=access.member_id))


def _verified_now() -> Q:
    """``Member.is_verified`` as SQL: active, not suspended, verification not expired."""
    return Q(is_active=True, suspended_at__isnull=True, verified_until__gt=timezone.now())


def can_view_member(user: AnyUser | None, member: Member) -> bool:
    return filter_visible_members(user, Member.objects.filter(pk=member.pk)).exists()


def highest_marking(markings: Iterable[Marking]) -> Marking | None:
    """The most sensitive of these markings: the banner of a page that shows them all."""
    return max(markings, key=lambda marking: marking.rank, default=None)


def effective_marking(item: CommunityContent | Community | Conversation) -> Marking:
    """The marking that governs an item: its own, or its community's when that is higher."""
    from communities.models import Community

    if isinstance(item, Community):
        return item.marking
    community = item.community
    if community is None:  # a direct or group conversation
        return item.marking
    return max(item.marking, community.marking, key=lambda marking: marking.rank)


def record_view(
    user: Member,
    item: CommunityContent | Community | Conversation,
    request: HttpRequest | None = None,
    *,
    download: bool = False,
) -> None:
    """Every view and download of a marked item (or of any item in a marked community) is audited."""
    marking = effective_marking(item)
    if marking.is_unmarked:
        return
    action = AuditEvent.Action.DOWNLOADED_MARKED if download else AuditEvent.Action.VIEWED_MARKED
    audit_record(action, actor=user, target=item, marking=marking.slug, request=request)


# --- Grants (the only guardian writes in the project) ------------------------

COMMUNITY_ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "member_group": ("access_community",),
    "moderator_group": ("access_community", "moderate_community"),
    "owner_group": ("access_community", "moderate_community", "manage_community"),
}


def grant_community_role_permissions(community: Community) -> None:
    """Give each of the community's role groups its object permissions on the community."""
    for group_field, codenames in COMMUNITY_ROLE_PERMISSIONS.items():
        group: Group = getattr(community, group_field)
        for codename in codenames:
            assign_perm(f"communities.{codename}", group, community)


def grant_item_access(item: CommunityContent, to: Member | Group) -> None:
    """Let a named member or group see a restricted item."""
    assign_perm(f"view_{item._meta.model_name}", to, item)


def revoke_item_access(item: CommunityContent, to: Member | Group) -> None:
    remove_perm(f"view_{item._meta.model_name}", to, item)


def revoke_all_item_access(item: CommunityContent) -> None:
    """Forget everyone named on the item, before a new list is granted."""
    codename = f"view_{item._meta.model_name}"
    for perm_model in (get_user_obj_perms_model(cast(Any, item)), get_group_obj_perms_model(cast(Any, item))):
        perm_model._default_manager.filter(content_object=item, permission__codename=codename).delete()
