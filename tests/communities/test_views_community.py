"""A community's home page: what members and non-members see, pinning, and the owners' settings."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from communities import services
from communities.models import ActivityEvent, Community, Role
from tests.feed import document_posted
from tests.verification.factories import make_verified_member
from verification.models import AuditEvent, Marking, Member

pytestmark = pytest.mark.django_db


def make_community(owner: Member, slug: str, marking: str = "unmarked", **fields) -> Community:
    fields.setdefault("name", slug.replace("-", " ").title())
    return services.community_create(creator=owner, slug=slug, marking=Marking.objects.get(slug=marking), **fields)


def detail_url(community: Community) -> str:
    return reverse("communities:detail", kwargs={"slug": community.slug})


def post_event(community: Community, label: str, marking: str = "unmarked") -> ActivityEvent:
    return document_posted(community, None, label, marking)


def is_pinned(event: ActivityEvent) -> bool:
    return ActivityEvent.objects.filter(pk=event.pk, pinned_at__isnull=False).exists()


def test_a_non_member_sees_an_open_communitys_description_count_leaders_feed_and_a_join_button(
    client: Client,
) -> None:
    owner = make_verified_member(first_name="Dana", last_name="Reyes")
    community = make_community(owner, "gulf", description="Landfall planning", tags=["hurricanes"])
    post_event(community, "Shelter capacity sheet")
    client.force_login(make_verified_member())

    body = client.get(detail_url(community)).content.decode()

    assert "Landfall planning" in body
    assert "hurricanes" in body
    assert "1 member<" in body
    assert "Dana Reyes" in body
    assert "Shelter capacity sheet" in body
    assert "/communities/gulf/join/" in body
    assert "marking-banner" not in body


def test_a_restricted_community_shows_non_members_its_description_and_count_but_not_its_feed_members_or_pins(
    client: Client,
) -> None:
    owner = make_verified_member(first_name="Dana", last_name="Reyes")
    community = make_community(owner, "port", visibility=Community.Visibility.RESTRICTED, description="Port continuity")
    event = post_event(community, "Crane outage drill")
    services.activity_pin(event=event, moderator=owner, pinned=True)
    client.force_login(make_verified_member())

    outside = client.get(detail_url(community)).content.decode()
    members_page = client.get(reverse("communities:members", kwargs={"slug": "port"}))

    assert "Port continuity" in outside
    assert "1 member<" in outside
    assert "Content for members only" in outside
    assert "Crane outage drill" not in outside
    assert "Dana Reyes" not in outside
    assert "Pinned" not in outside
    assert members_page.status_code == 403


def test_a_restricted_community_shows_its_members_the_feed_members_and_pins(client: Client) -> None:
    owner = make_verified_member(first_name="Dana", last_name="Reyes")
    member = make_verified_member()
    community = make_community(owner, "port", visibility=Community.Visibility.RESTRICTED)
    services.membership_set_role(community=community, member=member, role=Role.MEMBER)
    event = post_event(community, "Crane outage drill")
    services.activity_pin(event=event, moderator=owner, pinned=True)
    client.force_login(member)

    inside = client.get(detail_url(community)).content.decode()
    members_page = client.get(reverse("communities:members", kwargs={"slug": "port"}))

    assert "Content for members only" not in inside
    assert inside.count("Crane outage drill") == 2  # pinned, and in the feed
    assert "Dana Reyes" in inside
    assert members_page.status_code == 200
    assert "Dana Reyes" in members_page.content.decode()


def test_every_page_of_a_private_community_is_not_found_for_a_non_member_and_open_to_a_member(
    client: Client,
) -> None:
    owner = make_verified_member()
    community = make_community(owner, "cell", visibility=Community.Visibility.PRIVATE)
    get_pages = ["detail", "members", "request", "requests", "invite", "settings"]
    post_pages = ["join", "withdraw", "leave", "pin", "role", "transfer", "remove", "lift_ban"]
    client.force_login(make_verified_member())

    for name in get_pages:
        assert client.get(reverse(f"communities:{name}", kwargs={"slug": "cell"})).status_code == 404, name
    for name in post_pages:
        assert client.post(reverse(f"communities:{name}", kwargs={"slug": "cell"})).status_code == 404, name

    client.force_login(owner)
    for name in get_pages:
        assert client.get(reverse(f"communities:{name}", kwargs={"slug": "cell"})).status_code == 200, name
    assert community.name in client.get(detail_url(community)).content.decode()


def test_a_private_communitys_name_members_tags_and_count_never_reach_non_members(client: Client) -> None:
    owner = make_verified_member(first_name="Secret", last_name="Keeper")
    make_community(owner, "open-one")
    make_community(owner, "cell", name="Black Bayou Cell", visibility=Community.Visibility.PRIVATE, tags=["bayou-ops"])
    client.force_login(make_verified_member())

    directory = client.get(reverse("communities:directory")).content.decode()
    mine = client.get(reverse("communities:directory"), {"mine": "on"}).content.decode()
    suggestions = client.get(reverse("communities:autocomplete"), {"q": "bayou"}).json()
    tag_search = client.get(reverse("communities:directory"), {"tag": "bayou-ops"}).content.decode()

    for page in (directory, mine, tag_search):
        assert "Black Bayou" not in page
        assert "Secret Keeper" not in page
    assert "bayou-ops" not in directory
    assert "1 community" in directory
    assert "0 communities" in tag_search
    assert suggestions == []


def test_a_feed_item_at_a_marking_the_member_is_not_cleared_for_is_left_out_of_the_feed(client: Client) -> None:
    owner = make_verified_member()
    community = make_community(owner, "gulf")
    post_event(community, "Evacuation routes (FOUO)", marking="fouo")
    post_event(community, "Public shelter list")
    cleared = make_verified_member(markings=["fouo"])

    client.force_login(make_verified_member())
    uncleared_page = client.get(detail_url(community)).content.decode()
    client.force_login(cleared)
    cleared_page = client.get(detail_url(community)).content.decode()

    assert "Public shelter list" in uncleared_page
    assert "Evacuation routes" not in uncleared_page
    assert "Evacuation routes" in cleared_page


def test_a_marked_community_carries_its_banner_top_and_bottom_and_the_view_is_audited(client: Client) -> None:
    owner = make_verified_member(markings=["fouo"])
    community = make_community(owner, "pilot", marking="fouo")
    client.force_login(owner)

    body = client.get(detail_url(community)).content.decode()

    header, footer = body.split("<main", 1)[0], body.rsplit("</main>", 1)[1]
    assert 'class="marking-banner marking-fouo"' in header
    assert 'class="marking-banner marking-fouo"' in footer
    assert AuditEvent.objects.filter(action=AuditEvent.Action.VIEWED_MARKED, actor=owner).exists()


def test_a_marked_community_is_not_found_for_a_member_not_cleared_for_its_marking(client: Client) -> None:
    owner = make_verified_member(markings=["fouo"])
    make_community(owner, "pilot", marking="fouo")
    client.force_login(make_verified_member())

    assert client.get(reverse("communities:detail", kwargs={"slug": "pilot"})).status_code == 404


def test_the_feed_shows_twenty_five_events_a_page_newest_first(client: Client) -> None:
    owner = make_verified_member()
    community = make_community(owner, "gulf")
    for i in range(30):
        post_event(community, f"Item {i:02d}")
    client.force_login(owner)

    first = client.get(detail_url(community)).content.decode()
    second = client.get(detail_url(community), {"page": 2}).content.decode()

    first_items = re.findall(r"Item \d\d", first)
    assert first_items[0] == "Item 29"
    assert len(first_items) == 25
    assert re.findall(r"Item \d\d", second) == ["Item 04", "Item 03", "Item 02", "Item 01", "Item 00"]
    assert "created the community" in second


def test_a_moderator_pins_and_unpins_a_feed_item_and_a_member_may_not(client: Client) -> None:
    owner = make_verified_member()
    member = make_verified_member()
    community = make_community(owner, "gulf")
    services.membership_set_role(community=community, member=member, role=Role.MEMBER)
    event = post_event(community, "Shelter capacity sheet")
    pin_url = reverse("communities:pin", kwargs={"slug": "gulf"})

    client.force_login(member)
    refused = client.post(pin_url, {"event": event.pk, "pinned": "on"})
    assert refused.status_code == 403
    assert "Pin" not in re.sub(r"Pinned", "", client.get(detail_url(community)).content.decode())
    assert not is_pinned(event)

    client.force_login(owner)
    pinned = client.post(pin_url, {"event": event.pk, "pinned": "on"}, follow=True).content.decode()
    assert is_pinned(event)
    assert 'id="pinned-heading"' in pinned
    client.post(pin_url, {"event": event.pk})
    assert not is_pinned(event)


def test_a_moderator_cannot_pin_an_event_of_another_community(client: Client) -> None:
    owner = make_verified_member()
    make_community(owner, "gulf")
    other = make_community(make_verified_member(), "other")
    foreign = post_event(other, "Elsewhere")
    client.force_login(owner)

    response = client.post(reverse("communities:pin", kwargs={"slug": "gulf"}), {"event": foreign.pk, "pinned": "on"})

    assert response.status_code == 302
    assert not is_pinned(foreign)


def test_owners_change_the_settings_and_a_moderator_may_not(client: Client) -> None:
    owner = make_verified_member()
    moderator = make_verified_member()
    community = make_community(owner, "gulf", tags=["hurricanes"])
    services.membership_set_role(community=community, member=moderator, role=Role.MODERATOR)
    settings_url = reverse("communities:settings", kwargs={"slug": "gulf"})
    change = {
        "name": "Gulf Coast",
        "description": "Now restricted",
        "tags": "hurricanes, levees",
        "visibility": Community.Visibility.RESTRICTED,
        "join_policy": Community.JoinPolicy.REQUEST,
    }

    client.force_login(moderator)
    assert client.get(settings_url).status_code == 403
    assert client.post(settings_url, change).status_code == 403
    assert Community.objects.get().name == "Gulf"

    client.force_login(owner)
    form = client.get(settings_url).content.decode()
    response = client.post(settings_url, change)

    community.refresh_from_db()
    assert 'value="Gulf"' in form
    assert response.status_code == 302
    assert (community.name, community.visibility, community.join_policy) == ("Gulf Coast", "restricted", "request")
    assert sorted(community.tags.names()) == ["hurricanes", "levees"]


def test_settings_with_a_blank_name_are_shown_again_with_what_was_typed(client: Client) -> None:
    owner = make_verified_member()
    make_community(owner, "gulf")
    client.force_login(owner)

    response = client.post(
        reverse("communities:settings", kwargs={"slug": "gulf"}),
        {"name": "", "description": "Kept text", "visibility": "open", "join_policy": "open"},
    )

    assert response.status_code == 200
    assert "Kept text" in response.content.decode()
    assert "This field is required." in response.content.decode()
    assert Community.objects.get().name == "Gulf"
