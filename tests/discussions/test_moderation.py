"""Moderators' pages: boards, pin/lock/move, flags, hiding and restoring, and the moderation queue."""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from communities.models import Community, Role
from communities.services import community_create, membership_set_role
from discussions import services
from discussions.models import Board, Flag, Post, Thread
from tests.verification.factories import make_verified_member
from verification import policy
from verification.models import AuditEvent, Marking, Member

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

pytestmark = pytest.mark.django_db


def marking(slug: str = "unmarked") -> Marking:
    return Marking.objects.get(slug=slug)


def make_community(owner: Member, slug: str, **fields: Any) -> Community:
    return community_create(creator=owner, name=slug.title(), slug=slug, marking=marking(), **fields)


def join(community: Community, role: str = Role.MEMBER, **fields: Any) -> Member:
    member = make_verified_member(**fields)
    membership_set_role(community=community, member=member, role=role)
    return Member.objects.get(pk=member.pk)


def url(name: str, community: Community, **kwargs: Any) -> str:
    return reverse(f"discussions:{name}", kwargs={"slug": community.slug, **kwargs})


def post(client: Client, path: str, data: dict[str, Any] | None = None) -> tuple["TestResponse", list[str]]:
    """POST, and the messages the next page would show (then forgotten, as showing them would)."""
    response = client.post(path, data or {})
    said = [str(message) for message in get_messages(response.wsgi_request)]
    client.cookies.pop("messages", None)
    return response, said


def start(author: Member, community: Community, board: Board | None = None, **fields: Any) -> Thread:
    if board is None:
        board = community.boards.first()
    defaults = {"title": "Shelter capacity", "body": "How many cots?", "marking": marking()}
    return services.thread_start(author=author, community=community, board=board, **{**defaults, **fields})


@pytest.fixture
def owner() -> Member:
    return make_verified_member(markings=["fouo"], first_name="Olive", last_name="Owner")


@pytest.fixture
def community(owner: Member) -> Community:
    community = make_community(owner, "gulf")
    services.board_create(community=community, actor=owner, name="General")
    return community


@pytest.fixture
def moderator(community: Community) -> Member:
    return join(community, Role.MODERATOR, first_name="Mona", last_name="Moderator")


@pytest.fixture
def member(community: Community) -> Member:
    return join(community, first_name="Dana", last_name="Reyes")


@pytest.fixture
def reply(community: Community, owner: Member, member: Member) -> Post:
    """A reply by the owner in a thread the member started: the member may flag it."""
    thread = start(member, community)
    return services.post_reply(author=owner, thread=thread, body="Cots are for the weak. Sleep on the floor.")


# --- Boards -------------------------------------------------------------------------


def test_a_moderator_creates_boards_and_a_member_gets_403(
    client: Client, community: Community, moderator: Member, member: Member
) -> None:
    client.force_login(member)
    denied_page = client.get(url("board_create", community))
    denied_post = client.post(url("board_create", community), {"name": "Shelters"})

    assert denied_page.status_code == 403
    assert denied_post.status_code == 403
    assert not Board.objects.filter(name="Shelters").exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PERMISSION_DENIED, actor=member).count() == 2

    client.force_login(moderator)
    created, created_said = post(
        client, url("board_create", community), {"name": "Shelters", "description": "Cots, staffing, pets"}
    )

    assert created.status_code == 302
    assert created["Location"] == url("board_create", community)
    assert created_said == ["Board “Shelters” added."]
    board = Board.objects.get(community=community, slug="shelters")
    assert (board.description, board.position) == ("Cots, staffing, pets", 1)
    page = client.get(url("board_create", community)).content.decode()
    assert page.index("General") < page.index("Shelters")
    assert url("board_edit", community, board="shelters") in page


