"""Threads and replies through the API: starting, replying and editing change what the site shows; a thread
the member may not see is 404 and nothing changes; someone else's is 403; a marking above the member's
clearance or the token's ceiling is 400 ``marking_not_allowed``; a token without ``write`` changes nothing."""

from typing import Any

import pytest

from api.models import AccessToken
from communities.models import Community
from communities.services import community_create
from discussions import services
from discussions.models import Board, Post, PostRevision, Thread
from tests.api.conftest import ApiClient, api_as, make_token
from tests.discussions.factories import joined, marking, start
from tests.verification.factories import make_verified_member
from verification import services as vetting
from verification.models import AuditEvent, Member

pytestmark = pytest.mark.django_db


# --- Given -------------------------------------------------------------------------------


@pytest.fixture
def owner() -> Member:
    owner = make_verified_member(markings=["fouo"], first_name="Olive", last_name="Owner")
    vetting.member_handle_ensure(member=owner)
    return owner


@pytest.fixture
def community(owner: Member) -> Community:
    return community_create(creator=owner, name="Gulf Coast", slug="gulf", marking=marking())


@pytest.fixture
def board(community: Community, owner: Member) -> Board:
    return services.board_create(community=community, actor=owner, name="General")


@pytest.fixture
def member(community: Community) -> Member:
    return joined(community, "Dana", "Reyes")


@pytest.fixture
def private(owner: Member) -> Community:
    return community_create(
        creator=owner, name="Pilot", slug="pilot", marking=marking(), visibility=Community.Visibility.PRIVATE
    )


def token_client(member: Member, **options: Any) -> tuple[AccessToken, ApiClient]:
    token, secret = make_token(member, **options)
    return token, ApiClient(secret)


def error_code(response: Any) -> str:
    return str(response.json()["error"]["code"])


def new_thread(community: str = "gulf", **fields: Any) -> dict[str, Any]:
    return {"community": community, "title": "Generator fuel", "body": "Who has diesel?", **fields}


# --- Starting a thread ----------------------------------------------------------------------


def test_a_member_starts_a_thread_on_the_communitys_first_board_and_the_site_shows_it(
    member: Member, board: Board, community: Community, owner: Member
) -> None:
    services.board_create(community=community, actor=owner, name="Zulu logistics")

    response = api_as(member).post("/api/v1/threads/", new_thread(tags=["fuel", "generators"], kind="question"))

    assert response.status_code == 201, response.content
    body = response.json()
    thread = Thread.objects.get(pk=body["id"])
    assert (thread.board, thread.author, thread.title, thread.kind) == (board, member, "Generator fuel", "question")
    assert thread.posts.get(is_opening=True).body == "Who has diesel?"
    assert body["type"] == "discussions.thread"
    assert body["marking"]["slug"] == "unmarked"
    assert body["tags"] == ["fuel", "generators"]
    listed = api_as(member).get("/api/v1/content/discussions.thread/").json()["results"]
    assert [item["id"] for item in listed] == [thread.pk]


def test_a_thread_goes_on_the_board_asked_for_and_a_board_of_another_community_is_refused(
    member: Member, board: Board, community: Community, owner: Member, private: Community
) -> None:
    other = services.board_create(community=community, actor=owner, name="Logistics")
    elsewhere = services.board_create(community=private, actor=owner, name="Ops")

    chosen = api_as(member).post("/api/v1/threads/", new_thread(board=other.pk))
    refused = api_as(member).post("/api/v1/threads/", new_thread(board=elsewhere.pk, title="Elsewhere"))

    assert chosen.status_code == 201
    assert Thread.objects.get(pk=chosen.json()["id"]).board == other
    assert refused.status_code == 400
    assert error_code(refused) == "invalid"
    assert "board" in refused.json()["error"]["fields"]
    assert not Thread.objects.filter(title="Elsewhere").exists()


def test_a_fouo_thread_is_refused_above_the_members_clearance_or_the_tokens_ceiling_and_nothing_is_made(
    community: Community, board: Board
) -> None:
    uncleared = joined(community, "Una", "Cleared")
    cleared = joined(community, "Cleo", "Fouo", markings=["fouo"])

    above_clearance = api_as(uncleared).post("/api/v1/threads/", new_thread(marking="fouo"))
    above_ceiling = api_as(cleared, ceiling="unmarked").post("/api/v1/threads/", new_thread(marking="fouo"))
    unknown = api_as(cleared).post("/api/v1/threads/", new_thread(marking="top-secret"))

    for response in (above_clearance, above_ceiling, unknown):
        assert response.status_code == 400
        assert error_code(response) == "marking_not_allowed"
    assert not Thread.objects.exists()


def test_a_cleared_member_starts_a_fouo_thread_and_the_answer_is_audited_with_the_token(
    community: Community, board: Board
) -> None:
    cleared = joined(community, "Cleo", "Fouo", markings=["fouo"])
    token, client = token_client(cleared)

    response = client.post("/api/v1/threads/", new_thread(marking="fouo"))

    assert response.status_code == 201
    thread = Thread.objects.get(pk=response.json()["id"])
    assert thread.marking.slug == "fouo"
    event = AuditEvent.objects.get(action=AuditEvent.Action.VIEWED_MARKED, target_id=str(thread.pk))
    assert event.detail["token"] == token.pk


