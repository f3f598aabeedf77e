"""E-mail that reads right, in a real browser (issue 17, point 6), on a phone (375 px) and a desktop (1280 px).

A visitor signs up through the real sign-up form; the confirmation e-mail greets from Muster (not
example.com) and its link starts with ``MUSTER_SITE_URL`` (here the live server's address); following the
link in the same browser confirms the address and leaves the new member signed in, on their verification
page, not the sign-in form. No console errors or CSP violations, no serious or critical accessibility
violations, no sideways scroll.
"""

import re
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import BrowserPage
from tests.browser.test_layout_accessibility import accessibility_problems
from tests.verification.factories import TEST_PASSWORD
from verification.models import Member

pytestmark = pytest.mark.browser

URL = re.compile(r"https?://[^\s\"'<>]+")


def no_sideways_scroll(view: BrowserPage) -> bool:
    return bool(view.page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"))


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_a_visitor_signs_up_follows_the_confirmation_email_and_is_signed_in(
    viewport: str, transactional_db: None, settings: Any, request: pytest.FixtureRequest
) -> None:
    view: BrowserPage = request.getfixturevalue(viewport)
    settings.SITE_URL = view.base_url  # MUSTER_SITE_URL: the address every e-mail's links start with
    page = view.page
    email = f"new.responder.{viewport}@county.example.gov"
    mail.outbox.clear()

    # Given a visitor on the landing page who chooses to join
    view.open("/")
    assert accessibility_problems(page) == []
    assert no_sideways_scroll(view)
    page.get_by_role("main").get_by_role("link", name="Request to join").click()
    view.settle()

    # When they sign up through the real form
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign Up")
    assert accessibility_problems(page) == []
    assert no_sideways_scroll(view)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=False).first.fill(TEST_PASSWORD)
    page.get_by_label("Password (again)").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    view.settle()
    expect(page.get_by_role("heading", level=1)).to_have_text("Verify Your Email Address")
    assert accessibility_problems(page) == []
    assert no_sideways_scroll(view)

    # Then one confirmation e-mail arrives, greeting from Muster and linking to the site's address
    (confirmation,) = mail.outbox
    assert confirmation.to == [email]
    assert "Muster" in confirmation.subject
    assert "Hello from Muster!" in str(confirmation.body)
    assert "example.com" not in str(confirmation.body)
    assert "example.com" not in confirmation.subject
    links = URL.findall(str(confirmation.body))
    assert links, "the confirmation e-mail has no link"
    assert all(link.startswith(view.base_url + "/") for link in links), links
    link = next(link for link in links if "/accounts/confirm-email/" in link)

    # When they follow the link in the same browser and confirm
    view.open(link.removeprefix(view.base_url))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Confirm")
    expect(page.get_by_role("main")).to_contain_text(email)
    assert accessibility_problems(page) == []
    assert no_sideways_scroll(view)
    page.get_by_role("main").get_by_role("button", name="Confirm").click()
    view.settle()

    # Then they are signed in, on their verification page, and not asked to sign in again
    expect(page).to_have_url(view.base_url + reverse("verification:status"))
    expect(page.get_by_label("Password")).to_have_count(0)
    # (on a phone the header's navigation is folded behind the menu button, so hidden links count too)
    expect(page.get_by_role("button", name="Sign out", include_hidden=True)).to_have_count(1)
    assert EmailAddress.objects.get(user=Member.objects.get(email=email), email=email).verified is True
    assert accessibility_problems(page) == []
    assert no_sideways_scroll(view)

    # And the landing page now knows them too
    view.open("/")
    expect(page.get_by_role("link", name="Sign in", exact=True, include_hidden=True)).to_have_count(0)
    expect(page.get_by_role("button", name="Sign out", include_hidden=True)).to_have_count(1)
    assert accessibility_problems(page) == []
    assert no_sideways_scroll(view)
    assert view.trouble.all() == []
