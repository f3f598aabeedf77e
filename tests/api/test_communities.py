"""Communities through the API: the directory the member may know of, joining, asking and leaving."""

from typing import Any

import pytest

from communities.models import Community, JoinRequest, Membership
from communities.services import community_create
from tests.api.conftest import api_as
from tests.discussions.factories import joined, marking
from tests.verification.factories import make_verified_member
from verification.models import Member

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner() -> Member:
    return make_verified_member(markings=["fouo"], first_name="Olive", last_name="Owner")


@pytest.fixture
def communities(owner: Member) -> dict[str, Community]:
    def create(slug: str, **fields: Any) -> Community:
        fields.setdefault("marking", marking())
        return community_create(creator=owner, name=slug.title(), slug=slug, **fields)

    return {
        "gulf": create("gulf"),
        "harbour": create("harbour", visibility=Community.Visibility.PRIVATE),
        "ops": create("ops", marking=marking("fouo")),
        "levee": create("levee", join_policy=Community.JoinPolicy.REQUEST),
    }


def slugs(answer: dict[str, object]) -> list[str]:
    results = answer["results"]
    assert isinstance(results, list)
    return [community["slug"] for community in results]


def test_the_directory_lists_what_the_member_may_know_of(communities: dict[str, Community], owner: Member) -> None:
    dana = make_verified_member(first_name="Dana", last_name="Reyes")
    assert slugs(api_as(dana, ["read"]).get("/api/v1/communities/").json()) == ["gulf", "levee"]
    assert slugs(api_as(owner, ["read"]).get("/api/v1/communities/").json()) == ["gulf", "harbour", "levee", "ops"]
    capped = api_as(owner, ["read"], ceiling="unmarked").get("/api/v1/communities/").json()
    assert slugs(capped) == ["gulf", "harbour", "levee"]
    for hidden in ("harbour", "ops"):
        refused = api_as(dana, ["read"]).get(f"/api/v1/communities/{hidden}/")
        assert refused.status_code == 404
        assert refused.json() == {"error": {"code": "not_found", "message": "Nothing you may see is there."}}
    gulf = api_as(dana, ["read"]).get("/api/v1/communities/gulf/").json()
    assert gulf["standing"] == "may_join"
    assert gulf["marking"] == {"slug": "unmarked", "name": "Unmarked"}


def test_joining_an_open_community_and_leaving_it(communities: dict[str, Community]) -> None:
    dana = make_verified_member(first_name="Dana", last_name="Reyes")
    client = api_as(dana, ["read", "write"])
    answer = client.post("/api/v1/communities/gulf/join/")
    assert answer.status_code == 200
    assert answer.json()["standing"] == "member"
    assert Membership.objects.filter(community=communities["gulf"], member=dana).exists()
    assert slugs(client.get("/api/v1/communities/", {"mine": "true"}).json()) == ["gulf"]
    assert client.post("/api/v1/communities/gulf/leave/").status_code == 204
    assert not Membership.objects.filter(community=communities["gulf"], member=dana).exists()
    again = client.post("/api/v1/communities/gulf/leave/")
    assert again.status_code == 400
    assert again.json()["error"]["message"] == "You are not a member of this community."


def test_asking_to_join_a_community_that_takes_requests(communities: dict[str, Community]) -> None:
    dana = make_verified_member(first_name="Dana", last_name="Reyes")
    answer = api_as(dana, ["write", "read"]).post("/api/v1/communities/levee/join/", {"message": "County EM"})
    assert answer.status_code == 202
    assert answer.json()["standing"] == "requested"
    request = JoinRequest.objects.get(community=communities["levee"], member=dana)
    assert request.message == "County EM"
    assert not Membership.objects.filter(community=communities["levee"], member=dana).exists()


def test_a_member_may_not_join_what_they_may_not_see(communities: dict[str, Community]) -> None:
    dana = make_verified_member(first_name="Dana", last_name="Reyes")
    for hidden in ("harbour", "ops"):
        refused = api_as(dana, ["write"]).post(f"/api/v1/communities/{hidden}/join/")
        assert refused.status_code == 404
    assert not Membership.objects.filter(member=dana).exists()


def test_a_read_token_may_not_join(communities: dict[str, Community]) -> None:
    dana = make_verified_member(first_name="Dana", last_name="Reyes")
    refused = api_as(dana, ["read"]).post("/api/v1/communities/gulf/join/")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "scope_missing"
    assert not Membership.objects.filter(member=dana).exists()


def test_the_last_owner_may_not_leave(communities: dict[str, Community], owner: Member) -> None:
    refused = api_as(owner, ["write"]).post("/api/v1/communities/gulf/leave/")
    assert refused.status_code == 400
    assert "last owner" in refused.json()["error"]["fields"]["_"][0]
    assert Membership.objects.filter(community=communities["gulf"], member=owner).exists()


def test_a_member_of_a_private_community_finds_it_in_the_directory(communities: dict[str, Community]) -> None:
    casey = joined(communities["harbour"], "Casey", "Lee")
    assert "harbour" in slugs(api_as(casey, ["read"]).get("/api/v1/communities/").json())
