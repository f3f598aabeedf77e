"""The public tier: anonymous visitors read the heading and summary of entries an editor made public, at
/blueprint/ and on each entry's public page; the body, links, attachments and anything marked stay for
members with access. A walk over every public page never meets a marked sentinel."""

import itertools
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from blueprint import services
from blueprint.models import Entry, Hazard, Kind, Sector, Window
from communities.models import Community
from communities.services import community_create
from tests.blueprint.conftest import SENTINEL, Propose, Publish, fresh, marking
from tests.verification.factories import make_verified_member
from verification.models import Member

pytestmark = pytest.mark.django_db

BODY_SENTINEL = "QUOKKA-BODY-5521"


def text_of(response: Any) -> str:
    return str(response.content.decode())


@pytest.fixture
def public_world(propose: Propose, publish: Publish, fouo_author: Member, editor: Member) -> dict[str, Entry]:
    """A public challenge (its body a sentinel of its own), a published one that is not public, a marked tool whose
    public flag is forced on (the policy must still refuse it), and flagged entries the policy must refuse for
    their community, restriction or removal."""
    facets = services.facets_from(windows=["0-12"], sectors=["public"], hazards=["hurricane"], tags=["shelters"])
    public = publish(
        propose(Kind.CHALLENGE, "Shelters fill up", body=f"Members only: {BODY_SENTINEL}", facets=facets),
        public=True,
    )
    solution = publish(propose(Kind.SOLUTION, "Mutual aid", links=[public], facets=facets), public=True)
    members_only = publish(propose(Kind.CHALLENGE, "Members-only challenge", facets=facets))
    marked = publish(
        propose(
            Kind.TOOL, f"Roster {SENTINEL}", author=fouo_author, marking_slug="fouo", links=[solution],
            summary=f"Numbers {SENTINEL}", body=SENTINEL, facets=facets,
        )
    )  # fmt: skip
    removed = publish(propose(Kind.CHALLENGE, f"Removed {SENTINEL}", facets=facets), public=True)
    Entry.objects.filter(pk=removed.pk).update(deleted_at=timezone.now())
    waiting = propose(Kind.CHALLENGE, f"Waiting {SENTINEL}", facets=facets)
    owner = make_verified_member(markings=["fouo"])
    elsewhere = {}
    for visibility, community_marking in (("restricted", "unmarked"), ("private", "unmarked"), ("open", "fouo")):
        community = community_create(
            creator=owner, name=f"{visibility} {community_marking}", slug=f"{visibility}-{community_marking}",
            marking=marking(community_marking), visibility=visibility,
        )  # fmt: skip
        elsewhere[visibility + community_marking] = services.entry_propose(
            author=fresh(owner), community=community, kind=Kind.CHALLENGE, title=f"Elsewhere {visibility} {SENTINEL}",
            summary=SENTINEL, marking=marking(community_marking), facets=facets,
        )  # fmt: skip
    # Forced on, past the service's own checks: the policy alone must keep these out.
    flagged = [marked.pk, waiting.pk, *(entry.pk for entry in elsewhere.values())]
    Entry.objects.filter(pk__in=flagged).update(summary_public=True)
    Entry.objects.filter(pk__in=[entry.pk for entry in elsewhere.values()]).update(
        status="published", is_restricted=False
    )
    return {"public": public, "solution": solution, "members_only": members_only, "marked": marked}


def public_pages() -> list[str]:
    """Every page anonymous visitors can reach in the Blueprint: the indexes, under every filter, and every
    entry's page (whatever it holds)."""
    indexes = [reverse(f"blueprint:{name}") for name in ("index", "solutions", "tools", "reports", "cases")]
    filters = [
        *({"window": value} for value in Window.values),
        *({"sector": value} for value in Sector.values),
        *({"hazard": hazard.slug} for hazard in Hazard.objects.all()),
        {"tag": "shelters"},
        {"page": "2"},
    ]
    pages = [*indexes]
    for index, query in itertools.product(indexes, filters):
        key, value = next(iter(query.items()))
        pages.append(f"{index}?{key}={value}")
    pages += [
        reverse("blueprint:entry", kwargs={"slug": slug}) for slug in Entry.objects.values_list("slug", flat=True)
    ]
    return pages


