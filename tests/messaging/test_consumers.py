"""The live socket, driven by channels' WebsocketCommunicator against the real ASGI application."""

import asyncio
import json
import threading
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import Group
from django.db import DatabaseError
from django.test import Client
from django.utils import timezone

from communities.services import membership_join, membership_remove, membership_set_role
from discussions.models import Board
from discussions.services import post_reply, thread_start
from messaging import services
from messaging.consumers import CLOSE_NOT_CLEARED, CLOSE_TRY_AGAIN_LATER
from messaging.models import Conversation, Message
from muster.asgi import application
from muster.socket_db import SOCKET_DATABASE_THREAD
from notices import live
from tests.messaging.factories import Room, make_room
from tests.verification.factories import ProfileFactory, make_verified_member
from verification.models import Marking, Member
from verification.services import application_approve, application_submit, member_suspend

pytestmark = pytest.mark.django_db(transaction=True)

IGNORED = {"presence", "typing", "pong", "notifications"}


class Socket:
    """One member's live socket, with a way to wait for the next frame of a given type."""

    def __init__(self, communicator: WebsocketCommunicator) -> None:
        self.communicator = communicator

    async def send(self, **frame: Any) -> None:
        await self.communicator.send_json_to(frame)

    async def next(
        self, kind: str, timeout: float = 3.0, *, also_ignoring: frozenset[str] = frozenset()
    ) -> dict[str, Any]:
        """The next frame of type ``kind``, skipping presence and typing chatter (and ``also_ignoring``)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            remaining = deadline - asyncio.get_running_loop().time()
            frame = await self.communicator.receive_json_from(timeout=max(remaining, 0.01))
            if frame["type"] == kind:
                return frame  # type: ignore[no-any-return]
            if frame["type"] not in IGNORED | also_ignoring:
                raise AssertionError(f"expected {kind}, got {frame}")

    async def nothing_but_chatter(self, timeout: float = 0.5) -> None:
        """Nothing arrives within ``timeout`` but presence and typing (the socket stays open)."""
        while not await self.communicator.receive_nothing(timeout=timeout):
            frame = await self.communicator.receive_json_from()
            assert frame["type"] in IGNORED, f"unexpected frame {frame}"

    async def subscribe(self, conversation_id: int, since: int = 0) -> list[dict[str, Any]]:
        await self.send(type="subscribe", conversation=conversation_id, since=since)
        replayed = []
        while True:
            frame = await self.communicator.receive_json_from(timeout=3)
            if frame["type"] == "message":
                replayed.append(frame["message"])
            elif frame["type"] == "subscribed":
                assert frame["replayed"] == len(replayed)
                return replayed
            elif frame["type"] not in IGNORED:
                raise AssertionError(f"unexpected frame {frame}")


@pytest.fixture
async def sockets() -> AsyncIterator[Callable[[Member], Any]]:
    opened: list[WebsocketCommunicator] = []

    async def open_socket(member: Member) -> Socket:
        client = Client()
        await sync_to_async(client.force_login)(member)
        headers = [
            (b"origin", b"http://127.0.0.1:8000"),
            (b"host", b"127.0.0.1:8000"),
            (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()),
        ]
        communicator = WebsocketCommunicator(application, "/ws/live/", headers=headers)
        connected, _ = await communicator.connect()
        assert connected
        opened.append(communicator)
        socket = Socket(communicator)
        ready = await socket.next("session.ready")
        assert ready["member"] == member.pk
        return socket

    yield open_socket
    for communicator in opened:
        if not communicator.future.done():
            await communicator.disconnect()


async def room(**kwargs: Any) -> Room:
    return await sync_to_async(make_room)(**kwargs)


async def test_a_message_sent_on_one_socket_reaches_the_other_members_once_and_the_sender_gets_an_ack(sockets) -> None:
    gulf = await room()
    alice, bob = gulf.members
    alice_socket, bob_socket = await sockets(alice), await sockets(bob)
    await alice_socket.subscribe(gulf.conversation.pk)
    await bob_socket.subscribe(gulf.conversation.pk)

    await alice_socket.send(
        type="send", conversation=gulf.conversation.pk, body="Levee breach at **Pier 9**", nonce="n1"
    )

    # The sender's own copy may come before or after the ack: the page settles its pending message on either.
    ack = await alice_socket.next("message.ack", also_ignoring=frozenset({"message"}))
    received = await bob_socket.next("message")
    assert ack["nonce"] == "n1"
    assert ack["message"]["id"] == 1
    assert received["message"]["id"] == 1
    assert received["message"]["author"]["id"] == alice.pk
    assert "<strong>Pier 9</strong>" in received["message"]["body_html"]
    await bob_socket.nothing_but_chatter()
    assert await sync_to_async(Message.objects.count)() == 1


async def test_a_client_that_reconnects_receives_what_it_missed_in_order_and_edits_as_newer_versions(sockets) -> None:
    gulf = await room()
    alice, bob = gulf.members
    send = sync_to_async(services.message_send)
    first = await send(conversation=gulf.conversation, author=alice, body="one")
    bob_socket = await sockets(bob)
    seen = await bob_socket.subscribe(gulf.conversation.pk)
    assert [m["id"] for m in seen] == [1]
    await bob_socket.communicator.disconnect()

    await send(conversation=gulf.conversation, author=alice, body="two")
    await send(conversation=gulf.conversation, author=alice, body="three")
    await sync_to_async(services.message_edit)(message=first, editor=alice, body="one, corrected")
    again = await sockets(bob)
    missed = await again.subscribe(gulf.conversation.pk, since=seen[-1]["version"])

    assert [(m["id"], m["body"]) for m in missed] == [(2, "two"), (3, "three"), (1, "one, corrected")]
    assert [m["version"] for m in missed] == [2, 3, 4]
    assert await again.subscribe(gulf.conversation.pk, since=4) == []


async def test_a_member_outside_the_room_and_a_forged_id_get_the_same_not_found_and_the_socket_stays_open(
    sockets,
) -> None:
    gulf = await room()
    outsider = await sync_to_async(make_verified_member)()
    socket = await sockets(outsider)

    await socket.send(type="subscribe", conversation=gulf.conversation.pk, since=0)
    hidden = await socket.next("error")
    await socket.send(type="subscribe", conversation=999999, since=0)
    missing = await socket.next("error")
    await socket.send(type="send", conversation=gulf.conversation.pk, body="let me in", nonce="x")
    refused_send = await socket.next("error")

    assert hidden["error"] == missing["error"] == refused_send["error"] == "not_found"
    assert hidden["detail"] == missing["detail"]
    assert await sync_to_async(Message.objects.count)() == 0
    await socket.send(type="ping")
    assert await socket.communicator.receive_json_from() == {"type": "pong"}


async def test_a_member_removed_from_the_community_stops_receiving_within_five_seconds_and_is_told_why(
    sockets,
) -> None:
    gulf = await room()
    alice, bob = gulf.members
    bob_socket = await sockets(bob)
    await bob_socket.subscribe(gulf.conversation.pk)

    await sync_to_async(membership_remove)(community=gulf.community, actor=gulf.owner, member=bob)
    closed = await bob_socket.next("conversation.closed", timeout=5)
    await sync_to_async(services.message_send)(conversation=gulf.conversation, author=alice, body="after removal")

    assert closed["conversation"] == gulf.conversation.pk
    assert "no longer a member" in closed["reason"]
    await bob_socket.nothing_but_chatter(timeout=1)


async def test_a_suspended_member_is_told_why_and_the_socket_is_closed_within_five_seconds(sockets) -> None:
    gulf = await room()
    _alice, bob = gulf.members
    verifier = await sync_to_async(make_verified_member)(mfa=True, is_staff=True)
    bob_socket = await sockets(bob)
    await bob_socket.subscribe(gulf.conversation.pk)

    await sync_to_async(member_suspend)(member=bob, verifier=verifier, reason="Lost device")
    refused = await bob_socket.next("session.refused", timeout=5)

    assert refused["reason"] == "suspended"
    assert "suspended" in refused["detail"]
    assert await bob_socket.communicator.receive_output(timeout=1) == {
        "type": "websocket.close",
        "code": CLOSE_NOT_CLEARED,
    }


async def test_a_member_who_loses_a_marking_stops_receiving_the_marked_room_and_keeps_the_others(sockets) -> None:
    def setup() -> tuple[Room, Any, Member]:
        gulf = make_room(members=0)
        cleared = make_verified_member(markings=["fouo"])
        membership_join(community=gulf.community, member=cleared)
        membership_set_role(community=gulf.community, member=cleared, role="moderator")
        ops = services.room_create(
            community=gulf.community, actor=cleared, title="Ops", marking=Marking.objects.get(slug="fouo")
        )
        return gulf, ops, cleared

    def renew_without_fouo(member: Member) -> None:
        Member.objects.filter(pk=member.pk).update(verified_until=timezone.now() + timedelta(days=10))
        member.refresh_from_db()
        ProfileFactory.create(member=member)
        application = application_submit(
            member=member, sponsor_name="Chief Lee", sponsor_email="lee@county.example.org"
        )
        verifier = make_verified_member(mfa=True, is_staff=True)
        verifier.groups.add(Group.objects.get(name="Verifiers"))
        application_approve(application=application, verifier=verifier, markings=[], note="renewed without FOUO")

    gulf, ops, cleared = await sync_to_async(setup)()
    socket = await sockets(cleared)
    await socket.subscribe(ops.pk)
    await socket.subscribe(gulf.conversation.pk)

    await sync_to_async(renew_without_fouo)(cleared)
    closed = await socket.next("conversation.closed", timeout=5)
    await sync_to_async(services.message_send)(conversation=gulf.conversation, author=gulf.owner, body="unmarked news")
    still = await socket.next("message")

    assert closed["conversation"] == ops.pk
    assert "no longer cleared for" in closed["reason"]
    assert still["message"]["body"] == "unmarked news"


async def test_a_socket_closes_itself_when_verification_expires(sockets, settings) -> None:
    gulf = await room()
    bob = gulf.members[1]

    def expire_soon() -> None:
        Member.objects.filter(pk=bob.pk).update(verified_until=timezone.now() + timedelta(seconds=1.5))

    await sync_to_async(expire_soon)()
    socket = await sockets(bob)
    await socket.subscribe(gulf.conversation.pk)

    refused = await socket.next("session.refused", timeout=5)

    assert refused["reason"] == "expired"


async def test_sending_too_fast_answers_a_clear_error_on_that_socket_and_stores_nothing_more(sockets, settings) -> None:
    settings.MUSTER_CHAT_RATE = (2, 60)
    gulf = await room()
    socket = await sockets(gulf.members[0])
    await socket.subscribe(gulf.conversation.pk)

    for number in range(3):
        await socket.send(type="send", conversation=gulf.conversation.pk, body=f"msg {number}", nonce=str(number))
    frames: list[dict[str, Any]] = []
    while len(frames) < 3:
        frame = await socket.communicator.receive_json_from(timeout=3)
        if frame["type"] in ("message.ack", "error"):
            frames.append(frame)

    assert frames[2]["error"] == "rate_limited"
    assert frames[2]["nonce"] == "2"
    assert frames[2]["retry_after"] >= 1
    assert "too quickly" in frames[2]["detail"]
    assert await sync_to_async(Message.objects.count)() == 2


ANSWERS = {"message.ack", "error", "pong"}


async def answers(socket: Socket, count: int) -> list[dict[str, Any]]:
    """The next ``count`` answers to the socket's own frames (acks, errors, pongs), in the order they came."""
    received: list[dict[str, Any]] = []
    while len(received) < count:
        frame = await socket.communicator.receive_json_from(timeout=3)
        if frame["type"] in ANSWERS:
            received.append(frame)
    return received


