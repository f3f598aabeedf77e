"""The error pages on a phone (375 px): laid out for its width, no sideways scroll, and "Go back" goes back."""

from typing import Any

import pytest
from django.test import RequestFactory
from django.views.defaults import server_error
from playwright.sync_api import Page, Route, expect

from communities.services import community_create
from tests.browser.conftest import BrowserPage
from tests.verification.factories import TEST_PASSWORD, make_verified_member
from verification.models import Marking, Member

pytestmark = pytest.mark.browser


@pytest.fixture
def visitor(transactional_db: None) -> Member:
    """A verified member who has not joined the open community the red wiki link points into."""
    owner = make_verified_member(first_name="Olive", last_name="Owner")
    community_create(creator=owner, name="Gulf Coast", slug="gulf", marking=Marking.objects.get(slug="unmarked"))
    return make_verified_member(first_name="Vic", last_name="Visitor")


def assert_fits_the_phone_screen(page: Page) -> None:
    widths: dict[str, int] = page.evaluate(
        """() => ({
            scroll: document.scrollingElement.scrollWidth,
            client: document.scrollingElement.clientWidth,
            screen: window.screen.width,
        })"""
    )
    assert widths["client"] <= widths["screen"], f"laid out {widths['client']}px wide on a {widths['screen']}px screen"
    assert widths["scroll"] <= widths["client"], f"scrolls sideways: {widths['scroll']}px of content"


@pytest.mark.parametrize(
    ("path", "status", "heading"),
    [
        ("/communities/gulf/wiki/new/?title=Evacuation%20drill", 403, "You may not do this here"),
        ("/communities/no-such-place/", 404, "We could not find that page"),
    ],
)
def test_an_error_page_fits_a_phone_and_go_back_returns_to_the_page_before(
    phone: BrowserPage, visitor: Member, settings: Any, path: str, status: int, heading: str
) -> None:
    settings.DEBUG = False
    phone.sign_in(visitor.email, TEST_PASSWORD)
    phone.open("/help/")

    response = phone.page.goto(phone.base_url + path)
    phone.settle()

    assert response is not None
    assert response.status == status
    expect(phone.page.get_by_role("heading", level=1)).to_have_text(heading)
    assert_fits_the_phone_screen(phone.page)
    # The browser logs the page's own status as a console error; anything else is trouble.
    assert [line for line in phone.trouble.all() if f"status of {status}" not in line] == []

    phone.page.get_by_role("link", name="Go back to the previous page").tap()
    phone.settle()
    expect(phone.page).to_have_url(f"{phone.base_url}/help/")


def test_the_500_page_fits_a_phone_with_its_stylesheet(phone: BrowserPage, transactional_db: None) -> None:
    body = server_error(RequestFactory().get("/")).content

    def answer_with_the_500_page(route: Route) -> None:
        route.fulfill(status=500, body=body, content_type="text/html; charset=utf-8")

    phone.page.route(f"{phone.base_url}/broken/", answer_with_the_500_page)
    phone.page.goto(phone.base_url + "/broken/")
    phone.settle()

    expect(phone.page.get_by_role("heading", level=1)).to_have_text("Something went wrong on our side")
    assert phone.page.evaluate("() => getComputedStyle(document.querySelector('.site-header')).borderBottomStyle")
    assert_fits_the_phone_screen(phone.page)
    assert [line for line in phone.trouble.all() if "status of 500" not in line] == []
