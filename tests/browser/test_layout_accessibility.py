"""The base layout in a real browser: accessible, keyboard-usable, phone-ready and clean under the CSP.

Each test drives headless Chromium against the live server and checks what a
member would notice: a page a screen reader cannot navigate, a skip link that
does not skip, a focus ring that is not there, a page that scrolls sideways on
a phone, a notice that never appears, or a stylesheet the CSP blocked.
"""

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import BrowserPage
from tests.verification.factories import TEST_PASSWORD, MemberFactory, make_verified_member
from verification.models import Marking, Member

pytestmark = pytest.mark.browser

PUBLIC_PAGES = {
    "landing": "/",
    "about": "/about/",
    "help": "/help/",
    "sign-in": "/accounts/login/",
    "sign-up": "/accounts/signup/",
    "password-reset": "/accounts/password/reset/",
}
# Impacts that fail a page, and rules that fail it whatever their impact: the
# issue asks for semantic landmarks and a page that can be navigated by heading.
FAILING_IMPACTS = {"serious", "critical"}
FAILING_RULES = {
    "region",
    "landmark-one-main",
    "landmark-no-duplicate-banner",
    "landmark-no-duplicate-contentinfo",
    "landmark-no-duplicate-main",
    "landmark-unique",
    "page-has-heading-one",
    "bypass",
}
AXE = Axe()


@pytest.fixture
def member(transactional_db: None) -> Member:
    """A verified member who has accepted the Rules of Behavior: the vetting gate lets them in."""
    return make_verified_member(first_name="Dana", last_name="Reyes")


@pytest.fixture
def applicant(transactional_db: None) -> Member:
    """A member who has signed up but is not verified yet."""
    applicant: Member = MemberFactory.create(first_name="Sam", last_name="Okafor")
    return applicant


def accessibility_problems(page: Page) -> list[str]:
    results = AXE.run(page)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(node["html"] for node in violation["nodes"][:3])
        for violation in results.response["violations"]
        if violation["impact"] in FAILING_IMPACTS or violation["id"] in FAILING_RULES
    ]


def assert_layout_landmarks(page: Page) -> None:
    expect(page.get_by_role("banner")).to_have_count(1)
    expect(page.get_by_role("navigation", name="Main")).to_have_count(1)
    expect(page.get_by_role("main")).to_have_count(1)
    expect(page.get_by_role("contentinfo")).to_have_count(1)
    expect(page.get_by_role("heading", level=1)).to_have_count(1)


def tab_to(page: Page, target: Locator, *, limit: int = 40) -> None:
    """Press Tab until ``target`` has focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    pytest.fail(f"{limit} presses of Tab never reached {target}")


def focus_ring(page: Page) -> dict[str, Any]:
    ring: dict[str, Any] = page.evaluate(
        """() => {
            const style = getComputedStyle(document.activeElement);
            return {style: style.outlineStyle, width: parseFloat(style.outlineWidth), colour: style.outlineColor};
        }"""
    )
    return ring


def assert_fits_the_phone_screen(page: Page) -> None:
    """The page is laid out for the phone's width (not a zoomed-out desktop page) and does not scroll sideways."""
    widths: dict[str, int] = page.evaluate(
        """() => ({
            scroll: document.scrollingElement.scrollWidth,
            client: document.scrollingElement.clientWidth,
            screen: window.screen.width,
        })"""
    )
    assert widths["client"] <= widths["screen"], f"laid out {widths['client']}px wide on a {widths['screen']}px screen"
    assert widths["scroll"] <= widths["client"], f"scrolls sideways: {widths['scroll']}px of content"


# Stylesheet and Content-Security-Policy


def test_stylesheet_loads_and_styles_the_page(desktop: BrowserPage) -> None:
    stylesheets: list[tuple[str, int]] = []
    desktop.page.on(
        "response",
        lambda response: (
            stylesheets.append((response.url, response.status))
            if response.request.resource_type == "stylesheet"
            else None
        ),
    )

    desktop.open("/")

    assert any(url.endswith("/static/css/muster.css") and status == 200 for url, status in stylesheets), stylesheets
    header_background = desktop.page.locator(".site-header").evaluate("el => getComputedStyle(el).backgroundColor")
    assert header_background == "rgb(27, 31, 36)", "muster.css did not style the header"


@pytest.mark.parametrize("path", PUBLIC_PAGES.values(), ids=PUBLIC_PAGES.keys())
def test_public_page_loads_without_script_errors_or_csp_violations(desktop: BrowserPage, path: str) -> None:
    desktop.open(path)

    assert desktop.trouble.all() == []


def test_signed_in_home_loads_without_script_errors_or_csp_violations(desktop: BrowserPage, member: Member) -> None:
    desktop.sign_in(member.email, TEST_PASSWORD)

    expect(desktop.page).to_have_url(f"{desktop.base_url}/home/")
    assert desktop.trouble.all() == []


# axe-core


@pytest.mark.parametrize("path", PUBLIC_PAGES.values(), ids=PUBLIC_PAGES.keys())
def test_public_page_has_no_serious_accessibility_violations(desktop: BrowserPage, path: str) -> None:
    desktop.open(path)

    assert_layout_landmarks(desktop.page)
    assert accessibility_problems(desktop.page) == []


