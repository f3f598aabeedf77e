"""The Blueprint's index in a real browser: an anonymous visitor reads the public summaries and filters them;
a member signs in and reads the whole index with its marked entry under its banner. The page loads
cleanly (no script errors, CSP violations or failed requests) and passes the accessibility checks."""

import pytest
from django.test import Client
from playwright.sync_api import expect

from blueprint import services
from blueprint.models import Kind
from communities.services import community_create
from tests.blueprint.conftest import fresh, joined, make_editor, marking
from tests.browser.conftest import BrowserPage
from tests.browser.test_layout_accessibility import accessibility_problems, assert_layout_landmarks
from tests.verification.factories import make_verified_member
from verification.models import Member


def session_cookie(member: Member) -> str:
    """The session a browser holds once ``member`` signed in (MFA included)."""
    client = Client()
    client.force_login(member)
    return str(client.cookies["sessionid"].value)


pytestmark = pytest.mark.browser


@pytest.fixture
def blueprint(transactional_db: None) -> Member:
    """Two public challenges (one for the first hours only), one for members only, and an FOUO one;
    returns a member cleared for FOUO, who has not joined the community (it is open)."""
    owner = make_verified_member(markings=["fouo"])
    community = community_create(creator=owner, name="National Blueprint", slug="national-blueprint", marking=marking())
    author = joined(community, markings=("fouo",))
    editor = make_editor(markings=("fouo",))
    for title, windows, public, marked in (
        ("Shelters fill up", ["0-12"], True, "unmarked"),
        ("Volunteers arrive unasked", ["24-72"], True, "unmarked"),
        ("Fuel runs short", ["12-24"], False, "unmarked"),
        ("Contact roster gaps", ["0-12"], False, "fouo"),
    ):
        entry = services.entry_propose(
            author=fresh(author), community=community, kind=Kind.CHALLENGE, title=title, summary=f"About {title}.",
            marking=marking(marked), facets=services.facets_from(windows=windows),
        )  # fmt: skip
        services.entry_review(entry=entry, editor=fresh(editor), decision="publish", evidence="case")
        if public:
            services.entry_set_public(entry=entry, editor=fresh(editor), public=True)
    return make_verified_member(markings=["fouo"])


def test_a_visitor_filters_the_public_summaries_and_a_member_reads_the_whole_index(
    desktop: BrowserPage, blueprint: Member
) -> None:
    page = desktop.page
    desktop.open("/blueprint/")

    assert_layout_landmarks(page)
    expect(page.get_by_role("heading", name="National Blueprint: Challenges")).to_be_visible()
    expect(page.get_by_role("link", name="Shelters fill up")).to_be_visible()
    expect(page.get_by_role("link", name="Fuel runs short")).to_have_count(0)
    expect(page.get_by_text("Contact roster gaps")).to_have_count(0)
    page.get_by_label("Time window").select_option("0-12")
    page.get_by_role("button", name="Filter").click()
    desktop.settle()
    expect(page.get_by_role("link", name="Shelters fill up")).to_be_visible()
    expect(page.get_by_role("link", name="Volunteers arrive unasked")).to_have_count(0)
    assert accessibility_problems(page) == []

    page.context.add_cookies([{"name": "sessionid", "value": session_cookie(blueprint), "url": desktop.base_url}])
    desktop.open("/blueprint/")

    expect(page.get_by_role("link", name="Fuel runs short")).to_be_visible()
    expect(page.get_by_role("link", name="Contact roster gaps")).to_be_visible()
    expect(page.get_by_role("note", name="Marking").first).to_have_text("For Official Use Only (FOUO)")
    assert accessibility_problems(page) == []
    assert desktop.trouble.all() == []
