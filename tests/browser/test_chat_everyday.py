"""Everyday chat in a real browser at phone and desktop widths (issue 17, point 3): the conversation opens
at the first unread message with the composer in view, older history loads on scrolling up, "Jump to
newest", reactions, replies with a quote, Edit and Delete in a message's menu, and a message written
while the socket is down waits as "pending" and is sent once when it comes back.

Served by a real uvicorn process, as in production (in-memory channel layer), on the test database, as in
test_chat.py.
"""

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, WebSocketRoute, expect

from messaging import services
from messaging.models import Message
from tests.browser.conftest import DESKTOP, PHONE, _new_context, _watch
from tests.browser.test_layout_accessibility import accessibility_problems
from tests.messaging.conftest import AsgiServer, ServerLauncher, session_cookie
from tests.messaging.factories import make_room
from verification.models import Member
from verification.services import member_handle_ensure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("MUSTER_SCREENSHOTS", "")


@dataclass
class Lively:
    path: str
    conversation_id: int
    dana: Member
    marcus: Member


@pytest.fixture
def lively(transactional_db: None, settings: Any) -> Lively:
    """Seventy messages, Dana has read sixty; a quote and a reaction already there. Made before the browser
    starts (Playwright's event loop in this thread stops services publishing synchronously)."""
    settings.MUSTER_CHAT_RATE = (100_000, 10)
    room = make_room(members=2)
    dana, marcus = room.members
    conversation = room.conversation
    sent = []
    for n in range(1, 71):
        author = marcus if n % 3 else dana
        sent.append(services.message_send(conversation=conversation, author=author, body=f"Update {n} from the levee"))
    services.conversation_mark_read(conversation=conversation, member=dana, up_to=60)
    member_handle_ensure(member=dana)
    services.reaction_toggle(message=sent[63], member=marcus, emoji="🎉")
    services.message_send(
        conversation=conversation, author=marcus, body="Sandbags are at the north gate", reply_to=sent[62]
    )
    return Lively(f"/inbox/{conversation.pk}/", conversation.pk, dana, marcus)


@pytest.fixture
def chat_server(tmp_path: Path) -> Iterator[AsgiServer]:
    launcher = ServerLauncher(tmp_path)
    try:
        (server,) = launcher.start(1, redis_url="")
        yield server
    finally:
        launcher.stop_all()


@dataclass
class Line:
    """The page's socket, routed through Playwright so the test can cut it and bring it back."""

    down: bool = False
    routes: list[WebSocketRoute] = field(default_factory=list)
    ready: WebSocketRoute | None = None

    def handle(self, route: WebSocketRoute) -> None:
        self.routes.append(route)
        if self.down:
            return  # the page's socket opens but never hears from the server
        server = route.connect_to_server()

        def from_server(frame: str | bytes) -> None:
            if isinstance(frame, str) and '"session.ready"' in frame:
                self.ready = route
            route.send(frame)

        server.on_message(from_server)

    def wait_until_ready(self, page: Page, *, sockets_before: int = 0) -> None:
        """Until the page's newest socket (one opened after the first ``sockets_before``: a page loaded since)
        has been greeted by the server."""
        for _ in range(100):
            if len(self.routes) > sockets_before and self.ready is self.routes[-1]:
                return
            page.wait_for_timeout(100)
        raise AssertionError("the page's socket never became ready")

    def cut(self, page: Page, *, sockets_before: int) -> None:
        """Close the page's socket and keep it from reaching the server until ``restore``; done when the
        page says live updates are paused."""
        self.wait_until_ready(page, sockets_before=sockets_before)
        self.down = True
        for _ in range(3):
            # Now and then Playwright drops a close of a route fresh from a navigation: close again.
            self.routes[-1].close()
            try:
                expect(page.locator("#live-status")).to_be_visible(timeout=3000)
                return
            except AssertionError:
                continue
        raise AssertionError("the page never noticed its socket close")

    def restore(self) -> None:
        self.down = False
        self.routes[-1].close()  # the page reconnects, this time through to the server


def in_view(page: Page, selector: str) -> bool:
    return bool(
        page.evaluate(
            """(selector) => {
                const box = document.querySelector(selector).getBoundingClientRect();
                return box.top >= 0 && box.bottom <= window.innerHeight;
            }""",
            selector,
        )
    )


