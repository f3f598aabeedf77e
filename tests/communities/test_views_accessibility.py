# ruff: noqa: F811 - the browser fixtures are imported from tests/browser and named as test arguments
"""The community pages in a real browser: no serious accessibility violations, no script or CSP trouble,
and no sideways scrolling on a phone."""

import pytest

from communities import services
from communities.models import Community, Role
from tests.browser.conftest import (  # noqa: F401 - the browser fixtures, shared with tests/browser
    BrowserPage,
    _unhashed_static_files,
    browser,
    desktop,
    phone,
)
from tests.browser.test_layout_accessibility import accessibility_problems, assert_fits_the_phone_screen
from tests.feed import document_posted
from tests.verification.factories import TEST_PASSWORD, make_verified_member
from verification.models import Marking, Member

pytestmark = pytest.mark.browser

PAGES = {
    "directory": "/communities/",
    "create": "/communities/new/",
    "home": "/communities/gulf/",
    "members": "/communities/gulf/members/",
    "requests": "/communities/gulf/requests/",
    "invite": "/communities/gulf/invite/",
    "settings": "/communities/gulf/settings/",
    "invitations": "/communities/invitations/",
}


@pytest.fixture
def owner(transactional_db: None) -> Member:
    """The owner of a busy community: members, a ban, a request to decide, a pinned item, an invitation."""
    owner = make_verified_member(first_name="Dana", last_name="Reyes")
    unmarked = Marking.objects.get(slug="unmarked")
    community = services.community_create(
        creator=owner,
        name="Gulf",
        slug="gulf",
        marking=unmarked,
        description="Landfall planning",
        tags=["hurricanes", "sheltering"],
        join_policy=Community.JoinPolicy.REQUEST,
    )
    for role in (Role.MODERATOR, Role.MEMBER):
        services.membership_set_role(community=community, member=make_verified_member(), role=role)
    banned = make_verified_member()
    services.membership_set_role(community=community, member=banned, role=Role.MEMBER)
    services.membership_remove(community=community, actor=owner, member=banned, ban_reason="Spam")
    services.join_request_create(community=community, member=make_verified_member(), message="EMS lead")
    event = document_posted(community, owner, "Shelter list")
    services.activity_pin(event=event, moderator=owner, pinned=True)
    port_owner = make_verified_member()
    port = services.community_create(creator=port_owner, name="Port", slug="port", marking=unmarked)
    services.invitation_create(community=port, inviter=port_owner, email=owner.email, message="Join us")
    return owner


@pytest.mark.parametrize("path", PAGES.values(), ids=PAGES.keys())
def test_community_page_has_no_serious_accessibility_violations_or_page_trouble(
    desktop: BrowserPage, owner: Member, path: str
) -> None:
    desktop.sign_in(owner.email, TEST_PASSWORD)

    desktop.open(path)

    assert accessibility_problems(desktop.page) == []
    assert desktop.trouble.all() == []


def test_the_create_form_with_errors_has_no_serious_accessibility_violations(
    desktop: BrowserPage, owner: Member
) -> None:
    desktop.sign_in(owner.email, TEST_PASSWORD)
    desktop.open("/communities/new/")

    desktop.page.get_by_label("Name").fill("Gulf")
    desktop.page.get_by_role("button", name="Create community").click()
    desktop.settle()

    assert "That address is taken" in desktop.page.content()
    assert accessibility_problems(desktop.page) == []


@pytest.mark.parametrize("path", ["/communities/", "/communities/gulf/", "/communities/gulf/members/"])
def test_community_page_does_not_scroll_sideways_on_a_phone(phone: BrowserPage, owner: Member, path: str) -> None:
    phone.sign_in(owner.email, TEST_PASSWORD)

    phone.open(path)

    assert_fits_the_phone_screen(phone.page)
