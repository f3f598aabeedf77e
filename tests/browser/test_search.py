"""Search in a real browser (issue 13, point 7): the header box suggests as the member types, by keyboard and to a
screen reader; Enter goes to the results; results, facets and paging work without JavaScript too.

One community holds what is searched: two items titled with "levee" the member may see and an FOUO document
with the same word the member is not cleared for, and 22 "shelter" threads and one "shelter" document, so the
results run to two pages and the type facet has two values.
"""

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import Browser, Locator, Page, Request, expect

from communities.models import Community, Role
from communities.services import community_create, membership_set_role
from discussions import services as discussions
from library import services as library
from search.models import SearchEntry
from tests.browser.conftest import DESKTOP, BrowserPage, _watch
from tests.browser.test_layout_accessibility import accessibility_problems
from tests.library.test_services import PDF
from tests.verification.factories import TEST_PASSWORD, make_verified_member
from verification.models import Marking, Member

pytestmark = pytest.mark.browser

SHELTER_THREADS = 22  # with the shelter document, 23 results: two pages of 20
# A folder to keep screenshots of the box and its list in (search-*.png), to look at by eye; none when unset.
SCREENSHOTS = os.environ.get("MUSTER_SCREENSHOTS", "")


@dataclass
class Searchable:
    reader: Member
    # The "levee" titles the reader may see, newest first (the order the suggestions list them in).
    levee_titles: list[str]
    hidden_title: str


def _marking(slug: str) -> Marking:
    return Marking.objects.get(slug=slug)


@pytest.fixture
def searchable(transactional_db: None) -> Searchable:
    """Made before the browser starts: indexing runs when each item's transaction commits."""
    owner = make_verified_member(first_name="Dana", last_name="Reyes", markings=["fouo"])
    gulf: Community = community_create(creator=owner, name="Gulf Coast", slug="gulf", marking=_marking("unmarked"))
    reader = make_verified_member(first_name="Lee", last_name="Park")
    membership_set_role(community=gulf, member=reader, role=Role.MEMBER)
    board = discussions.board_create(community=gulf, actor=owner, name="Operations")

    def thread(title: str) -> None:
        discussions.thread_start(
            author=owner,
            community=gulf,
            board=board,
            title=title,
            body="Cots, staff and water.",
            marking=_marking("unmarked"),
        )

    def document(title: str, marking: str = "unmarked") -> None:
        library.document_upload(
            author=owner,
            community=gulf,
            title=title,
            file=SimpleUploadedFile("plan.pdf", PDF),
            marking=_marking(marking),
        )

    for number in range(1, SHELTER_THREADS + 1):
        thread(f"Shelter {number} staffing")
    document("Shelter supply list")
    document("Levee repair contractors", "fouo")
    thread("Levee breach drill")
    document("Levee inspection checklist")
    return Searchable(reader, ["Levee inspection checklist", "Levee breach drill"], "Levee repair contractors")


def snap(page: Page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=Path(SCREENSHOTS) / f"search-{name}.png", full_page=True)


def assert_no_sideways_scrolling(page: Page) -> None:
    widths: dict[str, int] = page.evaluate(
        "() => ({scroll: document.scrollingElement.scrollWidth, client: document.scrollingElement.clientWidth})"
    )
    assert widths["scroll"] <= widths["client"], f"scrolls sideways: {widths}"


def header_box(page: Page) -> Locator:
    return page.get_by_role("banner").get_by_role("combobox", name="Search")


def suggestions_list(page: Page) -> Locator:
    return page.get_by_role("banner").get_by_role("listbox", name="Suggestions")


def option_ids(listbox: Locator) -> list[str]:
    ids: list[str] = listbox.get_by_role("option").evaluate_all("options => options.map(option => option.id)")
    return ids