def test_a_private_community_is_not_found_for_a_non_member_and_nothing_is_made(
    member: Member, private: Community, owner: Member
) -> None:
    services.board_create(community=private, actor=owner, name="Ops")

    response = api_as(member).post("/api/v1/threads/", new_thread(community="pilot"))

    assert response.status_code == 404
    assert error_code(response) == "not_found"
    assert not Thread.objects.exists()


def test_a_verified_member_outside_an_open_community_may_not_start_a_thread_in_it(board: Board) -> None:
    outsider = make_verified_member()

    response = api_as(outsider).post("/api/v1/threads/", new_thread())

    assert response.status_code == 403
    assert error_code(response) == "permission_denied"
    assert not Thread.objects.exists()


def test_a_token_without_the_write_scope_starts_nothing(member: Member, board: Board) -> None:
    response = api_as(member, scopes=["read"]).post("/api/v1/threads/", new_thread())

    assert response.status_code == 403
    assert error_code(response) == "scope_missing"
    assert not Thread.objects.exists()


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"colour": "red"}, "unknown_field"),
        ({"body": ""}, "invalid"),
        ({"title": "   "}, "invalid"),
        ({"tags": "not-a-list"}, "invalid"),
    ],
)
def test_bad_input_for_a_new_thread_is_400_with_a_stable_code_and_nothing_is_made(
    member: Member, board: Board, fields: dict[str, Any], code: str
) -> None:
    response = api_as(member).post("/api/v1/threads/", new_thread(**fields))

    assert response.status_code == 400
    assert error_code(response) == code
    assert not Thread.objects.exists()


# --- Editing a thread --------------------------------------------------------------------------


def test_the_author_edits_the_title_and_opening_post_and_the_earlier_text_is_kept(member: Member, board: Board) -> None:
    thread = start(member, board)

    response = api_as(member).patch(f"/api/v1/threads/{thread.pk}/", {"title": "Cots", "body": "How many cots now?"})

    assert response.status_code == 200, response.content
    assert response.json()["title"] == "Cots"
    thread.refresh_from_db()
    opening = thread.posts.get(is_opening=True)
    assert (thread.title, opening.body) == ("Cots", "How many cots now?")
    assert PostRevision.objects.get(post=opening).body == "How many cots?"


def test_someone_elses_thread_is_403_and_a_thread_out_of_sight_is_404_and_neither_changes(
    member: Member, board: Board, owner: Member, private: Community, community: Community
) -> None:
    theirs = start(owner, board)
    hidden = start(owner, services.board_create(community=private, actor=owner, name="Ops"), title="Secret plan")
    marked = start(owner, board, title="FOUO plan", marking=marking("fouo"))

    forbidden = api_as(member).patch(f"/api/v1/threads/{theirs.pk}/", {"title": "Mine now"})
    not_found = [
        api_as(member).patch(f"/api/v1/threads/{thread.pk}/", {"title": "Mine now"}) for thread in (hidden, marked)
    ]
    capped = api_as(owner, ceiling="unmarked").patch(f"/api/v1/threads/{marked.pk}/", {"title": "Mine now"})

    assert forbidden.status_code == 403
    assert error_code(forbidden) == "permission_denied"
    assert [response.status_code for response in [*not_found, capped]] == [404, 404, 404]
    assert set(Thread.objects.values_list("title", flat=True)) == {"Shelter capacity", "Secret plan", "FOUO plan"}
    assert not PostRevision.objects.exists()


@pytest.mark.parametrize(
    ("fields", "code"), [({}, "invalid"), ({"body": ""}, "invalid"), ({"pinned": True}, "unknown_field")]
)
def test_bad_input_for_a_thread_edit_is_400_and_nothing_changes(
    member: Member, board: Board, fields: dict[str, Any], code: str
) -> None:
    thread = start(member, board)

    response = api_as(member).patch(f"/api/v1/threads/{thread.pk}/", fields)

    assert response.status_code == 400
    assert error_code(response) == code
    assert thread.posts.get(is_opening=True).body == "How many cots?"
    assert not PostRevision.objects.exists()


# --- Replies ---------------------------------------------------------------------------------


def test_a_member_replies_quoting_a_post_and_the_thread_shows_the_reply(
    member: Member, board: Board, owner: Member
) -> None:
    thread = start(owner, board)
    opening = thread.posts.get(is_opening=True)

    response = api_as(member).post(
        f"/api/v1/threads/{thread.pk}/replies/", {"body": "About 400.", "quote_of": opening.pk}
    )

    assert response.status_code == 201, response.content
    reply = Post.objects.get(pk=response.json()["id"])
    assert (reply.author, reply.quote_of, reply.body) == (member, opening, "About 400.")
    assert response.json()["parent"] == {"type": "discussions.thread", "id": thread.pk}
    thread.refresh_from_db()
    assert thread.reply_count == 1
    posts = api_as(member).get("/api/v1/content/discussions.post/", {"parent": thread.pk}).json()["results"]
    assert reply.pk in [item["id"] for item in posts]


