"""The member directory, member profile pages and mention suggestions, through the real client and templates.

Private stays private: a private community's name and members, and what a
member does not share, never reach a viewer who may not see them.
"""

import json
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from communities.models import ActivityEvent, Community, Role
from communities.services import activity_record, community_create, membership_set_role
from library.models import Document
from members.selectors import DirectorySearch, members_for_directory
from tests.browser import conftest as browser_fixtures
from tests.browser.conftest import BrowserPage
from tests.browser.test_layout_accessibility import (
    accessibility_problems,
    assert_fits_the_phone_screen,
    assert_layout_landmarks,
)
from tests.feed import document_posted
from tests.verification.factories import TEST_PASSWORD, MemberFactory, ProfileFactory, make_verified_member
from verification import policy, services
from verification.models import Marking, Member, Profile

pytestmark = pytest.mark.django_db

DIRECTORY_URL = reverse("members:directory")
AUTOCOMPLETE_URL = reverse("members:autocomplete")


def signed_in_client(member: Member) -> Client:
    client = Client()
    client.force_login(member)
    return client


def listed_member(
    first_name: str,
    last_name: str,
    *,
    shared: list[str] | None = None,
    expertise: list[str] | None = None,
    member: Member | None = None,
    **profile_fields: object,
) -> Member:
    """A verified member with a profile (sharing ``shared``) and expertise tags."""
    if member is None:
        member = make_verified_member(first_name=first_name, last_name=last_name)
    profile_fields.setdefault("organisation", "Harris County Fire Marshal's Office")
    profile_fields.setdefault("jurisdiction_state", "Louisiana")
    profile_fields.setdefault("jurisdiction_local", "Terrebonne Parish")
    profile = ProfileFactory.create(member=member, shared_fields=shared or [], **profile_fields)
    if expertise:
        profile.expertise.set(expertise)
    return member


def names_in(client: Client, **params: str) -> list[str]:
    response = client.get(DIRECTORY_URL, params)
    assert response.status_code == 200
    return [card.name for card in response.context["cards"]]


def make_community(
    owner: Member, slug: str, *, marking: str = "unmarked", visibility: str = Community.Visibility.OPEN
) -> Community:
    return community_create(
        creator=owner,
        name=f"Community {slug}",
        slug=slug,
        marking=Marking.objects.get(slug=marking),
        visibility=visibility,
    )


def suggestions(client: Client, **params: str) -> list[dict[str, object]]:
    response = client.get(AUTOCOMPLETE_URL, params)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    result: list[dict[str, object]] = json.loads(response.content)
    return result


# --- Search ----------------------------------------------------------------------


def test_directory_finds_members_by_first_name_last_name_and_agency() -> None:
    listed_member("Dana", "Ortiz", organisation="Houston Fire Department")
    listed_member("Sam", "Reyes", organisation="Galveston County Health District")
    client = signed_in_client(make_verified_member())

    assert names_in(client) == ["Dana Ortiz", "Sam Reyes"]
    assert names_in(client, q="dana") == ["Dana Ortiz"]
    assert names_in(client, q="REYES") == ["Sam Reyes"]
    assert names_in(client, q="health district") == ["Sam Reyes"]
    assert names_in(client, q="houston ortiz") == ["Dana Ortiz"]
    assert names_in(client, q="nobody") == []


def test_directory_filters_by_discipline_and_affiliation() -> None:
    listed_member("Dana", "Ortiz", discipline="fire", affiliation_type="responder")
    listed_member("Sam", "Reyes", discipline="public_health", affiliation_type="government")
    client = signed_in_client(make_verified_member())

    assert names_in(client, discipline="fire") == ["Dana Ortiz"]
    assert names_in(client, discipline="public_health") == ["Sam Reyes"]
    assert names_in(client, affiliation_type="government") == ["Sam Reyes"]
    assert names_in(client, discipline="fire", affiliation_type="government") == []


