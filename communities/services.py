"""Every change to communities, their membership and their activity feed.

Each function checks what the acting member may do through the access policy,
changes the database atomically, and raises ``ValidationError`` with a message
for the member when the change cannot be made (nothing is changed then).
"""

from collections.abc import Iterable
from functools import partial

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.http import HttpRequest
from django.utils import timezone

from communities import notifications as notify
from communities import selectors, tasks
from communities.models import (
    ActivityEvent,
    Ban,
    Community,
    CommunityContent,
    Invitation,
    JoinRequest,
    Membership,
    Role,
)
from communities.signals import community_created, content_removed, content_restored
from notices import live
from notices.follow import follow_automatically
from notices.models import Level
from verification import policy
from verification.audit import audit_record
from verification.models import AuditEvent, Marking, Member
from verification.registry import content_registry

ROLE_GROUP_FIELDS: dict[str, str] = {
    Role.MEMBER: "member_group",
    Role.MODERATOR: "moderator_group",
    Role.OWNER: "owner_group",
}
RESERVED_SLUGS = frozenset({"new", "mine", "autocomplete", "requests", "invitations", "pending"})


# --- Communities -------------------------------------------------------------


@transaction.atomic
def community_create(
    *,
    creator: Member,
    name: str,
    slug: str,
    marking: Marking,
    description: str = "",
    visibility: str = Community.Visibility.OPEN,
    join_policy: str = Community.JoinPolicy.OPEN,
    tags: Iterable[str] = (),
) -> Community:
    """Create a community with the creator as its owner.

    When staff require approval (``MUSTER_COMMUNITY_APPROVAL``) it waits,
    known only to its creator and staff, until staff approve it.
    """
    if slug in RESERVED_SLUGS:
        raise ValidationError({"slug": "That address is reserved. Choose another."})
    if Community.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": "That address is taken. Choose another."})
    if marking.pk not in policy.member_access(creator).visible_marking_ids:
        raise ValidationError({"marking": "You are not cleared for that marking."})
    needs_approval = settings.MUSTER_COMMUNITY_APPROVAL and not creator.is_staff
    groups = {field: Group.objects.create(name=f"community:{slug}:{role}") for role, field in ROLE_GROUP_FIELDS.items()}
    try:
        with transaction.atomic():
            community = Community.objects.create(
                name=name,
                slug=slug,
                description=description,
                visibility=visibility,
                join_policy=join_policy,
                marking=marking,
                created_by=creator,
                status=Community.Status.PENDING if needs_approval else Community.Status.ACTIVE,
                **groups,
            )
    except IntegrityError:
        raise ValidationError({"slug": "That address is taken. Choose another."}) from None
    community.tags.set(list(tags))
    policy.grant_community_role_permissions(community)
    _set_role(community, creator, Role.OWNER)
    follow_automatically(member=creator, target=community, level=Level.NEW_ITEMS)
    activity_record(community=community, actor=creator, verb=ActivityEvent.Verb.CREATED_COMMUNITY, target=None)
    community_created.send(sender=Community, community=community)
    return community


@transaction.atomic
def community_update(*, community: Community, actor: Member, **fields: object) -> Community:
    if not policy.can_manage_community(actor, community):
        raise PermissionDenied("Only the community's owners may change its settings.")
    tags = fields.pop("tags", None)
    allowed = {"name", "description", "visibility", "join_policy"}
    for name, value in fields.items():
        if name not in allowed:
            raise ValueError(f"{name} cannot be changed here")
        setattr(community, name, value)
    community.save()
    if tags is not None:
        community.tags.set(list(tags))  # type: ignore[call-overload]
    return community


@transaction.atomic
def community_review(*, community: Community, staff: Member, approve: bool) -> Community:
    """Staff approve or decline a community that waits for approval."""
    if not staff.is_staff:
        raise PermissionDenied("Only staff approve new communities.")
    community = Community.objects.select_for_update().get(pk=community.pk)
    if community.status != Community.Status.PENDING:
        raise ValidationError("This community is not waiting for approval.")
    community.status = Community.Status.ACTIVE if approve else Community.Status.DECLINED
    community.save(update_fields=["status"])
    live.announce_access_changed(community.memberships.values_list("member_id", flat=True))
    return community


@transaction.atomic
def community_delete(*, community: Community) -> None:
    """Delete the community, its content, its role groups and every permission row on them."""
    members = list(Member.objects.filter(memberships__community=community))
    groups = [getattr(community, field) for field in ROLE_GROUP_FIELDS.values()]
    community.delete()
    Group.objects.filter(pk__in=[group.pk for group in groups]).delete()
    for member in members:
        policy.forget_member_access(member)
    live.announce_access_changed(member.pk for member in members)


