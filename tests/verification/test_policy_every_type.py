"""The access rule over every registered content type, read four ways that must agree.

For each type the registry knows, items are built across community visibility
x the viewer's membership x item marking x per-item grant x state (live,
removed, someone else's draft, the viewer's own draft; a post also deleted or
hidden under each of its thread's cells). For each viewer (cleared for FOUO
with MFA, verified without clearance, suspended) the expected answer of every
item is the rule restated plainly in ``expected``, and the policy must agree:

- ``policy.can_view`` for the single item;
- ``policy.filter_visible`` over all rows of the type;
- ``policy.filter_visible_references`` over saved items pointing at every item
  (what the feed, saved items and notifications read);
- ``policy.filter_members_who_may_view`` (mentions, notifications), for every
  candidate member, against ``can_view``.

Conversations and chat messages follow a rule of their own (``messaging.access``)
and are checked on a room and direct conversations of their own.

A new registered type fails ``test_every_registered_type_has_an_item_builder``
until it is given a builder here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import count, product
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.test import Client
from django.utils import timezone

from blueprint.models import BarriersReport, Congress, Entry, Idea, PilotTemplate
from communities.models import Community, Role
from communities.services import community_create, membership_set_role
from discussions.models import Post, Thread
from library.models import Bookmark, Document
from messaging import services as chat
from messaging.models import Conversation, Message
from partnerships.models import Goal, Hazard, Need, Partnership, Resource, Task
from saved.models import SavedItem
from tests.verification.factories import make_verified_member
from tests.verification.test_policy_matrix import make_member
from verification import policy
from verification.models import Marking, Member
from verification.registry import content_registry
from wiki.models import WikiPage

pytestmark = pytest.mark.django_db

REGISTERED_LABELS = {
    "blueprint.entry",
    "blueprint.idea",
    "blueprint.barriersreport",
    "blueprint.pilottemplate",
    "discussions.thread",
    "discussions.post",
    "wiki.wikipage",
    "library.document",
    "library.bookmark",
    "messaging.conversation",
    "messaging.message",
    "partnerships.partnership",
    "partnerships.resource",
    "partnerships.hazard",
    "partnerships.need",
    "partnerships.goal",
    "partnerships.task",
}
# Types with a rule of their own, and their children: checked on conversations built below.
CONVERSATION_LABELS = {"messaging.conversation", "messaging.message"}

VISIBILITIES = ("open", "restricted", "private")
MEMBERSHIPS = ("none", "member", "moderator")
ITEM_MARKINGS = ("unmarked", "fouo")
GRANTS = ("unrestricted", "granted_directly", "granted_to_group", "not_granted")
POST_STATES = ("live", "deleted", "hidden")


@dataclass(frozen=True)
class Viewer:
    vetting: str
    clearance: str


VIEWERS = {
    "cleared": Viewer("verified", "fouo"),  # verified, cleared for FOUO, with MFA
    "uncleared": Viewer("verified", "none"),
    "suspended": Viewer("suspended", "fouo"),
}


@dataclass(frozen=True)
class Cell:
    label: str
    visibility: str
    membership: str
    marking: str
    grant: str
    # live, removed, draft (someone else's), own_draft (scheduled, written by ``author``);
    # for a post: live, deleted, hidden (under ``parent``, its thread's cell).
    state: str
    author: str = "owner"
    parent: Cell | None = None


def expected(viewer: str, cell: Cell) -> bool:
    """The access rule, restated: may ``viewer`` see the item of ``cell``?"""
    if cell.parent is not None:
        # A post takes its thread's visibility, and its own removal hides it from all but moderators.
        return expected(viewer, cell.parent) and (cell.state == "live" or cell.membership == "moderator")
    spec = VIEWERS[viewer]
    cleared = spec.vetting == "verified"
    community_ok = cell.visibility == "open" or cell.membership != "none"
    marking_ok = cell.marking == "unmarked" or spec.clearance == "fouo"
    grant_ok = cell.grant != "not_granted"
    published_ok = cell.state not in ("draft", "own_draft") or cell.author == viewer
    removal_ok = cell.state != "removed" or cell.membership == "moderator"
    return cleared and community_ok and marking_ok and grant_ok and published_ok and removal_ok


# --- Item builders: one per registered type ------------------------------------------------------

_serial = count(1)


def _content_fields(community: Community, author: Member, marking: Marking, cell: Cell) -> dict[str, Any]:
    now = timezone.now()
    published_at: datetime | None = now - timedelta(hours=1)
    if cell.state == "draft":
        published_at = None
    elif cell.state == "own_draft":
        published_at = now + timedelta(days=3)  # scheduled: still the author's alone
    return {
        "community": community,
        "author": author,
        "marking": marking,
        "is_restricted": cell.grant != "unrestricted",
        "published_at": published_at,
        "deleted_at": now if cell.state == "removed" else None,
    }


def build_thread(**fields: Any) -> models.Model:
    return Thread.objects.create(title=f"Thread {next(_serial)}", **fields)


def build_wiki_page(**fields: Any) -> models.Model:
    n = next(_serial)
    return WikiPage.objects.create(title=f"Page {n}", slug=f"page-{n}", body="Text", **fields)


def build_blueprint_entry(**fields: Any) -> models.Model:
    n = next(_serial)
    return Entry.objects.create(
        kind="challenge", title=f"Entry {n}", slug=f"entry-{n}", summary="Summary", status="published", **fields
    )


def _congress(n: int) -> Congress:
    return Congress.objects.create(
        year=2000 + n, title=f"Congress {n}", starts_on=date(2000 + n, 5, 1), ends_on=date(2000 + n, 5, 2), place="DC"
    )


def build_blueprint_idea(**fields: Any) -> models.Model:
    n = next(_serial)
    return Idea.objects.create(congress=_congress(n), title=f"Idea {n}", problem="P", proposal="Q", **fields)


def build_barriers_report(**fields: Any) -> models.Model:
    n = next(_serial)
    return BarriersReport.objects.create(congress=_congress(n), title=f"Report {n}", **fields)


def build_pilot_template(**fields: Any) -> models.Model:
    n = next(_serial)
    return PilotTemplate.objects.create(title=f"Template {n}", slug=f"template-{n}", summary="Summary", **fields)


def build_document(**fields: Any) -> models.Model:
    return Document.objects.create(title=f"Document {next(_serial)}", **fields)


def build_bookmark(**fields: Any) -> models.Model:
    n = next(_serial)
    url = f"https://example.gov/{n}"
    return Bookmark.objects.create(title=f"Link {n}", url=url, normalized_url=url, **fields)


def build_partnership(**fields: Any) -> Partnership:
    return Partnership.objects.create(title=f"Partnership {next(_serial)}", jurisdiction="County", **fields)


def _host_partnership(fields: dict[str, Any]) -> Partnership:
    """A partnership in the item's community for a record to belong to, restricted and granted to nobody, so
    that no viewer sees it and the partnership rows of the matrix stay its own cells."""
    unmarked = Marking.objects.get(slug="unmarked")
    return build_partnership(
        community=fields["community"], author=fields["author"], marking=unmarked, is_restricted=True
    )


def build_resource(**fields: Any) -> models.Model:
    return Resource.objects.create(
        partnership=_host_partnership(fields), name=f"Resource {next(_serial)}", category="ems", kind="team",
        location="Depot", owner_organisation="County EMS", hours_to_deploy=4, **fields,
    )  # fmt: skip


def build_hazard(**fields: Any) -> models.Model:
    return Hazard.objects.create(
        partnership=_host_partnership(fields), title=f"Hazard {next(_serial)}", category="natural", likelihood=3,
        impact=4, **fields,
    )  # fmt: skip


def build_need(**fields: Any) -> models.Model:
    return Need.objects.create(
        partnership=_host_partnership(fields), title=f"Need {next(_serial)}", area="planning", **fields
    )


def build_goal(**fields: Any) -> models.Model:
    return Goal.objects.create(partnership=_host_partnership(fields), title=f"Goal {next(_serial)}", **fields)


def build_task(**fields: Any) -> models.Model:
    partnership = _host_partnership(fields)
    goal = Goal.objects.create(
        partnership=partnership, community=fields["community"], author=fields["author"], marking=partnership.marking,
        title=f"Goal {next(_serial)}", is_restricted=True,
    )  # fmt: skip
    return Task.objects.create(
        partnership=partnership, goal=goal, title=f"Task {next(_serial)}", due_on=date(2030, 1, 1), **fields
    )


def build_post(parent: Thread, author: Member, state: str) -> models.Model:
    now = timezone.now()
    return Post.objects.create(
        thread=parent,
        author=author,
        body="Reply",
        body_html="<p>Reply</p>",
        deleted_at=now if state == "deleted" else None,
        hidden_at=now if state == "hidden" else None,
    )


BUILDERS: dict[str, Callable[..., models.Model]] = {
    "discussions.thread": build_thread,
    "wiki.wikipage": build_wiki_page,
    "blueprint.entry": build_blueprint_entry,
    "blueprint.idea": build_blueprint_idea,
    "blueprint.barriersreport": build_barriers_report,
    "blueprint.pilottemplate": build_pilot_template,
    "library.document": build_document,
    "library.bookmark": build_bookmark,
    "partnerships.partnership": build_partnership,
    "partnerships.resource": build_resource,
    "partnerships.hazard": build_hazard,
    "partnerships.need": build_need,
    "partnerships.goal": build_goal,
    "partnerships.task": build_task,
}
# Types that take their parent's visibility: parent label -> (child label, builder).
CHILD_BUILDERS: dict[str, tuple[str, Callable[..., models.Model]]] = {
    "discussions.thread": ("discussions.post", build_post),
}


# (marking, grant, state, author) of the items built of each type in each community: every value of
# every dimension, crossed where they interact (a moderator sees a removed item only when its
# restriction admits them; a draft is its author's alone).
CONTENT_VARIANTS = (
    ("unmarked", "unrestricted", "live", "owner"),
    ("fouo", "unrestricted", "live", "owner"),
    ("unmarked", "granted_directly", "live", "owner"),
    ("fouo", "granted_to_group", "live", "owner"),
    ("unmarked", "not_granted", "live", "owner"),
    ("unmarked", "unrestricted", "removed", "owner"),
    ("fouo", "unrestricted", "removed", "owner"),
    ("unmarked", "granted_to_group", "removed", "owner"),
    ("unmarked", "not_granted", "removed", "owner"),
    ("unmarked", "unrestricted", "draft", "owner"),
    ("unmarked", "unrestricted", "own_draft", "cleared"),
)
# The parents (marking, grant, state) under which children (posts) are built, one per child state.
PARENT_VARIANTS = {
    ("unmarked", "unrestricted", "live"),
    ("fouo", "unrestricted", "live"),
    ("fouo", "granted_to_group", "live"),
    ("unmarked", "not_granted", "live"),
    ("unmarked", "unrestricted", "removed"),
    ("unmarked", "unrestricted", "own_draft"),
}


def item_variants(visibility: str, membership: str, label: str) -> Iterator[Cell]:
    for marking, grant, state, author in CONTENT_VARIANTS:
        yield Cell(label, visibility, membership, marking, grant, state, author=author)


@dataclass
class World:
    owner: Member
    viewers: dict[str, Member]
    items: dict[Cell, models.Model]

    def fresh(self, viewer: str) -> Member:
        """The viewer as a new request reads them: nothing cached."""
        return Member.objects.get(pk=self.viewers[viewer].pk)


def save_references(owner: Member, items: list[models.Model]) -> None:
    """A saved item pointing at every item (as the feed, saved items and notifications point)."""
    SavedItem.objects.bulk_create(
        SavedItem(
            member=owner,
            item_type=ContentType.objects.get_for_model(item),
            item_id=item.pk,
            label=f"{item._meta.label_lower} {item.pk}",
            url="/",
        )
        for item in items
    )


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """Built once for the module (it is the slow part), rolled back when the module is done."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


