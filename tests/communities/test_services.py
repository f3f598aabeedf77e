"""Community services: what holds whichever page calls them."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from communities import selectors as community_selectors
from communities import services
from communities.models import ActivityEvent, Community, Invitation, JoinRequest, Membership, Role
from library.models import Document
from tests.feed import document_posted
from tests.verification.factories import MemberFactory, ProfileFactory, make_verified_member
from verification import policy
from verification import services as vetting
from verification.models import Marking, Member

pytestmark = pytest.mark.django_db


def unmarked() -> Marking:
    return Marking.objects.get(slug="unmarked")


def make_community(owner: Member, slug: str = "gulf", **fields) -> Community:
    return services.community_create(creator=owner, name=slug.title(), slug=slug, marking=unmarked(), **fields)


def test_creating_a_community_makes_the_creator_its_only_owner_and_records_it_in_the_feed() -> None:
    owner = make_verified_member()

    community = make_community(owner)

    assert list(Membership.objects.filter(community=community).values_list("member", "role")) == [(owner.pk, "owner")]
    assert community.member_count == 1
    assert policy.can_manage_community(owner, community)
    assert ActivityEvent.objects.get(community=community).verb == ActivityEvent.Verb.CREATED_COMMUNITY


def test_a_taken_or_reserved_address_is_refused_and_nothing_is_created() -> None:
    owner = make_verified_member()
    make_community(owner, "port")
    before = (Community.objects.count(), Membership.objects.count())

    with pytest.raises(ValidationError, match="taken"):
        make_community(owner, "port")
    with pytest.raises(ValidationError, match="reserved"):
        make_community(owner, "new")

    assert (Community.objects.count(), Membership.objects.count()) == before


def test_a_member_cannot_create_a_community_at_a_marking_they_are_not_cleared_for() -> None:
    fouo = Marking.objects.get(slug="fouo")

    with pytest.raises(ValidationError, match="not cleared"):
        services.community_create(creator=make_verified_member(), name="X", slug="x", marking=fouo)
    community = services.community_create(
        creator=make_verified_member(markings=["fouo"]), name="X", slug="x", marking=fouo
    )

    assert community.marking == fouo


def test_with_approval_required_a_new_community_waits_known_only_to_its_creator_and_staff(settings) -> None:
    settings.MUSTER_COMMUNITY_APPROVAL = True
    creator = make_verified_member()
    other = make_verified_member()
    staff = make_verified_member(is_staff=True, mfa=True)

    community = make_community(creator)

    assert community.status == Community.Status.PENDING
    assert policy.can_know_community(creator, community)
    assert policy.can_know_community(staff, community)
    assert not policy.can_know_community(other, community)
    with pytest.raises(PermissionDenied):
        services.community_review(community=community, staff=other, approve=True)
    services.community_review(community=community, staff=staff, approve=True)
    assert policy.can_know_community(Member.objects.get(pk=other.pk), community)


def test_joining_twice_changes_nothing_and_says_so() -> None:
    community = make_community(make_verified_member())
    member = make_verified_member()
    services.membership_join(community=community, member=member)

    with pytest.raises(ValidationError, match="already a member"):
        services.membership_join(community=community, member=member)

    assert Membership.objects.filter(community=community, member=member).count() == 1
    community.refresh_from_db()
    assert community.member_count == 2


def test_a_request_to_a_private_community_the_member_cannot_see_reads_as_no_such_community() -> None:
    community = make_community(
        make_verified_member(), visibility=Community.Visibility.PRIVATE, join_policy=Community.JoinPolicy.REQUEST
    )
    outsider = make_verified_member()

    with pytest.raises(ValidationError, match="no such community"):
        services.join_request_create(community=community, member=outsider, message="Let me in")

    assert not JoinRequest.objects.exists()


def test_a_moderator_approves_a_request_and_the_member_is_told_by_email(django_capture_on_commit_callbacks) -> None:
    owner = make_verified_member()
    community = make_community(owner, join_policy=Community.JoinPolicy.REQUEST)
    member = make_verified_member()
    request = services.join_request_create(community=community, member=member, message="I run the county EOC.")

    with pytest.raises(PermissionDenied):
        services.join_request_decide(join_request=request, moderator=make_verified_member(), approve=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.join_request_decide(join_request=request, moderator=owner, approve=True)

    assert policy.is_community_member(Member.objects.get(pk=member.pk), community)
    assert [m.to for m in mail.outbox] == [[member.email]]
    assert "approved" in str(mail.outbox[0].body)


def test_the_last_owner_cannot_leave_be_demoted_or_removed_until_they_hand_over() -> None:
    owner = make_verified_member()
    community = make_community(owner)
    member = make_verified_member()
    services.membership_join(community=community, member=member)

    with pytest.raises(ValidationError, match="last owner"):
        services.membership_leave(community=community, member=owner)
    with pytest.raises(ValidationError, match="needs an owner"):
        services.membership_change_role(community=community, actor=owner, member=owner, role=Role.MEMBER)

    services.ownership_transfer(community=community, owner=owner, new_owner=member)
    services.membership_leave(community=community, member=owner)

    assert list(Membership.objects.filter(community=community).values_list("member", "role")) == [(member.pk, "owner")]


def test_a_removed_and_banned_member_cannot_join_again_until_the_ban_is_lifted() -> None:
    owner = make_verified_member()
    community = make_community(owner)
    troublemaker = make_verified_member()
    services.membership_join(community=community, member=troublemaker)

    services.membership_remove(community=community, actor=owner, member=troublemaker, ban_reason="Spam")

    assert not policy.is_community_member(Member.objects.get(pk=troublemaker.pk), community)
    with pytest.raises(ValidationError, match="cannot join"):
        services.membership_join(community=community, member=troublemaker)
    services.ban_lift(community=community, actor=owner, member=troublemaker)
    services.membership_join(community=community, member=troublemaker)


def test_an_address_invitation_lands_the_new_person_in_the_community_once_verified(
    django_capture_on_commit_callbacks,
) -> None:
    owner = make_verified_member()
    community = make_community(owner, visibility=Community.Visibility.PRIVATE)
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_create(community=community, inviter=owner, email="New.Planner@county.example.gov")
    assert mail.outbox[0].to == ["new.planner@county.example.gov"]
    assert community.name not in str(mail.outbox[0].body)

    newcomer = MemberFactory.create(email="new.planner@county.example.gov")
    ProfileFactory.create(member=newcomer)
    application = vetting.application_submit(member=newcomer, sponsor_name="Chief", sponsor_email="c@x.gov")
    assert not Membership.objects.filter(member=newcomer).exists()
    vetting.application_approve(application=application, verifier=make_verified_member(), markings=[])

    assert Membership.objects.filter(community=community, member=newcomer, role=Role.MEMBER).exists()
    assert Invitation.objects.get().status == Invitation.Status.ACCEPTED


def test_an_invitation_is_answered_only_by_the_person_it_is_for() -> None:
    owner = make_verified_member()
    community = make_community(owner, join_policy=Community.JoinPolicy.INVITATION)
    invitee = make_verified_member()
    invitation = services.invitation_create(community=community, inviter=owner, email=invitee.email)

    with pytest.raises(ValidationError):
        services.invitation_answer(invitation=invitation, member=make_verified_member(), accept=True)
    services.invitation_answer(invitation=invitation, member=invitee, accept=True)

    assert Membership.objects.filter(community=community, member=invitee).exists()


def test_a_second_confirmed_address_also_receives_address_invitations() -> None:
    owner = make_verified_member()
    community = make_community(owner)
    member = make_verified_member()
    EmailAddress.objects.create(user=member, email="alias@county.example.gov", verified=True, primary=False)
    invitation = services.invitation_create(community=community, inviter=owner, email="alias@county.example.gov")

    assert invitation.member == member


def test_the_feed_keeps_events_about_restricted_items_only_for_members_granted_them() -> None:
    owner = make_verified_member()
    community = make_community(owner)
    secret = Document.objects.create(
        community=community, author=owner, marking=unmarked(), title="Shelter roster", is_restricted=True
    )
    services.activity_record(community=community, actor=owner, verb=ActivityEvent.Verb.ADDED, target=secret)
    granted = make_verified_member()
    policy.grant_item_access(secret, granted)
    outsider = make_verified_member()

    def feed(member: Member) -> list[str]:
        events = community_selectors.visible_activity(member, ActivityEvent.objects.all())
        return [e.target_label for e in community_selectors.with_targets(events) if e.target_label]

    assert feed(granted) == ["Shelter roster"]
    assert feed(outsider) == []


def test_the_feed_of_a_restricted_community_is_for_its_members_only() -> None:
    owner = make_verified_member()
    community = make_community(owner, visibility=Community.Visibility.RESTRICTED)
    member = make_verified_member()
    services.membership_set_role(community=community, member=member, role=Role.MEMBER)
    outsider = make_verified_member()

    assert community_selectors.visible_activity(member, ActivityEvent.objects.all()).count() == 1
    assert community_selectors.visible_activity(outsider, ActivityEvent.objects.all()).count() == 0
    assert policy.can_know_community(outsider, community)


def test_activity_moves_a_community_up_the_active_sort() -> None:
    owner = make_verified_member()
    older = make_community(owner, "older")
    make_community(owner, "newer")
    Community.objects.filter(pk=older.pk).update(last_activity_at=timezone.now() - timedelta(days=3))

    document_posted(older, owner, "x")

    assert list(Community.objects.order_by("-last_activity_at").values_list("slug", flat=True)) == ["older", "newer"]


def test_content_of_a_community_waiting_for_approval_is_hidden_even_from_its_creator(settings) -> None:
    settings.MUSTER_COMMUNITY_APPROVAL = True
    creator = make_verified_member()
    community = make_community(creator)
    document = Document.objects.create(community=community, author=creator, marking=unmarked(), title="Draft plan")
    staff = make_verified_member(is_staff=True, mfa=True)

    assert not policy.can_view(creator, document)
    services.community_review(community=community, staff=staff, approve=True)
    assert policy.can_view(Member.objects.get(pk=creator.pk), document)


def test_an_invitation_to_a_marked_community_is_refused_by_a_member_not_cleared_for_it() -> None:
    fouo = Marking.objects.get(slug="fouo")
    owner = make_verified_member(markings=["fouo"])
    community = services.community_create(creator=owner, name="Pilot", slug="pilot", marking=fouo)
    uncleared = make_verified_member()
    cleared = make_verified_member(markings=["fouo"])
    for member in (uncleared, cleared):
        services.invitation_create(community=community, inviter=owner, email=member.email)

    with pytest.raises(ValidationError, match="not cleared"):
        services.invitation_answer(invitation=Invitation.objects.get(member=uncleared), member=uncleared, accept=True)
    services.invitation_answer(invitation=Invitation.objects.get(member=cleared), member=cleared, accept=True)

    assert not Membership.objects.filter(community=community, member=uncleared).exists()
    assert Membership.objects.filter(community=community, member=cleared).exists()


def test_a_moderator_cannot_pin_an_event_they_cannot_see() -> None:
    owner = make_verified_member()
    community = make_community(owner)
    hidden = Document.objects.create(
        community=community, author=owner, marking=unmarked(), title="Roster", is_restricted=True
    )
    event = services.activity_record(community=community, actor=owner, verb=ActivityEvent.Verb.ADDED, target=hidden)
    moderator = make_verified_member()
    services.membership_set_role(community=community, member=moderator, role=Role.MODERATOR)

    with pytest.raises(PermissionDenied):
        services.activity_pin(event=event, moderator=Member.objects.get(pk=moderator.pk), pinned=True)
    policy.grant_item_access(hidden, moderator)
    services.activity_pin(event=event, moderator=Member.objects.get(pk=moderator.pk), pinned=True)

    event.refresh_from_db()
    assert event.pinned_at is not None
