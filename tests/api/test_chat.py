"""Chat through the API: the inbox with unread counts, messages after a sequence number page by page, and
sending through the chat service (its limit answered 429). A conversation the member is not in is 404 and
nothing of it shows; a token without the ``chat`` scope gets 403 ``scope_missing``; constant queries."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from messaging import services
from messaging.models import Conversation, Message
from tests.api.conftest import ApiClient, api_as, make_token
from tests.messaging.factories import Room, make_room
from tests.verification.factories import make_verified_member
from verification.models import AuditEvent, Member

pytestmark = pytest.mark.django_db


@pytest.fixture
def room() -> Room:
    return make_room(members=2)


def error_code(response: Any) -> str:
    return str(response.json()["error"]["code"])


def send(conversation: Conversation, author: Member, *bodies: str) -> list[Message]:
    return [services.message_send(conversation=conversation, author=author, body=body) for body in bodies]


def messages_url(conversation: Conversation) -> str:
    return f"/api/v1/conversations/{conversation.pk}/messages/"


# --- The inbox --------------------------------------------------------------------------------


def test_the_inbox_lists_the_members_conversations_with_unread_counts_newest_first(room: Room) -> None:
    member, other = room.members
    stranger_a, stranger_b = make_verified_member(), make_verified_member()
    direct = services.direct_conversation_open(member=member, other=other)
    others_direct = services.direct_conversation_open(member=stranger_a, other=stranger_b)
    send(room.conversation, room.owner, "Shelter opens at 6.", "Bring cots.")
    send(direct, other, "Are you coming?")
    send(others_direct, stranger_a, "Private.")

    response = api_as(member, scopes=["chat"]).get("/api/v1/conversations/")

    assert response.status_code == 200, response.content
    rows = response.json()["results"]
    assert [(row["id"], row["unread"]) for row in rows] == [(direct.pk, 1), (room.conversation.pk, 2)]
    assert rows[0]["kind"] == "direct"
    assert rows[0]["title"] == other.display_name
    assert rows[0]["last_message"]["snippet"] == "Are you coming?"
    assert rows[1]["community"]["slug"] == "gulf"


def test_a_conversation_without_messages_comes_after_those_with_messages(room: Room) -> None:
    member, other = room.members
    direct = services.direct_conversation_open(member=member, other=other)
    send(direct, other, "Hello")

    rows = api_as(member).get("/api/v1/conversations/").json()["results"]

    assert [row["id"] for row in rows] == [direct.pk, room.conversation.pk]


def test_a_token_without_the_chat_scope_reads_no_conversation_and_sends_nothing(room: Room) -> None:
    member = room.members[0]
    client = api_as(member, scopes=["read", "write"])

    answers = [
        client.get("/api/v1/conversations/"),
        client.get(messages_url(room.conversation)),
        client.post(messages_url(room.conversation), {"body": "Hi"}),
    ]

    assert [(r.status_code, error_code(r)) for r in answers] == [(403, "scope_missing")] * 3
    assert not Message.objects.exists()


def test_the_inbox_reads_in_the_same_number_of_queries_for_2_and_6_conversations() -> None:
    member = make_verified_member()
    client = api_as(member, scopes=["chat"])

    def count_with(total: int) -> int:
        while Conversation.objects.filter(participants__member=member).count() < total:
            other = make_verified_member()
            conversation = services.group_conversation_create(creator=member, title="", participants=[other])
            send(conversation, other, "Status?")
        client.get("/api/v1/conversations/")  # the token's first use notes its time: not counted
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/v1/conversations/")
        assert len(response.json()["results"]) == total
        return len(queries)

    assert count_with(2) == count_with(6)


# --- Reading messages ---------------------------------------------------------------------------


def test_messages_after_a_sequence_come_oldest_first_a_page_at_a_time(room: Room) -> None:
    member = room.members[0]
    send(room.conversation, room.owner, "one", "two", "three", "four", "five")
    client = api_as(member, scopes=["chat"])

    first = client.get(messages_url(room.conversation), {"after": 2, "page_size": 2}).json()
    second = client.client.get(first["next"], headers=client.headers).json()

    assert [(m["id"], m["body"]) for m in first["results"]] == [(3, "three"), (4, "four")]
    assert [(m["id"], m["body"]) for m in second["results"]] == [(5, "five")]
    assert second["next"] is None


@pytest.mark.parametrize(
    ("query", "code"),
    [({"page_size": 1000}, "invalid_page_size"), ({"after": -1}, "invalid"), ({"since": 3}, "unknown_field")],
)
def test_a_bad_message_query_is_400_with_a_stable_code(room: Room, query: dict[str, Any], code: str) -> None:
    response = api_as(room.members[0]).get(messages_url(room.conversation), query)

    assert response.status_code == 400
    assert error_code(response) == code


def test_a_conversation_the_member_is_not_in_is_404_and_shows_nothing() -> None:
    gulf, bay = make_room(slug="gulf"), make_room(slug="bay")
    outsider = gulf.members[0]
    strangers = services.direct_conversation_open(member=bay.members[0], other=bay.members[1])
    send(bay.conversation, bay.owner, "Bay only.")
    send(strangers, bay.members[0], "Between us.")
    client = api_as(outsider)

    for conversation in (bay.conversation, strangers):
        read = client.get(messages_url(conversation))
        sent = client.post(messages_url(conversation), {"body": "Let me in"})
        assert (read.status_code, error_code(read)) == (404, "not_found")
        assert (sent.status_code, error_code(sent)) == (404, "not_found")
    listed = [row["id"] for row in client.get("/api/v1/conversations/").json()["results"]]
    assert listed == [gulf.conversation.pk]
    assert not Message.objects.filter(body="Let me in").exists()


def test_a_fouo_room_is_hidden_from_a_token_capped_at_unmarked_and_its_reading_is_audited_with_the_token() -> None:
    room = make_room(slug="ops", marking="fouo")
    member = room.members[0]
    send(room.conversation, room.owner, "FOUO briefing.")
    token, secret = make_token(member, ["chat"])

    capped = api_as(member, scopes=["chat"], ceiling="unmarked")
    hidden = capped.get(messages_url(room.conversation))
    listed = capped.get("/api/v1/conversations/").json()["results"]
    shown = ApiClient(secret).get(messages_url(room.conversation))

    assert (hidden.status_code, listed) == (404, [])
    assert shown.status_code == 200
    assert [m["body"] for m in shown.json()["results"]] == ["FOUO briefing."]
    event = AuditEvent.objects.get(action=AuditEvent.Action.VIEWED_MARKED, target_id=str(room.conversation.pk))
    assert event.detail["token"] == token.pk


# --- Sending ------------------------------------------------------------------------------------


def test_a_member_sends_a_message_and_the_others_inbox_shows_it_unread(room: Room) -> None:
    member, other = room.members

    response = api_as(member, scopes=["chat"]).post(messages_url(room.conversation), {"body": "On my way."})

    assert response.status_code == 201, response.content
    assert response.json()["id"] == 1
    assert response.json()["author"]["id"] == member.pk
    message = Message.objects.get(conversation=room.conversation)
    assert (message.author, message.body) == (member, "On my way.")
    rows = api_as(other, scopes=["chat"]).get("/api/v1/conversations/").json()["results"]
    assert [(row["id"], row["unread"], row["last_message"]["snippet"]) for row in rows] == [
        (room.conversation.pk, 1, "On my way.")
    ]


@pytest.mark.parametrize(
    ("body", "code"),
    [({"body": ""}, "invalid"), ({"body": "   "}, "invalid"), ({"body": "Hi", "to": 3}, "unknown_field")],
)
def test_a_bad_message_is_400_and_nothing_is_sent(room: Room, body: dict[str, Any], code: str) -> None:
    response = api_as(room.members[0]).post(messages_url(room.conversation), body)

    assert response.status_code == 400
    assert error_code(response) == code
    assert not Message.objects.exists()


def test_sending_faster_than_the_chat_limit_is_429_with_retry_after(room: Room, settings: Any) -> None:
    settings.MUSTER_CHAT_RATE = (2, 60)
    client = api_as(room.members[0], scopes=["chat"])

    answers = [client.post(messages_url(room.conversation), {"body": f"Update {n}"}) for n in range(3)]

    assert [r.status_code for r in answers] == [201, 201, 429]
    assert error_code(answers[2]) == "chat_rate_limited"
    assert int(answers[2]["Retry-After"]) >= 1
    assert Message.objects.count() == 2


def test_messages_read_in_the_same_number_of_queries_for_2_and_6_messages(room: Room) -> None:
    member = room.members[0]
    client = api_as(member, scopes=["chat"])
    client.get(messages_url(room.conversation))  # the token's first use notes its time: not counted

    def count_with(total: int) -> int:
        while Message.objects.filter(conversation=room.conversation).count() < total:
            author = room.owner if Message.objects.count() % 2 else room.members[1]
            send(room.conversation, author, "Status?")
        with CaptureQueriesContext(connection) as queries:
            response = client.get(messages_url(room.conversation))
        assert len(response.json()["results"]) == total
        return len(queries)

    assert count_with(2) == count_with(6)


def test_the_inbox_pages_by_cursor_through_conversations_with_and_without_messages(room: Room) -> None:
    member, other = room.members
    direct = services.direct_conversation_open(member=member, other=other)
    quiet = services.group_conversation_create(creator=other, title="Quiet", participants=[member])
    send(direct, other, "Hello")
    client = api_as(member, scopes=["chat"])

    seen: list[int] = []
    page = client.get("/api/v1/conversations/", {"page_size": 1}).json()
    while True:
        seen += [row["id"] for row in page["results"]]
        if not page["next"]:
            break
        page = client.client.get(page["next"], headers=client.headers).json()

    assert seen == [direct.pk, quiet.pk, room.conversation.pk]