@dataclass
class Answers:
    """``policy.can_view`` of every reader (the viewers and the items' owner) for every item, asked once."""

    readers: dict[str, Member]
    can_view: dict[tuple[str, Cell], bool]


@pytest.fixture(scope="module")
def answers(world: World, django_db_blocker: Any) -> Answers:
    with django_db_blocker.unblock():
        readers = {key: world.fresh(key) for key in VIEWERS}
        readers["owner"] = Member.objects.get(pk=world.owner.pk)
        return Answers(
            readers,
            {
                (key, cell): policy.can_view(reader, item)
                for key, reader in readers.items()
                for cell, item in world.items.items()
            },
        )


def build_world() -> World:
    owner = make_verified_member(markings=["fouo", "sbu"])
    partners = Group.objects.create(name="Sector partners")
    viewers = {key: make_member(spec.vetting, spec.clearance, partners) for key, spec in VIEWERS.items()}
    authors = {"owner": owner, **viewers}
    markings = {m.slug: m for m in Marking.objects.all()}
    child_labels = {label for label, _ in CHILD_BUILDERS.values()}
    items: dict[Cell, models.Model] = {}
    for visibility, membership in product(VISIBILITIES, MEMBERSHIPS):
        community = community_create(
            creator=owner,
            name=f"{visibility} {membership}",
            slug=f"{visibility}-{membership}",
            marking=markings["unmarked"],
            visibility=visibility,
        )
        if membership != "none":
            role = Role.MODERATOR if membership == "moderator" else Role.MEMBER
            for viewer in viewers.values():
                membership_set_role(community=community, member=viewer, role=role)
        for registration in content_registry:
            label = registration.label
            if label in CONVERSATION_LABELS or label in child_labels:
                continue
            build = BUILDERS[label]  # a new registered type must be given a builder
            for cell in item_variants(visibility, membership, label):
                item = build(**_content_fields(community, authors[cell.author], markings[cell.marking], cell))
                if cell.grant == "granted_to_group":
                    policy.grant_item_access(item, partners)
                elif cell.grant == "granted_directly":
                    for viewer in viewers.values():
                        policy.grant_item_access(item, viewer)
                items[cell] = item
                if label in CHILD_BUILDERS and (cell.marking, cell.grant, cell.state) in PARENT_VARIANTS:
                    child_label, build_child = CHILD_BUILDERS[label]
                    for state in POST_STATES:
                        child_cell = Cell(
                            child_label, visibility, membership, cell.marking, cell.grant, state, parent=cell
                        )
                        items[child_cell] = build_child(parent=item, author=owner, state=state)
    save_references(owner, list(items.values()))
    return World(owner, viewers, items)