async def test_frames_written_back_to_back_are_saved_and_answered_in_the_order_written(sockets) -> None:
    gulf = await room()
    socket = await sockets(gulf.members[0])
    await socket.subscribe(gulf.conversation.pk)
    room_id = gulf.conversation.pk

    # Written without waiting for any answer, as a page flushing its unsent messages does.
    await socket.send(type="send", conversation=room_id, body="first", nonce="1")
    await socket.send(type="send", conversation=room_id, body="   ", nonce="2")  # empty: refused by the service
    await socket.send(type="send", conversation=room_id, body="third", nonce="3")
    await socket.send(type="ping")
    await socket.send(type="send", conversation=room_id, body="fifth", nonce="5")
    await socket.send(type="send", conversation=room_id, nonce="6")  # no body: refused before the database
    await socket.send(type="send", conversation=room_id, body="seventh", nonce="7")

    got = await answers(socket, 7)

    assert [(frame["type"], frame.get("nonce")) for frame in got] == [
        ("message.ack", "1"),
        ("error", "2"),
        ("message.ack", "3"),
        ("pong", None),
        ("message.ack", "5"),
        ("error", None),
        ("message.ack", "7"),
    ]
    assert (got[1]["error"], got[5]["error"]) == ("invalid", "malformed")
    assert [frame["message"]["body"] for frame in (got[0], got[2], got[4], got[6])] == [
        "first",
        "third",
        "fifth",
        "seventh",
    ]
    stored = Message.objects.order_by("sequence").values_list("sequence", "body")
    assert await sync_to_async(lambda: [*stored])() == [(1, "first"), (2, "third"), (3, "fifth"), (4, "seventh")]


