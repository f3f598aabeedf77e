"""The Account page in a real browser at 375 and 1280 px (issue 17, point 8).

The header's account link (your face and name) leads to it from the phone's menu; every section has its
heading; "Sign out everywhere else" really ends the member's other browser session; no serious or critical
axe violations, no sideways scroll, no console errors or CSP violations.
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import BrowserPage
from tests.browser.test_layout_accessibility import accessibility_problems, assert_fits_the_phone_screen
from tests.verification.factories import TEST_PASSWORD, ProfileFactory, make_verified_member
from verification.models import Member

pytestmark = pytest.mark.browser

# A folder to keep screenshots in (account-375.png, account-1280.png), to look at by eye; none when unset.
SCREENSHOTS = os.environ.get("MUSTER_SCREENSHOTS", "")
SECTIONS = (
    "Profile",
    "E-mail addresses",
    "Password",
    "Two-factor authentication",
    "Sessions",
    "Notifications and e-mail",
    "API tokens",
)


@pytest.fixture
def member(transactional_db: None) -> Member:
    member = make_verified_member(first_name="Lee", last_name="Park", email="lee.park@county.gov", handle="lee-park")
    ProfileFactory.create(member=member, shared_fields=["title"])
    return member


def assert_sections(page: Page) -> None:
    main = page.get_by_role("main")
    for name in SECTIONS:
        expect(main.get_by_role("heading", name=name, level=2)).to_be_visible()


def fits_sideways(page: Page) -> bool:
    return bool(page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"))


def snap(page: Page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=Path(SCREENSHOTS) / name, full_page=True)


def test_on_a_phone_the_account_page_signs_out_the_other_browser(
    phone: BrowserPage, desktop: BrowserPage, member: Member
) -> None:
    desktop.sign_in(member.email, TEST_PASSWORD)
    phone.sign_in(member.email, TEST_PASSWORD)
    page = phone.page

    page.get_by_role("button", name="Menu").click()
    page.get_by_role("link", name="Account: Lee Park").click()
    phone.settle()

    expect(page.get_by_role("heading", name="Your account", level=1)).to_be_visible()
    assert_sections(page)
    sessions = page.get_by_role("region", name="Sessions")
    expect(sessions.get_by_role("row")).to_have_count(3)  # the header row and both browsers
    expect(sessions.get_by_text("This session")).to_have_count(1)
    assert fits_sideways(page)
    assert_fits_the_phone_screen(page)
    assert accessibility_problems(page) == []
    snap(page, "account-375.png")

    sessions.get_by_role("button", name="Sign out everywhere else").click()
    phone.settle()

    expect(page.get_by_role("heading", name="Your account", level=1)).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Signed out of 1 other session.")).to_be_visible()
    expect(page.get_by_role("region", name="Sessions").get_by_role("row")).to_have_count(2)
    expect(page.get_by_text("You are signed in nowhere else.")).to_be_visible()
    desktop.page.goto(desktop.base_url + "/account/")
    desktop.settle()
    assert "/accounts/login/" in desktop.page.url  # the laptop must sign in again
    assert phone.trouble.all() == []
    assert desktop.trouble.all() == []


def test_on_a_desktop_the_account_page_shows_every_section_and_allauth_pages_lead_back(
    desktop: BrowserPage, member: Member
) -> None:
    page = desktop.page
    desktop.sign_in(member.email, TEST_PASSWORD)

    page.get_by_role("link", name="Account: Lee Park").click()
    desktop.settle()

    assert_sections(page)
    expect(page.get_by_role("main").get_by_text("@lee-park")).to_be_visible()
    expect(page.get_by_role("region", name="Two-factor authentication").get_by_text("Off")).to_be_visible()
    assert fits_sideways(page)
    assert accessibility_problems(page) == []
    snap(page, "account-1280.png")

    email = page.get_by_role("region", name="E-mail addresses")
    email.get_by_label("Email").fill("lee@state.gov")
    email.get_by_role("button", name="Add address").click()
    desktop.settle()
    expect(page.get_by_role("heading", name="E-mail addresses", level=1)).to_be_visible()
    expect(page.get_by_role("button", name="Re-send verification to lee@state.gov")).to_be_visible()
    expect(page.get_by_role("button", name="Remove lee@state.gov")).to_be_visible()
    assert accessibility_problems(page) == []

    page.get_by_role("navigation", name="Breadcrumbs").get_by_role("link", name="Your account").click()
    desktop.settle()
    expect(page.get_by_role("main").get_by_role("strong").filter(has_text="lee@state.gov")).to_be_visible()
    assert desktop.trouble.all() == []