def _matrix_registrations() -> list[Any]:
    return [registration for registration in content_registry if registration.label not in CONVERSATION_LABELS]


# --- The matrix ---------------------------------------------------------------------------------


def test_every_registered_type_has_an_item_builder() -> None:
    labels = {registration.label for registration in content_registry}
    child_labels = {label for label, _ in CHILD_BUILDERS.values()}

    assert labels == REGISTERED_LABELS
    assert labels == set(BUILDERS) | child_labels | CONVERSATION_LABELS
    for registration in content_registry:
        # Only the conversation types answer with a rule of their own (or take their visibility from one).
        takes_own_rule = registration.visibility is not None
        if registration.parent is not None:
            parent_model = registration.model._meta.get_field(registration.parent).related_model
            assert isinstance(parent_model, type)
            assert issubclass(parent_model, models.Model)
            takes_own_rule = takes_own_rule or content_registry.get(parent_model).visibility is not None
        assert takes_own_rule == (registration.label in CONVERSATION_LABELS), registration.label


def test_every_item_of_every_type_is_seen_exactly_by_the_rule(world: World, answers: Answers) -> None:
    mismatches = [
        f"{viewer} {cell}: can_view says {answers.can_view[(viewer, cell)]}"
        for viewer in VIEWERS
        for cell in world.items
        if answers.can_view[(viewer, cell)] != expected(viewer, cell)
    ]
    assert not mismatches, f"{len(mismatches)} mismatches:\n" + "\n".join(mismatches[:40])
    # Both answers occur for every type, and for every state of every type (the cleared viewer
    # moderates some communities and writes a draft, so even removed items and drafts are seen).
    for label in {cell.label for cell in world.items}:
        for state in {cell.state for cell in world.items if cell.label == label} - {"draft"}:
            seen = {
                answers.can_view[("cleared", cell)]
                for cell in world.items
                if (cell.label, cell.state) == (label, state)
            }
            assert seen == {True, False}, (label, state)
    # Someone else's draft is seen by nobody but its author (the owner).
    drafts = [cell for cell in world.items if cell.state == "draft"]
    assert drafts
    assert not any(answers.can_view[(viewer, cell)] for viewer in VIEWERS for cell in drafts)