def type_and_wait_for_suggestions(page: Page, text: str) -> list[Request]:
    """Type as a member does (a key at a time) and wait for the list; returns the suggestion requests made."""
    asked: list[Request] = []
    page.on("request", lambda request: asked.append(request) if "/search/suggest/" in request.url else None)
    header_box(page).click()
    page.keyboard.type(text, delay=60)
    expect(suggestions_list(page)).to_be_visible()
    return asked


def test_the_header_box_suggests_what_the_member_may_see_by_keyboard_and_to_a_screen_reader(
    desktop: BrowserPage, searchable: Searchable
) -> None:
    page = desktop.page
    desktop.sign_in(searchable.reader.email, TEST_PASSWORD)
    box = header_box(page)
    listbox = suggestions_list(page)
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(listbox).to_be_hidden()

    asked = type_and_wait_for_suggestions(page, "leve")

    assert len(asked) == 1, f"typing without a pause asks once, after it: {[request.url for request in asked]}"
    options = listbox.get_by_role("option")
    expect(options).to_have_count(3)
    for title, option in zip(searchable.levee_titles, options.all()[:2], strict=True):
        expect(option).to_contain_text(title)
    expect(options.last).to_have_text("Search for “leve”")
    expect(listbox).not_to_contain_text(searchable.hidden_title)
    assert SearchEntry.objects.filter(heading=searchable.hidden_title).exists(), "indexed, and hidden by the policy"
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(box).to_have_attribute("aria-controls", "site-search-suggestions")
    expect(page.get_by_role("banner").get_by_role("status")).to_have_text(
        "2 suggestions. Use the up and down arrows to choose."
    )
    expect(page.get_by_role("banner").get_by_role("status")).to_have_attribute("aria-live", "polite")
    box_area, list_area = box.bounding_box(), listbox.bounding_box()
    assert box_area is not None
    assert list_area is not None
    assert list_area["y"] >= box_area["y"] + box_area["height"], "the list opens under the box"
    assert abs(list_area["x"] - box_area["x"]) <= 2, "the list lines up with the box"
    snap(page, "desktop-suggestions")
    assert accessibility_problems(page) == []

    # Arrow keys move the highlight (aria-activedescendant and aria-selected); focus stays in the box.
    ids = option_ids(listbox)
    page.keyboard.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", ids[0])
    expect(options.first).to_have_attribute("aria-selected", "true")
    page.keyboard.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", ids[1])
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    expect(options.first).to_have_attribute("aria-selected", "false")
    page.keyboard.press("ArrowUp")
    expect(box).to_have_attribute("aria-activedescendant", ids[0])
    expect(box).to_be_focused()
    snap(page, "desktop-highlighted")

    # Escape closes the list.
    page.keyboard.press("Escape")
    expect(listbox).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    assert box.get_attribute("aria-activedescendant") is None
    expect(box).to_have_value("leve")
    # ArrowDown opens the list again; a second Escape closes it.
    page.keyboard.press("ArrowDown")
    expect(listbox).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Escape")
    expect(listbox).to_be_hidden()

    # Enter with no option highlighted goes to the results.
    page.keyboard.press("Enter")
    desktop.settle()
    expect(page).to_have_url(f"{desktop.base_url}/search/?q=leve")
    results = page.get_by_role("main").locator(".search-results")
    expect(results.get_by_role("heading", level=2)).to_have_text(searchable.levee_titles)
    expect(page.get_by_role("main")).not_to_contain_text(searchable.hidden_title)
    expect(header_box(page)).to_have_value("leve")
    assert accessibility_problems(page) == []

    # Enter on a highlighted option opens that item's page.
    header_box(page).fill("")
    type_and_wait_for_suggestions(page, "breach")
    expect(suggestions_list(page).get_by_role("option").first).to_contain_text("Levee breach drill")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/search/" not in url)  # through /search/open/…, which redirects to the item
    desktop.settle()
    expect(page.get_by_role("heading", level=1)).to_have_text("Levee breach drill")

    assert desktop.trouble.all() == []