def test_a_reply_is_refused_out_of_sight_outside_the_community_on_a_locked_thread_or_quoting_elsewhere(
    member: Member, board: Board, owner: Member, private: Community
) -> None:
    open_thread = start(owner, board)
    hidden = start(owner, services.board_create(community=private, actor=owner, name="Ops"))
    marked = start(owner, board, title="FOUO plan", marking=marking("fouo"))
    locked = start(owner, board, title="Closed")
    services.thread_lock(thread=locked, actor=owner, locked=True)
    elsewhere = hidden.posts.get(is_opening=True)
    outsider = make_verified_member()

    answers = {
        "hidden": api_as(member).post(f"/api/v1/threads/{hidden.pk}/replies/", {"body": "Hi"}),
        "marked": api_as(member).post(f"/api/v1/threads/{marked.pk}/replies/", {"body": "Hi"}),
        "capped": api_as(owner, ceiling="unmarked").post(f"/api/v1/threads/{marked.pk}/replies/", {"body": "Hi"}),
        "outsider": api_as(outsider).post(f"/api/v1/threads/{open_thread.pk}/replies/", {"body": "Hi"}),
        "locked": api_as(member).post(f"/api/v1/threads/{locked.pk}/replies/", {"body": "Hi"}),
        "quote": api_as(member).post(
            f"/api/v1/threads/{open_thread.pk}/replies/", {"body": "Hi", "quote_of": elsewhere.pk}
        ),
        "empty": api_as(member).post(f"/api/v1/threads/{open_thread.pk}/replies/", {"body": ""}),
        "unknown": api_as(member).post(f"/api/v1/threads/{open_thread.pk}/replies/", {"body": "Hi", "to": 1}),
        "scope": api_as(member, scopes=["read"]).post(f"/api/v1/threads/{open_thread.pk}/replies/", {"body": "Hi"}),
    }

    assert {name: (r.status_code, error_code(r)) for name, r in answers.items()} == {
        "hidden": (404, "not_found"),
        "marked": (404, "not_found"),
        "capped": (404, "not_found"),
        "outsider": (403, "permission_denied"),
        "locked": (400, "invalid"),
        "quote": (400, "invalid"),
        "empty": (400, "invalid"),
        "unknown": (400, "unknown_field"),
        "scope": (403, "scope_missing"),
    }
    assert not Post.objects.filter(is_opening=False).exists()


def test_a_reply_to_a_fouo_thread_is_audited_with_the_token(board: Board, owner: Member, community: Community) -> None:
    cleared = joined(community, "Cleo", "Fouo", markings=["fouo"])
    thread = start(owner, board, marking=marking("fouo"))
    token, client = token_client(cleared)

    response = client.post(f"/api/v1/threads/{thread.pk}/replies/", {"body": "Copy."})

    assert response.status_code == 201
    event = AuditEvent.objects.get(action=AuditEvent.Action.VIEWED_MARKED, actor=cleared)
    assert event.detail["token"] == token.pk


def test_the_author_edits_a_reply_and_someone_else_gets_403_and_a_hidden_one_404(
    member: Member, board: Board, owner: Member, private: Community
) -> None:
    thread = start(owner, board)
    mine = services.post_reply(author=member, thread=thread, body="About 400.")
    theirs = services.post_reply(author=owner, thread=thread, body="Thanks.")
    hidden_thread = start(owner, services.board_create(community=private, actor=owner, name="Ops"))
    hidden = services.post_reply(author=owner, thread=hidden_thread, body="Secret.")

    edited = api_as(member).patch(f"/api/v1/replies/{mine.pk}/", {"body": "About 450."})
    forbidden = api_as(member).patch(f"/api/v1/replies/{theirs.pk}/", {"body": "Changed."})
    not_found = api_as(member).patch(f"/api/v1/replies/{hidden.pk}/", {"body": "Changed."})
    no_scope = api_as(member, scopes=["read"]).patch(f"/api/v1/replies/{mine.pk}/", {"body": "Changed."})
    empty = api_as(member).patch(f"/api/v1/replies/{mine.pk}/", {"body": ""})

    assert edited.status_code == 200
    assert edited.json()["fields"]["body"] == "About 450."
    assert (forbidden.status_code, error_code(forbidden)) == (403, "permission_denied")
    assert (not_found.status_code, error_code(not_found)) == (404, "not_found")
    assert (no_scope.status_code, error_code(no_scope)) == (403, "scope_missing")
    assert (empty.status_code, error_code(empty)) == (400, "invalid")
    bodies = dict(Post.objects.filter(is_opening=False).values_list("pk", "body"))
    assert bodies == {mine.pk: "About 450.", theirs.pk: "Thanks.", hidden.pk: "Secret."}


def test_a_community_without_a_board_refuses_a_thread_with_a_message_about_the_board(
    member: Member, community: Community
) -> None:
    response = api_as(member).post("/api/v1/threads/", new_thread())

    assert response.status_code == 400
    assert error_code(response) == "invalid"
    assert "board" in response.json()["error"]["fields"]
    assert not Thread.objects.exists()