def test_filter_visible_lists_exactly_the_expected_items_of_every_type(world: World) -> None:
    for viewer in VIEWERS:
        member = world.fresh(viewer)
        for registration in _matrix_registrations():
            model = registration.model
            visible = set(policy.filter_visible(member, model.objects.all()).values_list("pk", flat=True))
            should_see = {
                item.pk
                for cell, item in world.items.items()
                if cell.label == registration.label and expected(viewer, cell)
            }
            assert visible == should_see, f"{viewer} {registration.label}"
            if VIEWERS[viewer].vetting == "verified":
                hidden = model.objects.exclude(pk__in=should_see)
                assert should_see, f"{viewer} {registration.label}: nothing visible"
                assert hidden.exists(), f"{viewer} {registration.label}: nothing hidden"
            else:
                assert not should_see


def _api_ids(client: Client, label: str) -> tuple[set[int], set[int]]:
    """The ids the API lists of a type (following every page), and those it marks removed."""
    listed: set[int] = set()
    removed: set[int] = set()
    url: str | None = f"/api/v1/content/{label}/?page_size=100"
    while url:
        answer = client.get(url)
        assert answer.status_code == 200, (label, answer.content[:300])
        body = answer.json()
        listed |= {item["id"] for item in body["results"]}
        removed |= {item["id"] for item in body["results"] if item["removed"]}
        url = body["next"]
    return listed, removed