async def test_sends_read_while_the_database_thread_is_busy_are_saved_together_and_answered_in_order(
    sockets, monkeypatch, settings
) -> None:
    settings.MUSTER_CHAT_RATE = (6, 60)
    gulf = await room()
    socket = await sockets(gulf.members[0])
    await socket.subscribe(gulf.conversation.pk)
    room_id = gulf.conversation.pk
    quoted = await sync_to_async(services.message_send)(
        conversation=gulf.conversation, author=gulf.members[1], body="Shelter open"
    )
    saved_together: list[list[str]] = []
    sending = services.messages_send

    def recording(**kwargs: Any) -> list[services.SendAnswer]:
        saved_together.append([draft.body for draft in kwargs["drafts"]])
        return sending(**kwargs)

    monkeypatch.setattr(services, "messages_send", recording)
    busy = threading.Event()
    SOCKET_DATABASE_THREAD.submit(busy.wait, 5)

    for number in range(1, 5):
        await socket.send(type="send", conversation=room_id, body=f"update {number}", nonce=str(number))
    await socket.send(type="send", conversation=room_id, body="Which one?", reply_to=quoted.sequence, nonce="5")
    await socket.send(type="send", conversation=room_id, body="update 6", nonce="6")
    await socket.send(type="send", conversation=room_id, body="update 7", nonce="7")  # the seventh: over the limit
    await socket.send(type="send", conversation=room_id, body="  ", nonce="8")
    await asyncio.sleep(0.5)  # the socket reads every frame while the thread is busy
    busy.set()
    got = await answers(socket, 8)

    assert saved_together == [["update 1", "update 2", "update 3", "update 4"], ["update 6", "update 7", "  "]]
    assert [(frame["type"], frame["nonce"]) for frame in got] == [
        *(("message.ack", str(number)) for number in range(1, 7)),
        ("error", "7"),
        ("error", "8"),
    ]
    assert [frame["message"]["id"] for frame in got[:6]] == [2, 3, 4, 5, 6, 7]
    assert got[4]["message"]["reply_to"]["snippet"] == "Shelter open"
    assert (got[6]["error"], got[7]["error"]) == ("rate_limited", "invalid")
    stored = Message.objects.filter(author=gulf.members[0]).order_by("sequence").values_list("body", flat=True)
    assert await sync_to_async(lambda: [*stored])() == [
        *(f"update {number}" for number in range(1, 5)),
        "Which one?",
        "update 6",
    ]


