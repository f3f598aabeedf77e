"""Drafts and preview in a real browser (issue 17, point 7).

A half-written reply survives a reload (kept in this browser only, under the member's id) with a visible
"Draft restored" note, and is gone once posted; Preview shows the text as the server renders it and Write
returns to the text. Those two journeys run on a phone (375 px) and a desktop (1280 px), with no serious or
critical accessibility violations and no sideways scroll. A chat message's draft lasts until the server
acknowledges the message. The page fixtures fail a test on any console error or CSP violation.
"""

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Locator, Page, expect

from communities.models import Community, Role
from communities.services import community_create, membership_set_role
from discussions import services as discussions
from tests.browser.conftest import BrowserPage
from tests.browser.test_chat import Cast, ChatPage, cast, chat_server, open_chat  # noqa: F401 (fixtures)
from tests.browser.test_layout_accessibility import accessibility_problems
from tests.verification.factories import TEST_PASSWORD, make_verified_member
from verification.models import Marking, Member

pytestmark = pytest.mark.browser

REPLY = "Cots arrive at **noon**; bring _water_."
# A folder to keep screenshots in (drafts-*.png), to look at by eye; none when unset.
SCREENSHOTS = os.environ.get("MUSTER_SCREENSHOTS", "")


@dataclass
class World:
    member: Member
    thread: str


@pytest.fixture
def world(transactional_db: None) -> World:
    unmarked = Marking.objects.get(slug="unmarked")
    member = make_verified_member(first_name="Lee", last_name="Park")
    gulf = community_create(creator=member, name="Gulf Coast", slug="gulf", marking=unmarked)
    board = discussions.board_create(community=gulf, actor=member, name="Operations")
    thread = discussions.thread_start(
        author=member, community=gulf, board=board, title="Shelter staffing", body="Who covers?", marking=unmarked
    )
    return World(member=member, thread=reverse("discussions:thread", args=["gulf", thread.pk]))


def reply_box(page: Page) -> Locator:
    return page.get_by_role("textbox", name="Your reply")


def stored_drafts(page: Page) -> dict[str, str]:
    drafts: dict[str, str] = page.evaluate(
        "() => Object.fromEntries(Object.keys(sessionStorage)"
        ".filter((key) => key.startsWith('muster-draft:')).map((key) => [key, sessionStorage.getItem(key)]))"
    )
    return drafts