def test_the_api_lists_and_opens_exactly_the_expected_items_of_every_type(world: World) -> None:
    """The API reads every type through the registry: it lists, opens and refuses exactly what the rule says."""
    for viewer in VIEWERS:
        client = Client()
        client.force_login(world.fresh(viewer))
        for registration in _matrix_registrations():
            label = registration.label
            cells = {cell: item for cell, item in world.items.items() if cell.label == label}
            should_see = {item.pk for cell, item in cells.items() if expected(viewer, cell)}
            if VIEWERS[viewer].vetting != "verified":
                refused = client.get(f"/api/v1/content/{label}/")
                assert refused.status_code == 403
                assert refused.json()["error"]["code"] == "account_suspended"
                continue
            listed, removed = _api_ids(client, label)
            assert listed == should_see, f"{viewer} {label}"
            should_be_removed = {
                item.pk
                for cell, item in cells.items()
                if expected(viewer, cell) and cell.state in ("removed", "deleted", "hidden")
            }
            assert removed == should_be_removed, f"{viewer} {label}"
            shown = next(item for cell, item in cells.items() if expected(viewer, cell))
            hidden = next(item for cell, item in cells.items() if not expected(viewer, cell))
            assert client.get(f"/api/v1/content/{label}/{shown.pk}/").json()["id"] == shown.pk
            assert client.get(f"/api/v1/content/{label}/{hidden.pk}/").status_code == 404, f"{viewer} {label}"


