"""Joining from the pages: at once, by request and the moderators' queue, by invitation; leaving."""

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from communities import services
from communities.models import Community, Invitation, JoinRequest, Membership, Role
from tests.verification.factories import make_verified_member
from verification.models import Marking, Member

pytestmark = pytest.mark.django_db

OnCommit = Callable[..., AbstractContextManager[Any]]


def make_community(owner: Member, slug: str = "gulf", **fields) -> Community:
    fields.setdefault("name", slug.replace("-", " ").title())
    return services.community_create(creator=owner, slug=slug, marking=Marking.objects.get(slug="unmarked"), **fields)


def url(name: str, community: Community) -> str:
    return reverse(f"communities:{name}", kwargs={"slug": community.slug})


def is_member(member: Member, community: Community) -> bool:
    return Membership.objects.filter(community=community, member=member).exists()


def notices(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- Joining at once ---------------------------------------------------------------


def test_a_member_joins_an_open_community_with_one_button(client: Client) -> None:
    community = make_community(make_verified_member())
    member = make_verified_member()
    client.force_login(member)

    response = client.post(url("join", community), follow=True)

    assert is_member(member, community)
    assert "Welcome to Gulf." in notices(response)
    assert "You are a member." in response.content.decode()
    assert "2 members" in response.content.decode()


def test_joining_twice_says_so_and_changes_nothing(client: Client) -> None:
    community = make_community(make_verified_member())
    member = make_verified_member()
    client.force_login(member)
    client.post(url("join", community))

    response = client.post(url("join", community), follow=True)

    assert "You are already a member of this community." in notices(response)
    assert Membership.objects.filter(community=community).count() == 2


def test_a_community_that_takes_requests_cannot_be_joined_at_once(client: Client) -> None:
    community = make_community(make_verified_member(), join_policy=Community.JoinPolicy.REQUEST)
    member = make_verified_member()
    client.force_login(member)

    response = client.post(url("join", community), follow=True)

    assert "This community admits members by request or invitation." in notices(response)
    assert not is_member(member, community)


def test_joining_needs_a_post_with_a_csrf_token(client: Client) -> None:
    community = make_community(make_verified_member())
    member = make_verified_member()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(member)

    assert strict.get(url("join", community)).status_code == 405
    assert strict.post(url("join", community)).status_code == 403
    assert not is_member(member, community)
    page = strict.get(url("detail", community)).content.decode()
    assert 'name="csrfmiddlewaretoken"' in page


# --- Requests to join --------------------------------------------------------------


def test_a_member_asks_to_join_with_a_message_and_can_withdraw(client: Client) -> None:
    community = make_community(make_verified_member(), join_policy=Community.JoinPolicy.REQUEST)
    member = make_verified_member()
    client.force_login(member)

    form = client.get(url("request", community))
    sent = client.post(url("request", community), {"message": "I run the county EOC."}, follow=True)

    join_request = JoinRequest.objects.get()
    assert form.status_code == 200
    assert join_request.message == "I run the county EOC."
    assert "Your request to join waits for a moderator." in sent.content.decode()
    withdrawn = client.post(url("withdraw", community), follow=True)
    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.WITHDRAWN
    assert "Request withdrawn." in notices(withdrawn)


def test_asking_twice_shows_the_services_message_and_keeps_the_message_typed(client: Client) -> None:
    community = make_community(make_verified_member(), join_policy=Community.JoinPolicy.REQUEST)
    client.force_login(make_verified_member())
    client.post(url("request", community), {"message": "First"})

    response = client.post(url("request", community), {"message": "Second try"})

    assert response.status_code == 200
    assert "You have already asked to join; a moderator will answer." in response.content.decode()
    assert "Second try" in response.content.decode()
    assert JoinRequest.objects.count() == 1


def test_a_request_to_a_private_community_the_member_cannot_see_is_not_found(client: Client) -> None:
    community = make_community(
        make_verified_member(), visibility=Community.Visibility.PRIVATE, join_policy=Community.JoinPolicy.REQUEST
    )
    client.force_login(make_verified_member())

    assert client.get(url("request", community)).status_code == 404
    assert client.post(url("request", community), {"message": "Let me in"}).status_code == 404
    assert not JoinRequest.objects.exists()


def test_only_moderators_see_the_request_queue(client: Client) -> None:
    owner = make_verified_member()
    community = make_community(owner, join_policy=Community.JoinPolicy.REQUEST)
    plain = make_verified_member()
    services.membership_set_role(community=community, member=plain, role=Role.MEMBER)
    asker = make_verified_member(first_name="Ada", last_name="Asker")
    services.join_request_create(community=community, member=asker, message="EMS lead")

    client.force_login(plain)
    assert client.get(url("requests", community)).status_code == 403
    join_request = JoinRequest.objects.get()
    refused = client.post(url("requests", community), {"join_request": join_request.pk, "decision": "approve"})
    assert refused.status_code == 403
    assert not is_member(asker, community)

    client.force_login(owner)
    queue = client.get(url("requests", community)).content.decode()
    assert "Ada Asker" in queue
    assert "EMS lead" in queue


def test_a_moderator_approves_a_request_and_the_member_is_emailed(
    client: Client, django_capture_on_commit_callbacks: OnCommit
) -> None:
    owner = make_verified_member()
    community = make_community(owner, join_policy=Community.JoinPolicy.REQUEST)
    asker = make_verified_member()
    join_request = services.join_request_create(community=community, member=asker)
    client.force_login(owner)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("requests", community), {"join_request": join_request.pk, "decision": "approve", "note": ""}
        )

    assert response.status_code == 302
    assert is_member(asker, community)
    assert [message.to for message in mail.outbox] == [[asker.email]]
    assert "You have joined a community" in mail.outbox[0].subject


