import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from websockets.typing import Origin

from messaging.consumers import CLOSE_NOT_CLEARED, CLOSE_UNAUTHENTICATED
from muster.asgi import application
from tests.verification.factories import MemberFactory, make_verified_member


def session_headers(client: Client, origin: str = "http://127.0.0.1:8000") -> list[tuple[bytes, bytes]]:
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    return [(b"origin", origin.encode()), (b"cookie", cookie.encode()), (b"host", b"127.0.0.1:8000")]


@pytest.mark.django_db(transaction=True)
async def test_websocket_knows_the_signed_in_member_from_the_session_cookie() -> None:
    client = Client()
    member = await sync_to_async(make_verified_member)()
    await sync_to_async(client.force_login)(member)
    communicator = WebsocketCommunicator(application, "/ws/live/", headers=session_headers(client))

    connected, _ = await communicator.connect()

    assert connected
    assert await communicator.receive_json_from() == {
        "type": "session.ready",
        "member": member.pk,
        "handle": member.handle or "",
    }
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from() == {"type": "pong"}
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("markings", "mfa", "reason"), [([], False, "unverified"), (["fouo"], False, "mfa")])
async def test_websocket_refuses_members_who_may_not_see_content_and_says_why(markings, mfa, reason) -> None:
    def make_member():
        if reason == "unverified":
            return MemberFactory.create()
        return make_verified_member(markings=markings, mfa=mfa)

    client = Client()
    await sync_to_async(client.force_login)(await sync_to_async(make_member)())
    communicator = WebsocketCommunicator(application, "/ws/live/", headers=session_headers(client))

    connected, _ = await communicator.connect()

    assert connected
    refused = await communicator.receive_json_from()
    assert refused["type"] == "session.refused"
    assert refused["reason"] == reason
    assert refused["detail"]
    assert await communicator.receive_output() == {"type": "websocket.close", "code": CLOSE_NOT_CLEARED}


@pytest.mark.django_db(transaction=True)
async def test_websocket_without_a_session_is_closed_as_unauthenticated() -> None:
    communicator = WebsocketCommunicator(
        application, "/ws/live/", headers=[(b"origin", b"http://127.0.0.1:8000"), (b"host", b"127.0.0.1:8000")]
    )

    connected, _ = await communicator.connect()

    assert connected
    assert await communicator.receive_output() == {"type": "websocket.close", "code": CLOSE_UNAUTHENTICATED}


@pytest.mark.django_db(transaction=True)
async def test_a_session_from_before_a_password_change_no_longer_opens_a_socket() -> None:
    """As for a page: Django's session hash no longer matches, so the socket is anonymous."""
    old, fresh = Client(), Client()
    member = await sync_to_async(make_verified_member)()
    await sync_to_async(old.force_login)(member)

    def change_password() -> None:
        member.set_password("a whole new passphrase")
        member.save()

    await sync_to_async(change_password)()
    await sync_to_async(fresh.force_login)(member)
    stale = WebsocketCommunicator(application, "/ws/live/", headers=session_headers(old))
    current = WebsocketCommunicator(application, "/ws/live/", headers=session_headers(fresh))

    assert (await stale.connect())[0]
    assert await stale.receive_output() == {"type": "websocket.close", "code": CLOSE_UNAUTHENTICATED}
    assert (await current.connect())[0]
    assert (await current.receive_json_from())["member"] == member.pk
    await current.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_websocket_from_a_foreign_origin_is_refused_even_with_a_valid_session() -> None:
    client = Client()
    await sync_to_async(client.force_login)(await sync_to_async(MemberFactory.create)())
    communicator = WebsocketCommunicator(
        application, "/ws/live/", headers=session_headers(client, origin=Origin("https://evil.example.com"))
    )

    connected, _ = await communicator.connect()

    assert not connected


def test_what_the_server_loads_at_start_is_kept_out_of_full_garbage_collections() -> None:
    """Django and the apps, loaded with ``muster.asgi``, live as long as the process: frozen, a full collection
    with a thousand sockets open no longer walks them (it paused the event loop for up to 190 ms)."""
    import gc

    assert gc.get_freeze_count() > 50_000
