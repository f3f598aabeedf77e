"""The start page in a real browser (issue 17, point 1).

At 375 and 1280 px the start page of a busy member (new items, unread conversation, a mention) has no
serious or critical accessibility violation, no sideways scroll and no console or CSP trouble; a new
member in no community sees communities suggested for them and joins one with one click.
Screenshots go to ``$MUSTER_SCREENSHOTS/home-375.png``, ``home-1280.png`` and ``home-new-member-375.png``
when that names a folder.
"""

import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from communities.models import ActivityEvent, Community, Membership
from communities.services import community_create, membership_join
from discussions import services as discussions
from messaging.services import direct_conversation_open, message_send
from tests.browser.conftest import BrowserPage
from tests.browser.test_layout_accessibility import accessibility_problems
from tests.feed import document_posted
from tests.verification.factories import TEST_PASSWORD, ProfileFactory, make_verified_member
from verification import services as vetting
from verification.models import Marking, Member

pytestmark = pytest.mark.browser

SCREENSHOTS = os.environ.get("MUSTER_SCREENSHOTS", "")


@dataclass
class World:
    busy: Member
    newcomer: Member
    suggested: Community


def _community(owner: Member, name: str, **fields: Any) -> Community:
    unmarked = Marking.objects.get(slug="unmarked")
    slug = name.lower().replace(" ", "-")
    return community_create(creator=owner, name=name, slug=slug, marking=unmarked, **fields)


@pytest.fixture
def world(transactional_db: None) -> World:
    owner = make_verified_member(first_name="Marcus", last_name="Bell")
    busy = make_verified_member(first_name="Dana", last_name="Reyes")
    newcomer = make_verified_member(first_name="Riley", last_name="Nguyen")
    ProfileFactory.create(member=newcomer, discipline="ems", jurisdiction_local="Galveston County")
    vetting.member_handle_ensure(member=busy)
    busy = Member.objects.get(pk=busy.pk)
    gulf = _community(
        owner,
        "Gulf Coast Hurricane Response",
        description="Responders along the Gulf Coast planning the first 72 hours after landfall.",
        tags=["hurricanes", "evacuation"],
    )
    ems = _community(
        owner,
        "EMS Practice",
        description="Emergency medical services practitioners sharing protocols and mass-casualty triage.",
        tags=["ems", "triage"],
    )
    _community(
        owner,
        "Charleston Port Partnership",
        description="Port security and continuity of operations.",
        visibility=Community.Visibility.RESTRICTED,
        join_policy=Community.JoinPolicy.REQUEST,
    )
    membership_join(community=gulf, member=busy)
    document_posted(gulf, owner, "Evacuation routes for Galveston Island, updated for the 2026 season")
    ActivityEvent.objects.update(created_at=timezone.now() - timedelta(days=3))
    board = discussions.board_create(community=gulf, actor=owner, name="Operations")
    thread = discussions.thread_start(
        author=owner,
        community=gulf,
        board=board,
        title="Shelter cots and blankets",
        body="How many do we hold?",
        marking=gulf.marking,
    )
    discussions.post_reply(author=owner, thread=thread, body=f"@{busy.handle} can you count the cots?")
    conversation = direct_conversation_open(member=owner, other=busy)
    message_send(conversation=conversation, author=owner, body="Call me when you land.")
    return World(busy=busy, newcomer=newcomer, suggested=ems)


def no_sideways_scroll(page: Page) -> bool:
    return bool(page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"))


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_busy_members_start_page_is_accessible_and_fits_the_screen(
    size: str, world: World, request: pytest.FixtureRequest
) -> None:
    browser_page: BrowserPage = request.getfixturevalue(size)
    page = browser_page.page
    browser_page.sign_in(world.busy.email, TEST_PASSWORD)
    browser_page.open("/")

    expect(page.get_by_role("heading", name="What\N{RIGHT SINGLE QUOTATION MARK}s new")).to_be_visible()
    expect(page.get_by_role("heading", name="New this week")).to_be_visible()  # the first visit
    expect(page.get_by_role("link", name="Shelter cots and blankets").first).to_be_visible()
    expect(page.get_by_role("link", name="Marcus Bell", exact=True)).to_be_visible()  # the unread conversation
    expect(page.get_by_role("link", name="Marcus Bell mentioned you in “Shelter cots and blankets”")).to_be_visible()
    expect(page.get_by_role("link", name="Gulf Coast Hurricane Response").first).to_be_visible()
    if SCREENSHOTS:
        width = page.viewport_size["width"] if page.viewport_size else 0
        page.screenshot(path=Path(SCREENSHOTS) / f"home-{width}.png", full_page=True)
    assert accessibility_problems(page) == []
    assert no_sideways_scroll(page)
    assert browser_page.trouble.all() == []


def test_a_new_member_sees_suggestions_and_joins_one_with_one_click(phone: BrowserPage, world: World) -> None:
    page = phone.page
    phone.sign_in(world.newcomer.email, TEST_PASSWORD)
    phone.open("/")

    expect(page.get_by_role("heading", name="Communities for you")).to_be_visible()
    expect(page.get_by_role("button", name="Ask to join Charleston Port Partnership")).to_be_visible()
    if SCREENSHOTS:
        page.screenshot(path=Path(SCREENSHOTS) / "home-new-member-375.png", full_page=True)
    assert accessibility_problems(page) == []
    assert no_sideways_scroll(page)

    page.get_by_role("button", name="Join EMS Practice").click()
    phone.settle()

    expect(page.get_by_text("Welcome to EMS Practice.")).to_be_visible()
    assert Membership.objects.filter(community=world.suggested, member=world.newcomer).exists()
    phone.open("/")
    expect(page.get_by_role("link", name="EMS Practice").first).to_be_visible()
    assert phone.trouble.all() == []
