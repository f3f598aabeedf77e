"""Navigation and the keyboard in a real browser (issue 17, points 4 and 9).

On a phone the header is one short row with a menu button that opens and closes the navigation (a real
button, ``aria-expanded``, Escape closes it and gives focus back), no page of a member's or a verifier's
walk scrolls sideways, and the navigation's links are 44px tap targets; on a desktop the navigation shows
without the button, and a verifier's has "Vetting queue" and "Audit log" once each. The keyboard shortcuts
(``/`` search, ``?`` the list of shortcuts, ``j``/``k`` through a list, ``r`` reply) work at 1280 and at 375
px (a phone or tablet with a hardware keyboard: ``/`` reaches the search box, which stays in the header's
row whether the menu is folded or open), and do nothing while the member types in a field or holds Ctrl,
Alt or Meta.

One community holds what the walk visits: a board of three threads, a document with a long file name,
and a pending application in the vetting queue.
"""

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from playwright.sync_api import Browser, Locator, Page, expect

from communities.models import Community, Role
from communities.services import community_create, membership_set_role
from discussions import services as discussions
from library import services as library
from tests.browser.conftest import PHONE, BrowserPage, _watch
from tests.browser.test_layout_accessibility import accessibility_problems
from tests.browser.test_partnerships import session_cookie, worked  # noqa: F401 (a fixture)
from tests.library.test_services import PDF
from tests.verification.factories import TEST_PASSWORD, authenticator_code, make_verified_member
from tests.verification.test_review_views import submit_application
from verification.models import Marking, Member

pytestmark = pytest.mark.browser

THREAD_TITLES = ["Shelter staffing rota", "Shelter water supply", "Shelter cots and blankets"]
LONG_FILE_NAME = "gulf-coast-parish-evacuation-shelter-staffing-roster-final-approved-version-2026.pdf"
HEADER_MOST = 64  # px, at 375px wide with the menu closed
TAP_TARGET_LEAST = 44  # px
# A folder to keep screenshots in (navigation-*.png), to look at by eye; none when unset.
SCREENSHOTS = os.environ.get("MUSTER_SCREENSHOTS", "")


@dataclass
class World:
    reader: Member
    verifier: Member
    community: str
    board: str
    thread: str
    document: str


@pytest.fixture
def world(transactional_db: None) -> World:
    """Made before the browser starts: search indexing runs when each item's transaction commits."""
    unmarked = Marking.objects.get(slug="unmarked")
    reader = make_verified_member(first_name="Lee", last_name="Park")
    verifier = make_verified_member(first_name="Vera", last_name="Fier", mfa=True)
    verifier.groups.add(Group.objects.get(name="Verifiers"))
    gulf: Community = community_create(creator=reader, name="Gulf Coast", slug="gulf", marking=unmarked)
    membership_set_role(community=gulf, member=verifier, role=Role.MEMBER)
    board = discussions.board_create(community=gulf, actor=reader, name="Operations")
    threads = [
        discussions.thread_start(
            author=reader, community=gulf, board=board, title=title, body="Cots, staff and water.", marking=unmarked
        )
        for title in THREAD_TITLES
    ]
    document = library.document_upload(
        author=reader,
        community=gulf,
        title="Shelter roster",
        file=SimpleUploadedFile(LONG_FILE_NAME, PDF),
        marking=unmarked,
    )
    submit_application(email="dana.applicant@county.example.org", first_name="Dana", last_name="Applicant")
    return World(
        reader=reader,
        verifier=verifier,
        community=reverse("communities:detail", args=["gulf"]),
        board=reverse("discussions:board", args=["gulf", board.slug]),
        thread=reverse("discussions:thread", args=["gulf", threads[0].pk]),
        document=reverse("library:document", args=["gulf", document.pk]),
    )


def sign_in_verifier(browser_page: BrowserPage, verifier: Member) -> None:
    """Password, then the authenticator's code: verifiers must use two-factor authentication."""
    browser_page.sign_in(verifier.email, TEST_PASSWORD)
    code = authenticator_code(verifier.totp_secret)  # type: ignore[attr-defined]
    browser_page.page.locator("input[name=code]").fill(code)
    browser_page.page.locator("input[name=code]").press("Enter")
    browser_page.settle()
    expect(browser_page.page).to_have_url(f"{browser_page.base_url}/home/")


def snap(page: Page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=Path(SCREENSHOTS) / f"navigation-{name}.png", full_page=True)


