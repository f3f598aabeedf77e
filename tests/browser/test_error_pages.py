"""The error pages on a phone (375 px) and a desktop (1280 px), issue 17 point 5: in the site's layout, they say
what happened and where to go, laid out for the width with no sideways scroll, "Go back" goes back, and no
serious or critical accessibility violations. The 500 page renders without the database and keeps its
stylesheet."""

from typing import Any

import pytest
from django.test import RequestFactory
from django.views.defaults import server_error
from playwright.sync_api import Page, Route, expect

from communities.services import community_create
from tests.browser.conftest import BrowserPage
from tests.browser.test_layout_accessibility import accessibility_problems
from tests.verification.factories import TEST_PASSWORD, make_verified_member
from verification.models import Marking, Member

pytestmark = pytest.mark.browser


@pytest.fixture
def visitor(transactional_db: None) -> Member:
    """A verified member who has not joined the open community the red wiki link points into."""
    owner = make_verified_member(first_name="Olive", last_name="Owner")
    community_create(creator=owner, name="Gulf Coast", slug="gulf", marking=Marking.objects.get(slug="unmarked"))
    return make_verified_member(first_name="Vic", last_name="Visitor")


def assert_fits_the_screen(page: Page) -> None:
    widths: dict[str, int] = page.evaluate(
        """() => ({
            scroll: document.scrollingElement.scrollWidth,
            client: document.scrollingElement.clientWidth,
            screen: window.screen.width,
        })"""
    )
    assert widths["client"] <= widths["screen"], f"laid out {widths['client']}px wide on a {widths['screen']}px screen"
    assert widths["scroll"] <= widths["client"], f"scrolls sideways: {widths['scroll']}px of content"


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
@pytest.mark.parametrize(
    ("path", "status", "heading"),
    [
        ("/communities/gulf/wiki/new/?title=Evacuation%20drill", 403, "You may not do this here"),
        ("/communities/no-such-place/", 404, "We could not find that page"),
        # A host name the site does not serve (ALLOWED_HOSTS is narrowed below for this one request)
        ("/communities/", 400, "Muster could not understand that request"),
    ],
)
def test_an_error_page_says_what_happened_fits_the_screen_and_go_back_returns_to_the_page_before(
    viewport: str,
    visitor: Member,
    settings: Any,
    request: pytest.FixtureRequest,
    path: str,
    status: int,
    heading: str,
) -> None:
    view: BrowserPage = request.getfixturevalue(viewport)
    settings.DEBUG = False
    view.sign_in(visitor.email, TEST_PASSWORD)
    view.open("/help/")

    allowed_hosts = settings.ALLOWED_HOSTS
    if status == 400:
        settings.ALLOWED_HOSTS = ["muster.example.org"]
    response = view.page.goto(view.base_url + path)
    view.settle()
    settings.ALLOWED_HOSTS = allowed_hosts

    assert response is not None
    assert response.status == status
    expect(view.page.get_by_role("heading", level=1)).to_have_text(heading)
    # In the site's layout (header and footer), with where to go next, and nothing of the address asked for
    expect(view.page.get_by_role("banner")).to_have_count(1)
    expect(view.page.get_by_role("contentinfo")).to_have_count(1)
    expect(view.page.get_by_role("navigation", name="Where to go next")).to_be_visible()
    for hidden in ("gulf", "evacuation", "no-such-place", "muster.example.org"):
        expect(view.page.get_by_role("main")).not_to_contain_text(hidden, ignore_case=True)
    assert_fits_the_screen(view.page)
    assert accessibility_problems(view.page) == []
    # The browser logs the page's own status as a console error; anything else is trouble.
    assert [line for line in view.trouble.all() if f"status of {status}" not in line] == []

    view.page.get_by_role("link", name="Go back to the previous page").click()
    view.settle()
    expect(view.page).to_have_url(f"{view.base_url}/help/")


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_the_500_page_renders_without_the_database_with_its_stylesheet(
    viewport: str, transactional_db: None, request: pytest.FixtureRequest, django_assert_num_queries: Any
) -> None:
    view: BrowserPage = request.getfixturevalue(viewport)
    with django_assert_num_queries(0):
        body = server_error(RequestFactory().get("/")).content

    def answer_with_the_500_page(route: Route) -> None:
        route.fulfill(status=500, body=body, content_type="text/html; charset=utf-8")

    view.page.route(f"{view.base_url}/broken/", answer_with_the_500_page)
    view.page.goto(view.base_url + "/broken/")
    view.settle()

    expect(view.page.get_by_role("heading", level=1)).to_have_text("Something went wrong on our side")
    assert view.page.evaluate("() => getComputedStyle(document.querySelector('.site-header')).borderBottomStyle")
    assert_fits_the_screen(view.page)
    assert accessibility_problems(view.page) == []
    assert [line for line in view.trouble.all() if "status of 500" not in line] == []