def test_references_to_items_keep_exactly_the_visible_ones(world: World) -> None:
    """Saved items (and so the feed and notifications) show a reference only while its item is visible."""
    for viewer in VIEWERS:
        member = world.fresh(viewer)
        kept = set(
            policy.filter_visible_references(
                member, SavedItem.objects.filter(member=world.owner), type_field="item_type", id_field="item_id"
            ).values_list("item_type_id", "item_id")
        )
        should_keep = {
            (ContentType.objects.get_for_model(item).pk, item.pk)
            for cell, item in world.items.items()
            if expected(viewer, cell)
        }
        assert kept == should_keep, viewer
        through_q = set(
            SavedItem.objects.filter(member=world.owner)
            .filter(policy.visible_references_q(member, type_field="item_type", id_field="item_id"))
            .values_list("item_type_id", "item_id")
        )
        assert through_q == should_keep, viewer


def test_members_who_may_view_an_item_agree_with_can_view_for_every_type(world: World, answers: Answers) -> None:
    candidates = Member.objects.filter(pk__in=[reader.pk for reader in answers.readers.values()])
    mismatches: list[str] = []
    for cell, item in world.items.items():
        who = set(policy.filter_members_who_may_view(item, candidates).values_list("pk", flat=True))
        can = {reader.pk for key, reader in answers.readers.items() if answers.can_view[(key, cell)]}
        if who != can:
            mismatches.append(f"{cell}: members {sorted(who)}, can_view {sorted(can)}")
    assert not mismatches, f"{len(mismatches)} mismatches:\n" + "\n".join(mismatches[:40])


def _find(world: World, **fields: Any) -> models.Model:
    matches = [
        item
        for cell, item in world.items.items()
        if all(getattr(cell, name) == value for name, value in fields.items())
    ]
    assert len(matches) == 1, fields
    return matches[0]


@pytest.mark.parametrize("label", sorted(REGISTERED_LABELS - CONVERSATION_LABELS - {"discussions.post"}))
def test_a_removed_item_is_seen_by_its_moderators_and_hidden_from_members(world: World, label: str) -> None:
    cleared = world.fresh("cleared")
    base = {"label": label, "visibility": "open", "marking": "unmarked", "grant": "unrestricted"}
    live_to_member = _find(world, membership="member", state="live", **base)
    removed_to_member = _find(world, membership="member", state="removed", **base)
    removed_to_outsider = _find(world, membership="none", state="removed", **base)
    removed_to_moderator = _find(world, membership="moderator", state="removed", **base)

    assert policy.can_view(cleared, live_to_member) is True
    assert policy.can_view(cleared, removed_to_member) is False
    assert policy.can_view(cleared, removed_to_outsider) is False
    assert policy.can_view(cleared, removed_to_moderator) is True
    assert policy.is_removed(removed_to_moderator) is True
    assert policy.is_removed(live_to_member) is False
    model = type(live_to_member)
    listed = set(policy.filter_visible(cleared, model._default_manager.all()))
    assert live_to_member in listed
    assert removed_to_moderator in listed
    assert removed_to_member not in listed
    assert removed_to_outsider not in listed


