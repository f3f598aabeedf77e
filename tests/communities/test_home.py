import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from communities.models import Community, Role
from communities.services import community_create, membership_set_role
from tests.verification.factories import make_verified_member
from verification.models import Marking, Member

pytestmark = pytest.mark.django_db


def make_communities(owner: Member, count: int, marking: str = "unmarked", **fields) -> list[Community]:
    return [
        community_create(
            creator=owner,
            name=f"{marking} community {i}",
            slug=f"{marking}-{owner.pk}-{i}",
            marking=Marking.objects.get(slug=marking),
            tags=["hurricanes", f"tag{i}"],
            **fields,
        )
        for i in range(count)
    ]


def test_home_lists_the_members_own_communities_and_nothing_they_may_not_see(client: Client) -> None:
    member = make_verified_member()
    stranger = make_verified_member(markings=["fouo"])
    mine = make_communities(member, 1)[0]
    fouo = make_communities(stranger, 1, "fouo")[0]
    membership_set_role(community=fouo, member=member, role=Role.MEMBER)  # joined, but not cleared for FOUO
    make_communities(stranger, 1, visibility=Community.Visibility.PRIVATE)
    client.force_login(member)

    body = client.get(reverse("home")).content.decode()

    assert mine.name in body
    assert fouo.name not in body
    assert "unmarked community 0" in body
    assert body.count("<h3>") == 1


def test_home_runs_the_same_number_of_queries_for_one_and_for_twenty_communities(client: Client) -> None:
    one = make_verified_member()
    many = make_verified_member()
    make_communities(one, 1)
    make_communities(many, 20)

    def queries_for(member: Member) -> int:
        client.force_login(member)
        with CaptureQueriesContext(connection) as context:
            assert client.get(reverse("home")).status_code == 200
        return len(context)

    assert queries_for(one) == queries_for(many)


def test_verifier_sees_queue_and_audit_links_and_a_member_does_not(client: Client) -> None:
    verifier = make_verified_member(mfa=True)
    verifier.groups.add(Group.objects.get(name="Verifiers"))
    member = make_verified_member()

    client.force_login(member)
    member_page = client.get(reverse("home")).content.decode()
    client.force_login(verifier)
    verifier_page = client.get(reverse("home")).content.decode()

    assert "Vetting queue" not in member_page
    assert "Audit log" not in member_page
    assert "Vetting queue" in verifier_page
    assert "Audit log" in verifier_page
