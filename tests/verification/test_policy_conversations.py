"""The access rule for conversations, read three ways that must agree: one object, a queryset,
and the live socket's in-memory copy (``LiveAccess``), plus the member-side filter used for mentions."""

from datetime import timedelta

import pytest
from django.utils import timezone

from communities.models import Community
from communities.services import membership_join
from messaging import access as chat_access
from messaging import services
from messaging.models import Conversation
from messaging.serialise import scope_data
from tests.messaging.factories import make_room
from tests.verification.factories import make_verified_member
from verification.models import Marking, Member, RulesAcceptance

pytestmark = pytest.mark.django_db

STANDINGS = ["cleared", "expired", "suspended", "rules_pending", "not_joined"]


def make_member(standing: str, room, marking: str) -> Member:
    member = make_verified_member(markings=[marking] if marking != "unmarked" else [])
    if standing != "not_joined":
        membership_join(community=room.community, member=member)
    if standing == "expired":
        Member.objects.filter(pk=member.pk).update(verified_until=timezone.now() - timedelta(days=1))
    if standing == "suspended":
        Member.objects.filter(pk=member.pk).update(suspended_at=timezone.now())
    if standing == "rules_pending":
        RulesAcceptance.objects.filter(member=member).delete()
    return Member.objects.get(pk=member.pk)


def may_see_by_every_reading(member: Member, conversation: Conversation) -> tuple[bool, bool, bool, bool]:
    fresh = Member.objects.get(pk=member.pk)
    single = chat_access.can_view_conversation(fresh, conversation)
    listed = conversation in chat_access.filter_visible_conversations(fresh, Conversation.objects.all())
    conversation = Conversation.objects.select_related("community").get(pk=conversation.pk)
    live = (
        chat_access.live_access(Member.objects.get(pk=member.pk)).refusal(
            chat_access.ConversationScope(**scope_data(conversation))
        )
        is None
    )
    mentionable = chat_access.filter_members_who_may_view_conversation(
        conversation, Member.objects.filter(pk=member.pk)
    ).exists()
    return single, listed, live, mentionable


@pytest.mark.parametrize("standing", STANDINGS)
@pytest.mark.parametrize("room_marking", ["unmarked", "fouo"])
@pytest.mark.parametrize("cleared_for", ["unmarked", "fouo"])
def test_a_room_admits_exactly_its_cleared_members_by_every_reading(standing, room_marking, cleared_for) -> None:
    room = make_room(members=0)
    if room_marking == "fouo":
        moderator = make_verified_member(markings=["fouo"])
        membership_join(community=room.community, member=moderator)
        from communities.services import membership_set_role

        membership_set_role(community=room.community, member=moderator, role="moderator")
        conversation = services.room_create(
            community=room.community, actor=moderator, title="Ops", marking=Marking.objects.get(slug="fouo")
        )
    else:
        conversation = room.conversation
    member = make_member(standing, room, cleared_for)

    expected = standing == "cleared" and (room_marking == "unmarked" or cleared_for == "fouo")

    assert may_see_by_every_reading(member, conversation) == (expected,) * 4


@pytest.mark.parametrize("standing", ["cleared", "expired", "suspended", "left"])
def test_a_group_conversation_admits_exactly_its_current_cleared_participants(standing) -> None:
    creator, member, stranger = make_verified_member(), make_verified_member(), make_verified_member()
    group = services.group_conversation_create(creator=creator, title="Leads", participants=[member])
    if standing == "left":
        services.conversation_leave(conversation=group, member=member)
    elif standing == "expired":
        Member.objects.filter(pk=member.pk).update(verified_until=timezone.now() - timedelta(days=1))
    elif standing == "suspended":
        Member.objects.filter(pk=member.pk).update(suspended_at=timezone.now())

    assert may_see_by_every_reading(member, group) == (standing == "cleared",) * 4
    assert may_see_by_every_reading(stranger, group) == (False,) * 4
    assert may_see_by_every_reading(creator, group) == (True,) * 4


def test_a_room_of_a_community_that_is_no_longer_active_admits_no_one() -> None:
    room = make_room()
    Community.objects.filter(pk=room.community.pk).update(status=Community.Status.DECLINED)

    assert may_see_by_every_reading(room.members[0], room.conversation) == (False,) * 4


def test_the_live_copy_refuses_once_verification_has_expired_without_asking_the_database() -> None:
    room = make_room()
    member = room.members[0]
    Member.objects.filter(pk=member.pk).update(verified_until=timezone.now() + timedelta(seconds=30))
    live = chat_access.live_access(Member.objects.get(pk=member.pk))
    scope = chat_access.ConversationScope(**scope_data(room.conversation))

    assert live.refusal(scope) is None
    assert "expired" in (live.refusal(scope, now=timezone.now() + timedelta(minutes=1)) or "")