def test_a_moderator_reorders_and_renames_a_board_and_a_member_cannot(
    client: Client, community: Community, owner: Member, moderator: Member, member: Member
) -> None:
    services.board_create(community=community, actor=owner, name="Shelters")
    edit = url("board_edit", community, board="shelters")
    client.force_login(member)

    denied = client.post(edit, {"name": "Mine now", "description": "", "position": 0})

    assert denied.status_code == 403
    assert Board.objects.get(slug="shelters").name == "Shelters"

    client.force_login(moderator)
    form = client.get(edit)
    saved, saved_said = post(client, edit, {"name": "Sheltering", "description": "Mass care", "position": 0})
    Board.objects.filter(slug="general").update(position=5)

    assert form.status_code == 200
    assert 'value="Shelters"' in form.content.decode()
    assert saved.status_code == 302
    assert saved_said == ["Board “Sheltering” saved."]
    assert list(community.boards.values_list("name", flat=True)) == ["Sheltering", "General"]
    assert community.boards.get(slug="shelters").description == "Mass care"


def test_a_board_address_already_taken_or_a_missing_name_keeps_the_form_with_the_error(
    client: Client, community: Community, moderator: Member
) -> None:
    client.force_login(moderator)

    taken = client.post(url("board_create", community), {"name": "Another", "slug": "general"})
    nameless = client.post(url("board_create", community), {"name": "  ", "description": "Kept"})

    assert taken.status_code == 200
    assert "already has a board with that address" in taken.content.decode()
    assert nameless.status_code == 200
    assert "This field is required" in nameless.content.decode()
    assert "Kept</textarea>" in nameless.content.decode()
    assert community.boards.count() == 1


def test_the_boards_of_a_private_community_are_404_to_outsiders_and_403_to_its_members(
    client: Client, owner: Member
) -> None:
    private = make_community(owner, "port", visibility=Community.Visibility.PRIVATE)
    insider = join(private)

    client.force_login(make_verified_member())
    outside = client.get(url("board_create", private))
    client.force_login(insider)
    inside = client.get(url("board_create", private))
    client.force_login(owner)
    as_owner = client.get(url("board_create", private))

    assert outside.status_code == 404
    assert inside.status_code == 403
    assert as_owner.status_code == 200


# --- Threads ---------------------------------------------------------------------------


def test_a_moderator_pins_locks_unpins_and_unlocks_a_thread_and_a_member_cannot(
    client: Client, community: Community, moderator: Member, member: Member
) -> None:
    thread = start(member, community)
    moderate = url("thread_moderate", community, pk=thread.pk)
    client.force_login(member)

    denied = client.post(moderate, {"action": "pin"})

    assert denied.status_code == 403
    thread.refresh_from_db()
    assert not thread.is_pinned

    client.force_login(moderator)
    pinned, pinned_said = post(client, moderate, {"action": "pin"})
    post(client, moderate, {"action": "lock"})
    thread.refresh_from_db()
    assert (thread.is_pinned, thread.is_locked) == (True, True)
    assert pinned["Location"] == url("thread", community, pk=thread.pk)
    assert pinned_said == ["Pinned to the top of its board."]

    post(client, moderate, {"action": "unpin"})
    _, unlocked_said = post(client, moderate, {"action": "unlock"})
    thread.refresh_from_db()
    assert (thread.is_pinned, thread.is_locked) == (False, False)
    assert unlocked_said == ["Unlocked: members can reply again."]


def test_a_moderator_moves_a_thread_to_another_board_of_its_community(
    client: Client, community: Community, owner: Member, moderator: Member, member: Member
) -> None:
    thread = start(member, community)
    shelters = services.board_create(community=community, actor=owner, name="Shelters")
    client.force_login(moderator)

    moved, moved_said = post(
        client, url("thread_moderate", community, pk=thread.pk), {"action": "move", "board": shelters.pk}
    )

    assert moved.status_code == 302
    assert moved_said == ["Moved to Shelters."]
    thread.refresh_from_db()
    assert thread.board == shelters


