"""Everyday chat on the live socket: reactions reach the room through the checked event path, replies carry
their quote, and a resent client id is acknowledged again without a second message."""

from typing import Any

import pytest
from asgiref.sync import sync_to_async

from communities.services import membership_join, membership_remove, membership_set_role
from messaging import services
from messaging.models import Message, Reaction
from tests.messaging.factories import Room, make_room
from tests.messaging.test_consumers import room, sockets
from tests.verification.factories import make_verified_member
from verification.models import Marking, Member

pytestmark = pytest.mark.django_db(transaction=True)

__all__ = ["sockets"]


async def sent_and_acked(socket: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """The sender's own copy of a message and its acknowledgement, in whichever order they arrive."""
    got: dict[str, dict[str, Any]] = {}
    while len(got) < 2:
        frame = await socket.communicator.receive_json_from(timeout=3)
        if frame["type"] in ("message", "message.ack"):
            assert frame["type"] not in got, f"a second {frame['type']}: {frame}"
            got[frame["type"]] = frame
    return got["message"], got["message.ack"]


@pytest.fixture(autouse=True)
def roomy_rate_limit(settings: Any) -> None:
    settings.MUSTER_CHAT_RATE = (100_000, 10)


async def test_a_reaction_reaches_everyone_in_the_room_live_and_toggles_off(sockets) -> None:
    gulf = await room()
    alice, bob = gulf.members
    alice_socket, bob_socket = await sockets(alice), await sockets(bob)
    await alice_socket.subscribe(gulf.conversation.pk)
    await bob_socket.subscribe(gulf.conversation.pk)
    await alice_socket.send(type="send", conversation=gulf.conversation.pk, body="Shelter open", client_id="a1")
    await sent_and_acked(alice_socket)
    await bob_socket.next("message")

    await bob_socket.send(type="react", conversation=gulf.conversation.pk, id=1, emoji="👍")
    seen_by_alice = await alice_socket.next("message")
    seen_by_bob = await bob_socket.next("message")
    await bob_socket.send(type="react", conversation=gulf.conversation.pk, id=1, emoji="👍")
    removed = await alice_socket.next("message")

    assert seen_by_alice["message"]["reactions"] == seen_by_bob["message"]["reactions"]
    assert seen_by_alice["message"]["reactions"][0]["members"] == [bob.pk]
    assert seen_by_alice["message"]["reactions"][0]["label"] == "thumbs up"
    assert removed["message"]["reactions"] == []
    assert removed["message"]["version"] > seen_by_alice["message"]["version"]


async def test_reactions_are_refused_for_forged_ids_unknown_emoji_and_rooms_the_member_may_not_see(sockets) -> None:
    def setup() -> tuple[Room, Any, Member, Message]:
        gulf = make_room(members=1)
        cleared = make_verified_member(markings=["fouo"])
        membership_join(community=gulf.community, member=cleared)
        membership_set_role(community=gulf.community, member=cleared, role="moderator")
        ops = services.room_create(
            community=gulf.community, actor=cleared, title="Ops", marking=Marking.objects.get(slug="fouo")
        )
        marked = services.message_send(conversation=ops, author=cleared, body="FOUO: staging plan")
        return gulf, ops, cleared, marked

    gulf, ops, cleared, marked = await sync_to_async(setup)()
    uncleared = gulf.members[0]
    socket = await sockets(uncleared)
    cleared_socket = await sockets(cleared)
    await cleared_socket.subscribe(ops.pk)

    await socket.send(type="react", conversation=ops.pk, id=marked.sequence, emoji="👍")
    not_cleared = await socket.next("error")
    await socket.send(type="react", conversation=999999, id=1, emoji="👍")
    forged_room = await socket.next("error")
    await socket.send(type="react", conversation=gulf.conversation.pk, id=4242, emoji="👍")
    forged_message = await socket.next("error")
    await cleared_socket.send(type="react", conversation=ops.pk, id=marked.sequence, emoji="💩")
    unknown = await cleared_socket.next("error")

    assert not_cleared["error"] == forged_room["error"] == forged_message["error"] == "not_found"
    assert unknown["error"] == "invalid"
    assert await sync_to_async(Reaction.objects.count)() == 0
    # The allowed path: the cleared member's reaction arrives on their own socket.
    await cleared_socket.send(type="react", conversation=ops.pk, id=marked.sequence, emoji="🙏")
    changed = await cleared_socket.next("message")
    assert changed["message"]["reactions"][0]["members"] == [cleared.pk]


async def test_a_member_removed_from_the_community_gets_no_reaction_events(sockets) -> None:
    gulf = await room()
    alice, bob = gulf.members
    message = await sync_to_async(services.message_send)(conversation=gulf.conversation, author=alice, body="hi")
    alice_socket, bob_socket = await sockets(alice), await sockets(bob)
    await alice_socket.subscribe(gulf.conversation.pk, since=message.version)
    await bob_socket.subscribe(gulf.conversation.pk, since=message.version)

    await sync_to_async(membership_remove)(community=gulf.community, actor=gulf.owner, member=bob)
    await bob_socket.next("conversation.closed", timeout=5)
    await alice_socket.send(type="react", conversation=gulf.conversation.pk, id=message.sequence, emoji="🎉")
    await alice_socket.next("message")
    await bob_socket.send(type="react", conversation=gulf.conversation.pk, id=message.sequence, emoji="🎉")
    refused = await bob_socket.next("error")

    assert refused["error"] == "not_found"
    await bob_socket.nothing_but_chatter(timeout=1)
    assert await sync_to_async(lambda: list(Reaction.objects.values_list("member_id", flat=True)))() == [alice.pk]


async def test_a_reply_carries_its_quote_live_and_cannot_quote_another_conversation(sockets) -> None:
    def setup() -> tuple[Room, Room]:
        gulf = make_room()
        ems = make_room(members=0, slug="ems")
        membership_join(community=ems.community, member=gulf.members[0])
        for n in range(3):
            services.message_send(conversation=ems.conversation, author=ems.owner, body=f"EMS secret {n}")
        return gulf, ems

    gulf, _ems = await sync_to_async(setup)()
    alice, bob = gulf.members
    alice_socket, bob_socket = await sockets(alice), await sockets(bob)
    await alice_socket.subscribe(gulf.conversation.pk)
    await bob_socket.subscribe(gulf.conversation.pk)
    await alice_socket.send(type="send", conversation=gulf.conversation.pk, body="Pier 9 is flooded", client_id="q")
    await sent_and_acked(alice_socket)
    await bob_socket.next("message")

    await bob_socket.send(type="send", conversation=gulf.conversation.pk, body="Copy", reply_to=1, client_id="r")
    reply = await alice_socket.next("message")
    # Message 3 exists only in the EMS room (which alice, not bob, may read): from here it is no message.
    await alice_socket.send(type="send", conversation=gulf.conversation.pk, body="see", reply_to=3, nonce="x")
    crossed = await alice_socket.next("error")

    assert reply["message"]["reply_to"] == {
        "id": 1,
        "author": alice.display_name,
        "snippet": "Pier 9 is flooded",
        "deleted": False,
    }
    assert crossed["error"] == "invalid"
    assert "EMS" not in crossed["detail"]
    assert await sync_to_async(gulf.conversation.messages.count)() == 2


async def test_the_same_client_id_twice_is_acknowledged_twice_and_stored_and_delivered_once(sockets) -> None:
    gulf = await room()
    alice, bob = gulf.members
    alice_socket, bob_socket = await sockets(alice), await sockets(bob)
    await alice_socket.subscribe(gulf.conversation.pk)
    await bob_socket.subscribe(gulf.conversation.pk)

    frame = {"type": "send", "conversation": gulf.conversation.pk, "body": "Need pumps", "client_id": "tab-1-7"}
    await alice_socket.send(**frame, nonce="tab-1-7")
    _own_copy, first = await sent_and_acked(alice_socket)
    await alice_socket.send(**frame, nonce="tab-1-7")
    second = await alice_socket.next("message.ack")

    assert first["client_id"] == second["client_id"] == "tab-1-7"
    assert first["message"]["id"] == second["message"]["id"] == 1
    assert (await bob_socket.next("message"))["message"]["client_id"] == "tab-1-7"
    await bob_socket.nothing_but_chatter(timeout=0.7)
    assert await sync_to_async(Message.objects.count)() == 1