def test_signed_in_home_has_no_serious_accessibility_violations(desktop: BrowserPage, member: Member) -> None:
    desktop.sign_in(member.email, TEST_PASSWORD)

    expect(desktop.page.get_by_role("heading", level=1)).to_have_text("Welcome, Dana Reyes")
    assert_layout_landmarks(desktop.page)
    assert accessibility_problems(desktop.page) == []


def test_unverified_members_first_page_has_no_serious_accessibility_violations(
    desktop: BrowserPage, applicant: Member
) -> None:
    desktop.sign_in(applicant.email, TEST_PASSWORD)

    expect(desktop.page).not_to_have_url(f"{desktop.base_url}/home/")
    assert_layout_landmarks(desktop.page)
    assert accessibility_problems(desktop.page) == []
    assert desktop.trouble.all() == []


def test_form_errors_are_accessible_and_keep_what_was_typed(desktop: BrowserPage, member: Member) -> None:
    desktop.open("/accounts/login/")
    desktop.page.get_by_label("Email").fill(member.email)
    desktop.page.get_by_label("Password").fill("not-the-password")
    desktop.page.get_by_role("button", name="Sign in").click()
    desktop.settle()

    expect(desktop.page.get_by_role("main")).to_contain_text("not correct")
    expect(desktop.page.get_by_label("Email")).to_have_value(member.email)
    assert accessibility_problems(desktop.page) == []


# Keyboard


def test_first_tab_focuses_a_visible_skip_link_that_moves_focus_to_main(desktop: BrowserPage) -> None:
    desktop.open("/")
    skip_link = desktop.page.get_by_role("link", name="Skip to main content")

    desktop.page.keyboard.press("Tab")

    expect(skip_link).to_be_focused()
    box = skip_link.bounding_box()
    assert box is not None
    assert box["y"] >= 0
    assert box["x"] >= 0
    assert box["height"] > 0

    desktop.page.keyboard.press("Enter")

    expect(desktop.page.get_by_role("main")).to_be_focused()
    desktop.page.keyboard.press("Tab")
    expect(desktop.page.get_by_role("link", name="Request to join")).to_be_focused()


@pytest.mark.parametrize(
    ("landmark", "link_name"),
    [("navigation", "About"), ("main", "Request to join"), ("contentinfo", "Help")],
    ids=["header-link-on-dark", "content-button-link", "footer-link-on-light"],
)
def test_keyboard_focus_is_visibly_indicated(desktop: BrowserPage, landmark: str, link_name: str) -> None:
    desktop.open("/")

    tab_to(desktop.page, desktop.page.get_by_role(landmark).get_by_role("link", name=link_name))  # type: ignore[arg-type]

    ring = focus_ring(desktop.page)
    assert ring["style"] != "none", f"{link_name} has no focus outline"
    assert ring["width"] >= 2, f"{link_name} focus outline is only {ring['width']}px wide"


def test_member_can_sign_in_with_the_keyboard_alone(desktop: BrowserPage, member: Member) -> None:
    desktop.open("/")

    tab_to(desktop.page, desktop.page.get_by_role("navigation").get_by_role("link", name="Sign in"))
    desktop.page.keyboard.press("Enter")
    desktop.settle()
    expect(desktop.page.get_by_role("heading", level=1)).to_have_text("Sign In")
    tab_to(desktop.page, desktop.page.get_by_label("Email"))
    desktop.page.keyboard.type(member.email)
    desktop.page.keyboard.press("Tab")
    desktop.page.keyboard.type(TEST_PASSWORD)
    desktop.page.keyboard.press("Enter")
    desktop.settle()

    expect(desktop.page).to_have_url(f"{desktop.base_url}/home/")


# Phone


@pytest.mark.parametrize("path", PUBLIC_PAGES.values(), ids=PUBLIC_PAGES.keys())
def test_public_page_does_not_scroll_sideways_on_a_phone(phone: BrowserPage, path: str) -> None:
    phone.open(path)

    assert_fits_the_phone_screen(phone.page)


def test_navigation_is_reachable_on_a_phone(phone: BrowserPage) -> None:
    phone.open("/")
    # On a phone the links sit behind the header's menu button (tests/browser/test_navigation.py tests it).
    phone.page.get_by_role("banner").get_by_role("button", name="Menu").tap()
    navigation = phone.page.get_by_role("navigation", name="Main")
    viewport_width = phone.page.viewport_size["width"] if phone.page.viewport_size else 0

    links = navigation.get_by_role("link")
    assert links.count() >= 3
    for index in range(links.count()):
        box = links.nth(index).bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= viewport_width
        assert box["height"] >= 44, "touch targets need at least 44px on a phone (WCAG 2.5.5)"

    navigation.get_by_role("link", name="Sign in").tap()
    phone.settle()
    expect(phone.page.get_by_role("heading", level=1)).to_have_text("Sign In")