# --- Membership --------------------------------------------------------------


def _recount(community: Community) -> None:
    count = Membership.objects.filter(community=community).count()
    Community.objects.filter(pk=community.pk).update(member_count=count)
    community.member_count = count


def _set_role(community: Community, member: Member, role: str) -> Membership:
    """Put the member in exactly one role group and keep their Membership row in step."""
    member.groups.remove(*(getattr(community, field) for field in ROLE_GROUP_FIELDS.values()))
    member.groups.add(getattr(community, ROLE_GROUP_FIELDS[role]))
    membership, _ = Membership.objects.update_or_create(community=community, member=member, defaults={"role": role})
    _recount(community)
    policy.forget_member_access(member)
    live.announce_access_changed([member.pk])
    return membership


def _owner_count(community: Community) -> int:
    return Membership.objects.filter(community=community, role=Role.OWNER).count()


def _lock(community: Community) -> Community:
    return Community.objects.select_for_update().get(pk=community.pk)


def _check_may_join(community: Community, member: Member) -> None:
    if not policy.can_know_community(member, community):
        raise ValidationError("There is no such community.")
    if community.status != Community.Status.ACTIVE:
        raise ValidationError("This community is waiting for staff approval.")
    if Membership.objects.filter(community=community, member=member).exists():
        raise ValidationError("You are already a member of this community.")
    if Ban.objects.filter(community=community, member=member).exists():
        raise ValidationError("You cannot join this community.")


def _joined(community: Community, member: Member) -> Membership:
    membership = _set_role(community, member, Role.MEMBER)
    follow_automatically(member=member, target=community, level=Level.NEW_ITEMS)
    activity_record(community=community, actor=member, verb=ActivityEvent.Verb.JOINED, target=None)
    return membership


@transaction.atomic
def membership_join(*, community: Community, member: Member) -> Membership:
    """Join an open community at once."""
    community = _lock(community)
    _check_may_join(community, member)
    if community.join_policy != Community.JoinPolicy.OPEN:
        raise ValidationError("This community admits members by request or invitation.")
    return _joined(community, member)


@transaction.atomic
def join_request_create(*, community: Community, member: Member, message: str = "") -> JoinRequest:
    community = _lock(community)
    _check_may_join(community, member)
    if community.join_policy != Community.JoinPolicy.REQUEST:
        raise ValidationError("This community does not take requests to join.")
    if JoinRequest.objects.filter(community=community, member=member, status=JoinRequest.Status.PENDING).exists():
        raise ValidationError("You have already asked to join; a moderator will answer.")
    return JoinRequest.objects.create(community=community, member=member, message=message)


@transaction.atomic
def join_request_withdraw(*, join_request: JoinRequest, member: Member) -> None:
    join_request = JoinRequest.objects.select_for_update().get(pk=join_request.pk)
    if join_request.member_id != member.pk or join_request.status != JoinRequest.Status.PENDING:
        raise ValidationError("This request can no longer be withdrawn.")
    join_request.status = JoinRequest.Status.WITHDRAWN
    join_request.save(update_fields=["status"])


@transaction.atomic
def join_request_decide(*, join_request: JoinRequest, moderator: Member, approve: bool, note: str = "") -> JoinRequest:
    """A moderator approves or declines; the member is told either way."""
    join_request = JoinRequest.objects.select_for_update().select_related("community", "member").get(pk=join_request.pk)
    community = join_request.community
    if not policy.can_moderate(moderator, community):
        raise PermissionDenied("Only the community's moderators decide requests.")
    if join_request.status != JoinRequest.Status.PENDING:
        raise ValidationError("This request has already been answered.")
    join_request.status = JoinRequest.Status.APPROVED if approve else JoinRequest.Status.DECLINED
    join_request.decided_by = moderator
    join_request.decided_at = timezone.now()
    join_request.decision_note = note
    join_request.save()
    if approve and not Membership.objects.filter(community=community, member=join_request.member).exists():
        _joined(_lock(community), join_request.member)
    transaction.on_commit(partial(tasks.send_join_request_decision.delay, join_request.pk))
    notify.notify_join_request_decided(join_request=join_request)
    return join_request