def main_navigation(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Main")


def menu_button(page: Page) -> Locator:
    return page.get_by_role("banner").get_by_role("button", name="Menu")


def height(locator: Locator) -> float:
    box = locator.bounding_box()
    assert box is not None, f"{locator} is not shown"
    return box["height"]


def sideways_overflow(page: Page) -> int:
    """How many pixels the page is wider than the window (0 when it does not scroll sideways)."""
    overflow: int = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    return overflow


def assert_verifier_links_once(page: Page) -> None:
    """Counted whether the menu is open or not (on a phone it is closed, so the landmark is hidden too)."""
    navigation = page.locator("nav#main-nav")
    for name in ("Vetting queue", "Audit log"):
        expect(navigation.get_by_role("link", name=name, exact=True, include_hidden=True)).to_have_count(1)


# Phone


def test_phone_header_is_one_short_row_whose_menu_button_opens_and_closes_the_navigation(
    phone: BrowserPage, world: World
) -> None:
    page = phone.page
    phone.sign_in(world.reader.email, TEST_PASSWORD)
    button = menu_button(page)
    communities = main_navigation(page).get_by_role("link", name="Communities")

    assert height(page.get_by_role("banner")) <= HEADER_MOST
    expect(button).to_be_visible()
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(button).to_have_attribute("aria-controls", "main-nav")
    expect(communities).to_be_hidden()
    expect(page.get_by_role("banner").get_by_role("combobox", name="Search")).to_be_in_viewport()
    assert height(button) >= TAP_TARGET_LEAST
    assert accessibility_problems(page) == []
    snap(page, "phone-menu-closed")

    button.tap()

    expect(button).to_have_attribute("aria-expanded", "true")
    expect(communities).to_be_visible()
    targets = main_navigation(page).locator("a, button")
    assert targets.count() >= 10
    for target in targets.all():
        assert height(target) >= TAP_TARGET_LEAST, f"{target.inner_text()} is too small to tap"
    assert sideways_overflow(page) <= 0
    assert accessibility_problems(page) == []
    snap(page, "phone-menu-open")

    page.keyboard.press("Tab")  # into the open menu, then Escape from there
    expect(main_navigation(page).get_by_role("link", name="Home")).to_be_focused()
    page.keyboard.press("Escape")

    expect(button).to_have_attribute("aria-expanded", "false")
    expect(communities).to_be_hidden()
    expect(button).to_be_focused()

    button.tap()
    communities.tap()
    phone.settle()
    expect(page.get_by_role("heading", level=1)).to_have_text("Communities")
    expect(menu_button(page)).to_have_attribute("aria-expanded", "false")
    assert phone.trouble.all() == []


def test_a_verifiers_walk_never_scrolls_sideways_on_a_phone(phone: BrowserPage, world: World) -> None:
    page = phone.page
    sign_in_verifier(phone, world.verifier)
    walk = {
        "home": "/home/",
        "communities": reverse("communities:directory"),
        "community": world.community,
        "board": world.board,
        "thread": world.thread,
        "document": world.document,
        "search results": reverse("search:search") + "?q=shelter",
        "vetting queue": reverse("verification:queue"),
        "audit log": reverse("verification:audit"),
    }

    for name, path in walk.items():
        phone.open(path)
        assert sideways_overflow(page) <= 0, f"the {name} page scrolls sideways"
        assert height(page.get_by_role("banner")) <= HEADER_MOST, f"the {name} page's header is too tall"
        assert accessibility_problems(page) == [], name
        snap(page, "phone-" + name.replace(" ", "-"))

    # The queue's table scrolls inside its own box; the page does not.
    phone.open(reverse("verification:queue"))
    expect(page.get_by_role("main").get_by_role("link", name="Dana Applicant")).to_have_count(1)
    assert_verifier_links_once(page)
    phone.open(world.document)
    file_link = page.get_by_role("link", name=LONG_FILE_NAME, exact=True)
    box = file_link.bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= (page.viewport_size or {"width": 375})["width"], "the file name must wrap"
    for tab in page.get_by_role("navigation", name="Gulf Coast").get_by_role("link").all():
        assert height(tab) >= TAP_TARGET_LEAST, f"the {tab.inner_text()} tab is too small to tap"
    assert phone.trouble.all() == []


def test_the_partnership_workspace_and_subscriptions_never_scroll_sideways_on_a_phone(
    phone: BrowserPage,
    worked: tuple[Member, int],  # noqa: F811 (the fixture imported above)
) -> None:
    member, pk = worked
    page = phone.page
    page.context.add_cookies([{"name": "sessionid", "value": session_cookie(member), "url": phone.base_url}])

    for path in (
        reverse("partnerships:list"),
        *(f"/partnerships/{pk}/{step}" for step in ("", "resources/", "resources/72-hours/", "hazards/", "plan/")),
        reverse("subscriptions:list"),
    ):
        phone.open(path)
        assert sideways_overflow(page) <= 0, f"{path} scrolls sideways"
    assert phone.trouble.all() == []


def test_without_javascript_a_phone_shows_the_navigation_and_no_menu_button(
    browser: Browser, live_server: Any, transactional_db: None
) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, java_script_enabled=False)  # type: ignore[arg-type]
    try:
        page, trouble = _watch(context, live_server.url)
        BrowserPage(page=page, base_url=live_server.url, trouble=trouble).open("/")

        expect(menu_button(page)).to_be_hidden()
        expect(main_navigation(page).get_by_role("link", name="Sign in")).to_be_visible()
        expect(page.locator("[data-shortcuts-hint]")).to_be_hidden()
        assert sideways_overflow(page) <= 0
        assert trouble.all() == []
    finally:
        context.close()


# Desktop


