"""The thread page offers moderators their tools and members a way to report."""

import pytest
from django.test import Client
from django.urls import reverse

from communities.models import Role
from communities.services import community_create, membership_set_role
from discussions import services
from discussions.models import Post, Thread
from tests.verification.factories import make_verified_member
from verification.models import Marking, Member

pytestmark = pytest.mark.django_db


def test_moderators_pin_lock_move_and_hide_from_the_thread_page_and_members_only_report() -> None:
    owner = make_verified_member()
    unmarked = Marking.objects.get(slug="unmarked")
    community = community_create(creator=owner, name="Gulf", slug="gulf", marking=unmarked)
    general = services.board_create(community=community, actor=owner, name="General")
    services.board_create(community=community, actor=owner, name="Questions")
    member = make_verified_member()
    membership_set_role(community=community, member=member, role=Role.MEMBER)
    thread = services.thread_start(
        author=Member.objects.get(pk=member.pk), community=community, board=general, title="Cots", body="How many?",
        marking=unmarked,
    )  # fmt: skip
    reply = services.post_reply(author=owner, thread=thread, body="Buy my cots")
    url = reverse("discussions:thread", kwargs={"slug": "gulf", "pk": thread.pk})
    moderator, reader = Client(), Client()
    moderator.force_login(owner)
    reader.force_login(member)

    member_page = reader.get(url).content.decode()
    moderator_page = moderator.get(url).content.decode()

    assert "Moderate this thread" not in member_page
    assert reverse("discussions:post_flag", kwargs={"slug": "gulf", "pk": reply.pk}) in member_page
    assert "Moderate this thread" in moderator_page
    assert 'name="board"' in moderator_page
    moderator.post(
        reverse("discussions:thread_moderate", kwargs={"slug": "gulf", "pk": thread.pk}),
        {"action": "lock", "next": url},
    )
    moderator.post(
        reverse("discussions:post_hide", kwargs={"slug": "gulf", "pk": thread.posts.get(is_opening=True).pk}),
        {"action": "hide", "reason": "Duplicate question", "next": url},
    )
    thread.refresh_from_db()
    assert thread.is_locked
    assert Post.objects.get(thread=thread, is_opening=True).hidden_reason == "Duplicate question"
    assert "Hidden by a moderator: Duplicate question" in reader.get(url).content.decode()
    assert Thread.objects.count() == 1


def test_a_member_saves_a_thread_from_its_page_and_finds_it_in_saved_items() -> None:
    owner = make_verified_member()
    unmarked = Marking.objects.get(slug="unmarked")
    community = community_create(creator=owner, name="Gulf", slug="gulf", marking=unmarked)
    board = services.board_create(community=community, actor=owner, name="General")
    thread = services.thread_start(
        author=owner, community=community, board=board, title="Generator sharing", body="Who has spares?",
        marking=unmarked,
    )  # fmt: skip
    reader = make_verified_member()
    client = Client()
    client.force_login(reader)
    url = reverse("discussions:thread", kwargs={"slug": "gulf", "pk": thread.pk})

    page = client.get(url).content.decode()
    client.post(reverse("saved:save"), {"item_type": "discussions.thread", "item_id": thread.pk, "next": url})

    assert 'value="discussions.thread"' in page
    assert "Generator sharing" in client.get(reverse("saved:list")).content.decode()
    assert "Remove from saved" in client.get(url).content.decode()