def test_anonymous_visitors_read_the_public_summaries_at_the_blueprint_and_nothing_else(
    client: Client, public_world: dict[str, Entry]
) -> None:
    challenges = text_of(client.get(reverse("blueprint:index")))
    solutions = text_of(client.get(reverse("blueprint:solutions")))

    assert "Shelters fill up" in challenges
    assert "Summary of Shelters fill up." in challenges
    assert "Members-only challenge" not in challenges
    assert "Mutual aid" in solutions
    assert BODY_SENTINEL not in challenges
    assert "You are reading the public summaries" in challenges


def test_a_public_entry_shows_anonymous_visitors_its_summary_and_never_its_body_or_links(
    client: Client, public_world: dict[str, Entry]
) -> None:
    response = client.get(reverse("blueprint:entry", kwargs={"slug": public_world["public"].slug}))

    body = text_of(response)
    assert response.status_code == 200
    assert "Summary of Shelters fill up." in body
    assert BODY_SENTINEL not in body
    assert "Mutual aid" not in body  # links are for members
    assert "sign in" in body


def test_an_entry_that_is_not_public_sends_visitors_to_sign_in_whether_or_not_it_exists(
    client: Client, public_world: dict[str, Entry]
) -> None:
    hidden = client.get(reverse("blueprint:entry", kwargs={"slug": public_world["members_only"].slug}))
    missing = client.get(reverse("blueprint:entry", kwargs={"slug": "no-such-entry"}))

    assert hidden.status_code == missing.status_code == 302
    assert hidden["Location"].startswith(reverse("account_login"))
    assert missing["Location"].startswith(reverse("account_login"))


def test_walking_every_public_page_anonymously_never_meets_a_marked_or_hidden_word(
    client: Client, public_world: dict[str, Entry]
) -> None:
    pages = public_pages()

    assert len(pages) > 40
    for page in pages:
        response = client.get(page)
        assert response.status_code in (200, 302), page
        body = text_of(response)
        assert SENTINEL not in body, page
        assert BODY_SENTINEL not in body, page
        assert "marking-banner" not in body, page


def test_members_not_yet_cleared_read_the_public_tier_too(client: Client, public_world: dict[str, Entry]) -> None:
    client.force_login(make_verified_member(accept_rules=False))

    index = client.get(reverse("blueprint:index"))
    entry = client.get(reverse("blueprint:entry", kwargs={"slug": public_world["public"].slug}))
    hidden = client.get(reverse("blueprint:entry", kwargs={"slug": public_world["members_only"].slug}))

    assert index.status_code == 200
    assert "Shelters fill up" in text_of(index)
    assert "Members-only challenge" not in text_of(index)
    assert BODY_SENTINEL not in text_of(entry)
    assert hidden.status_code == 404


def test_cleared_members_read_the_whole_entry_at_the_same_address(
    client: Client, public_world: dict[str, Entry]
) -> None:
    client.force_login(make_verified_member())

    body = text_of(client.get(reverse("blueprint:entry", kwargs={"slug": public_world["public"].slug})))

    assert BODY_SENTINEL in body
    assert "Mutual aid" in body


def test_the_members_pages_of_the_blueprint_send_anonymous_visitors_to_sign_in(
    client: Client, public_world: dict[str, Entry]
) -> None:
    slug = public_world["public"].slug
    for page in (
        reverse("blueprint:gaps"),
        reverse("blueprint:review"),
        reverse("blueprint:propose", kwargs={"kind": "challenge"}),
        reverse("blueprint:history", kwargs={"slug": slug}),
        reverse("blueprint:print", kwargs={"slug": slug}),
        reverse("blueprint:edit", kwargs={"slug": slug}),
    ):
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith(reverse("account_login")), page


def test_an_open_communitys_public_entry_stops_being_public_when_the_community_closes(
    client: Client, public_world: dict[str, Entry]
) -> None:
    Community.objects.filter(pk=public_world["public"].community_id).update(visibility="restricted")

    assert "Shelters fill up" not in text_of(client.get(reverse("blueprint:index")))