def test_moving_a_thread_to_another_communitys_board_or_to_no_board_is_refused_and_changes_nothing(
    client: Client, community: Community, owner: Member, member: Member
) -> None:
    thread = start(member, community)
    general = thread.board
    elsewhere = make_community(owner, "port")
    foreign = services.board_create(community=elsewhere, actor=owner, name="Cranes")
    client.force_login(owner)  # moderates both communities

    refused, refused_said = post(
        client, url("thread_moderate", community, pk=thread.pk), {"action": "move", "board": foreign.pk}
    )
    _, no_board_said = post(client, url("thread_moderate", community, pk=thread.pk), {"action": "move"})
    _, unknown_said = post(client, url("thread_moderate", community, pk=thread.pk), {"action": "delete"})

    assert refused.status_code == 302
    assert refused_said == ["Choose one of this community's boards."]
    assert no_board_said == ["Choose the board to move the thread to."]
    assert unknown_said == ["Choose pin, unpin, lock, unlock or move."]
    thread.refresh_from_db()
    assert thread.board == general


def test_moderating_a_thread_the_moderator_may_not_see_is_404_and_a_get_is_refused(
    client: Client, community: Community, owner: Member, moderator: Member
) -> None:
    fouo = start(owner, community, marking=marking("fouo"), title="Shelter security plan")
    client.force_login(moderator)  # not cleared for FOUO

    hidden = client.post(url("thread_moderate", community, pk=fouo.pk), {"action": "lock"})
    get = client.get(url("thread_moderate", community, pk=fouo.pk))

    assert hidden.status_code == 404
    assert get.status_code == 405
    fouo.refresh_from_db()
    assert not fouo.is_locked

    client.force_login(owner)  # cleared for FOUO
    allowed = client.post(url("thread_moderate", community, pk=fouo.pk), {"action": "lock"})

    assert allowed.status_code == 302
    fouo.refresh_from_db()
    assert fouo.is_locked


def test_moderating_returns_to_a_page_of_this_site_only(
    client: Client, community: Community, moderator: Member, member: Member
) -> None:
    thread = start(member, community)
    client.force_login(moderator)

    here = client.post(url("thread_moderate", community, pk=thread.pk), {"action": "pin", "next": "/communities/"})
    away = client.post(
        url("thread_moderate", community, pk=thread.pk), {"action": "unpin", "next": "https://evil.example/"}
    )

    assert here["Location"] == "/communities/"
    assert away["Location"] == url("thread", community, pk=thread.pk)


# --- Flags -------------------------------------------------------------------------------


def test_a_member_flags_a_post_with_a_reason(client: Client, community: Community, member: Member, reply: Post) -> None:
    client.force_login(member)

    form = client.get(url("post_flag", community, pk=reply.pk))
    sent, sent_said = post(
        client, url("post_flag", community, pk=reply.pk), {"reason": "  Unsafe advice for shelters  "}
    )

    assert form.status_code == 200
    assert "Cots are for the weak" in form.content.decode()
    assert 'name="csrfmiddlewaretoken"' in form.content.decode()
    assert sent.status_code == 302
    assert sent["Location"] == url("thread", community, pk=reply.thread_id)
    assert sent_said == ["Thank you: the moderators will look at the post."]
    flag = Flag.objects.get()
    assert (flag.post, flag.reporter, flag.reason, flag.status) == (reply, member, "Unsafe advice for shelters", "open")


def test_flagging_a_post_twice_is_refused_and_keeps_one_flag(
    client: Client, community: Community, member: Member, reply: Post
) -> None:
    client.force_login(member)
    post(client, url("post_flag", community, pk=reply.pk), {"reason": "Unsafe advice"})

    again = client.post(url("post_flag", community, pk=reply.pk), {"reason": "Still unsafe"})

    assert again.status_code == 200
    assert "You have already flagged this post" in again.content.decode()
    assert "Still unsafe" in again.content.decode()
    assert Flag.objects.count() == 1


def test_flagging_ones_own_post_is_refused_and_anyone_elses_allowed(
    client: Client, community: Community, owner: Member, member: Member, reply: Post
) -> None:
    client.force_login(owner)
    refused = client.post(url("post_flag", community, pk=reply.pk), {"reason": "Oops"})

    assert refused.status_code == 200
    assert "You cannot flag your own post." in refused.content.decode()
    assert not Flag.objects.exists()

    client.force_login(member)
    allowed = client.post(url("post_flag", community, pk=reply.pk), {"reason": "Unsafe"})

    assert allowed.status_code == 302
    assert Flag.objects.get().reporter == member


