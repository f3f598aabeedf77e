"""Chat in two real browsers: what one member sends appears on the other's open page, once, without a reload.

pytest-django's live server cannot carry websockets, so the room page is
served by a real uvicorn process, as in production (in-memory channel layer),
on the test database. Each member has a browser context of their own, signed
in by session cookie.
"""

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, WebSocket, expect

from tests.browser.conftest import DESKTOP, PageTrouble, _new_context, _watch
from tests.messaging.conftest import AsgiServer, ServerLauncher, session_cookie
from tests.messaging.factories import make_room
from verification.models import Member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@dataclass
class ChatPage:
    page: Page
    trouble: PageTrouble
    frames: list[dict[str, Any]]

    def frames_of(self, frame_type: str) -> list[dict[str, Any]]:
        return [frame for frame in self.frames if frame.get("type") == frame_type]

    def wait_for_frame(self, frame_type: str, *, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not self.frames_of(frame_type):
            assert time.monotonic() < deadline, f"no {frame_type!r} frame within {timeout} s; frames: {self.frames}"
            self.page.wait_for_timeout(100)


@dataclass
class Cast:
    path: str
    dana: Member
    marcus: Member
    outsider: Member


@pytest.fixture
def cast(transactional_db: None) -> Cast:
    """Two members of one community and a member of another. Made before the browser starts: Playwright's
    event loop in this thread stops services from publishing their live events synchronously."""
    room = make_room(members=2)
    outsider = make_room(members=0, slug="ems").owner
    dana, marcus = room.members
    return Cast(f"/inbox/{room.conversation.pk}/", dana, marcus, outsider)


@pytest.fixture
def chat_server(tmp_path: Path) -> Iterator[AsgiServer]:
    launcher = ServerLauncher(tmp_path)
    try:
        (server,) = launcher.start(1, redis_url="")
        yield server
    finally:
        launcher.stop_all()


@pytest.fixture
def open_chat(browser: Browser, chat_server: AsgiServer) -> Iterator[Callable[[Member, str], ChatPage]]:
    """Open a conversation page as ``member`` in a browser context of their own; every context closes at the end."""
    contexts = []

    def open_as(member: Member, path: str) -> ChatPage:
        context = _new_context(browser, DESKTOP)
        contexts.append(context)
        context.add_cookies([{"name": "sessionid", "value": session_cookie(member), "url": chat_server.http_url}])
        page, trouble = _watch(context, chat_server.http_url)
        chat = ChatPage(page, trouble, [])

        def on_socket(socket_: WebSocket) -> None:
            socket_.on("framereceived", lambda payload: chat.frames.append(json.loads(payload)))

        page.on("websocket", on_socket)
        response = page.goto(chat_server.http_url + path)
        assert response is not None
        assert response.ok, f"{path} answered {response.status}"
        chat.wait_for_frame("subscribed")
        return chat

    try:
        yield open_as
    finally:
        for context in contexts:
            context.close()


def test_a_message_sent_in_one_browser_appears_once_in_the_other_without_a_reload(cast: Cast, open_chat) -> None:
    sender = open_chat(cast.dana, cast.path)
    reader = open_chat(cast.marcus, cast.path)
    reader.page.evaluate("window.__notReloaded = true")

    sender.page.get_by_role("textbox", name="Message").fill("Shelter at Ball High is open")
    sender.page.get_by_role("button", name="Send").click()

    arrived = reader.page.locator(".chat-message", has_text="Shelter at Ball High is open")
    expect(arrived).to_have_count(1)
    expect(arrived.locator(".chat-author")).to_have_text(cast.dana.display_name)
    expect(sender.page.locator(".chat-message", has_text="Shelter at Ball High is open")).to_have_count(1)
    expect(sender.page.get_by_role("textbox", name="Message")).to_have_value("")
    reader.page.wait_for_timeout(500)  # a duplicate would arrive by now
    expect(arrived).to_have_count(1)
    assert reader.page.evaluate("window.__notReloaded") is True
    assert [frame["message"]["body"] for frame in reader.frames_of("message")] == ["Shelter at Ball High is open"]
    assert sender.trouble.all() == []
    assert reader.trouble.all() == []


def test_a_member_outside_the_community_cannot_open_the_room_or_see_its_messages(
    cast: Cast, open_chat, browser: Browser, chat_server: AsgiServer
) -> None:
    member_page = open_chat(cast.dana, cast.path).page
    member_page.get_by_role("textbox", name="Message").fill("Staging at pier 21")
    member_page.get_by_role("button", name="Send").click()
    expect(member_page.locator(".chat-message", has_text="Staging at pier 21")).to_have_count(1)

    context = _new_context(browser, DESKTOP)
    try:
        context.add_cookies(
            [{"name": "sessionid", "value": session_cookie(cast.outsider), "url": chat_server.http_url}]
        )
        page = context.new_page()
        response = page.goto(chat_server.http_url + cast.path)
        assert response is not None
        assert response.status == 404
        assert "Staging at pier 21" not in page.content()
    finally:
        context.close()