@pytest.mark.parametrize("state", ["deleted", "hidden"])
def test_a_deleted_or_hidden_post_is_seen_by_its_moderators_and_hidden_from_members(world: World, state: str) -> None:
    cleared = world.fresh("cleared")

    def post(membership: str, post_state: str) -> models.Model:
        return _find(
            world,
            label="discussions.post",
            visibility="open",
            membership=membership,
            marking="unmarked",
            grant="unrestricted",
            state=post_state,
            parent=Cell("discussions.thread", "open", membership, "unmarked", "unrestricted", "live"),
        )

    assert policy.can_view(cleared, post("member", "live")) is True
    assert policy.can_view(cleared, post("member", state)) is False
    assert policy.can_view(cleared, post("moderator", state)) is True
    assert policy.is_removed(post("member", state)) is True
    candidates = Member.objects.filter(pk=cleared.pk)
    assert not policy.filter_members_who_may_view(post("member", state), candidates).exists()
    assert policy.filter_members_who_may_view(post("moderator", state), candidates).exists()


# --- Conversations and chat messages ---------------------------------------------------------------


@dataclass
class Chat:
    people: dict[str, Member]
    items: dict[str, models.Model]
    # Who may see each item, by the conversation rule.
    expected: dict[str, set[str]]


@pytest.fixture
def chat_world() -> Chat:
    unmarked = Marking.objects.get(slug="unmarked")
    owner = make_verified_member()
    community = community_create(creator=owner, name="Gulf ops", slug="gulf-ops", marking=unmarked)
    people = {
        "owner": owner,
        "moderator": make_verified_member(),
        "member": make_verified_member(),
        "outsider": make_verified_member(),
        "suspended_member": make_verified_member(),
    }
    membership_set_role(community=community, member=people["moderator"], role=Role.MODERATOR)
    membership_set_role(community=community, member=people["member"], role=Role.MEMBER)
    membership_set_role(community=community, member=people["suspended_member"], role=Role.MEMBER)
    room = chat.room_ensure_default(community=community)
    assert room.is_default_room
    assert room.community_id == community.pk
    direct = chat.direct_conversation_open(member=people["member"], other=people["outsider"])
    # Opened while both could take part; one of them is suspended afterwards.
    direct_with_suspended = chat.direct_conversation_open(member=people["member"], other=people["suspended_member"])

    room_deleted_by_author = chat.message_send(conversation=room, author=people["member"], body="Wrong room")
    room_deleted_by_moderator = chat.message_send(conversation=room, author=people["member"], body="Spam")
    direct_deleted = chat.message_send(conversation=direct, author=people["outsider"], body="Oops")
    items: dict[str, models.Model] = {
        "room": room,
        "direct": direct,
        "direct_with_suspended": direct_with_suspended,
        "room_message": chat.message_send(conversation=room, author=people["member"], body="Shelters open at noon"),
        "room_deleted_by_author": room_deleted_by_author,
        "room_deleted_by_moderator": room_deleted_by_moderator,
        "direct_message": chat.message_send(conversation=direct, author=people["member"], body="Call me"),
        "direct_deleted": direct_deleted,
        "suspended_direct_message": chat.message_send(
            conversation=direct_with_suspended, author=people["suspended_member"], body="Before"
        ),
    }
    chat.message_delete(message=room_deleted_by_author, actor=people["member"])
    chat.message_delete(message=room_deleted_by_moderator, actor=Member.objects.get(pk=people["moderator"].pk))
    chat.message_delete(message=direct_deleted, actor=people["outsider"])
    Member.objects.filter(pk=people["suspended_member"].pk).update(suspended_at=timezone.now())
    for item in items.values():
        item.refresh_from_db()

    room_readers = {"owner", "moderator", "member"}
    expected = {
        "room": room_readers,
        "direct": {"member", "outsider"},
        "direct_with_suspended": {"member"},
        "room_message": room_readers,
        # A deleted message's words are gone for everyone, the room's moderators included
        # (registered with moderators_see_removed=False, unlike a removed post).
        "room_deleted_by_author": set(),
        "room_deleted_by_moderator": set(),
        "direct_message": {"member", "outsider"},
        # A direct conversation has no moderator: its deleted messages are nobody's to list.
        "direct_deleted": set(),
        "suspended_direct_message": {"member"},
    }
    save_references(owner, list(items.values()))
    return Chat(people, items, expected)


