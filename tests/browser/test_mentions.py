"""Mentions in a real browser (issue 17, point 2), on a phone (375 px) and a desktop (1280 px).

Typing ``@da`` in the new-thread box offers Dana by name and handle; choosing her with the keyboard
inserts ``@dana-reyes``; the posted thread shows the mention as a link to her profile, and Dana, reading
it, sees it highlighted as a mention of her. No console errors or CSP violations, no serious or critical
accessibility violations, no sideways scroll.
"""

import os
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from communities.services import community_create
from discussions import services as discussions
from discussions.models import Thread
from messaging.models import Conversation
from tests.browser.conftest import BrowserPage
from tests.browser.test_layout_accessibility import accessibility_problems
from tests.verification.factories import TEST_PASSWORD, make_verified_member
from verification import services as vetting
from verification.models import Marking, Member

pytestmark = pytest.mark.browser

SCREENSHOTS = os.environ.get("MUSTER_SCREENSHOTS", "")


def no_sideways_scroll(view: BrowserPage) -> bool:
    return bool(view.page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"))


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_a_member_mentions_dana_by_name_and_dana_sees_it_highlighted(
    viewport: str, transactional_db: None, request: pytest.FixtureRequest
) -> None:
    view: BrowserPage = request.getfixturevalue(viewport)
    width = 375 if viewport == "phone" else 1280
    unmarked = Marking.objects.get(slug="unmarked")
    olive = make_verified_member(first_name="Olive", last_name="Owner")
    dana = make_verified_member(first_name="Dana", last_name="Reyes")
    for member in (olive, dana):
        vetting.member_handle_ensure(member=member)
    gulf = community_create(creator=olive, name="Gulf Coast", slug="gulf", marking=unmarked)
    board = discussions.board_create(community=gulf, actor=olive, name="Operations")
    page = view.page

    # Given Olive writing a new thread
    view.sign_in(olive.email, TEST_PASSWORD)
    view.open(reverse("discussions:thread_new", args=["gulf", board.slug]))
    page.get_by_label("Title").fill("Cots for the shelter")
    box = page.get_by_role("textbox", name="Message")

    # When she types "@da", Dana is offered by name and handle, and Enter chooses her
    box.click()
    box.press_sequentially("Can you count the cots, @da", delay=20)
    offered = page.get_by_role("option", name="Dana Reyes (@dana-reyes)")
    expect(offered).to_be_visible()
    expect(offered).to_have_attribute("aria-selected", "true")
    box.press("Enter")
    expect(box).to_have_value("Can you count the cots, @dana-reyes ")
    expect(page.get_by_role("listbox", name="Members to mention")).to_be_hidden()
    assert accessibility_problems(page) == []
    page.get_by_role("button", name="Start the thread").click()
    view.settle()

    # Then the thread shows the mention as a link to Dana's profile
    thread = Thread.objects.get(title="Cots for the shelter")
    mention = page.locator("a.mention", has_text="@dana-reyes")
    expect(mention).to_have_attribute("href", reverse("members:profile", args=[dana.pk]))
    expect(page.locator("a.mention-me")).to_have_count(0)

    # And Dana, reading it, sees the mention of her highlighted
    page.context.clear_cookies()
    view.sign_in(dana.email, TEST_PASSWORD)
    view.open(reverse("discussions:thread", args=["gulf", thread.pk]))
    expect(page.locator("a.mention.mention-me", has_text="@dana-reyes")).to_be_visible()
    if SCREENSHOTS:
        page.screenshot(path=Path(SCREENSHOTS) / f"thread-{width}.png", full_page=True)
    assert accessibility_problems(page) == []
    assert no_sideways_scroll(view)
    assert view.trouble.all() == []


def test_a_group_is_started_by_picking_people_by_name(desktop: BrowserPage, transactional_db: None) -> None:
    olive = make_verified_member(first_name="Olive", last_name="Owner")
    dana: Member = make_verified_member(first_name="Dana", last_name="Reyes")
    vetting.member_handle_ensure(member=dana)
    page = desktop.page
    desktop.sign_in(olive.email, TEST_PASSWORD)
    desktop.open(reverse("messaging:group_new"))

    people = page.get_by_role("combobox", name="People")
    people.click()
    people.press_sequentially("dana", delay=20)
    expect(page.get_by_role("option", name="Dana Reyes @dana-reyes")).to_be_visible()
    people.press("Enter")

    expect(people).to_have_value("@dana-reyes, ")
    chips = page.get_by_role("list", name="People added")
    expect(chips).to_contain_text("Dana Reyes @dana-reyes")
    assert accessibility_problems(page) == []
    chips.get_by_role("button", name="Remove Dana Reyes @dana-reyes").click()
    expect(people).to_have_value("")
    people.press_sequentially("Dana Rey", delay=20)
    page.get_by_role("option", name="Dana Reyes @dana-reyes").click()
    page.get_by_role("button", name="Start the conversation").click()
    desktop.settle()

    group = Conversation.objects.get(kind=Conversation.Kind.GROUP)
    assert set(group.participants.values_list("member_id", flat=True)) == {olive.pk, dana.pk}
    assert desktop.trouble.all() == []


def test_a_wiki_page_mentioning_nobody_is_warned_before_saving(desktop: BrowserPage, transactional_db: None) -> None:
    unmarked = Marking.objects.get(slug="unmarked")
    olive = make_verified_member(first_name="Olive", last_name="Owner")
    dana = make_verified_member(first_name="Dana", last_name="Reyes")
    vetting.member_handle_ensure(member=dana)
    community_create(creator=olive, name="Gulf Coast", slug="gulf", marking=unmarked)
    page = desktop.page
    desktop.sign_in(olive.email, TEST_PASSWORD)
    desktop.open(reverse("wiki:create", args=["gulf"]))
    page.get_by_label("Title").fill("Shelter plan")
    box = page.locator("textarea[name=body]")
    box.fill("Ask @dana.reyes or @Dana-Reyes.")

    page.get_by_role("button", name="Create the page").click()

    warning = page.get_by_role("alert").filter(has_text="No member @dana.reyes can see this page")
    expect(warning).to_be_visible()
    expect(box).to_have_value("Ask @dana.reyes or @Dana-Reyes.")
    assert "/new" in page.url or page.url.endswith(reverse("wiki:create", args=["gulf"]))
    assert accessibility_problems(page) == []

    page.get_by_role("button", name="Create the page").click()
    desktop.settle()
    expect(page.locator("a.mention", has_text="@Dana-Reyes")).to_be_visible()
    assert desktop.trouble.all() == []