def test_an_empty_reason_keeps_the_flag_form_with_an_error(
    client: Client, community: Community, member: Member, reply: Post
) -> None:
    client.force_login(member)

    empty = client.post(url("post_flag", community, pk=reply.pk), {"reason": "   "})

    assert empty.status_code == 200
    assert "Say what is wrong with the post." in empty.content.decode()
    assert 'name="reason"' in empty.content.decode()
    assert not Flag.objects.exists()


def test_a_member_cannot_flag_a_post_they_may_not_see_or_one_already_hidden(
    client: Client, community: Community, owner: Member, member: Member, reply: Post
) -> None:
    fouo = start(owner, community, marking=marking("fouo"), title="Shelter security plan")
    secret = fouo.posts.get()
    services.post_hide(post=reply, actor=owner, reason="Unsafe")
    cleared = join(community, markings=["fouo"])
    client.force_login(member)  # not cleared for FOUO

    unseen = client.post(url("post_flag", community, pk=secret.pk), {"reason": "Hm"})
    hidden = client.get(url("post_flag", community, pk=reply.pk))
    client.force_login(cleared)
    allowed = client.post(url("post_flag", community, pk=secret.pk), {"reason": "Names a guard"})

    assert unseen.status_code == 404
    assert hidden.status_code == 404
    assert allowed.status_code == 302
    assert list(Flag.objects.values_list("reporter", "post")) == [(cleared.pk, secret.pk)]


def test_a_cleared_member_sees_the_flag_form_of_a_fouo_post_under_its_banner_and_the_view_is_audited(
    client: Client, community: Community, owner: Member
) -> None:
    cleared = join(community, markings=["fouo"])
    fouo = start(owner, community, marking=marking("fouo"), title="Shelter security plan")
    client.force_login(cleared)

    page = client.get(url("post_flag", community, pk=fouo.posts.get().pk)).content.decode()

    assert page.count("marking-banner") == 2
    assert AuditEvent.objects.filter(action=AuditEvent.Action.VIEWED_MARKED, actor=cleared).count() == 1


# --- The queue, hiding and restoring --------------------------------------------------------


def test_the_queue_lists_open_flags_for_moderators_only(
    client: Client, community: Community, moderator: Member, member: Member, reply: Post
) -> None:
    services.post_flag(post=reply, reporter=member, reason="Unsafe advice for shelters")
    client.force_login(member)

    denied = client.get(url("moderation", community))

    assert denied.status_code == 403
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.PERMISSION_DENIED, actor=member, detail__verb="moderate"
    ).exists()

    client.force_login(moderator)
    queue = client.get(url("moderation", community))

    body = queue.content.decode()
    assert queue.status_code == 200
    assert "1 flagged post" in body
    assert "Unsafe advice for shelters" in body
    assert "Cots are for the weak" in body
    assert "Dana Reyes" in body
    assert url("post_hide", community, pk=reply.pk) in body
    assert "No posts are hidden." in body


def test_the_community_page_links_moderators_to_the_queue_and_boards(
    client: Client, community: Community, moderator: Member, member: Member
) -> None:
    client.force_login(member)
    as_member = client.get(reverse("communities:detail", kwargs={"slug": community.slug})).content.decode()
    client.force_login(moderator)
    as_moderator = client.get(reverse("communities:detail", kwargs={"slug": community.slug})).content.decode()

    assert url("moderation", community) not in as_member
    assert url("board_create", community) not in as_member
    assert url("moderation", community) in as_moderator
    assert url("board_create", community) in as_moderator


