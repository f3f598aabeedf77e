"""Starting a community from its page, and staff approval when it is switched on."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from communities import services
from communities.models import Community, Membership, Role
from tests.verification.factories import make_verified_member
from verification.models import Marking, Member

pytestmark = pytest.mark.django_db


def marking(slug: str = "unmarked") -> Marking:
    return Marking.objects.get(slug=slug)


def creation_form(**fields: Any) -> dict[str, Any]:
    return {
        "name": "Gulf Coast Sheltering",
        "slug": "",
        "description": "Shelter managers along the Gulf.",
        "tags": "hurricanes, sheltering",
        "visibility": Community.Visibility.OPEN,
        "join_policy": Community.JoinPolicy.REQUEST,
        "marking": marking().pk,
        **fields,
    }


def signed_in(client: Client, member: Member) -> Client:
    client.force_login(member)
    return client


def test_a_member_creates_a_community_with_an_address_made_from_its_name_and_owns_it(client: Client) -> None:
    member = make_verified_member()
    signed_in(client, member)

    response = client.post(reverse("communities:create"), creation_form())

    community = Community.objects.get(slug="gulf-coast-sheltering")
    assert response.status_code == 302
    assert response["Location"] == reverse("communities:detail", kwargs={"slug": community.slug})
    assert community.status == Community.Status.ACTIVE
    assert community.join_policy == Community.JoinPolicy.REQUEST
    assert sorted(community.tags.names()) == ["hurricanes", "sheltering"]
    assert Membership.objects.get(community=community).role == Role.OWNER
    page = client.get(response["Location"]).content.decode()
    assert "Gulf Coast Sheltering is ready" in page


def test_a_taken_address_shows_the_services_message_and_keeps_what_was_typed(client: Client) -> None:
    services.community_create(creator=make_verified_member(), name="Port", slug="port", marking=marking())
    signed_in(client, make_verified_member())

    response = client.post(
        reverse("communities:create"), creation_form(name="Port security", slug="port", description="Cranes")
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "That address is taken. Choose another." in body
    assert 'value="Port security"' in body
    assert 'value="port"' in body
    assert "Cranes" in body
    assert "hurricanes, sheltering" in body
    assert Community.objects.count() == 1


def test_an_address_made_from_a_taken_name_is_shown_so_the_member_can_change_it(client: Client) -> None:
    services.community_create(creator=make_verified_member(), name="Port", slug="port", marking=marking())
    signed_in(client, make_verified_member())

    response = client.post(reverse("communities:create"), creation_form(name="Port"))

    assert "That address is taken" in response.content.decode()
    assert 'value="port"' in response.content.decode()


def test_a_reserved_address_is_refused_and_nothing_is_created(client: Client) -> None:
    signed_in(client, make_verified_member())

    response = client.post(reverse("communities:create"), creation_form(slug="pending"))

    assert response.status_code == 200
    assert "That address is reserved. Choose another." in response.content.decode()
    assert not Community.objects.exists()


def test_a_member_is_offered_only_markings_they_are_cleared_for_and_a_forged_one_is_refused(client: Client) -> None:
    uncleared = make_verified_member()
    signed_in(client, uncleared)

    offered = client.get(reverse("communities:create")).content.decode()
    forged = client.post(reverse("communities:create"), creation_form(marking=marking("fouo").pk))

    assert "Unmarked" in offered
    assert "For Official Use Only" not in offered
    assert forged.status_code == 200
    assert "Select a valid choice" in forged.content.decode()
    assert not Community.objects.exists()


def test_a_member_cleared_for_fouo_may_create_a_fouo_community_and_its_page_carries_the_banner(client: Client) -> None:
    cleared = make_verified_member(markings=["fouo"])
    signed_in(client, cleared)

    assert "For Official Use Only" in client.get(reverse("communities:create")).content.decode()
    response = client.post(reverse("communities:create"), creation_form(marking=marking("fouo").pk), follow=True)

    assert Community.objects.get().marking.slug == "fouo"
    assert response.content.decode().count('class="marking-banner marking-fouo"') == 2


def test_with_approval_on_the_creator_lands_on_a_page_that_says_it_waits_and_others_cannot_find_it(
    client: Client, settings: Any
) -> None:
    settings.MUSTER_COMMUNITY_APPROVAL = True
    creator = make_verified_member()
    other = make_verified_member()
    signed_in(client, creator)

    page = client.post(reverse("communities:create"), creation_form(), follow=True).content.decode()

    community = Community.objects.get()
    assert community.status == Community.Status.PENDING
    assert "waits for staff approval" in page
    signed_in(client, other)
    assert client.get(reverse("communities:detail", kwargs={"slug": community.slug})).status_code == 404
    assert community.name not in client.get(reverse("communities:directory")).content.decode()


def test_only_staff_see_the_pending_list_and_approving_opens_the_community_to_members(
    client: Client, settings: Any
) -> None:
    settings.MUSTER_COMMUNITY_APPROVAL = True
    creator = make_verified_member()
    community = services.community_create(creator=creator, name="Levees", slug="levees", marking=marking())
    staff = make_verified_member(is_staff=True, mfa=True)
    member = make_verified_member()
    review_url = reverse("communities:review", kwargs={"slug": "levees"})

    signed_in(client, member)
    assert client.get(reverse("communities:pending")).status_code == 403
    assert client.post(review_url, {"decision": "approve"}).status_code == 404
    signed_in(client, creator)
    assert client.post(review_url, {"decision": "approve"}).status_code == 403
    signed_in(client, staff)
    listed = client.get(reverse("communities:pending")).content.decode()
    response = client.post(review_url, {"decision": "approve"})

    assert "Levees" in listed
    assert response.status_code == 302
    community.refresh_from_db()
    assert community.status == Community.Status.ACTIVE
    signed_in(client, member)
    assert client.get(reverse("communities:detail", kwargs={"slug": "levees"})).status_code == 200


def test_staff_decline_a_waiting_community_and_even_its_creator_no_longer_finds_it(
    client: Client, settings: Any
) -> None:
    settings.MUSTER_COMMUNITY_APPROVAL = True
    creator = make_verified_member()
    services.community_create(creator=creator, name="Levees", slug="levees", marking=marking())
    signed_in(client, make_verified_member(is_staff=True, mfa=True))

    client.post(reverse("communities:review", kwargs={"slug": "levees"}), {"decision": "decline"})
    again = client.post(reverse("communities:review", kwargs={"slug": "levees"}), {"decision": "approve"})

    assert Community.objects.get().status == Community.Status.DECLINED
    assert again.status_code == 404
    signed_in(client, creator)
    assert client.get(reverse("communities:detail", kwargs={"slug": "levees"})).status_code == 404