def test_directory_ignores_a_discipline_that_is_not_a_choice_and_says_so() -> None:
    listed_member("Dana", "Ortiz")
    response = signed_in_client(make_verified_member()).get(DIRECTORY_URL, {"discipline": "astronaut"})

    assert response.status_code == 200
    assert [card.name for card in response.context["cards"]] == ["Dana Ortiz"]
    assert "Select a valid choice" in response.content.decode()


def test_jurisdiction_search_finds_only_members_who_share_their_jurisdiction() -> None:
    # Given two members in the same parish, only one of whom shares their jurisdiction
    listed_member("Dana", "Ortiz", shared=["jurisdiction"])
    listed_member("Sam", "Reyes", shared=["title", "bio"])
    client = signed_in_client(make_verified_member())

    # When the viewer searches by state or by parish, only the member who shares it is found
    assert names_in(client, state="louisiana") == ["Dana Ortiz"]
    assert names_in(client, locality="terrebonne") == ["Dana Ortiz"]
    assert names_in(client, state="Louisiana", locality="Terrebonne") == ["Dana Ortiz"]
    assert names_in(client, state="Texas") == []

    # And the unshared jurisdiction never appears on the page, while the shared one does
    page = client.get(DIRECTORY_URL).content.decode()
    assert page.count("Terrebonne Parish, Louisiana") == 1
    Profile.objects.filter(member__first_name="Dana").update(shared_fields=[])
    assert "Terrebonne" not in client.get(DIRECTORY_URL).content.decode()
    assert names_in(client, locality="terrebonne") == []


def test_expertise_search_finds_only_members_who_share_their_expertise() -> None:
    # Given two members tagged "storm surge", only one of whom shares their expertise
    listed_member("Dana", "Ortiz", shared=["expertise"], expertise=["storm surge", "mass care"])
    listed_member("Sam", "Reyes", shared=["jurisdiction"], expertise=["storm surge", "hazmat"])
    client = signed_in_client(make_verified_member())

    # When the viewer filters by the tag, only the sharing member is found, once
    assert names_in(client, expertise="Storm Surge") == ["Dana Ortiz"]
    assert names_in(client, expertise="hazmat") == []

    # And the unshared tags never appear on the page, while the shared ones do (as links to the filter)
    page = client.get(DIRECTORY_URL).content.decode()
    assert "mass care" in page
    assert "?expertise=storm%20surge" in page
    assert "hazmat" not in page


def test_directory_cards_show_only_the_fields_the_member_shares() -> None:
    listed_member(
        "Dana",
        "Ortiz",
        title="Battalion Chief",
        phone="+1 409 555 0100",
        bio="Hurricane veteran.",
        shared=["phone"],
    )
    listed_member("Sam", "Reyes", title="Deputy Fire Marshal", shared=["title"])

    page = signed_in_client(make_verified_member()).get(DIRECTORY_URL).content.decode()

    assert "Deputy Fire Marshal" in page
    for hidden in ("Battalion Chief", "Hurricane veteran.", "Terrebonne"):
        assert hidden not in page


@pytest.mark.parametrize(
    ("shared", "found"),
    [
        ([], False),
        (["title", "bio", "photo"], False),
        (["jurisdiction"], True),
        (["expertise", "jurisdiction"], True),
    ],
)
def test_the_shared_fields_lookup_matches_the_field_name_itself_on_this_database(
    shared: list[str], found: bool
) -> None:
    """Runs on SQLite by default and on PostgreSQL when ``DATABASE_URL`` points there."""
    listed_member("Dana", "Ortiz", shared=shared, expertise=["flooding"])
    viewer = make_verified_member()

    by_state = members_for_directory(viewer, DirectorySearch(state="Louisiana"))

    assert by_state.exists() is found
    assert members_for_directory(viewer, DirectorySearch(expertise="flooding")).exists() is ("expertise" in shared)


# --- Who is listed, and who may look --------------------------------------------