def test_conversations_and_messages_are_seen_exactly_by_the_conversation_rule(chat_world: Chat) -> None:
    mismatches = []
    for key, item in chat_world.items.items():
        for name, person in chat_world.people.items():
            answer = policy.can_view(Member.objects.get(pk=person.pk), item)
            if answer != (name in chat_world.expected[key]):
                mismatches.append(f"{name} on {key}: can_view says {answer}")
    assert not mismatches, "\n".join(mismatches)


def test_filter_visible_lists_exactly_the_conversations_and_messages_expected(chat_world: Chat) -> None:
    ours = {key: item.pk for key, item in chat_world.items.items()}
    for name, person in chat_world.people.items():
        member = Member.objects.get(pk=person.pk)
        for model in (Conversation, Message):
            keys = [key for key, item in chat_world.items.items() if isinstance(item, model)]
            visible = set(
                policy.filter_visible(member, model.objects.filter(pk__in=[ours[k] for k in keys])).values_list(
                    "pk", flat=True
                )
            )
            should_see = {ours[key] for key in keys if name in chat_world.expected[key]}
            assert visible == should_see, f"{name} {model.__name__}"


def test_references_to_conversations_and_messages_keep_exactly_the_visible_ones(chat_world: Chat) -> None:
    for name, person in chat_world.people.items():
        member = Member.objects.get(pk=person.pk)
        kept = set(
            policy.filter_visible_references(
                member,
                SavedItem.objects.filter(member=chat_world.people["owner"]),
                type_field="item_type",
                id_field="item_id",
            ).values_list("item_type_id", "item_id")
        )
        should_keep = {
            (ContentType.objects.get_for_model(item).pk, item.pk)
            for key, item in chat_world.items.items()
            if name in chat_world.expected[key]
        }
        assert kept == should_keep, name


def test_a_conversation_is_never_removed_and_a_deleted_message_is(chat_world: Chat) -> None:
    items = chat_world.items
    for key in ("room", "direct", "direct_with_suspended"):
        assert policy.is_removed(items[key]) is False, key
    for key in ("room_message", "direct_message", "suspended_direct_message"):
        assert policy.is_removed(items[key]) is False, key
    for key in ("room_deleted_by_author", "room_deleted_by_moderator", "direct_deleted"):
        assert policy.is_removed(items[key]) is True, key
    # The deleted message's author and the other participant no longer see it; the live one they do.
    member = Member.objects.get(pk=chat_world.people["member"].pk)
    outsider = Member.objects.get(pk=chat_world.people["outsider"].pk)
    assert policy.can_view(member, items["room_message"]) is True
    assert policy.can_view(member, items["room_deleted_by_author"]) is False
    assert policy.can_view(outsider, items["direct_message"]) is True
    assert policy.can_view(outsider, items["direct_deleted"]) is False
    assert policy.can_view(member, items["direct_deleted"]) is False


def _audience_mismatches(chat_world: Chat, keys: set[str]) -> list[str]:
    candidates = Member.objects.filter(pk__in=[person.pk for person in chat_world.people.values()])
    names = {person.pk: name for name, person in chat_world.people.items()}
    mismatches = []
    for key in sorted(keys):
        item = chat_world.items[key]
        who = {names[pk] for pk in policy.filter_members_who_may_view(item, candidates).values_list("pk", flat=True)}
        can = {
            name
            for name, person in chat_world.people.items()
            if policy.can_view(Member.objects.get(pk=person.pk), item)
        }
        if who != can:
            mismatches.append(f"{key}: audience {sorted(who)}, can_view {sorted(can)}")
    return mismatches


def test_members_who_may_view_a_conversation_or_message_agree_with_can_view(chat_world: Chat) -> None:
    """Conversations and messages answer through their registered audience (mentions, notifications)."""
    mismatches = _audience_mismatches(chat_world, set(chat_world.items))
    assert not mismatches, "\n".join(mismatches)
