"""Fixtures for partnerships: a community whose members are the participants, members of each sector (their
verified affiliation), and a partnership built through the services."""

from typing import Any

import pytest
from django.test import Client

from communities.models import Community, Role
from communities.services import community_create, membership_set_role
from partnerships import services
from partnerships.models import Partnership
from tests.verification.factories import ProfileFactory, make_verified_member
from verification.models import Marking, Member

SENTINEL = "OSPREY-SENTINEL-4417"


def marking(slug: str = "unmarked") -> Marking:
    return Marking.objects.get(slug=slug)


def fresh(member: Member) -> Member:
    return Member.objects.get(pk=member.pk)


def person(*, sector: str = "public", markings: tuple[str, ...] = (), **fields: Any) -> Member:
    """A verified member with a profile: public sector (a government employee) or private (a contractor in the
    private sector)."""
    member = make_verified_member(markings=markings, **fields)
    if sector == "public":
        ProfileFactory.create(member=member, affiliation_type="government", discipline="emergency_management")
    else:
        ProfileFactory.create(
            member=member, affiliation_type="contractor", discipline="private_sector", organisation="Port Logistics"
        )
    return fresh(member)


def participant(community: Community, **fields: Any) -> Member:
    member = person(**fields)
    membership_set_role(community=community, member=member, role=Role.MEMBER)
    return fresh(member)


def signed_in(client: Client, member: Member) -> Client:
    client.force_login(member)
    return client


@pytest.fixture
def founder() -> Member:
    return person(sector="public", markings=("fouo",), first_name="Dana", last_name="Reyes")


@pytest.fixture
def community(founder: Member) -> Community:
    return community_create(
        creator=founder,
        name="Galveston Pilot",
        slug="galveston-pilot",
        marking=marking(),
        visibility=Community.Visibility.RESTRICTED,
    )


@pytest.fixture
def public_lead(community: Community, founder: Member) -> Member:
    return fresh(founder)


@pytest.fixture
def private_lead(community: Community) -> Member:
    return participant(community, sector="private", markings=("fouo",), first_name="Sam", last_name="Ortiz")


@pytest.fixture
def partnership(community: Community, founder: Member) -> Partnership:
    return services.partnership_create(
        author=founder,
        community=community,
        marking=marking(),
        title="Galveston Partnership",
        jurisdiction="Galveston County, Texas",
        description="Public and private partners of Galveston County.",
    )


@pytest.fixture
def led(partnership: Partnership, public_lead: Member, private_lead: Member, founder: Member) -> Partnership:
    """The partnership with both co-leads named."""
    services.co_lead_set(partnership=partnership, member=public_lead, actor=fresh(founder))
    return services.co_lead_set(partnership=partnership, member=private_lead, actor=fresh(founder))


@pytest.fixture
def outsider() -> Member:
    """Verified, cleared for FOUO, but not a member of the community."""
    return person(sector="public", markings=("fouo",), first_name="Olly", last_name="Outsider")


@pytest.fixture
def uncleared(community: Community) -> Member:
    """A participant not cleared for FOUO."""
    return participant(community, sector="private", first_name="Una", last_name="Uncleared")