def test_a_moderator_declines_with_a_note_the_member_reads_in_the_email(
    client: Client, django_capture_on_commit_callbacks: OnCommit
) -> None:
    owner = make_verified_member()
    community = make_community(owner, join_policy=Community.JoinPolicy.REQUEST)
    asker = make_verified_member()
    join_request = services.join_request_create(community=community, member=asker)
    client.force_login(owner)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url("requests", community),
            {"join_request": join_request.pk, "decision": "decline", "note": "Agency staff only"},
        )

    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.DECLINED
    assert not is_member(asker, community)
    assert "Agency staff only" in mail.outbox[0].body


def test_a_request_answered_already_is_not_answered_again(client: Client) -> None:
    owner = make_verified_member()
    community = make_community(owner, join_policy=Community.JoinPolicy.REQUEST)
    join_request = services.join_request_create(community=community, member=make_verified_member())
    services.join_request_decide(join_request=join_request, moderator=owner, approve=False)
    client.force_login(owner)

    response = client.post(
        url("requests", community), {"join_request": join_request.pk, "decision": "approve"}, follow=True
    )

    assert "That request has already been answered." in notices(response)
    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.DECLINED


# --- Invitations ---------------------------------------------------------------------


def test_a_member_invites_a_colleague_who_accepts_from_their_invitations_page(
    client: Client, django_capture_on_commit_callbacks: OnCommit
) -> None:
    owner = make_verified_member(first_name="Dana", last_name="Reyes")
    community = make_community(owner)
    colleague = make_verified_member()
    client.force_login(owner)

    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(url("invite", community), {"email": colleague.email, "message": "Join us"}, follow=True)

    assert f"Invitation sent to {colleague.email}." in notices(sent)
    assert [message.to for message in mail.outbox] == [[colleague.email]]
    assert "Dana Reyes invites you" in mail.outbox[0].body
    client.force_login(colleague)
    page = client.get(reverse("communities:invitations")).content.decode()
    assert "Gulf" in page
    assert "Join us" in page
    invitation = Invitation.objects.get()
    accepted = client.post(
        reverse("communities:invitation_answer", kwargs={"pk": invitation.pk}), {"decision": "accept"}, follow=True
    )
    assert is_member(colleague, community)
    assert "Welcome to Gulf." in notices(accepted)


