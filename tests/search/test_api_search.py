"""Search through the API finds what the site's search page finds for the member, and nothing more."""

import pytest

from api.models import AccessToken
from communities.models import Community
from tests.api.conftest import ApiClient, api_as, make_token
from tests.search.conftest import Given, Searcher, marking
from verification.models import AuditEvent, Member

pytestmark = pytest.mark.django_db


@pytest.fixture
def private(given: Given, owner: Member) -> Community:
    community = given.community(owner, "harbour", "Harbour Pilots", visibility=Community.Visibility.PRIVATE)
    given.thread(owner, community, "Tugboat mutual aid roster", "Which tugs answer first.")
    return community


@pytest.fixture
def _open_items(given: Given, owner: Member, gulf: Community) -> None:
    given.thread(owner, gulf, "Mutual aid for shelters", "Cots and blankets from the county.")
    given.thread(owner, gulf, "Mutual aid staging plan", "Where the trucks stage.", marking=marking("fouo"))


@pytest.mark.usefixtures("_open_items", "private")
def test_the_api_finds_what_the_page_finds_for_each_member(reader: Member, cleared: Member, owner: Member) -> None:
    for member in (reader, cleared, owner):
        answer = api_as(member, ["read"]).get("/api/v1/search/", {"q": "mutual aid"}).json()
        page_titles = Searcher(member).headings("mutual aid")
        assert sorted(result["title"] for result in answer["results"]) == sorted(page_titles)
        assert answer["total"] == len(page_titles)
    titles = {
        result["title"] for result in api_as(reader, ["read"]).get("/api/v1/search/", {"q": "mutual"}).json()["results"]
    }
    assert titles == {"Mutual aid for shelters"}  # not the FOUO plan, not the private community's roster
    owner_titles = {
        result["title"] for result in api_as(owner, ["read"]).get("/api/v1/search/", {"q": "mutual"}).json()["results"]
    }
    assert owner_titles == {"Mutual aid for shelters", "Mutual aid staging plan", "Tugboat mutual aid roster"}


@pytest.mark.usefixtures("_open_items")
def test_a_ceiling_hides_marked_results_snippets_and_facets(cleared: Member) -> None:
    full = api_as(cleared, ["read"]).get("/api/v1/search/", {"q": "staging"}).json()
    assert [result["title"] for result in full["results"]] == ["Mutual aid staging plan"]
    assert full["results"][0]["marking"]["slug"] == "fouo"
    assert "<mark>" in full["results"][0]["snippet"]

    capped = api_as(cleared, ["read"], ceiling="unmarked").get("/api/v1/search/", {"q": "staging"}).json()
    assert capped["results"] == []
    assert capped["total"] == 0
    assert capped["facets"] == {}
    everything = api_as(cleared, ["read"], ceiling="unmarked").get("/api/v1/search/", {"q": "mutual"}).json()
    assert {value["name"] for value in everything["facets"].get("marking", [])} <= {"Unmarked"}


@pytest.mark.usefixtures("_open_items")
def test_marked_results_are_audited_with_the_token(cleared: Member) -> None:
    token, secret = make_token(cleared, ["read"])
    ApiClient(secret).get("/api/v1/search/", {"q": "staging"})
    event = AuditEvent.objects.get(action=AuditEvent.Action.SEARCHED_MARKED, actor=cleared)
    assert event.target_label == "Mutual aid staging plan"
    assert event.detail == {"token": token.pk, "query": "staging"}
    assert AccessToken.objects.get(pk=token.pk).last_used_at is not None


@pytest.mark.usefixtures("_open_items")
def test_bad_input_gets_a_clear_error(reader: Member) -> None:
    client = api_as(reader, ["read"])
    missing = client.get("/api/v1/search/")
    assert missing.status_code == 400
    assert missing.json()["error"]["code"] == "invalid"
    assert "q" in missing.json()["error"]["fields"]
    unknown = client.get("/api/v1/search/", {"q": "mutual", "sort": "new"})
    assert unknown.status_code == 400
    assert unknown.json()["error"]["code"] == "unknown_field"
    nothing = client.get("/api/v1/search/", {"q": "-"}).json()
    assert nothing["results"] == []
    assert nothing["notes"]
    past_the_end = client.get("/api/v1/search/", {"q": "mutual", "page": 99}).json()
    assert past_the_end["page"] == 1
    assert [result["title"] for result in past_the_end["results"]] == ["Mutual aid for shelters"]


def test_a_token_without_read_scope_may_not_search(reader: Member) -> None:
    refused = api_as(reader, ["chat"]).get("/api/v1/search/", {"q": "mutual"})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "scope_missing"


def test_chat_messages_are_found_only_with_the_chat_scope(given: Given, reader: Member, gulf: Community) -> None:
    room = given.room(gulf)
    given.message(reader, room, "Generators staged at the depot")
    given.thread(reader, gulf, "Generators for the shelter")

    def found(scopes: list[str], q: str) -> list[str]:
        return sorted(
            result["type"] for result in api_as(reader, scopes).get("/api/v1/search/", {"q": q}).json()["results"]
        )

    assert found(["read", "chat"], "generators") == ["discussions.thread", "messaging.message"]
    assert found(["read"], "generators") == ["discussions.thread"]
    assert found(["read"], "generators type:message") == []