@transaction.atomic
def invitation_create(*, community: Community, inviter: Member, email: str, message: str = "") -> Invitation:
    """Invite a member, or an address with no account yet (they join once verified)."""
    if not policy.can_invite(inviter, community):
        raise PermissionDenied("You may not invite people to this community.")
    email = email.strip().lower()
    invitee = Member.objects.filter(emailaddress__email__iexact=email, emailaddress__verified=True).first()
    if invitee is not None and Membership.objects.filter(community=community, member=invitee).exists():
        raise ValidationError({"email": "That person is already a member."})
    if invitee is not None and Ban.objects.filter(community=community, member=invitee).exists():
        raise ValidationError({"email": "That person is banned from this community."})
    if Invitation.objects.filter(community=community, email=email, status=Invitation.Status.PENDING).exists():
        raise ValidationError({"email": "That address has already been invited."})
    invitation = Invitation.objects.create(
        community=community, email=email, member=invitee, invited_by=inviter, message=message
    )
    transaction.on_commit(partial(tasks.send_invitation.delay, invitation.pk))
    return invitation


@transaction.atomic
def invitation_answer(*, invitation: Invitation, member: Member, accept: bool) -> Invitation:
    invitation = Invitation.objects.select_for_update().select_related("community").get(pk=invitation.pk)
    if invitation.status != Invitation.Status.PENDING or not _invitation_is_for(invitation, member):
        raise ValidationError("This invitation is no longer open.")
    invitation.status = Invitation.Status.ACCEPTED if accept else Invitation.Status.DECLINED
    invitation.member = member
    invitation.answered_at = timezone.now()
    invitation.save()
    if accept:
        community = _lock(invitation.community)
        if not policy.is_cleared_for(member, community.marking):
            raise ValidationError("You are not cleared for this community's marking.")
        if community.status != Community.Status.ACTIVE:
            raise ValidationError("This community is waiting for staff approval.")
        if Ban.objects.filter(community=community, member=member).exists():
            raise ValidationError("You cannot join this community.")
        if not Membership.objects.filter(community=community, member=member).exists():
            _joined(community, member)
    return invitation


def _invitation_is_for(invitation: Invitation, member: Member) -> bool:
    if invitation.member_id == member.pk:
        return True
    return bool(EmailAddress.objects.filter(user=member, email__iexact=invitation.email, verified=True).exists())


def invitations_accept_for_newly_verified(*, member: Member) -> int:
    """A person invited by address lands in the community once they are verified.

    Called when a member's verification is approved. Returns how many invitations were accepted.
    """
    addresses = list(EmailAddress.objects.filter(user=member, verified=True).values_list("email", flat=True))
    pending = Invitation.objects.filter(email__in=[a.lower() for a in addresses], status=Invitation.Status.PENDING)
    accepted = 0
    for invitation in pending:
        try:
            invitation_answer(invitation=invitation, member=member, accept=True)
        except ValidationError:
            continue
        accepted += 1
    return accepted


@transaction.atomic
def membership_set_role(*, community: Community, member: Member, role: str) -> Membership:
    """Give a member a role with no acting owner: for seeding and staff tools.

    Members change roles through ``membership_change_role``, which checks who asks.
    """
    return _set_role(_lock(community), member, role)


@transaction.atomic
def membership_leave(*, community: Community, member: Member) -> None:
    community = _lock(community)
    membership = Membership.objects.filter(community=community, member=member).first()
    if membership is None:
        raise ValidationError("You are not a member of this community.")
    if membership.role == Role.OWNER and _owner_count(community) == 1:
        raise ValidationError("You are the last owner. Hand ownership to another member before you leave.")
    _remove(community, member)


def _remove(community: Community, member: Member) -> None:
    member.groups.remove(*(getattr(community, field) for field in ROLE_GROUP_FIELDS.values()))
    Membership.objects.filter(community=community, member=member).delete()
    _recount(community)
    policy.forget_member_access(member)
    live.announce_access_changed([member.pk])


@transaction.atomic
def membership_change_role(*, community: Community, actor: Member, member: Member, role: str) -> Membership:
    """Owners change roles; the last owner cannot be demoted."""
    if not policy.can_manage_community(actor, community):
        raise PermissionDenied("Only the community's owners change roles.")
    community = _lock(community)
    membership = Membership.objects.filter(community=community, member=member).first()
    if membership is None:
        raise ValidationError("That person is not a member of this community.")
    if membership.role == Role.OWNER and role != Role.OWNER and _owner_count(community) == 1:
        raise ValidationError("A community needs an owner. Make someone else an owner first.")
    return _set_role(community, member, role)


