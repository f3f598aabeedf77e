"""The member list and the owners' controls: roles, handing over ownership, removal, bans."""

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from communities import services
from communities.models import Ban, Community, Membership, Role
from tests.verification.factories import make_verified_member
from verification.models import Marking, Member

pytestmark = pytest.mark.django_db


def make_community(owner: Member, slug: str = "gulf", **fields) -> Community:
    fields.setdefault("name", slug.replace("-", " ").title())
    return services.community_create(creator=owner, slug=slug, marking=Marking.objects.get(slug="unmarked"), **fields)


def url(name: str, community: Community) -> str:
    return reverse(f"communities:{name}", kwargs={"slug": community.slug})


def membership(community: Community, member: Member) -> Membership:
    return Membership.objects.get(community=community, member=member)


def role_of(community: Community, member: Member) -> str | None:
    row = Membership.objects.filter(community=community, member=member).first()
    return row.role if row else None


def notices(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def team() -> tuple[Community, Member, Member, Member]:
    """A community with an owner, a moderator and a member."""
    owner = make_verified_member(first_name="Olive", last_name="Owner")
    moderator = make_verified_member(first_name="Mo", last_name="Derator")
    member = make_verified_member(first_name="Mem", last_name="Ber")
    community = make_community(owner)
    services.membership_set_role(community=community, member=moderator, role=Role.MODERATOR)
    services.membership_set_role(community=community, member=member, role=Role.MEMBER)
    return community, owner, moderator, member


def test_members_see_every_member_with_role_and_joined_date_owners_first(client: Client, team) -> None:
    community, _owner, _moderator, member = team
    client.force_login(member)

    body = client.get(url("members", community)).content.decode()

    row_name = r'<th scope="row">(?:(?!</th>).)*?<a [^>]+>([^<]+)</a>(?:(?!</th>).)*</th>'
    names = re.findall(row_name + r"\s*<td>([^<]+)</td>", body)
    assert names == [("Olive Owner", "Owner"), ("Mo Derator", "Moderator"), ("Mem Ber", "Member")]
    assert "3 members" in body
    assert "<time datetime=" in body
    assert "Owner controls" not in body


def test_the_member_list_pages_by_twenty_five(client: Client) -> None:
    owner = make_verified_member()
    community = make_community(owner)
    for _ in range(26):
        services.membership_set_role(community=community, member=make_verified_member(), role=Role.MEMBER)
    client.force_login(owner)

    first = client.get(url("members", community)).content.decode()
    second = client.get(url("members", community), {"page": 2}).content.decode()

    assert first.count('<th scope="row">') == 25
    assert second.count('<th scope="row">') == 2
    assert "27 members" in first


def test_an_owner_makes_a_member_a_moderator_and_a_moderator_may_not_change_roles(client: Client, team) -> None:
    community, owner, moderator, member = team
    change = {"membership": membership(community, member).pk, "role": Role.OWNER}

    client.force_login(moderator)
    assert client.post(url("role", community), change).status_code == 403
    assert role_of(community, member) == Role.MEMBER
    assert "Owner controls" not in client.get(url("members", community)).content.decode()

    client.force_login(owner)
    assert "Owner controls" in client.get(url("members", community)).content.decode()
    response = client.post(url("role", community), {**change, "role": Role.MODERATOR}, follow=True)
    assert role_of(community, member) == Role.MODERATOR
    assert "Mem Ber is now moderator." in notices(response)


def test_the_last_owner_cannot_be_demoted_and_nothing_changes(client: Client, team) -> None:
    community, owner, _moderator, _member = team
    client.force_login(owner)

    response = client.post(
        url("role", community), {"membership": membership(community, owner).pk, "role": Role.MEMBER}, follow=True
    )

    assert "A community needs an owner. Make someone else an owner first." in notices(response)
    assert role_of(community, owner) == Role.OWNER


def test_an_owner_hands_ownership_to_a_member_and_stays_on_as_moderator(client: Client, team) -> None:
    community, owner, moderator, member = team

    client.force_login(moderator)
    assert client.post(url("transfer", community), {"membership": membership(community, member).pk}).status_code == 403

    client.force_login(owner)
    response = client.post(url("transfer", community), {"membership": membership(community, member).pk}, follow=True)

    assert (role_of(community, member), role_of(community, owner)) == (Role.OWNER, Role.MODERATOR)
    assert "Mem Ber now owns Gulf. You stay on as a moderator." in notices(response)


def test_an_owner_removes_a_member_and_the_last_owner_cannot_be_removed(client: Client, team) -> None:
    community, owner, moderator, member = team

    client.force_login(moderator)
    assert client.post(url("remove", community), {"membership": membership(community, member).pk}).status_code == 403
    assert role_of(community, member) == Role.MEMBER

    client.force_login(owner)
    removed = client.post(url("remove", community), {"membership": membership(community, member).pk}, follow=True)
    assert role_of(community, member) is None
    assert "Mem Ber is removed." in notices(removed)
    assert not Ban.objects.exists()
    refused = client.post(url("remove", community), {"membership": membership(community, owner).pk}, follow=True)
    assert "The last owner cannot be removed." in notices(refused)
    assert role_of(community, owner) == Role.OWNER


def test_removing_and_banning_needs_a_reason_and_keeps_the_member_out_until_the_ban_is_lifted(
    client: Client, team
) -> None:
    community, owner, _moderator, member = team
    member_row = membership(community, member).pk
    client.force_login(owner)

    no_reason = client.post(url("remove", community), {"membership": member_row, "ban": "on"}, follow=True)
    assert "Give a reason for the ban; the other owners will see it." in notices(no_reason)
    assert role_of(community, member) == Role.MEMBER

    client.post(url("remove", community), {"membership": member_row, "ban": "on", "ban_reason": "Leaked FOUO"})
    assert role_of(community, member) is None
    assert Ban.objects.get().reason == "Leaked FOUO"
    assert "Leaked FOUO" in client.get(url("members", community)).content.decode()

    client.force_login(member)
    refused = client.post(url("join", community), follow=True)
    assert "You cannot join this community." in notices(refused)
    assert "/communities/gulf/join/" not in client.get(url("detail", community)).content.decode()

    client.force_login(owner)
    lifted = client.post(url("lift_ban", community), {"ban": Ban.objects.get().pk}, follow=True)
    assert "The ban on Mem Ber is lifted. They may join again." in notices(lifted)
    client.force_login(member)
    client.post(url("join", community))
    assert role_of(community, member) == Role.MEMBER


def test_only_owners_lift_bans(client: Client, team) -> None:
    community, owner, moderator, member = team
    services.membership_remove(community=community, actor=owner, member=member, ban_reason="Spam")
    client.force_login(moderator)

    assert client.post(url("lift_ban", community), {"ban": Ban.objects.get().pk}).status_code == 403
    assert Ban.objects.exists()
    assert "Spam" not in client.get(url("members", community)).content.decode()


def test_an_owner_cannot_act_on_a_member_of_another_community(client: Client, team) -> None:
    community, owner, _moderator, _member = team
    elsewhere = make_community(make_verified_member(), "elsewhere")
    stranger = make_verified_member()
    services.membership_set_role(community=elsewhere, member=stranger, role=Role.MEMBER)
    client.force_login(owner)

    response = client.post(url("remove", community), {"membership": membership(elsewhere, stranger).pk}, follow=True)

    assert "That person is not a member of this community." in notices(response)
    assert role_of(elsewhere, stranger) == Role.MEMBER
