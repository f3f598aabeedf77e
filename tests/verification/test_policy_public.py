"""The public tier of the access policy (``verification.policy.public``): an item is public only when its
type's registered ``public`` condition holds and it is unmarked, in an unmarked open active community, not
restricted, published and not removed. One SQL query for a queryset; ``is_public`` agrees with it for
every item; a type that registers no public condition has no public tier."""

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from blueprint.models import Entry
from communities.models import Community
from communities.services import community_create
from library.models import Document
from tests.verification.factories import make_verified_member
from verification import policy
from verification.models import Marking

pytestmark = pytest.mark.django_db


def marking(slug: str) -> Marking:
    return Marking.objects.get(slug=slug)


@pytest.fixture
def owner() -> Any:
    return make_verified_member(markings=["fouo"])


def community(owner: Any, slug: str, *, visibility: str = "open", marked: str = "unmarked") -> Community:
    return community_create(creator=owner, name=slug, slug=slug, marking=marking(marked), visibility=visibility)


def entry(place: Community, title: str, **fields: Any) -> Entry:
    defaults: dict[str, Any] = {
        "kind": "challenge",
        "summary": "Summary",
        "status": "published",
        "summary_public": True,
        "marking": marking("unmarked"),
    }
    defaults |= fields
    return Entry.objects.create(community=place, title=title, slug=title.lower().replace(" ", "-"), **defaults)


def test_only_a_flagged_unmarked_published_listed_unrestricted_item_of_an_open_unmarked_community_is_public(
    owner: Any,
) -> None:
    open_community = community(owner, "open")
    now = timezone.now()
    public = entry(open_community, "Public")
    refused = [
        entry(open_community, "Not flagged", summary_public=False),
        entry(open_community, "Marked", marking=marking("fouo")),
        entry(open_community, "Restricted", is_restricted=True),
        entry(open_community, "Draft", published_at=None),
        entry(open_community, "Scheduled", published_at=now + timedelta(days=1)),
        entry(open_community, "Removed", deleted_at=now),
        entry(open_community, "Proposed", status="proposed"),
        entry(community(owner, "restricted", visibility="restricted"), "In a restricted community"),
        entry(community(owner, "private", visibility="private"), "In a private community"),
        entry(community(owner, "marked", marked="fouo"), "In a marked community"),
    ]
    pending = community(owner, "awaiting")
    Community.objects.filter(pk=pending.pk).update(status=Community.Status.PENDING)
    refused.append(entry(pending, "In a pending community"))

    found = list(policy.filter_public(Entry.objects.all()))

    assert found == [public]
    assert policy.is_public(public)
    assert [item.title for item in refused if policy.is_public(item)] == []


def test_the_public_tier_is_one_query_whatever_the_rows(owner: Any, django_assert_num_queries: Any) -> None:
    place = community(owner, "open")
    for n in range(20):
        entry(place, f"Entry {n}")

    with django_assert_num_queries(1):
        assert len(list(policy.filter_public(Entry.objects.all()))) == 20


def test_a_type_that_registers_no_public_condition_has_no_public_tier(owner: Any) -> None:
    place = community(owner, "open")
    Document.objects.create(community=place, author=owner, marking=marking("unmarked"), title="Checklist")

    assert not policy.filter_public(Document.objects.all()).exists()


def test_readers_of_the_public_tier_are_those_who_may_not_see_content(owner: Any) -> None:
    place = community(owner, "open")
    entry(place, "Public")
    hidden = entry(place, "Members only", summary_public=False)
    uncleared = make_verified_member(accept_rules=False)
    cleared = make_verified_member()

    assert policy.reads_public_tier(AnonymousUser())
    assert policy.reads_public_tier(uncleared)
    assert not policy.reads_public_tier(cleared)
    assert hidden not in policy.filter_readable(AnonymousUser(), Entry.objects.all())
    assert hidden not in policy.filter_readable(uncleared, Entry.objects.all())
    assert hidden in policy.filter_readable(cleared, Entry.objects.all())