def test_unverified_suspended_and_expired_members_are_never_listed_or_suggested() -> None:
    listed_member("Vera", "Verified")
    listed_member("Una", "Unverified", member=MemberFactory.create(first_name="Una", last_name="Unverified"))
    listed_member(
        "Sue",
        "Suspended",
        member=make_verified_member(first_name="Sue", last_name="Suspended", suspended_at=timezone.now()),
    )
    listed_member(
        "Ed",
        "Expired",
        member=make_verified_member(
            first_name="Ed", last_name="Expired", verified_until=timezone.now() - timedelta(days=1)
        ),
    )
    client = signed_in_client(make_verified_member())

    assert names_in(client) == ["Vera Verified"]
    assert [s["name"] for s in suggestions(client, q="Verified")] == ["Vera Verified"]
    for last_name in ("Unverified", "Suspended", "Expired"):
        assert suggestions(client, q=last_name) == []
        assert names_in(client, q=last_name) == []


def test_a_member_suspended_after_being_listed_disappears_from_the_directory() -> None:
    target = listed_member("Sue", "Suspended")
    client = signed_in_client(make_verified_member())
    assert names_in(client) == ["Sue Suspended"]

    services.member_suspend(member=target, verifier=make_verified_member(), reason="Under review")

    assert names_in(client) == []
    assert client.get(reverse("members:profile", args=[target.pk])).status_code == 404


@pytest.mark.parametrize("url_name", ["members:directory", "members:autocomplete"])
def test_uncleared_visitors_are_sent_away_and_a_cleared_member_gets_in(url_name: str) -> None:
    listed_member("Dana", "Ortiz")
    url = reverse(url_name)

    applicant = signed_in_client(MemberFactory.create())
    denied = applicant.get(url, {"q": "Dana"})
    assert denied.status_code == 302
    assert denied["Location"] == reverse("verification:status")
    not_accepted_rules = signed_in_client(make_verified_member(accept_rules=False)).get(url, {"q": "Dana"})
    assert not_accepted_rules["Location"] == reverse("verification:rules")
    assert Client().get(url)["Location"].startswith(reverse("account_login"))

    allowed = signed_in_client(make_verified_member()).get(url, {"q": "Dana"})
    assert allowed.status_code == 200
    assert "Dana Ortiz" in allowed.content.decode()


def test_directory_pages_by_twenty_five() -> None:
    for i in range(30):
        listed_member("Member", f"Number{i:02d}")
    client = signed_in_client(make_verified_member())

    first = client.get(DIRECTORY_URL)
    second = client.get(DIRECTORY_URL, {"page": 2})

    assert len(first.context["cards"]) == 25
    assert len(second.context["cards"]) == 5
    assert "30 members" in first.content.decode()
    assert "Page 1 of 2" in first.content.decode()


# --- Profile pages: communities and activity ---------------------------------------


def test_profile_lists_communities_without_a_private_or_restricted_one_the_viewer_is_not_in() -> None:
    # Given a member of an open, a restricted and a private community
    owner = make_verified_member()
    member = listed_member("Dana", "Ortiz")
    for community in (
        make_community(owner, "gulf-coast"),
        make_community(owner, "port-security", visibility=Community.Visibility.RESTRICTED),
        make_community(owner, "quiet-room", visibility=Community.Visibility.PRIVATE),
    ):
        membership_set_role(community=community, member=member, role=Role.MEMBER)
    url = reverse("members:profile", args=[member.pk])

    # When a verified member outside the private community looks
    stranger = signed_in_client(make_verified_member()).get(url)

    # Then they see the open one; restricted and private member lists are for members, not even a count
    body = stranger.content.decode()
    assert "Community gulf-coast" in body
    assert "port-security" not in body
    assert "quiet-room" not in body
    assert [m.community.slug for m in stranger.context["memberships"]] == ["gulf-coast"]
    communities_section = body.split('id="member-communities"')[1].split("</section>")[0]
    assert communities_section.count("<li") == 1
    assert re.search(r"\d+\s+communit", body, re.IGNORECASE) is None

    # While a fellow member of the private community sees it listed
    fellow = make_verified_member()
    membership_set_role(community=Community.objects.get(slug="quiet-room"), member=fellow, role=Role.MEMBER)
    fellow_page = signed_in_client(fellow).get(url)
    assert "Community quiet-room" in fellow_page.content.decode()
    assert [m.community.slug for m in fellow_page.context["memberships"]] == ["gulf-coast", "quiet-room"]


