"""The community directory and autocomplete: what a member finds, how it is filtered, what their buttons say."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from communities import services
from communities.models import Community, Role
from tests.verification.factories import make_verified_member
from verification.models import Marking, Member

pytestmark = pytest.mark.django_db


def make_community(owner: Member, slug: str, marking: str = "unmarked", **fields) -> Community:
    fields.setdefault("name", slug.replace("-", " ").title())
    return services.community_create(creator=owner, slug=slug, marking=Marking.objects.get(slug=marking), **fields)


def listed_names(client: Client, **query) -> list[str]:
    """The community names on the directory page, in order."""
    body = client.get(reverse("communities:directory"), query).content.decode()
    return re.findall(r'<h3><a href="/communities/[^"]+/">([^<]+)</a></h3>', body)


def test_the_directory_lists_open_and_restricted_communities_but_never_a_private_one_to_a_non_member(
    client: Client,
) -> None:
    owner = make_verified_member()
    make_community(owner, "open-one")
    make_community(owner, "restricted-one", visibility=Community.Visibility.RESTRICTED)
    make_community(owner, "secret-cell", visibility=Community.Visibility.PRIVATE, description="Hidden work")
    client.force_login(make_verified_member())

    body = client.get(reverse("communities:directory")).content.decode()

    assert "Open One" in body
    assert "Restricted One" in body
    assert "Secret Cell" not in body
    assert "Hidden work" not in body
    assert "2 communities" in body


def test_a_private_community_appears_in_the_directory_of_its_members(client: Client) -> None:
    owner = make_verified_member()
    make_community(owner, "secret-cell", visibility=Community.Visibility.PRIVATE)
    client.force_login(owner)

    assert listed_names(client) == ["Secret Cell"]


def test_a_community_at_a_marking_the_member_is_not_cleared_for_is_not_listed(client: Client) -> None:
    cleared = make_verified_member(markings=["fouo"])
    make_community(cleared, "fouo-planning", marking="fouo")
    client.force_login(make_verified_member())
    assert listed_names(client) == []

    client.force_login(cleared)
    assert listed_names(client) == ["Fouo Planning"]


def test_search_matches_names_and_descriptions(client: Client) -> None:
    owner = make_verified_member()
    make_community(owner, "levee-watch")
    make_community(owner, "port-partners", description="Cranes, levees and berths")
    make_community(owner, "ems-practice")
    client.force_login(make_verified_member())

    assert sorted(listed_names(client, q="levee")) == ["Levee Watch", "Port Partners"]
    assert listed_names(client, q="triage") == []


def test_tag_filters_require_every_ticked_topic(client: Client) -> None:
    owner = make_verified_member()
    make_community(owner, "gulf", tags=["hurricanes", "sheltering"])
    make_community(owner, "atlantic", tags=["hurricanes"])
    make_community(owner, "ems", tags=["triage"])
    client.force_login(make_verified_member())

    assert listed_names(client, tag="hurricanes", sort="new") == ["Atlantic", "Gulf"]
    assert listed_names(client, tag=["hurricanes", "sheltering"]) == ["Gulf"]
    body = client.get(reverse("communities:directory")).content.decode()
    assert 'name="tag" value="hurricanes"' in body


def test_sort_by_activity_newest_and_members(client: Client) -> None:
    owner = make_verified_member()
    quiet, busy, crowded = (make_community(owner, slug) for slug in ("quiet", "busy", "crowded"))
    for community, joiners in ((busy, 1), (crowded, 2)):
        for _ in range(joiners):
            services.membership_join(community=community, member=make_verified_member())
    now = timezone.now()
    for community, created_days_ago, active_days_ago in ((quiet, 3, 0), (busy, 2, 1), (crowded, 0, 2)):
        Community.objects.filter(pk=community.pk).update(
            created_at=now - timedelta(days=created_days_ago), last_activity_at=now - timedelta(days=active_days_ago)
        )
    client.force_login(make_verified_member())

    assert listed_names(client) == ["Quiet", "Busy", "Crowded"]
    assert listed_names(client, sort="active") == ["Quiet", "Busy", "Crowded"]
    assert listed_names(client, sort="new") == ["Crowded", "Busy", "Quiet"]
    assert listed_names(client, sort="members") == ["Crowded", "Busy", "Quiet"]
    assert listed_names(client, sort="nonsense") == ["Quiet", "Busy", "Crowded"]


def test_my_communities_lists_only_those_the_member_belongs_to(client: Client) -> None:
    owner = make_verified_member()
    member = make_verified_member()
    joined = make_community(owner, "joined")
    make_community(owner, "not-joined")
    services.membership_join(community=joined, member=member)
    client.force_login(member)

    assert listed_names(client, mine="on") == ["Joined"]
    assert sorted(listed_names(client)) == ["Joined", "Not Joined"]


def test_join_buttons_show_where_the_member_stands_in_each_community(client: Client) -> None:
    owner = make_verified_member()
    member = make_verified_member()
    joined = make_community(owner, "a-joined")
    make_community(owner, "b-open")
    asked = make_community(owner, "c-asked", join_policy=Community.JoinPolicy.REQUEST)
    make_community(owner, "d-by-request", join_policy=Community.JoinPolicy.REQUEST)
    invited = make_community(owner, "e-invited", join_policy=Community.JoinPolicy.INVITATION)
    make_community(owner, "f-invitation-only", join_policy=Community.JoinPolicy.INVITATION)
    banned = make_community(owner, "g-banned")
    services.membership_join(community=joined, member=member)
    services.join_request_create(community=asked, member=member)
    services.invitation_create(community=invited, inviter=owner, email=member.email)
    services.membership_join(community=banned, member=member)
    services.membership_remove(community=banned, actor=owner, member=member, ban_reason="Shared FOUO in public")
    client.force_login(member)

    body = client.get(reverse("communities:directory"), {"sort": "new"}).content.decode()
    cards = dict(
        re.findall(r'<h3><a href="/communities/([^/]+)/">.*?</h3>(.*?)</li>\s*(?=<li class="panel|</ul>)', body, re.S)
    )

    assert "You are a member." in cards["a-joined"]
    assert "/communities/b-open/join/" in cards["b-open"]
    assert "Withdraw request" in cards["c-asked"]
    assert "/communities/d-by-request/request/" in cards["d-by-request"]
    assert "You are invited." in cards["e-invited"]
    assert "Accept" in cards["e-invited"]
    assert "By invitation only." in cards["f-invitation-only"]
    assert "You cannot join this community." in cards["g-banned"]
    assert "<button" not in cards["g-banned"]
    assert "<button" not in cards["f-invitation-only"]


def test_the_directory_pages_by_twenty_five(client: Client) -> None:
    owner = make_verified_member()
    for i in range(27):
        make_community(owner, f"community-{i:02d}")
    client.force_login(owner)

    first = listed_names(client, sort="new")
    second = listed_names(client, sort="new", page=2)

    assert len(first) == 25
    assert len(second) == 2
    assert not set(first) & set(second)


def test_autocomplete_returns_at_most_ten_matching_names_and_never_a_private_one_to_a_non_member(
    client: Client,
) -> None:
    owner = make_verified_member()
    for i in range(12):
        make_community(owner, f"harbor-{i:02d}")
    make_community(owner, "harbor-secret", visibility=Community.Visibility.PRIVATE)
    make_community(owner, "airport")
    client.force_login(make_verified_member())

    found = client.get(reverse("communities:autocomplete"), {"q": "harb"}).json()
    secret = client.get(reverse("communities:autocomplete"), {"q": "secret"}).json()
    empty = client.get(reverse("communities:autocomplete"), {"q": ""}).json()

    assert len(found) == 10
    assert found[0] == {"slug": "harbor-00", "name": "Harbor 00"}
    assert all("harbor" in row["slug"] for row in found)
    assert secret == []
    assert empty == []


def test_autocomplete_offers_a_private_community_to_its_members(client: Client) -> None:
    owner = make_verified_member()
    member = make_verified_member()
    secret = make_community(owner, "harbor-secret", visibility=Community.Visibility.PRIVATE)
    services.membership_set_role(community=secret, member=member, role=Role.MEMBER)
    client.force_login(member)

    assert client.get(reverse("communities:autocomplete"), {"q": "secret"}).json() == [
        {"slug": "harbor-secret", "name": "Harbor Secret"}
    ]


def test_an_anonymous_visitor_is_sent_to_sign_in_from_the_directory_and_autocomplete(client: Client) -> None:
    for name in ("communities:directory", "communities:autocomplete"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
