"""Reading content through the API: what an item carries, its filters, and a fixed number of queries per page."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from communities.models import Community
from communities.services import community_create
from discussions import services as discussions
from tests.api.conftest import ApiClient, api_as, make_token
from tests.discussions.factories import joined, marking, start
from tests.verification.factories import make_verified_member
from verification.models import AuditEvent, Member

pytestmark = pytest.mark.django_db

THREADS = "/api/v1/content/discussions.thread/"
POSTS = "/api/v1/content/discussions.post/"


@pytest.fixture
def gulf() -> Community:
    owner = make_verified_member(markings=["fouo"], first_name="Olive", last_name="Owner")
    community = community_create(creator=owner, name="Gulf Coast", slug="gulf", marking=marking())
    discussions.board_create(community=community, actor=owner, name="General")
    return community


@pytest.fixture
def dana(gulf: Community) -> Member:
    return joined(gulf, "Dana", "Reyes", markings=["fouo"])


def test_an_item_carries_what_its_page_shows(gulf: Community, dana: Member) -> None:
    thread = start(dana, gulf.boards.get(), title="Shelter cots", body="How many?", tags=["shelters"])
    item = api_as(dana, ["read"]).get(f"{THREADS}{thread.pk}/").json()
    assert item["title"] == "Shelter cots"
    assert item["type"] == "discussions.thread"
    assert item["url"].endswith(f"/communities/gulf/threads/{thread.pk}/") or str(thread.pk) in item["url"]
    assert item["community"] == {"id": gulf.pk, "slug": "gulf", "name": "Gulf Coast"}
    assert item["marking"] == {"slug": "unmarked", "name": "Unmarked"}
    assert item["author"]["name"] == "Dana Reyes"
    assert item["author"]["handle"] == dana.handle
    assert item["tags"] == ["shelters"]
    assert item["removed"] is False
    assert item["fields"]["reply_count"] == 0
    opening = api_as(dana, ["read"]).get(POSTS, {"parent": thread.pk}).json()["results"]
    assert [post["fields"]["body"] for post in opening] == ["How many?"]
    assert opening[0]["parent"] == {"type": "discussions.thread", "id": thread.pk}


def test_an_item_in_a_higher_marked_community_carries_the_community_marking(dana: Member) -> None:
    fouo = community_create(creator=dana, name="Ops", slug="ops", marking=marking("fouo"))
    board = discussions.board_create(community=fouo, actor=dana, name="General")
    thread = start(dana, board, title="Staging")
    item = api_as(dana, ["read"]).get(f"{THREADS}{thread.pk}/").json()
    assert item["marking"]["slug"] == "fouo"


def test_filters_narrow_the_list(gulf: Community, dana: Member) -> None:
    reyes_thread = start(dana, gulf.boards.get(), title="Cots", tags=["shelters"])
    casey = joined(gulf, "Casey", "Lee")
    start(casey, gulf.boards.get(), title="Generators", marking=marking())
    start(dana, gulf.boards.get(), title="Staging", marking=marking("fouo"))
    client = api_as(dana, ["read"])

    def titles(**query: Any) -> list[str]:
        answer = client.get(THREADS, query)
        assert answer.status_code == 200, answer.content
        return [item["title"] for item in answer.json()["results"]]

    assert titles() == ["Staging", "Generators", "Cots"]
    assert titles(order="oldest") == ["Cots", "Generators", "Staging"]
    assert titles(author=casey.handle) == ["Generators"]
    assert titles(tag="Shelters") == ["Cots"]
    assert titles(marking="fouo") == ["Staging"]
    assert titles(community="elsewhere") == []
    assert titles(since=reyes_thread.created_at.isoformat(), before=reyes_thread.created_at.isoformat()) == []
    bad = client.get(THREADS, {"since": "yesterday"})
    assert bad.status_code == 400
    assert "since" in bad.json()["error"]["fields"]


def test_a_page_of_items_costs_the_same_queries_however_many_it_shows(gulf: Community, dana: Member) -> None:
    board = gulf.boards.get()
    client = api_as(dana, ["read"])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(THREADS).status_code == 200
        return len(captured)

    for n in range(2):
        start(dana, board, title=f"Thread {n}", tags=[f"tag{n}"], marking=marking("fouo" if n else "unmarked"))
    queries()  # the token's first use of the minute also writes its "last used" time
    few = queries()
    for n in range(2, 8):
        start(dana, board, title=f"Thread {n}", tags=[f"tag{n}"], marking=marking("fouo" if n % 2 else "unmarked"))
    assert queries() == few


def test_marked_items_read_through_a_token_are_audited_with_it(gulf: Community, dana: Member) -> None:
    thread = start(dana, gulf.boards.get(), title="Staging", marking=marking("fouo"))
    start(dana, gulf.boards.get(), title="Cots")
    token, secret = make_token(dana, ["read"])
    ApiClient(secret).get(THREADS)
    ApiClient(secret).get(f"{THREADS}{thread.pk}/")
    events = AuditEvent.objects.filter(actor=dana, action=AuditEvent.Action.VIEWED_MARKED)
    assert [(event.target_id, event.detail) for event in events] == [(str(thread.pk), {"token": token.pk})] * 2


def test_chat_is_read_with_the_chat_scope_on_every_path(gulf: Community, dana: Member) -> None:
    from messaging import services as chat

    room = chat.room_ensure_default(community=gulf)
    chat.message_send(conversation=room, author=dana, body="Trucks at the depot")
    refused = api_as(dana, ["read"]).get("/api/v1/content/messaging.message/")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "scope_missing"
    bodies = api_as(dana, ["chat"]).get("/api/v1/content/messaging.message/").json()["results"]
    assert [message["fields"]["body"] for message in bodies] == ["Trucks at the depot"]
    types = {kind["type"]: kind["scope"] for kind in api_as(dana, ["read"]).get("/api/v1/content/").json()}
    assert types["messaging.message"] == types["messaging.conversation"] == "chat"
    assert types["discussions.thread"] == "read"