def no_sideways_scroll(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def message(page: Page, text: str) -> Any:
    return page.locator("li.chat-message", has_text=text)


def open_menu(page: Page, text: str) -> Any:
    item = message(page, text).last
    item.scroll_into_view_if_needed()
    toggle = item.get_by_role("button", name="Message actions")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    return item


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375", "1280"])
def test_everyday_chat_journey(
    lively: Lively, chat_server: AsgiServer, browser: Browser, viewport: dict[str, int]
) -> None:
    context = _new_context(browser, viewport)
    try:
        context.add_cookies([{"name": "sessionid", "value": session_cookie(lively.dana), "url": chat_server.http_url}])
        page, trouble = _watch(context, chat_server.http_url)
        line = Line()
        page.route_web_socket(re.compile(r".*/ws/live/$"), line.handle)
        response = page.goto(chat_server.http_url + lively.path)
        assert response is not None
        assert response.ok
        box = page.get_by_role("textbox", name="Message")

        # It opens at the first unread message, with the composer in view and no sideways scroll.
        expect(page.locator("[data-new-divider]")).to_have_text("New messages")
        assert in_view(page, "[data-new-divider]")
        expect(box).to_be_in_viewport()
        assert page.locator("li.chat-message").count() == 50
        expect(message(page, "Sandbags are at the north gate").locator(".chat-quote")).to_contain_text(
            "Update 63 from the levee"
        )
        expect(page.get_by_role("button", name="celebration: 1")).to_have_attribute("aria-pressed", "false")
        assert no_sideways_scroll(page)

        # Scrolling up loads the older messages; "Jump to newest" brings the end back.
        page.evaluate("window.scrollTo(0, 0)")
        expect(message(page, "Update 1 from the levee")).to_have_count(1)
        expect(page.locator("li.chat-message")).to_have_count(71)
        expect(box).to_be_in_viewport()
        jump = page.get_by_role("button", name="Jump to newest")
        expect(jump).to_be_visible()
        jump.click()
        expect(message(page, "Sandbags are at the north gate")).to_be_in_viewport()
        expect(jump).to_be_hidden()

        # React from a message's menu; the count and the pressed state show under it.
        line.wait_until_ready(page)
        item = open_menu(page, "Update 70 from the levee")
        item.get_by_role("button", name="React with thumbs up").click()
        chip = item.get_by_role("button", name="thumbs up: 1")
        expect(chip).to_have_attribute("aria-pressed", "true")
        expect(chip).to_have_attribute("title", lively.dana.display_name)

        # Reply with a quote.
        open_menu(page, "Update 68 from the levee").get_by_role("button", name="Reply").click()
        expect(page.locator("[data-replying]")).to_contain_text("Update 68 from the levee")
        box.fill("On my way to 68")
        box.press("Enter")
        reply = message(page, "On my way to 68")
        expect(reply.locator(".chat-quote")).to_contain_text("Update 68 from the levee")
        expect(box).to_have_value("")
        expect(page.locator("[data-replying]")).to_be_hidden()
        expect(reply.locator(".avatar")).to_have_attribute("data-initials", re.compile(r"^[A-Z?]{1,2}$"))

        # A mention of the reader arrives as a highlighted link; a mention of nobody is warned about first.
        box.fill(f"@{lively.dana.handle} noted")
        box.press("Enter")
        expect(message(page, "noted").locator("a.mention.mention-me")).to_have_text(f"@{lively.dana.handle}")
        box.fill("Ask @nobody-at-all now")
        box.press("Enter")
        warning = page.get_by_role("alert").filter(has_text="No member @nobody-at-all can see this conversation")
        expect(warning).to_be_visible()
        expect(box).to_have_value("Ask @nobody-at-all now")
        assert Message.objects.filter(body="Ask @nobody-at-all now").count() == 0
        box.press("Enter")
        expect(message(page, "Ask @nobody-at-all now")).to_have_count(1)
        expect(warning).to_be_hidden()
        expect(box).to_have_value("")

        if SCREENSHOTS:
            Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(SCREENSHOTS) / f"chat-{viewport['width']}.png"))
        assert accessibility_problems(page) == []
        assert no_sideways_scroll(page)

        # Edit and Delete live in the menu of one's own message (here one that arrived live).
        open_menu(page, "On my way to 68").get_by_role("link", name="Edit your message").click()
        page.get_by_role("textbox", name="Message").fill("On my way to gate 68")
        page.get_by_role("button", name="Save").click()
        expect(message(page, "On my way to gate 68").locator(".chat-edited")).to_have_text("(edited)")
        sockets_before_delete = len(line.routes)
        open_menu(page, "On my way to gate 68").get_by_role("button", name="Delete this message").click()
        expect(message(page, "On my way to gate 68")).to_have_count(0)
        expect(page.locator("li.chat-message-deleted")).to_have_count(1)

        # Written while the socket is down: kept as pending, sent once when it is back.
        expect(page.locator("#live-status")).to_be_hidden()
        line.cut(page, sockets_before=sockets_before_delete)
        context.set_offline(True)
        expect(page.locator("#live-status")).to_be_visible()
        box = page.get_by_role("textbox", name="Message")
        box.fill("Pumps needed at 5th street")
        box.press("Enter")
        pending = page.locator("li.chat-message-pending", has_text="Pumps needed at 5th street")
        expect(pending).to_contain_text("Pending")
        page.wait_for_timeout(1500)
        assert Message.objects.filter(body="Pumps needed at 5th street").count() == 0
        context.set_offline(False)
        line.restore()
        expect(pending).to_have_count(0, timeout=15_000)
        expect(message(page, "Pumps needed at 5th street")).to_have_count(1)
        page.wait_for_timeout(1000)
        assert Message.objects.filter(body="Pumps needed at 5th street").count() == 1

        offline_noise = ("failed ", "ERR_INTERNET_DISCONNECTED", "Failed to load resource")
        assert [t for t in trouble.all() if not any(n in t for n in offline_noise)] == []
        assert trouble.csp_violations == []
        assert trouble.script_errors == []
    finally:
        context.close()