def test_desktop_shows_the_navigation_without_the_button_and_a_verifiers_links_once(
    desktop: BrowserPage, world: World
) -> None:
    page = desktop.page
    sign_in_verifier(desktop, world.verifier)

    expect(menu_button(page)).to_be_hidden()
    expect(main_navigation(page).get_by_role("link", name="Communities")).to_be_visible()
    assert_verifier_links_once(page)
    assert accessibility_problems(page) == []
    assert sideways_overflow(page) <= 0
    expect(page.get_by_role("banner").get_by_role("combobox", name="Search")).to_be_visible()

    for path in (reverse("verification:queue"), reverse("verification:audit")):
        desktop.open(path)
        assert_verifier_links_once(page)
        expect(main_navigation(page).locator("[aria-current=page]")).to_have_count(1)
        assert sideways_overflow(page) <= 0
        assert accessibility_problems(page) == []
    assert desktop.trouble.all() == []


# Keyboard


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_keyboard_shortcuts_search_list_move_and_reply_but_not_while_typing(
    viewport: str, world: World, request: pytest.FixtureRequest
) -> None:
    """At 375 px too: a phone or tablet with a hardware keyboard gets the same shortcuts."""
    view: BrowserPage = request.getfixturevalue(viewport)
    page = view.page
    view.sign_in(world.reader.email, TEST_PASSWORD)
    search = page.get_by_role("banner").get_by_role("combobox", name="Search")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")

    page.keyboard.press("Control+/")
    expect(search).not_to_be_focused()
    page.keyboard.press("/")
    expect(search).to_be_focused()
    expect(search).to_have_value("")  # the "/" itself is not typed
    page.keyboard.type("jkr?/")  # typing in a field: no shortcut fires
    expect(search).to_have_value("jkr?/")
    expect(dialog).to_be_hidden()
    assert sideways_overflow(page) <= 0
    assert accessibility_problems(page) == []
    if viewport == "phone":
        # The search box stays in the header's short row, outside the folded menu: "/" reaches it with the
        # menu closed (above) and with it open, where it leaves the menu as it was.
        search.fill("")
        page.locator("main").click(position={"x": 1, "y": 1})  # focus back on the page, out of the field
        expect(search).not_to_be_focused()
        menu_button(page).click()
        expect(menu_button(page)).to_have_attribute("aria-expanded", "true")
        page.keyboard.press("/")  # from the menu button, which has focus now
        expect(search).to_be_focused()
        expect(search).to_be_in_viewport()
        expect(search).to_have_value("")
        expect(menu_button(page)).to_have_attribute("aria-expanded", "true")
        page.keyboard.press("Escape")
        expect(menu_button(page)).to_have_attribute("aria-expanded", "false")
        expect(menu_button(page)).to_be_focused()

    view.open(reverse("search:search") + "?q=shelter")
    results = page.get_by_role("main").locator(".search-results > li")
    expect(results).to_have_count(len(THREAD_TITLES) + 1)
    page.keyboard.press("j")
    expect(results.nth(0).get_by_role("heading").get_by_role("link")).to_be_focused()
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(results.nth(2).get_by_role("heading").get_by_role("link")).to_be_focused()
    expect(results.nth(2)).to_have_class("is-current")
    page.keyboard.press("k")
    expect(results.nth(1).get_by_role("heading").get_by_role("link")).to_be_focused()
    expect(page.locator("[data-list] > li.is-current")).to_have_count(1)

    page.keyboard.press("?")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Go to the search box")
    snap(page, f"{viewport}-shortcuts")
    page.keyboard.press("j")  # the dialog is open: the list stays where it was
    assert accessibility_problems(page) == []
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(results.nth(1).get_by_role("heading").get_by_role("link")).to_be_focused()

    view.open(world.board)
    page.keyboard.press("j")
    expect(page.get_by_role("main").get_by_role("link", name=THREAD_TITLES[-1])).to_be_focused()

    view.open(world.community)
    activity = page.get_by_role("region", name="Activity").get_by_role("listitem")
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(activity.nth(1)).to_have_class("is-current")
    expect(activity.nth(1).get_by_role("link").first).to_be_focused()

    view.open(world.thread)
    reply = page.get_by_role("textbox", name="Reply")
    page.keyboard.press("Alt+r")
    expect(reply).not_to_be_focused()
    page.keyboard.press("r")
    expect(reply).to_be_focused()
    expect(reply).to_have_value("")
    page.keyboard.type("r and j and k and / and ?")
    expect(reply).to_have_value("r and j and k and / and ?")
    expect(dialog).to_be_hidden()
    assert accessibility_problems(page) == []
    assert view.trouble.all() == []


def test_shortcuts_dialog_is_accessible_on_a_phone(phone: BrowserPage, world: World) -> None:
    page = phone.page
    phone.sign_in(world.reader.email, TEST_PASSWORD)

    page.get_by_role("contentinfo").get_by_role("button", name="Keyboard shortcuts").tap()

    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    assert sideways_overflow(page) <= 0
    assert accessibility_problems(page) == []
    dialog.get_by_role("button", name="Close").tap()
    expect(dialog).to_be_hidden()
    assert phone.trouble.all() == []