def test_an_invited_member_declines_and_stays_out(client: Client) -> None:
    owner = make_verified_member()
    community = make_community(owner)
    colleague = make_verified_member()
    invitation = services.invitation_create(community=community, inviter=owner, email=colleague.email)
    client.force_login(colleague)

    client.post(reverse("communities:invitation_answer", kwargs={"pk": invitation.pk}), {"decision": "decline"})

    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.DECLINED
    assert not is_member(colleague, community)
    assert "You have no open invitations." in client.get(reverse("communities:invitations")).content.decode()


def test_someone_elses_invitation_cannot_be_answered(client: Client) -> None:
    owner = make_verified_member()
    community = make_community(owner, visibility=Community.Visibility.PRIVATE)
    invited = make_verified_member()
    invitation = services.invitation_create(community=community, inviter=owner, email=invited.email)
    intruder = make_verified_member()
    client.force_login(intruder)

    response = client.post(
        reverse("communities:invitation_answer", kwargs={"pk": invitation.pk}), {"decision": "accept"}
    )

    assert response.status_code == 404
    assert not is_member(intruder, community)
    assert "Gulf" not in client.get(reverse("communities:invitations")).content.decode()


def test_inviting_someone_already_in_shows_the_services_message_and_keeps_what_was_typed(client: Client) -> None:
    owner = make_verified_member()
    community = make_community(owner)
    member = make_verified_member()
    services.membership_set_role(community=community, member=member, role=Role.MEMBER)
    client.force_login(owner)

    response = client.post(url("invite", community), {"email": member.email, "message": "Welcome aboard"})

    assert response.status_code == 200
    assert "That person is already a member." in response.content.decode()
    assert "Welcome aboard" in response.content.decode()
    assert not Invitation.objects.exists()


def test_only_members_invite_and_to_an_invitation_only_community_only_moderators(client: Client) -> None:
    owner = make_verified_member()
    community = make_community(owner, join_policy=Community.JoinPolicy.INVITATION)
    plain = make_verified_member()
    services.membership_set_role(community=community, member=plain, role=Role.MEMBER)
    outsider = make_verified_member()

    client.force_login(outsider)
    assert client.get(url("invite", community)).status_code == 403
    client.force_login(plain)
    assert client.get(url("invite", community)).status_code == 403
    assert client.post(url("invite", community), {"email": "x@example.gov"}).status_code == 403
    assert not Invitation.objects.exists()

    client.force_login(owner)
    assert client.get(url("invite", community)).status_code == 200
    client.post(url("invite", community), {"email": "x@example.gov"})
    assert Invitation.objects.get().email == "x@example.gov"


# --- Leaving ---------------------------------------------------------------------------


def test_a_member_leaves_and_the_last_owner_cannot_without_handing_over(client: Client) -> None:
    owner = make_verified_member()
    community = make_community(owner)
    member = make_verified_member()
    services.membership_set_role(community=community, member=member, role=Role.MEMBER)

    client.force_login(owner)
    refused = client.post(url("leave", community), follow=True)
    assert "You are the last owner. Hand ownership to another member before you leave." in notices(refused)
    assert is_member(owner, community)

    client.force_login(member)
    left = client.post(url("leave", community), follow=True)
    assert f"You have left {community.name}." in notices(left)
    assert not is_member(member, community)


def test_an_invitation_names_a_private_community_to_its_invitee_who_reaches_it_once_accepted(client: Client) -> None:
    owner = make_verified_member()
    community = make_community(owner, "cell", name="Bayou Cell", visibility=Community.Visibility.PRIVATE)
    invited = make_verified_member()
    invitation = services.invitation_create(community=community, inviter=owner, email=invited.email)
    client.force_login(invited)
    assert client.get(url("detail", community)).status_code == 404

    listed = client.get(reverse("communities:invitations")).content.decode()
    accepted = client.post(
        reverse("communities:invitation_answer", kwargs={"pk": invitation.pk}), {"decision": "accept"}, follow=True
    )

    assert "Bayou Cell" in listed
    assert accepted.redirect_chain[-1][0] == url("detail", community)
    assert accepted.status_code == 200
    assert "You are a member." in accepted.content.decode()