def test_profile_hides_a_marked_community_from_a_viewer_not_cleared_for_its_marking() -> None:
    owner = make_verified_member(markings=["fouo"])
    member = listed_member("Dana", "Ortiz", member=make_verified_member(first_name="Dana", markings=["fouo"]))
    community = make_community(owner, "port-ops", marking="fouo")
    membership_set_role(community=community, member=member, role=Role.MEMBER)
    url = reverse("members:profile", args=[member.pk])

    uncleared = signed_in_client(make_verified_member()).get(url).content.decode()
    cleared = signed_in_client(make_verified_member(markings=["fouo"])).get(url).content.decode()

    assert "port-ops" not in uncleared
    assert "fouo" not in uncleared.lower()
    assert "Community port-ops" in cleared
    # A page that names a marked community carries its marking as a banner at top and bottom.
    assert cleared.count('class="marking-banner marking-fouo"') == 2


def test_recent_activity_hides_events_the_viewer_may_not_see() -> None:
    # Given a member active in an open, a private and an FOUO community, and on a restricted document
    member = listed_member("Dana", "Ortiz", member=make_verified_member(first_name="Dana", markings=["fouo"]))
    open_community = make_community(member, "gulf-coast")
    private = make_community(member, "quiet-room", visibility=Community.Visibility.PRIVATE)
    make_community(member, "port-ops", marking="fouo")
    unmarked = Marking.objects.get(slug="unmarked")
    roster = Document.objects.create(
        community=open_community, author=member, marking=unmarked, title="Shelter roster", is_restricted=True
    )
    activity_record(community=open_community, actor=member, verb=ActivityEvent.Verb.ADDED, target=roster)
    document_posted(open_community, member, "Hi")
    url = reverse("members:profile", args=[member.pk])

    # When a verified member who is in none of them and cleared for nothing looks
    stranger = make_verified_member()
    page = signed_in_client(stranger).get(url)

    # Then only the open community's unrestricted events show
    labels = [(e.community.slug, e.target_label) for e in page.context["activity"]]
    assert labels == [("gulf-coast", "Hi"), ("gulf-coast", "")]
    body = page.content.decode()
    for hidden in ("quiet-room", "port-ops", "Shelter roster"):
        assert hidden not in body

    # While a fellow member of the private community, cleared for FOUO and granted the document, sees them all
    fellow = make_verified_member(markings=["fouo"])
    membership_set_role(community=private, member=fellow, role=Role.MEMBER)
    policy.grant_item_access(roster, fellow)
    seen = {e.community.slug for e in signed_in_client(fellow).get(url).context["activity"]}
    fellow_body = signed_in_client(fellow).get(url).content.decode()
    assert seen == {"gulf-coast", "quiet-room", "port-ops"}
    assert "Shelter roster" in fellow_body


def test_recent_activity_shows_the_newest_ten() -> None:
    member = listed_member("Dana", "Ortiz")
    community = make_community(member, "gulf-coast")
    for i in range(12):
        document_posted(community, member, f"P{i}")

    page = signed_in_client(make_verified_member()).get(reverse("members:profile", args=[member.pk]))

    assert [e.target_label for e in page.context["activity"]] == [f"P{i}" for i in range(11, 1, -1)]


# --- Mention suggestions ----------------------------------------------------------


def test_autocomplete_suggests_at_most_ten_visible_members_by_name() -> None:
    for i in range(12):
        listed_member("Alex", f"Responder{i:02d}")
    listed_member("Dana", "Ortiz")
    client = signed_in_client(make_verified_member())

    alex = suggestions(client, q="alex")
    assert len(alex) == 10
    assert alex[0]["name"] == "Alex Responder00"
    assert set(alex[0]) == {"id", "name"}
    assert suggestions(client, q="ortiz") == [{"id": Member.objects.get(last_name="Ortiz").pk, "name": "Dana Ortiz"}]
    assert suggestions(client, q="") == []
    assert suggestions(client, q="Harris") == []  # agency is not a name


