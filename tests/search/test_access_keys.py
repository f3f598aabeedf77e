"""The search index carries each item's access keys, and the policy's rule over those keys
(``policy.filter_visible_by_keys``) finds exactly the rows the policy's rule over the items themselves
(``filter_listed(filter_visible(...))``, published) lets each member see: for every searchable type and
every member of a world with every kind of state, and again after each change that moves a key (an item
re-marked, restricted, granted, removed or restored, a thread removed under its replies, a draft
published, a community made private or re-marked, a member leaving a community or a conversation)."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db.models import Q
from django.utils import timezone

from communities.models import Community
from communities.services import community_update, content_remove, content_restore, membership_leave
from discussions import services as discussions
from discussions.models import Thread
from library import services as library
from messaging import services as chat
from search.models import SearchEntry
from tests.search.conftest import Given, marking
from verification import policy
from verification.models import Member
from verification.registry import content_registry

pytestmark = pytest.mark.django_db

Key = tuple[int, int]


def found_by_keys(member: Member) -> set[Key]:
    rows = policy.filter_visible_by_keys(member, SearchEntry.objects.filter(published_at__lte=timezone.now()))
    return set(rows.values_list("content_type_id", "object_id"))


def found_by_items(member: Member) -> set[Key]:
    """The index rows of the items the policy lets the member see, read from the items."""
    visible = Q(pk__in=[])
    for registration in content_registry.searchable():
        items = policy.filter_listed(policy.filter_visible(member, registration.model._default_manager.all()))
        visible |= Q(content_type=registration.content_type(), object_id__in=items.values("pk"))
    rows = SearchEntry.objects.filter(visible, published_at__lte=timezone.now())
    return set(rows.values_list("content_type_id", "object_id"))


class World:
    def __init__(self, given: Given) -> None:
        self.given = given
        self.owner = given.member("Olive", "Owner", markings=("fouo", "sbu"))
        self.open = given.community(self.owner, "open-ground")
        self.restricted = given.community(self.owner, "inner-room", visibility=Community.Visibility.RESTRICTED)
        self.private = given.community(self.owner, "back-room", visibility=Community.Visibility.PRIVATE)
        self.fouo = given.community(self.owner, "fouo-room", marking=marking("fouo"))
        self.insider = given.member("Ivy", "Insider", markings=("fouo",), communities=(self.restricted, self.private))
        self.reader = given.member("Rita", "Reader", communities=(self.restricted,))
        self.outsider = given.member("Otto", "Outsider")
        self.sbu = given.member("Sam", "Sbu", markings=("sbu",), communities=(self.private,))
        self.members = [self.owner, self.insider, self.reader, self.outsider, self.sbu]
        given.join(self.open, self.reader, self.outsider)

    def everything(self) -> None:
        given, owner = self.given, self.owner
        for community in (self.open, self.restricted, self.private, self.fouo):
            thread = given.thread(owner, community, f"Plan for {community.slug}")
            given.reply(owner, thread, "A reply with words.")
            given.page(owner, community, f"Page of {community.slug}", "Words of the page.")
            given.document(owner, community, f"Roster of {community.slug}", "Words inside.")
            given.link(owner, community, f"Map of {community.slug}", f"https://example.org/{community.slug}")
            given.message(owner, given.room(community), f"Hello {community.slug}")
        self.marked_thread = given.thread(owner, self.open, "Marked later", marking=marking("fouo"))
        self.sbu_page = given.page(owner, self.open, "Sbu page", "Words.", marking=marking("sbu"))
        self.draft = given.thread(owner, self.open, "A draft", kind=Thread.Kind.BLOG, is_draft=True)
        self.scheduled = given.thread(
            owner, self.open, "Scheduled", kind=Thread.Kind.BLOG, publish_at=timezone.now() + timedelta(days=2)
        )
        self.thread = given.thread(owner, self.open, "Thread with replies")
        self.reply = given.reply(self.reader, self.thread, "First reply.")
        self.second = given.reply(self.outsider, self.thread, "Second reply.")
        self.document = given.document(owner, self.open, "Named only", "Secret words.")
        self.direct = given.run(lambda: chat.direct_conversation_open(member=owner, other=self.reader))
        self.direct_message = given.message(owner, self.direct, "Just between us.")
        self.group = given.run(
            lambda: chat.group_conversation_create(
                creator=self.insider, title="Trio", participants=[self.owner, self.reader]
            )
        )
        given.message(self.insider, self.group, "Three of us.")

    def holds(self) -> None:
        for member in self.members:
            assert found_by_keys(member) == found_by_items(member), member


@pytest.fixture
def world(given: Given) -> World:
    built = World(given)
    built.everything()
    return built


def test_every_member_finds_by_keys_exactly_what_the_items_let_them_see(world: World) -> None:
    world.holds()
    # Not trivially: members see different sets, and every kind of row is among them.
    seen = {member.pk: found_by_keys(member) for member in world.members}
    assert len({frozenset(rows) for rows in seen.values()}) == len(world.members)
    types = {type_id for rows in seen.values() for type_id, _ in rows}
    assert types == {registration.content_type().pk for registration in content_registry.searchable()} - {
        registration.content_type().pk
        for registration in content_registry.searchable()
        if not registration.model._default_manager.exists()
    }


def _save(item: object, **fields: object) -> Callable[[], None]:
    def write() -> None:
        for name, value in fields.items():
            setattr(item, name, value)
        item.save(update_fields=list(fields))  # type: ignore[attr-defined]

    return write


@pytest.mark.parametrize(
    "change",
    [
        "thread re-marked",
        "thread restricted and granted to a group",
        "document restricted to named members",
        "reply removed",
        "reply hidden and restored",
        "document removed and restored",
        "page removed",
        "thread removed under its replies",
        "draft published",
        "community made private",
        "community re-marked",
        "member leaves a community",
        "member leaves a conversation",
        "direct message deleted",
    ],
)
def test_the_keys_follow_every_change_that_moves_them(world: World, change: str) -> None:
    given, owner = world.given, world.owner
    group = Group.objects.create(name="Reviewers")
    world.reader.groups.add(group)
    changes: dict[str, tuple[Callable[[], object], ...]] = {
        "thread re-marked": (_save(world.thread, marking=marking("fouo")),),
        "thread restricted and granted to a group": (
            _save(world.thread, is_restricted=True),
            lambda: policy.grant_item_access(world.thread, group),
        ),
        "document restricted to named members": (
            lambda: library.document_restrict(document=world.document, actor=owner, members=[world.insider]),
        ),
        "reply removed": (lambda: discussions.post_delete(post=world.second, actor=owner),),
        "reply hidden and restored": (
            lambda: discussions.post_hide(post=world.reply, actor=owner, reason="Off topic."),
            lambda: discussions.post_restore(post=world.reply, actor=owner, reason="On reflection."),
        ),
        "document removed and restored": (
            lambda: content_remove(item=world.document, actor=owner),
            lambda: content_restore(item=world.document, actor=owner),
        ),
        "page removed": (lambda: content_remove(item=world.sbu_page, actor=owner),),
        "thread removed under its replies": (
            lambda: discussions.post_delete(post=world.thread.posts.get(is_opening=True), actor=owner),
        ),
        "draft published": (lambda: discussions.blog_post_publish(thread=world.draft, author=owner),),
        "community made private": (
            lambda: community_update(community=world.open, actor=owner, visibility=Community.Visibility.PRIVATE),
        ),
        "community re-marked": (_save(world.open, marking=marking("fouo")),),
        "member leaves a community": (lambda: membership_leave(community=world.restricted, member=world.reader),),
        "member leaves a conversation": (
            lambda: chat.conversation_leave(conversation=world.group, member=world.reader),
        ),
        "direct message deleted": (lambda: chat.message_delete(message=world.direct_message, actor=owner),),
    }
    seen = [{member.pk: found_by_items(member) for member in world.members}]

    for step in changes[change]:
        given.run(step)
        world.holds()
        seen.append({member.pk: found_by_items(member) for member in world.members})

    assert seen[1] != seen[0], "the change should move what someone sees"