def test_hiding_a_post_with_a_reason_hides_it_resolves_its_flags_and_is_audited(
    client: Client, community: Community, moderator: Member, member: Member, reply: Post
) -> None:
    services.post_flag(post=reply, reporter=member, reason="Unsafe advice")
    client.force_login(moderator)

    hidden, hidden_said = post(
        client,
        url("post_hide", community, pk=reply.pk),
        {"action": "hide", "reason": "Unsafe sheltering advice", "next": url("moderation", community)},
    )

    assert hidden.status_code == 302
    assert hidden["Location"] == url("moderation", community)
    assert hidden_said == ["The post is hidden; its author sees your reason, and its open flags are resolved."]
    reply.refresh_from_db()
    assert reply.hidden_at is not None
    assert (reply.hidden_by, reply.hidden_reason) == (moderator, "Unsafe sheltering advice")
    flag = Flag.objects.get()
    assert (flag.status, flag.resolved_by) == (Flag.Status.HIDDEN, moderator)
    event = AuditEvent.objects.get(action=AuditEvent.Action.POST_HIDDEN)
    assert (event.actor, event.target_id, event.detail["reason"]) == (
        moderator,
        str(reply.pk),
        "Unsafe sheltering advice",
    )
    queue = client.get(url("moderation", community)).content.decode()
    assert "0 flagged posts" in queue
    assert "1 hidden post" in queue
    assert "Unsafe sheltering advice" in queue


def test_hiding_without_a_reason_or_by_a_member_is_refused_and_changes_nothing(
    client: Client, community: Community, moderator: Member, member: Member, reply: Post
) -> None:
    client.force_login(member)
    denied = client.post(url("post_hide", community, pk=reply.pk), {"action": "hide", "reason": "I dislike it"})
    client.force_login(moderator)
    empty, empty_said = post(client, url("post_hide", community, pk=reply.pk), {"action": "hide", "reason": "  "})

    assert denied.status_code == 403
    assert empty.status_code == 302
    assert empty_said == ["Give a reason for hiding or restoring the post."]
    reply.refresh_from_db()
    assert reply.hidden_at is None
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.POST_HIDDEN).exists()


def test_a_moderator_restores_a_hidden_post_with_a_reason(
    client: Client, community: Community, moderator: Member, reply: Post
) -> None:
    services.post_hide(post=reply, actor=moderator, reason="Unsafe")
    client.force_login(moderator)

    _, empty_said = post(client, url("post_hide", community, pk=reply.pk), {"action": "restore", "reason": ""})
    reply.refresh_from_db()
    assert reply.hidden_at is not None
    assert empty_said == ["Give a reason for hiding or restoring the post."]

    _, restored_said = post(
        client, url("post_hide", community, pk=reply.pk), {"action": "restore", "reason": "Checked: fine"}
    )
    _, again_said = post(client, url("post_hide", community, pk=reply.pk), {"action": "restore", "reason": "Twice"})

    assert restored_said == ["The post is shown again."]
    assert again_said == ["This post is not hidden."]
    restored = Post.objects.get(pk=reply.pk)
    assert (restored.hidden_at, restored.hidden_reason) == (None, "")
    event = AuditEvent.objects.get(action=AuditEvent.Action.POST_RESTORED)
    assert event.detail["reason"] == "Checked: fine"


def test_a_moderator_dismisses_a_flag_and_the_post_stays(
    client: Client, community: Community, moderator: Member, member: Member, reply: Post
) -> None:
    flag = services.post_flag(post=reply, reporter=member, reason="Rude")
    client.force_login(member)
    denied = client.post(url("moderation", community), {"flag": flag.pk})
    client.force_login(moderator)

    dismissed, dismissed_said = post(client, url("moderation", community), {"flag": flag.pk})
    _, again_said = post(client, url("moderation", community), {"flag": flag.pk})

    assert denied.status_code == 403
    assert dismissed.status_code == 302
    assert dismissed_said == ["Flag dismissed; the post stays as it is."]
    assert again_said == ["That flag has already been dealt with."]
    flag.refresh_from_db()
    assert (flag.status, flag.resolved_by) == (Flag.Status.DISMISSED, moderator)
    reply.refresh_from_db()
    assert reply.hidden_at is None


