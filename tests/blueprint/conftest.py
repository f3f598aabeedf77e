"""Fixtures for the Blueprint: its community, members in each role, and entries built through the services."""

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Group

from blueprint import services
from blueprint.access import EDITORS_GROUP
from blueprint.models import BLUEPRINT_COMMUNITY_SLUG, Entry, Evidence, Kind
from communities.models import Community, Role
from communities.services import community_create, membership_set_role
from tests.verification.factories import make_verified_member
from verification.models import Marking, Member

SENTINEL = "ZEBRA-SENTINEL-7731"


def marking(slug: str = "unmarked") -> Marking:
    return Marking.objects.get(slug=slug)


def fresh(member: Member) -> Member:
    """The member as a new request reads them: no cached standing or permissions."""
    return Member.objects.get(pk=member.pk)


def joined(community: Community, *, markings: tuple[str, ...] = (), **fields: Any) -> Member:
    member = make_verified_member(markings=markings, **fields)
    membership_set_role(community=community, member=member, role=Role.MEMBER)
    return fresh(member)


def make_editor(*, markings: tuple[str, ...] = (), **fields: Any) -> Member:
    member = make_verified_member(markings=markings, **fields)
    member.groups.add(Group.objects.get(name=EDITORS_GROUP))
    return fresh(member)


@pytest.fixture
def blueprint_community() -> Community:
    owner = make_verified_member(markings=["fouo"])
    return community_create(
        creator=owner,
        name="National Blueprint",
        slug=BLUEPRINT_COMMUNITY_SLUG,
        marking=marking(),
        visibility=Community.Visibility.OPEN,
    )


@pytest.fixture
def author(blueprint_community: Community) -> Member:
    return joined(blueprint_community, first_name="Alex", last_name="Author")


@pytest.fixture
def fouo_author(blueprint_community: Community) -> Member:
    return joined(blueprint_community, markings=("fouo",), first_name="Fran", last_name="Cleared")


@pytest.fixture
def editor() -> Member:
    """A Blueprint editor cleared for FOUO (not a member of any community: editors need not be)."""
    return make_editor(markings=("fouo",), first_name="Eddie", last_name="Editor")


@pytest.fixture
def reader() -> Member:
    """A verified member cleared for nothing, in no community."""
    return make_verified_member(first_name="Rae", last_name="Reader")


Propose = Callable[..., Entry]


@pytest.fixture
def propose(blueprint_community: Community, author: Member) -> Propose:
    """Propose an entry (as ``author`` unless told otherwise) through the service."""

    def make(kind: str = Kind.CHALLENGE, title: str = "Resources stretched", **fields: Any) -> Entry:
        fields.setdefault("author", author)
        fields.setdefault("community", blueprint_community)
        fields.setdefault("summary", f"Summary of {title}.")
        fields.setdefault("marking", marking(fields.pop("marking_slug", "unmarked")))
        return services.entry_propose(kind=kind, title=title, **fields)

    return make


Publish = Callable[..., Entry]


@pytest.fixture
def publish(editor: Member) -> Publish:
    def decide(entry: Entry, *, by: Member | None = None, evidence: str = Evidence.CASE, public: bool = False) -> Entry:
        who = fresh(by or editor)
        published = services.entry_review(
            entry=entry, editor=who, decision=services.Decision.PUBLISH, evidence=evidence
        )
        if public:
            published = services.entry_set_public(entry=published, editor=who, public=True)
        return published

    return decide


@pytest.fixture
def published(propose: Propose, publish: Publish) -> Callable[..., Entry]:
    """Propose and publish at once."""

    def make(
        kind: str = Kind.CHALLENGE, title: str = "Resources stretched", public: bool = False, **fields: Any
    ) -> Entry:
        return publish(propose(kind, title, **fields), public=public)

    return make