def no_sideways_scroll(view: BrowserPage) -> bool:
    return bool(view.page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"))


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_a_reply_survives_a_reload_and_is_cleared_once_posted(
    viewport: str, world: World, request: pytest.FixtureRequest
) -> None:
    view: BrowserPage = request.getfixturevalue(viewport)
    page = view.page
    view.sign_in(world.member.email, TEST_PASSWORD)
    view.open(world.thread)
    reply_box(page).fill(REPLY)

    view.open(world.thread)

    expect(reply_box(page)).to_have_value(REPLY)
    expect(page.get_by_role("status").filter(has_text="Draft restored")).to_be_visible()
    assert accessibility_problems(page) == []
    assert no_sideways_scroll(view)
    if SCREENSHOTS:
        page.locator("#reply").screenshot(path=Path(SCREENSHOTS) / f"drafts-restored-{viewport}.png")
    assert list(stored_drafts(page)) == [f"muster-draft:{world.member.pk}:{world.thread}:body"]

    page.get_by_role("button", name="Post reply").click()
    view.settle()

    expect(page.locator(".post-body strong", has_text="noon")).to_be_visible()
    expect(reply_box(page)).to_have_value("")
    expect(page.get_by_text("Draft restored")).to_have_count(0)
    assert stored_drafts(page) == {}
    assert accessibility_problems(page) == []
    assert no_sideways_scroll(view)
    assert view.trouble.all() == []


def test_discard_drops_the_restored_draft(desktop: BrowserPage, world: World) -> None:
    page = desktop.page
    desktop.sign_in(world.member.email, TEST_PASSWORD)
    desktop.open(world.thread)
    reply_box(page).fill(REPLY)
    desktop.open(world.thread)

    page.get_by_role("button", name="Discard the restored draft").click()

    expect(reply_box(page)).to_have_value("")
    expect(reply_box(page)).to_be_focused()
    assert stored_drafts(page) == {}
    assert desktop.trouble.all() == []


def test_another_member_on_the_same_browser_never_sees_the_draft(desktop: BrowserPage, world: World) -> None:
    page = desktop.page
    desktop.sign_in(world.member.email, TEST_PASSWORD)
    desktop.open(world.thread)
    reply_box(page).fill(REPLY)
    page.context.clear_cookies()  # the session ends without signing out, as on a shared station computer
    colleague = make_verified_member(first_name="Sam", last_name="Ortiz")
    membership_set_role(community=Community.objects.get(slug="gulf"), member=colleague, role=Role.MEMBER)

    desktop.sign_in(colleague.email, TEST_PASSWORD)
    desktop.open(world.thread)

    expect(reply_box(page)).to_have_value("")
    expect(page.get_by_text("Draft restored")).to_have_count(0)
    assert list(stored_drafts(page)) == [f"muster-draft:{world.member.pk}:{world.thread}:body"]
    assert desktop.trouble.all() == []


def test_signing_out_removes_the_members_drafts(desktop: BrowserPage, world: World) -> None:
    page = desktop.page
    desktop.sign_in(world.member.email, TEST_PASSWORD)
    desktop.open(world.thread)
    reply_box(page).fill(REPLY)
    assert stored_drafts(page) != {}

    page.get_by_role("button", name="Sign out").click()
    desktop.settle()

    assert stored_drafts(page) == {}
    assert desktop.trouble.all() == []


def test_a_draft_written_before_the_text_changed_is_offered_not_restored(desktop: BrowserPage, world: World) -> None:
    """The stored draft's fingerprint of the server's text is altered by hand, as if the text (a wiki page,
    say) had been saved by someone else since: the box keeps the current text until the member chooses."""
    page = desktop.page
    desktop.sign_in(world.member.email, TEST_PASSWORD)
    desktop.open(world.thread)
    reply_box(page).fill(REPLY)
    page.evaluate(
        "() => { const key = Object.keys(sessionStorage).find((k) => k.startsWith('muster-draft:'));"
        " const draft = JSON.parse(sessionStorage.getItem(key)); draft.base = '5:older';"
        " sessionStorage.setItem(key, JSON.stringify(draft)); }"
    )

    desktop.open(world.thread)

    expect(reply_box(page)).to_have_value("")
    expect(page.get_by_role("status").filter(has_text="it was not restored")).to_be_visible()
    page.get_by_role("button", name="Restore the older draft").click()
    expect(reply_box(page)).to_have_value(REPLY)
    expect(page.get_by_role("status").filter(has_text="compare it with the current text")).to_be_visible()
    assert desktop.trouble.all() == []


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_preview_shows_the_rendered_markdown_and_write_returns_to_the_text(
    viewport: str, world: World, request: pytest.FixtureRequest
) -> None:
    view: BrowserPage = request.getfixturevalue(viewport)
    page = view.page
    view.sign_in(world.member.email, TEST_PASSWORD)
    view.open(world.thread)
    reply_box(page).fill(REPLY + "\n\n<script>window.previewRan = true</script>")

    page.get_by_role("button", name="Preview").click()

    preview = page.get_by_role("region", name="Preview")
    expect(preview.locator("strong")).to_have_text("noon")
    expect(preview.locator("em")).to_have_text("water")
    expect(reply_box(page)).to_be_hidden()
    expect(page.get_by_role("button", name="Preview")).to_have_attribute("aria-pressed", "true")
    assert preview.locator("script").count() == 0
    assert page.evaluate("() => window.previewRan") is None
    assert accessibility_problems(page) == []
    assert no_sideways_scroll(view)
    if SCREENSHOTS:
        page.locator("#reply").screenshot(path=Path(SCREENSHOTS) / f"drafts-preview-{viewport}.png")

    page.get_by_role("button", name="Write").click()

    expect(preview).to_be_hidden()
    expect(reply_box(page)).to_be_visible()
    expect(reply_box(page)).to_be_focused()
    expect(reply_box(page)).to_have_value(REPLY + "\n\n<script>window.previewRan = true</script>")
    assert accessibility_problems(page) == []
    assert no_sideways_scroll(view)
    assert view.trouble.all() == []


def test_a_chat_message_survives_a_reload_and_leaves_the_drafts_once_the_server_acknowledges_it(
    cast: Cast,  # noqa: F811 (the fixture imported above)
    open_chat: Callable[[Member, str], ChatPage],  # noqa: F811 (the fixture imported above)
) -> None:
    chat = open_chat(cast.dana, cast.path)
    page = chat.page
    composer = page.get_by_role("textbox", name="Message")
    composer.fill("Generators at **pier 21**")

    page.reload()

    expect(composer).to_have_value("Generators at **pier 21**")
    expect(page.get_by_role("status").filter(has_text="Draft restored")).to_be_visible()

    page.get_by_role("button", name="Send").click()

    expect(page.locator(".chat-message", has_text="Generators at")).to_have_count(1)
    expect(composer).to_have_value("")
    page.wait_for_function("() => !Object.keys(sessionStorage).some((key) => key.startsWith('muster-draft:'))")
    assert chat.trouble.all() == []
