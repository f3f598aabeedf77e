"""The Blueprint in a real browser: an anonymous visitor reads the public summaries and filters them; a
member signs in and reads the whole index with its marked entry under its banner; a member starts a pilot
from a template and ticks its first step. Pages load cleanly (no script errors, CSP violations or failed
requests) and pass the accessibility checks."""

import re

import pytest
from django.test import Client
from playwright.sync_api import expect

from blueprint import services
from blueprint.models import Kind, PilotTemplate
from communities.models import Role
from communities.services import community_create, membership_set_role
from communities.signals import StarterPage
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


@pytest.fixture
def partnership_template(transactional_db: None) -> PilotTemplate:
    owner = make_verified_member()
    community = community_create(creator=owner, name="National Blueprint", slug="national-blueprint", marking=marking())
    editor = make_editor()
    membership_set_role(community=community, member=editor, role=Role.MEMBER)
    return services.template_create(
        editor=fresh(editor),
        community=community,
        marking=marking(),
        content=services.TemplateContent(
            title="Partnership pilot",
            summary="A standing public-private partnership.",
            checklist=["Name the co-leads", "Invite stakeholders", "Agree on common issues"],
            roles=[("Private-sector co-lead", "brings businesses in")],
            pages=[StarterPage("Partnership charter", "Who sits at the table.")],
            board_name="Partnership planning",
        ),
    )


def test_a_member_starts_a_pilot_from_a_template_and_ticks_its_first_step(
    desktop: BrowserPage, partnership_template: PilotTemplate
) -> None:
    page = desktop.page
    member = make_verified_member(first_name="Pat", last_name="Pilot")
    page.context.add_cookies([{"name": "sessionid", "value": session_cookie(member), "url": desktop.base_url}])
    desktop.open("/blueprint/templates/")

    page.get_by_role("link", name="Partnership pilot").click()
    desktop.settle()
    expect(page.get_by_text("No pilots you can see yet.")).to_be_visible()
    page.get_by_role("link", name="Start a pilot from this template").click()
    desktop.settle()
    page.get_by_label("Name of the pilot's community").fill("Bayou City pilot")
    page.get_by_label("Open to every verified member").check()
    assert accessibility_problems(page) == []
    page.get_by_role("button", name="Start the pilot").click()
    desktop.settle()

    expect(page.get_by_role("heading", name="Checklist: 0 of 3 steps done")).to_be_visible()
    page.get_by_role("button", name=re.compile(r"^Mark done\W+Name the co-leads$")).click()
    desktop.settle()
    expect(page.get_by_role("heading", name="Checklist: 1 of 3 steps done")).to_be_visible()
    expect(page.get_by_text("done by Pat Pilot")).to_be_visible()
    assert accessibility_problems(page) == []
    page.get_by_role("link", name="Partnership pilot").first.click()
    desktop.settle()
    expect(page.get_by_text("1 of 3 steps done")).to_be_visible()
    expect(page.get_by_role("link", name="Bayou City pilot")).to_be_visible()
    desktop.open("/communities/bayou-city-pilot/")
    expect(page.get_by_role("heading", name="Bayou City pilot")).to_be_visible()
    assert desktop.trouble.all() == []