@transaction.atomic
def ownership_transfer(*, community: Community, owner: Member, new_owner: Member) -> None:
    """The owner hands ownership to another member and stays on as a moderator."""
    if not policy.can_manage_community(owner, community):
        raise PermissionDenied("Only an owner can hand over ownership.")
    community = _lock(community)
    if not Membership.objects.filter(community=community, member=new_owner).exists():
        raise ValidationError("Ownership can only go to a member of the community.")
    if new_owner.pk == owner.pk:
        raise ValidationError("You already own this community.")
    _set_role(community, new_owner, Role.OWNER)
    _set_role(community, owner, Role.MODERATOR)


@transaction.atomic
def membership_remove(*, community: Community, actor: Member, member: Member, ban_reason: str = "") -> None:
    """Owners remove a member; with a reason, the member is banned from joining again."""
    if not policy.can_manage_community(actor, community):
        raise PermissionDenied("Only the community's owners remove members.")
    community = _lock(community)
    membership = Membership.objects.filter(community=community, member=member).first()
    if membership is None:
        raise ValidationError("That person is not a member of this community.")
    if membership.role == Role.OWNER and _owner_count(community) == 1:
        raise ValidationError("The last owner cannot be removed.")
    _remove(community, member)
    if ban_reason.strip():
        Ban.objects.get_or_create(
            community=community, member=member, defaults={"reason": ban_reason.strip(), "banned_by": actor}
        )


@transaction.atomic
def ban_lift(*, community: Community, actor: Member, member: Member) -> None:
    if not policy.can_manage_community(actor, community):
        raise PermissionDenied("Only the community's owners lift bans.")
    Ban.objects.filter(community=community, member=member).delete()


# --- Removing content --------------------------------------------------------------


def _locked_item(item: CommunityContent) -> CommunityContent:
    if not content_registry.get(type(item)).removable:
        raise ValidationError("This is removed and restored another way.")
    locked: CommunityContent = type(item)._default_manager.select_for_update().get(pk=item.pk)
    return locked


@transaction.atomic
def content_remove(*, item: CommunityContent, actor: Member, request: HttpRequest | None = None) -> CommunityContent:
    """The author or a moderator removes an item of any content type. From then on only the community's
    moderators see it, marked removed, wherever it was listed (the registry's removal condition). Audited."""
    item = _locked_item(item)
    if not policy.can_edit(actor, item):
        raise PermissionDenied("Only the author or a moderator removes this.")
    if item.deleted_at is not None:
        raise ValidationError("This has already been removed.")
    item.deleted_at, item.deleted_by = timezone.now(), actor
    item.save(update_fields=["deleted_at", "deleted_by"])
    marking = policy.effective_marking(item).slug
    audit_record(AuditEvent.Action.ITEM_REMOVED, actor=actor, target=item, marking=marking, request=request)
    content_removed.send(sender=type(item), item=item, actor=actor)
    return item


@transaction.atomic
def content_restore(*, item: CommunityContent, actor: Member, request: HttpRequest | None = None) -> CommunityContent:
    """A moderator puts a removed item back where it was. Audited."""
    item = _locked_item(item)
    if not policy.can_moderate_item(actor, item):
        raise PermissionDenied("Only the community's moderators restore removed items.")
    if item.deleted_at is None:
        raise ValidationError("This has not been removed.")
    item.deleted_at, item.deleted_by = None, None
    item.save(update_fields=["deleted_at", "deleted_by"])
    marking = policy.effective_marking(item).slug
    audit_record(AuditEvent.Action.ITEM_RESTORED, actor=actor, target=item, marking=marking, request=request)
    content_restored.send(sender=type(item), item=item, actor=actor)
    return item


# --- Activity feed -------------------------------------------------------------


def activity_record(
    *,
    community: Community,
    actor: Member | None,
    verb: str,
    target: Model | None,
) -> ActivityEvent:
    """Add an event to the community's feed. Every content type calls this the same way."""
    event = ActivityEvent.objects.create(
        community=community,
        actor=actor,
        verb=verb,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=target.pk if target is not None else None,
    )
    Community.objects.filter(pk=community.pk).update(last_activity_at=event.created_at)
    return event


@transaction.atomic
def activity_pin(*, event: ActivityEvent, moderator: Member, pinned: bool) -> ActivityEvent:
    visible = selectors.visible_activity(moderator, ActivityEvent.objects.filter(pk=event.pk)).exists()
    if not (visible and policy.can_moderate(moderator, event.community)):
        raise PermissionDenied("Only moderators pin items they can see.")
    event.pinned_at = timezone.now() if pinned else None
    event.save(update_fields=["pinned_at"])
    return event