def test_autocomplete_never_offers_members_of_a_community_whose_content_the_viewer_cannot_see() -> None:
    # Given a private and a restricted community, each with a member called Dana
    owner = make_verified_member()
    private = make_community(owner, "quiet-room", visibility=Community.Visibility.PRIVATE)
    restricted = make_community(owner, "port-security", visibility=Community.Visibility.RESTRICTED)
    open_community = make_community(owner, "gulf-coast")
    dana = listed_member("Dana", "Ortiz")
    for community in (private, restricted, open_community):
        membership_set_role(community=community, member=dana, role=Role.MEMBER)
    listed_member("Dana", "Outsider")

    # When a member of neither asks for suggestions in them, there are none (as for no such community)
    stranger = signed_in_client(make_verified_member())
    assert suggestions(stranger, q="dana", community="quiet-room") == []
    assert suggestions(stranger, q="dana", community="port-security") == []
    assert suggestions(stranger, q="dana", community="no-such-community") == []
    # In an open community they see its members only
    assert [s["name"] for s in suggestions(stranger, q="dana", community="gulf-coast")] == ["Dana Ortiz"]

    # While a fellow member of the private community gets its members
    fellow = make_verified_member()
    membership_set_role(community=private, member=fellow, role=Role.MEMBER)
    assert [s["name"] for s in suggestions(signed_in_client(fellow), q="dana", community="quiet-room")] == [
        "Dana Ortiz"
    ]


def test_autocomplete_never_offers_members_of_a_marked_community_to_a_viewer_not_cleared() -> None:
    owner = make_verified_member(markings=["fouo"])
    community = make_community(owner, "port-ops", marking="fouo")
    dana = listed_member("Dana", "Ortiz")
    membership_set_role(community=community, member=dana, role=Role.MEMBER)
    joined_uncleared = make_verified_member()
    membership_set_role(community=community, member=joined_uncleared, role=Role.MEMBER)
    cleared = make_verified_member(markings=["fouo"])
    membership_set_role(community=community, member=cleared, role=Role.MEMBER)

    assert suggestions(signed_in_client(joined_uncleared), q="dana", community="port-ops") == []
    assert [s["name"] for s in suggestions(signed_in_client(cleared), q="dana", community="port-ops")] == ["Dana Ortiz"]


# --- Constant queries ---------------------------------------------------------------


def queries_for(client: Client, url: str, params: dict[str, str] | None = None) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url, params or {}).status_code == 200
    return len(context)


def test_directory_runs_the_same_number_of_queries_for_one_and_for_fifty_members() -> None:
    listed_member("Solo", "Responder", organisation="Solo Agency", shared=["expertise", "title"], expertise=["ics"])
    for i in range(50):
        listed_member(
            "Crowd",
            f"Responder{i:02d}",
            organisation="Crowd Agency",
            shared=["expertise", "jurisdiction", "title"],
            expertise=["ics", f"topic {i}"],
        )
    client = signed_in_client(make_verified_member())
    client.get(DIRECTORY_URL)  # warm per-process caches (content types)

    one = queries_for(client, DIRECTORY_URL, {"q": "solo"})
    fifty = queries_for(client, DIRECTORY_URL, {"q": "crowd"})
    fifty_filtered = queries_for(client, DIRECTORY_URL, {"q": "crowd", "expertise": "ics", "state": "Louisiana"})
    second_page = queries_for(client, DIRECTORY_URL, {"q": "crowd", "page": "2"})

    assert one == fifty == fifty_filtered == second_page