async def test_a_send_that_fails_unexpectedly_is_logged_and_the_page_told_to_reconnect(
    sockets, monkeypatch, caplog
) -> None:
    gulf = await room()
    socket = await sockets(gulf.members[0])
    await socket.subscribe(gulf.conversation.pk)
    rendering = services.message_html

    def failing_on_boom(conversation: Conversation, body: str) -> str:
        if body == "boom":
            raise DatabaseError("disk I/O error")
        return rendering(conversation, body)

    monkeypatch.setattr(services, "message_html", failing_on_boom)

    await socket.send(type="send", conversation=gulf.conversation.pk, body="before", nonce="1")
    assert (await socket.next("message.ack", also_ignoring=frozenset({"message"})))["nonce"] == "1"
    await socket.send(type="send", conversation=gulf.conversation.pk, body="boom", nonce="2")

    # The room's copy of "before" may come before or after the ack.
    assert (await socket.next("live.paused", also_ignoring=frozenset({"message"})))["reason"]
    assert await socket.communicator.receive_output(timeout=1) == {
        "type": "websocket.close",
        "code": CLOSE_TRY_AGAIN_LATER,
    }
    assert "A chat message could not be saved" in caplog.text
    assert "disk I/O error" in caplog.text
    bodies = Message.objects.values_list("body", flat=True)
    assert await sync_to_async(lambda: [*bodies])() == ["before"]


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        ("not json", "malformed"),
        ("[1, 2]", "malformed"),
        (json.dumps({"type": "explode"}), "unknown_type"),
        (json.dumps({"type": "subscribe", "conversation": "1; DROP TABLE", "since": 0}), "malformed"),
        (json.dumps({"type": "send", "conversation": 1}), "malformed"),
        ("x" * 70_000, "malformed"),
        ("[" * 30_000 + "]" * 30_000, "malformed"),  # nested too deep for the JSON parser (60 KB)
    ],
)
async def test_a_malformed_frame_gets_an_error_and_closes_nothing(sockets, raw: str, error: str) -> None:
    gulf = await room()
    socket = await sockets(gulf.members[0])

    await socket.communicator.send_to(text_data=raw)
    answer = await socket.next("error")

    assert answer["error"] == error
    await socket.send(type="ping")
    assert (await socket.next("pong"))["type"] == "pong"


