"""The partnership workspace in a real browser: the overview, the inventory, the hazard register with its
risk matrix and the plan load cleanly (no script errors, CSP violations or failed requests) and pass the
accessibility checks; the matrix is an image with a name, and its table says the same."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from communities.models import Community
from communities.services import community_create, membership_set_role
from partnerships import services
from tests.browser.conftest import BrowserPage
from tests.browser.test_layout_accessibility import accessibility_problems, assert_layout_landmarks
from tests.partnerships.conftest import fresh, marking, person
from verification.models import Member

pytestmark = pytest.mark.browser


def session_cookie(member: Member) -> str:
    client = Client()
    client.force_login(member)
    return str(client.cookies["sessionid"].value)


@pytest.fixture
def worked(transactional_db: None) -> tuple[Member, int]:
    public = person(sector="public", first_name="Dana", last_name="Reyes")
    private = person(sector="private", first_name="Sam", last_name="Ortiz")
    community = community_create(
        creator=public, name="Port", slug="port", marking=marking(), visibility=Community.Visibility.RESTRICTED
    )
    membership_set_role(community=community, member=private, role="member")
    partnership = services.partnership_create(
        author=fresh(public), community=community, marking=marking(), title="Port Partnership", jurisdiction="Port"
    )
    services.co_lead_set(partnership=partnership, member=public, actor=fresh(public))
    services.co_lead_set(partnership=partnership, member=fresh(private), actor=fresh(public))
    services.resource_add(
        partnership=partnership, author=fresh(private), marking=marking(),
        data={"name": "Generators", "category": "infrastructure", "kind": "equipment", "location": "Terminal",
              "owner_organisation": "Port Logistics", "hours_to_deploy": 6},
    )  # fmt: skip
    for title, likelihood, impact in (("Hurricane", 4, 5), ("Loss of power", 4, 4), ("Earthquake", 1, 5)):
        services.hazard_add(
            partnership=partnership, author=fresh(private), marking=marking(), title=title, category="natural",
            likelihood=likelihood, impact=impact,
        )  # fmt: skip
    goal = services.goal_add(partnership=partnership, author=fresh(private), marking=marking(), title="Power")
    services.task_add(
        goal=goal, author=fresh(private), marking=marking(), title="Test generators", owner=fresh(private),
        co_owner=fresh(public), due_on=timezone.localdate() + timedelta(days=7),
    )  # fmt: skip
    return fresh(private), partnership.pk


def test_the_workspace_pages_load_cleanly_and_pass_the_accessibility_checks(
    desktop: BrowserPage, worked: tuple[Member, int]
) -> None:
    member, pk = worked
    page = desktop.page
    page.context.add_cookies([{"name": "sessionid", "value": session_cookie(member), "url": desktop.base_url}])

    for path in ("", "steps/1/", "resources/", "resources/72-hours/", "hazards/", "plan/", "summary/"):
        desktop.open(f"/partnerships/{pk}/{path}")
        assert_layout_landmarks(page)
        assert accessibility_problems(page) == [], path

    desktop.open(f"/partnerships/{pk}/hazards/")
    expect(page.get_by_role("img", name="Risk matrix: likelihood across, impact up")).to_be_visible()
    expect(page.get_by_role("table", name="Hazards by risk (the matrix as a table)")).to_contain_text("Hurricane")
    assert desktop.trouble.all() == []
