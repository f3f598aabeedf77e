"""``live_accesses``: a process refreshes all its sockets' standing in a constant number of queries,
and each socket gets exactly what it would have read alone, fresh from the database."""

from datetime import timedelta

import pytest
from django.utils import timezone

from communities.models import Community
from communities.services import membership_leave
from messaging import access as chat_access
from messaging.models import Conversation, Participant
from messaging.services import direct_conversation_open
from tests.verification.factories import make_members_of_every_standing, make_verified_member
from verification import policy
from verification.models import Marking, MarkingAuthorisation, Member
from verification.policy import Barrier

pytestmark = pytest.mark.django_db


@pytest.fixture
def members() -> dict[str, Member]:
    """Every standing, plus the two sides of a direct conversation, one of whom has left it."""
    members = make_members_of_every_standing()
    members["talker"] = make_verified_member()
    members["left talker"] = make_verified_member()
    direct = direct_conversation_open(member=members["talker"], other=members["left talker"])
    Participant.objects.filter(conversation=direct, member=members["left talker"]).update(left_at=timezone.now())
    return members


def stale_copies(members: dict[str, Member]) -> list[Member]:
    return [Member.objects.get(pk=member.pk) for member in members.values()]


def test_every_socket_gets_the_standing_it_would_read_alone(members) -> None:
    batch = chat_access.live_accesses(stale_copies(members))

    for name, member in members.items():
        assert batch[member.pk] == chat_access.live_access(Member.objects.get(pk=member.pk)), name
        assert batch[member.pk].access == policy.member_access(Member.objects.get(pk=member.pk)), name


def test_each_socket_gets_its_own_rooms_and_conversations(members) -> None:
    batch = chat_access.live_accesses(stale_copies(members))
    communities = {community.slug: community.pk for community in Community.objects.all()}
    direct = Conversation.objects.get(kind=Conversation.Kind.DIRECT).pk

    assert batch[members["private member"].pk].room_community_ids == {communities["harbour"]}
    assert batch[members["fouo with mfa"].pk].room_community_ids == {communities["port-security"]}
    assert batch[members["owner"].pk].room_community_ids == {communities["harbour"], communities["port-security"]}
    # A declined community has no room to be in.
    assert batch[members["closed member"].pk].room_community_ids == frozenset()
    assert batch[members["talker"].pk].conversation_ids == {direct}
    assert batch[members["left talker"].pk].conversation_ids == frozenset()
    assert batch[members["suspended"].pk].barrier_at(timezone.now()) is Barrier.SUSPENDED


def test_the_refresh_costs_eight_queries_for_two_sockets_or_twenty(members, django_assert_num_queries) -> None:
    sockets = stale_copies(members)
    two = [Member.objects.get(pk=members["talker"].pk), Member.objects.get(pk=members["private member"].pk)]

    # Five for the standing (policy.member_accesses), then rooms, conversations and marking names.
    with django_assert_num_queries(8):
        few = chat_access.live_accesses(two)
    with django_assert_num_queries(8):
        many = chat_access.live_accesses(sockets)

    assert len(few) == 2
    assert len(many) == len(sockets) == 20


def test_changes_made_after_the_socket_loaded_its_member_show_in_the_refresh(members) -> None:
    suspended, removed, withdrawn, renewed = (
        Member.objects.get(pk=members[name].pk) for name in ("verified", "private member", "fouo with mfa", "talker")
    )
    sockets = [suspended, removed, withdrawn, renewed]
    before = chat_access.live_accesses(sockets)
    harbour = Community.objects.get(slug="harbour")
    fouo = Marking.objects.get(slug="fouo")
    assert harbour.pk in before[removed.pk].room_community_ids
    assert fouo.pk in before[withdrawn.pk].access.visible_marking_ids

    Member.objects.filter(pk=suspended.pk).update(suspended_at=timezone.now())
    membership_leave(community=harbour, member=Member.objects.get(pk=removed.pk))
    MarkingAuthorisation.objects.filter(member=withdrawn, marking=fouo).delete()
    renewed_until = timezone.now() + timedelta(days=700)
    Member.objects.filter(pk=renewed.pk).update(verified_until=renewed_until)
    after = chat_access.live_accesses(sockets)

    assert after[suspended.pk].barrier_at(timezone.now()) is Barrier.SUSPENDED
    assert harbour.pk not in after[removed.pk].room_community_ids
    assert fouo.pk not in after[withdrawn.pk].access.visible_marking_ids
    assert after[withdrawn.pk].room_community_ids == frozenset()
    assert after[renewed.pk].expires_at == renewed_until
    # The socket's member object carries the new standing to the services it calls.
    assert suspended.is_suspended
    assert policy.member_access(suspended).barrier is Barrier.SUSPENDED