async def test_an_over_long_message_gets_an_error_and_nothing_is_stored(sockets, settings) -> None:
    settings.MUSTER_MESSAGE_MAX_CHARS = 20
    gulf = await room()
    socket = await sockets(gulf.members[0])

    await socket.send(type="send", conversation=gulf.conversation.pk, body="y" * 21, nonce="long")
    answer = await socket.next("error")

    assert answer["error"] == "invalid"
    assert "at most 20 characters" in answer["detail"]
    assert await sync_to_async(Message.objects.count)() == 0


async def test_edits_and_deletions_reach_the_room_and_only_the_author_may_make_them(sockets) -> None:
    gulf = await room()
    alice, bob = gulf.members
    alice_socket, bob_socket = await sockets(alice), await sockets(bob)
    await alice_socket.subscribe(gulf.conversation.pk)
    await bob_socket.subscribe(gulf.conversation.pk)
    await alice_socket.send(type="send", conversation=gulf.conversation.pk, body="ETA 10 min", nonce="a")
    await bob_socket.next("message")

    await bob_socket.send(type="edit", conversation=gulf.conversation.pk, id=1, body="hijack")
    refused = await bob_socket.next("error")
    await alice_socket.send(type="edit", conversation=gulf.conversation.pk, id=1, body="ETA 20 min")
    edited = await bob_socket.next("message")
    await alice_socket.send(type="delete", conversation=gulf.conversation.pk, id=1)
    deleted = await bob_socket.next("message")

    assert refused["error"] == "invalid"
    assert (edited["message"]["body"], edited["message"]["edited"], edited["message"]["version"]) == (
        "ETA 20 min",
        True,
        2,
    )
    assert (deleted["message"]["body"], deleted["message"]["deleted"], deleted["message"]["version"]) == ("", True, 3)


async def test_typing_and_presence_reach_the_others_in_the_room_and_not_outsiders(sockets) -> None:
    gulf = await room()
    alice, bob = gulf.members
    bob_socket = await sockets(bob)
    await bob_socket.subscribe(gulf.conversation.pk)
    alice_socket = await sockets(alice)
    await alice_socket.subscribe(gulf.conversation.pk)

    outsider = await sockets(await sync_to_async(make_verified_member)())

    online = await bob_socket.next("presence")
    await alice_socket.send(type="typing", conversation=gulf.conversation.pk)
    typing = await bob_socket.next("typing")
    await alice_socket.communicator.disconnect()
    offline = await bob_socket.next("presence")

    assert online["type"] == "presence"
    assert [(change["member"]["id"], change["state"]) for change in online["changes"]] == [(alice.pk, "online")]
    assert (typing["type"], typing["member"]["id"]) == ("typing", alice.pk)
    assert offline["type"] == "presence"
    assert [(change["member"]["id"], change["state"]) for change in offline["changes"]] == [(alice.pk, "offline")]
    assert await outsider.communicator.receive_nothing(timeout=1.5)


async def test_typing_in_a_conversation_not_opened_is_refused(sockets) -> None:
    gulf = await room()
    socket = await sockets(gulf.members[0])

    await socket.send(type="typing", conversation=gulf.conversation.pk)

    assert (await socket.next("error"))["error"] == "not_subscribed"


async def test_reading_on_one_page_updates_the_members_other_pages(sockets) -> None:
    gulf = await room()
    alice, bob = gulf.members
    await sync_to_async(services.message_send)(conversation=gulf.conversation, author=alice, body="one")
    first_tab, second_tab = await sockets(bob), await sockets(bob)
    await first_tab.subscribe(gulf.conversation.pk)

    await first_tab.send(type="read", conversation=gulf.conversation.pk, id=1)

    assert await second_tab.next("read") == {"type": "read", "conversation": gulf.conversation.pk, "up_to": 1}