def test_signed_in_home_fits_a_phone_and_sign_out_is_reachable(phone: BrowserPage, member: Member) -> None:
    phone.sign_in(member.email, TEST_PASSWORD)

    assert_fits_the_phone_screen(phone.page)
    phone.page.get_by_role("banner").get_by_role("button", name="Menu").tap()
    sign_out = phone.page.get_by_role("navigation", name="Main").get_by_role("button", name="Sign out")
    expect(sign_out).to_be_in_viewport()
    sign_out.tap()
    phone.settle()
    expect(phone.page).to_have_url(f"{phone.base_url}/")


# Landing page


def test_landing_page_says_what_muster_is_for_whom_and_how_to_join(desktop: BrowserPage) -> None:
    desktop.open("/")
    main = desktop.page.get_by_role("main")

    expect(main).to_contain_text("vetted community of practice")
    expect(main).to_contain_text("first responders")
    expect(main.get_by_role("heading", name="Who it is for")).to_be_visible()
    expect(main.get_by_role("heading", name="How to join")).to_be_visible()
    steps = main.get_by_role("list").filter(has_text="verification").get_by_role("listitem")
    expect(steps.first).to_contain_text("Create an account")
    assert steps.count() >= 3


def test_landing_page_join_link_leads_to_a_working_sign_up(desktop: BrowserPage, transactional_db: None) -> None:
    desktop.open("/")

    desktop.page.get_by_role("main").get_by_role("link", name="Request to join").click()
    desktop.settle()
    expect(desktop.page.get_by_role("heading", level=1)).to_have_text("Sign Up")
    desktop.page.get_by_label("Email").fill("new.responder@example.gov")
    desktop.page.get_by_label("Password", exact=False).first.fill(TEST_PASSWORD)
    desktop.page.get_by_label("Password (again)").fill(TEST_PASSWORD)
    desktop.page.get_by_role("button", name="Sign up").click()
    desktop.settle()

    expect(desktop.page.get_by_role("heading", level=1)).to_have_text("Verify Your Email Address")
    assert Member.objects.filter(email="new.responder@example.gov").exists()


# Flash messages


def test_signing_in_and_out_announces_a_notice_in_a_status_region(desktop: BrowserPage, member: Member) -> None:
    desktop.sign_in(member.email, TEST_PASSWORD)

    notices = desktop.page.get_by_role("region", name="Notices")
    expect(notices.get_by_role("status")).to_have_text("Successfully signed in as Dana Reyes.")
    expect(desktop.page.get_by_role("main").get_by_role("region", name="Notices")).to_be_visible()

    desktop.page.get_by_role("button", name="Sign out").click()
    desktop.settle()

    expect(desktop.page).to_have_url(f"{desktop.base_url}/")
    expect(notices.get_by_role("status")).to_have_text("You have signed out.")


# Marking banner


@pytest.mark.parametrize("slug", ["fouo", "sbu"])
def test_marked_page_carries_its_marking_at_top_and_bottom(
    desktop: BrowserPage, settings: Any, member: Member, slug: str
) -> None:
    settings.ROOT_URLCONF = "tests.browser.urls"
    # Transactional tests empty the tables between tests, default markings included.
    defaults = {
        "fouo": ("For Official Use Only (FOUO)", "#1d4f91", 10),
        "sbu": ("Sensitive But Unclassified (SBU)", "#7a1f1f", 20),
    }
    banner_text, colour, rank = defaults[slug]
    Marking.objects.get_or_create(
        slug=slug,
        defaults={
            "name": banner_text,
            "banner_text": banner_text,
            "colour": colour,
            "text_colour": "#ffffff",
            "rank": rank,
        },
    )

    desktop.sign_in(member.email, TEST_PASSWORD)

    desktop.open(f"/browser-tests/marked/{slug}/")

    banners = desktop.page.get_by_role("note", name="Marking")
    expect(banners).to_have_count(2)
    expect(banners.first).to_have_text(banner_text)
    expect(banners.last).to_have_text(banner_text)
    top, bottom, main = (
        banners.first.bounding_box(),
        banners.last.bounding_box(),
        desktop.page.locator("main").bounding_box(),
    )
    assert top is not None
    assert bottom is not None
    assert main is not None
    assert top["y"] + top["height"] <= main["y"], "the top banner must come before the content"
    assert bottom["y"] >= main["y"] + main["height"], "the bottom banner must come after the content"
    assert top["y"] < 60, "the top banner must be at the top of the page"
    background = banners.first.evaluate("el => getComputedStyle(el).backgroundColor")
    assert background != "rgba(0, 0, 0, 0)", "markings.css did not colour the banner"
    assert accessibility_problems(desktop.page) == []
    assert desktop.trouble.all() == []


def test_unmarked_page_carries_no_marking_banner(desktop: BrowserPage, settings: Any, member: Member) -> None:
    settings.ROOT_URLCONF = "tests.browser.urls"
    Marking.objects.get_or_create(slug="unmarked", defaults={"name": "Unmarked", "banner_text": "Unmarked", "rank": 0})
    desktop.sign_in(member.email, TEST_PASSWORD)

    desktop.open("/browser-tests/marked/unmarked/")

    expect(desktop.page.get_by_role("note", name="Marking")).to_have_count(0)