def test_the_queue_never_shows_a_restricted_or_fouo_thread_the_moderator_may_not_see(
    client: Client, community: Community, owner: Member, moderator: Member, member: Member, reply: Post
) -> None:
    fouo_thread = start(owner, community, marking=marking("fouo"), title="Shelter security plan")
    fouo_reply = services.post_reply(author=owner, thread=fouo_thread, body="Guard rota: FOUO detail")
    restricted = start(member, community, title="Staff welfare")
    restricted_reply = services.post_reply(author=owner, thread=restricted, body="Restricted counselling detail")
    cleared_reporter = join(community, markings=["fouo"])
    services.post_flag(post=fouo_reply, reporter=cleared_reporter, reason="FOUO flag reason")
    services.post_flag(post=restricted_reply, reporter=member, reason="Restricted flag reason")
    Thread.objects.filter(pk=restricted.pk).update(is_restricted=True)
    policy.grant_item_access(restricted, member)
    policy.grant_item_access(restricted, owner)
    services.post_hide(post=fouo_reply, actor=owner, reason="FOUO hidden reason")
    services.post_flag(post=reply, reporter=member, reason="Visible flag reason")
    client.force_login(moderator)  # not cleared for FOUO, not granted the restricted thread

    queue = client.get(url("moderation", community)).content.decode()
    hide_unseen = client.post(url("post_hide", community, pk=restricted_reply.pk), {"action": "hide", "reason": "x"})
    restore_unseen = client.post(url("post_hide", community, pk=fouo_reply.pk), {"action": "restore", "reason": "x"})
    restricted_flag = Flag.objects.get(post=restricted_reply)
    _, dismiss_unseen_said = post(client, url("moderation", community), {"flag": restricted_flag.pk})

    assert "Visible flag reason" in queue
    assert "1 flagged post" in queue
    for secret in ("FOUO", "Guard rota", "Shelter security plan", "Restricted", "Staff welfare", "counselling"):
        assert secret not in queue
    assert "marking-banner" not in queue
    assert hide_unseen.status_code == 404
    assert restore_unseen.status_code == 404
    assert dismiss_unseen_said == ["That flag has already been dealt with."]
    restricted_flag.refresh_from_db()
    assert restricted_flag.status == Flag.Status.OPEN

    client.force_login(owner)  # cleared and granted: sees all three, under the FOUO banner
    as_owner = client.get(url("moderation", community)).content.decode()

    assert "2 flagged posts" in as_owner
    assert "Restricted flag reason" in as_owner
    assert "FOUO hidden reason" in as_owner
    assert as_owner.count("marking-banner") == 2


def test_the_queue_of_a_private_community_is_404_to_outsiders_even_moderators_elsewhere(
    client: Client, community: Community, owner: Member, moderator: Member
) -> None:
    private = make_community(owner, "port", visibility=Community.Visibility.PRIVATE)

    client.force_login(moderator)
    outside = client.get(url("moderation", private))
    client.force_login(owner)
    inside = client.get(url("moderation", private))

    assert outside.status_code == 404
    assert inside.status_code == 200


# --- Constant queries -------------------------------------------------------------------------


def queries_for(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    assert response.status_code == 200
    return len(context)


def counts_at_one_and_fifty(client: Client, path: str, add_rows: Callable[[int], None]) -> tuple[int, int]:
    """The page's query count with one row, then after adding 49 more; a first request warms the caches."""
    queries_for(client, path)
    one = queries_for(client, path)
    add_rows(49)
    return one, queries_for(client, path)


def test_the_moderation_queue_runs_the_same_queries_for_one_and_fifty_flagged_and_hidden_posts(
    client: Client, community: Community, owner: Member, moderator: Member, member: Member
) -> None:
    reporters = [member, join(community)]
    shelters = services.board_create(community=community, actor=owner, name="Shelters")

    def add(count: int) -> None:
        for i in range(count):
            thread = start(owner, community, board=[community.boards.first(), shelters][i % 2], title=f"Thread {i}")
            post = services.post_reply(author=owner, thread=thread, body=f"Reply {i}")
            for reporter in reporters[: 1 + i % 2]:
                services.post_flag(post=post, reporter=reporter, reason=f"Reason {i}")
            hidden = services.post_reply(author=member, thread=thread, body=f"Hidden {i}")
            services.post_hide(post=hidden, actor=owner, reason=f"Hidden because {i}")

    add(1)
    client.force_login(moderator)

    one, fifty = counts_at_one_and_fifty(client, url("moderation", community), add)

    assert one == fifty
    page = client.get(url("moderation", community)).content.decode()
    assert "50 flagged posts" in page
    assert "50 hidden posts" in page
    assert "Page 1 of 2" in page