async def test_events_published_together_to_a_member_reach_each_of_their_pages_in_order(sockets) -> None:
    gulf = await room()
    alice, bob = gulf.members
    bob_tab, alice_tab = await sockets(bob), await sockets(alice)
    reads = [{"type": "conversation.read", "conversation": gulf.conversation.pk, "up_to": n} for n in (1, 2)]

    await get_channel_layer().group_send(live.member_group(bob.pk), {"type": live.BATCH, "events": reads})

    assert (await bob_tab.next("read"))["up_to"] == 1
    assert (await bob_tab.next("read"))["up_to"] == 2
    await alice_tab.nothing_but_chatter()


async def test_a_direct_message_raises_the_recipients_bell_count_live(sockets) -> None:
    alice, bob = await sync_to_async(make_verified_member)(), await sync_to_async(make_verified_member)()
    conversation = await sync_to_async(services.direct_conversation_open)(member=alice, other=bob)
    bob_socket = await sockets(bob)

    await sync_to_async(services.message_send)(conversation=conversation, author=alice, body="Call me")
    first = await bob_socket.next("notifications")
    await sync_to_async(services.message_send)(conversation=conversation, author=alice, body="Urgent")
    second = await bob_socket.next("notifications")

    assert (first["unread"], second["unread"]) == (1, 1)  # folded into one notification per conversation


async def test_a_new_reply_appears_for_readers_of_the_thread_and_not_for_members_who_may_not_see_it(sockets) -> None:
    def setup() -> tuple[Room, Any, Member]:
        gulf = make_room(members=0, visibility="private", join_policy="invitation")
        board = Board.objects.filter(community=gulf.community).first() or Board.objects.create(
            community=gulf.community, name="General", slug="general"
        )
        thread = thread_start(
            author=gulf.owner,
            community=gulf.community,
            board=board,
            title="Sandbags",
            body="Where?",
            marking=Marking.objects.get(slug="unmarked"),
        )
        return gulf, thread, make_verified_member()

    gulf, thread, outsider = await sync_to_async(setup)()
    reader = await sockets(gulf.owner)
    stranger = await sockets(outsider)
    await reader.send(type="thread.follow", thread=thread.pk)
    await stranger.send(type="thread.follow", thread=thread.pk)
    refused = await stranger.next("error")
    await reader.nothing_but_chatter(timeout=0.3)

    post = await sync_to_async(post_reply)(author=gulf.owner, thread=thread, body="At the depot")
    reply = await reader.next("thread.reply")

    assert refused["error"] == "not_found"
    assert reply == {"type": "thread.reply", "thread": thread.pk, "post": post.pk}
    await stranger.nothing_but_chatter()


async def test_a_socket_keeps_receiving_across_its_periodic_access_refreshes(sockets, settings) -> None:
    settings.MUSTER_LIVE_ACCESS_REFRESH_SECONDS = 0.3
    gulf = await room()
    alice, bob = gulf.members
    bob_socket = await sockets(bob)
    await bob_socket.subscribe(gulf.conversation.pk)

    await asyncio.sleep(1.2)  # several refreshes
    await sync_to_async(services.message_send)(conversation=gulf.conversation, author=alice, body="still there?")

    assert (await bob_socket.next("message"))["message"]["body"] == "still there?"


async def test_the_periodic_refresh_closes_the_socket_of_a_member_who_lost_access_quietly(sockets, settings) -> None:
    settings.MUSTER_LIVE_ACCESS_REFRESH_SECONDS = 0.5
    gulf = await room(members=3)
    alice, bob, carol = gulf.members
    bob_socket, carol_socket = await sockets(bob), await sockets(carol)
    await bob_socket.subscribe(gulf.conversation.pk)
    await carol_socket.subscribe(gulf.conversation.pk)

    # Straight in the database: no service announces it, only the process's batch re-read can notice.
    await sync_to_async(Member.objects.filter(pk=bob.pk).update)(is_active=False)
    refused = await bob_socket.next("session.refused", timeout=5)
    await sync_to_async(services.message_send)(conversation=gulf.conversation, author=alice, body="after the refresh")

    assert refused["reason"] == "inactive"
    assert (await carol_socket.next("message"))["message"]["body"] == "after the refresh"