def test_profile_page_runs_the_same_number_of_queries_for_one_and_for_twenty_communities_and_events() -> None:
    owner = make_verified_member()
    few = listed_member("Few", "Communities", shared=["expertise"], expertise=["ics"])
    many = listed_member("Many", "Communities", shared=["expertise"], expertise=["ics", "hazmat"])
    only_one = make_community(owner, "only-one")
    membership_set_role(community=only_one, member=few, role=Role.MEMBER)
    document_posted(only_one, few, "P")
    for i in range(20):
        community = make_community(owner, f"many-{i}", visibility=Community.Visibility.RESTRICTED if i % 2 else "open")
        membership_set_role(community=community, member=many, role=Role.MEMBER)
        document_posted(community, many, f"P{i}")
    viewer = make_verified_member()
    client = signed_in_client(viewer)
    client.get(reverse("members:profile", args=[few.pk]))  # warm per-process caches (content types)

    one = queries_for(client, reverse("members:profile", args=[few.pk]))
    twenty = queries_for(client, reverse("members:profile", args=[many.pk]))

    assert one == twenty


# --- In a real browser -----------------------------------------------------------

# The browser fixtures live beside the browser tests; these pages are checked the same way.
browser = browser_fixtures.browser
desktop = browser_fixtures.desktop
phone = browser_fixtures.phone
_unhashed_static_files = browser_fixtures._unhashed_static_files


@pytest.fixture
def searcher(transactional_db: None) -> Member:
    """A verified member with a profile, and a colleague with a shared jurisdiction and expertise to find."""
    listed_member("Dana", "Ortiz", shared=["jurisdiction", "expertise", "title"], expertise=["storm surge"])
    return listed_member("Sam", "Reyes")


@pytest.mark.browser
def test_member_searches_the_directory_and_opens_a_profile_with_no_accessibility_violations(
    desktop: BrowserPage, searcher: Member
) -> None:
    desktop.sign_in(searcher.email, TEST_PASSWORD)
    desktop.open(DIRECTORY_URL)
    assert_layout_landmarks(desktop.page)
    assert accessibility_problems(desktop.page) == []

    search = desktop.page.get_by_role("search", name="Find members")
    search.get_by_label("Name or agency").fill("ortiz")
    search.get_by_label("State").fill("Louisiana")
    search.get_by_role("button", name="Search").click()
    desktop.settle()
    expect(desktop.page.get_by_role("heading", level=2, name="1 member found")).to_be_visible()
    desktop.page.get_by_role("link", name="Dana Ortiz").click()
    desktop.settle()

    expect(desktop.page.get_by_role("heading", level=1)).to_have_text("Dana Ortiz")
    assert_layout_landmarks(desktop.page)
    assert accessibility_problems(desktop.page) == []
    assert desktop.trouble.all() == []


@pytest.mark.browser
def test_directory_and_profile_fit_a_phone(phone: BrowserPage, searcher: Member) -> None:
    phone.sign_in(searcher.email, TEST_PASSWORD)

    phone.open(DIRECTORY_URL)
    assert_fits_the_phone_screen(phone.page)
    expect(phone.page.get_by_role("search", name="Find members").get_by_role("button", name="Search")).to_be_visible()
    phone.open(reverse("members:profile", args=[searcher.pk]))
    assert_fits_the_phone_screen(phone.page)
    assert phone.trouble.all() == []


def test_handles_show_on_directory_cards_profiles_and_community_member_lists() -> None:
    dana = listed_member("Dana", "Reyes")
    services.member_handle_ensure(member=dana)
    dana.refresh_from_db()
    viewer = listed_member("Casey", "Lee")
    client = signed_in_client(viewer)

    directory = client.get(DIRECTORY_URL).content.decode()
    assert f'<p class="member-handle">@{dana.handle}</p>' in directory
    profile = client.get(reverse("members:profile", args=[dana.pk])).content.decode()
    assert f"@{dana.handle}" in profile
    assert "how others mention them" in profile

    community = make_community(dana, "gulf")
    membership_set_role(community=community, member=viewer, role=Role.MEMBER)
    members_page = client.get(reverse("communities:members", args=["gulf"])).content.decode()
    assert f'<span class="member-handle">@{dana.handle}</span>' in members_page