def test_the_suggestions_fit_a_phone_and_a_tap_opens_one(phone: BrowserPage, searchable: Searchable) -> None:
    page = phone.page
    phone.sign_in(searchable.reader.email, TEST_PASSWORD)
    snap(page, "phone-header")
    box = header_box(page)
    expect(box).to_be_in_viewport()
    width = DESKTOP["width"] if page.viewport_size is None else page.viewport_size["width"]

    type_and_wait_for_suggestions(page, "leve")

    listbox = suggestions_list(page)
    expect(listbox.get_by_role("option")).to_have_count(3)
    list_area = listbox.bounding_box()
    assert list_area is not None
    assert list_area["x"] >= 0
    assert list_area["x"] + list_area["width"] <= width, "the list fits the phone's width"
    for option in listbox.get_by_role("option").all():
        area = option.bounding_box()
        assert area is not None
        assert area["height"] >= 24, "touch targets need at least 24px (WCAG 2.5.8)"
    assert_no_sideways_scrolling(page)
    snap(page, "phone-suggestions")

    listbox.get_by_role("option").first.tap()
    phone.settle()
    expect(page.get_by_role("heading", level=1)).to_have_text(searchable.levee_titles[0])

    phone.open("/search/?q=shelter")
    expect(page.get_by_role("main").locator(".search-total")).to_have_text(f"{SHELTER_THREADS + 1} results")
    assert_no_sideways_scrolling(page)
    snap(page, "phone-results")
    assert phone.trouble.all() == []


@pytest.fixture
def no_script(browser: Browser, live_server: Any) -> Iterator[BrowserPage]:
    """A desktop page with JavaScript switched off."""
    context = browser.new_context(viewport=DESKTOP, locale="en-US", java_script_enabled=False)  # type: ignore[arg-type]
    try:
        page, trouble = _watch(context, live_server.url)
        yield BrowserPage(page=page, base_url=live_server.url, trouble=trouble)
    finally:
        context.close()


def test_results_facets_and_paging_work_without_javascript(no_script: BrowserPage, searchable: Searchable) -> None:
    page = no_script.page
    no_script.sign_in(searchable.reader.email, TEST_PASSWORD)
    main = page.get_by_role("main")
    results = main.locator(".search-results > li")

    header_box(page).fill("shelter")
    header_box(page).press("Enter")
    no_script.settle()

    expect(page).to_have_url(f"{no_script.base_url}/search/?q=shelter")
    expect(main.locator(".search-total")).to_have_text(f"{SHELTER_THREADS + 1} results")
    expect(results).to_have_count(20)
    expect(results.first.locator(".snippet mark")).to_have_text("Shelter")
    expect(page.get_by_role("navigation", name="Pages of results")).to_contain_text("Page 1 of 2")
    snap(page, "results-no-js")

    facets = page.get_by_role("complementary", name="Narrow the search")
    facets.get_by_role("link", name="Documents").click()
    no_script.settle()
    expect(main.locator(".search-total")).to_have_text("1 result")
    expect(results.get_by_role("heading", level=2)).to_have_text(["Shelter supply list"])
    assert "type:document" in unquote(page.url)

    page.go_back()
    no_script.settle()
    page.get_by_role("navigation", name="Pages of results").get_by_role("link", name="Next").click()
    no_script.settle()
    expect(page.get_by_role("navigation", name="Pages of results")).to_contain_text("Page 2 of 2")
    expect(results).to_have_count(SHELTER_THREADS + 1 - 20)
    assert "page=2" in page.url

    header_box(page).fill("levee")
    header_box(page).press("Enter")
    no_script.settle()
    expect(results.get_by_role("heading", level=2)).to_have_text(searchable.levee_titles)
    expect(main).not_to_contain_text(searchable.hidden_title)

    # Elsewhere ?q= is the page's own filter (the communities directory), not words for the header box.
    no_script.open("/communities/?q=gulf")
    expect(header_box(page)).to_have_value("")
    assert no_script.trouble.all() == []
