"""``policy.member_accesses``: many members' standing at once must be each member's own standing."""

import pytest

from tests.verification.factories import make_members_of_every_standing
from verification import policy
from verification.models import Member
from verification.policy import Barrier

pytestmark = pytest.mark.django_db


def test_the_batch_gives_every_member_the_standing_they_have_alone() -> None:
    members = make_members_of_every_standing()

    batch = policy.member_accesses([Member.objects.get(pk=member.pk) for member in members.values()])

    for name, member in members.items():
        assert batch[member.pk] == policy.member_access(Member.objects.get(pk=member.pk)), name
    # The set is varied: every barrier a signed-in member can meet is in it, and verifiers both ways.
    assert {access.barrier for access in batch.values()} == set(Barrier) - {Barrier.ANONYMOUS}
    assert batch[members["group verifier with mfa"].pk].is_verifier
    assert batch[members["superuser"].pk].is_verifier
    assert not batch[members["inactive verifier"].pk].is_verifier
    assert batch[members["fouo with mfa"].pk].moderated_community_ids()


def test_the_batch_costs_five_queries_for_two_members_or_eighteen(django_assert_num_queries) -> None:
    members = [Member.objects.get(pk=member.pk) for member in make_members_of_every_standing().values()]

    # The current rules; members with MFA, verifier permission and rules accepted; markings;
    # clearances; community permissions.
    with django_assert_num_queries(5):
        few = policy.member_accesses(members[:2])
    with django_assert_num_queries(5):
        many = policy.member_accesses(members)

    assert len(few) == 2
    assert len(many) == len(members) == 18


def test_each_member_object_is_refreshed_and_carries_its_new_standing(django_assert_num_queries) -> None:
    members = make_members_of_every_standing()
    stale = Member.objects.get(pk=members["verified"].pk)
    assert policy.member_access(stale).may_see_content
    Member.objects.filter(pk=stale.pk).update(is_active=False)

    batch = policy.member_accesses([stale])

    assert batch[stale.pk].barrier is Barrier.INACTIVE
    assert stale.is_active is False
    with django_assert_num_queries(0):
        assert policy.member_access(stale).barrier is Barrier.INACTIVE


def test_a_member_no_longer_in_the_database_is_left_out() -> None:
    members = make_members_of_every_standing()
    gone = Member.objects.get(pk=members["verified"].pk)
    Member.objects.filter(pk=gone.pk).delete()

    batch = policy.member_accesses([gone, members["staff"]])

    assert set(batch) == {members["staff"].pk}
