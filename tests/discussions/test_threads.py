"""Boards, threads and posts through the pages: starting and replying, safe Markdown, errors that keep
the text, locked threads, who may see what (404 and nothing of it), marked threads, quotes, mentions,
accepted answers, edits and their history, removal, reading state, the feed, and constant queries."""

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from communities.models import ActivityEvent, Community, Role
from communities.services import community_create, membership_set_role
from discussions import services
from discussions.models import Board, Mention, Post, ReadState, Thread
from tests.browser import conftest as browser_fixtures
from tests.browser.conftest import BrowserPage
from tests.browser.test_layout_accessibility import (
    accessibility_problems,
    assert_fits_the_phone_screen,
    assert_layout_landmarks,
)
from tests.discussions.factories import joined, marking, signed_in, start
from tests.verification.factories import TEST_PASSWORD, make_verified_member
from verification import policy
from verification import services as vetting
from verification.models import AuditEvent, Member

pytestmark = pytest.mark.django_db


# --- Given -------------------------------------------------------------------------------


@pytest.fixture
def owner() -> Member:
    owner = make_verified_member(markings=["fouo"], first_name="Olive", last_name="Owner")
    vetting.member_handle_ensure(member=owner)
    return owner


@pytest.fixture
def community(owner: Member) -> Community:
    return community_create(creator=owner, name="Gulf Coast", slug="gulf", marking=marking())


@pytest.fixture
def board(community: Community, owner: Member) -> Board:
    return services.board_create(community=community, actor=owner, name="General", description="Anything goes")


@pytest.fixture
def member(community: Community) -> Member:
    return joined(community, "Dana", "Reyes")


def reply(author: Member, thread: Thread, body: str = "About 400.", **fields: Any) -> Post:
    return services.post_reply(author=author, thread=thread, body=body, **fields)


def thread_url(thread: Thread, **query: Any) -> str:
    url = reverse("discussions:thread", kwargs={"slug": thread.community.slug, "pk": thread.pk})
    return url + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")


def url(name: str, community: Community, **kwargs: Any) -> str:
    return reverse(f"discussions:{name}", kwargs={"slug": community.slug, **kwargs})


def page_text(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return str(response.content.decode())


def post_ids_in_order(body: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<li id="post-(\d+)"', body)]


# --- Starting and replying -------------------------------------------------------------------


def test_a_member_starts_a_thread_and_another_replies_from_the_pages(
    board: Board, member: Member, owner: Member
) -> None:
    # Given a member on the board
    client = signed_in(member)

    # When they start a thread, and the owner replies
    started = client.post(
        url("thread_new", board.community, board=board.slug),
        {"title": "Generator fuel", "kind": "discussion", "body": "Who has **diesel**?", "tags": "fuel, power",
         "marking": marking().pk},
    )  # fmt: skip
    thread = Thread.objects.get()
    answered = signed_in(owner).post(url("reply", board.community, pk=thread.pk), {"body": "The county depot."})

    # Then both land on the thread page, which shows both posts
    assert started.status_code == 302
    assert started["Location"] == thread_url(thread)
    assert answered.status_code == 302
    assert answered["Location"].startswith(thread_url(thread, page="last"))
    body = page_text(client.get(thread_url(thread)))
    assert "<strong>diesel</strong>" in body
    assert "The county depot." in body
    assert sorted(thread.tags.names()) == ["fuel", "power"]
    assert f'href="{reverse("members:profile", args=[owner.pk])}"' in body


def test_script_event_handlers_and_javascript_links_are_neutralised_on_the_thread_page(
    board: Board, member: Member
) -> None:
    thread = start(
        member,
        board,
        body='Hi <script>alert("x")</script> <img src="/static/img/favicon.svg" onerror="alert(1)"> '
        '[click](javascript:alert(1)) <a href="#" onclick="alert(1)">x</a> ![far](https://evil.example/p.png)',
    )

    body = page_text(signed_in(member).get(thread_url(thread)))

    post_html = body.split('class="post-body"', 1)[1].split("</div>", 1)[0]
    assert "<script" not in post_html
    assert "onerror" not in post_html
    assert "onclick" not in post_html
    assert "javascript:" not in post_html
    assert "<img" not in post_html  # no image a reader's browser would fetch (issue 18, point 1)
    assert '<a href="https://evil.example/p.png" rel="nofollow noopener noreferrer">Image: far</a>' in post_html


def test_an_empty_or_over_long_post_shows_a_clear_error_and_keeps_what_was_typed(board: Board, member: Member) -> None:
    thread = start(member, board)
    client = signed_in(member)
    long_text = "Sandbags " + "x" * 20_000

    empty_reply = client.post(url("reply", board.community, pk=thread.pk), {"body": "   "})
    long_reply = client.post(url("reply", board.community, pk=thread.pk), {"body": long_text})
    untitled = client.post(
        url("thread_new", board.community, board=board.slug),
        {"title": "", "kind": "question", "body": "Where are the <b>sandbags</b>?", "marking": marking().pk},
    )

    assert "Write something first." in page_text(empty_reply)
    assert "Keep it under 20,000 characters." in page_text(long_reply)
    assert long_text in page_text(long_reply)
    assert "Give it a title." in page_text(untitled)
    assert "Where are the &lt;b&gt;sandbags&lt;/b&gt;?" in page_text(untitled)
    assert Post.objects.count() == 1
    assert Thread.objects.count() == 1


def test_a_reply_into_a_locked_thread_is_refused_with_the_text_kept_until_it_is_unlocked(
    board: Board, member: Member, owner: Member
) -> None:
    thread = start(owner, board)
    services.thread_lock(thread=thread, actor=owner, locked=True)
    client = signed_in(member)

    refused = client.post(url("reply", board.community, pk=thread.pk), {"body": "Me too, in the locked thread"})
    page = page_text(client.get(thread_url(thread)))

    assert "This thread is locked: no new replies." in page_text(refused)
    assert "Me too, in the locked thread" in page_text(refused)
    assert 'class="reply-form"' not in page
    assert not Post.objects.filter(is_opening=False).exists()

    services.thread_lock(thread=thread, actor=owner, locked=False)
    assert client.post(url("reply", board.community, pk=thread.pk), {"body": "Me too"}).status_code == 302
    assert Post.objects.filter(is_opening=False).count() == 1


def test_a_verified_non_member_reads_an_open_community_but_may_not_reply_and_keeps_the_text(
    board: Board, owner: Member
) -> None:
    thread = start(owner, board)
    visitor = make_verified_member()
    client = signed_in(visitor)

    page = page_text(client.get(thread_url(thread)))
    refused = client.post(url("reply", board.community, pk=thread.pk), {"body": "Can I help?"})

    assert "Shelter capacity" in page
    assert "Only members of Gulf Coast may reply." in page
    assert "Only members of Gulf Coast who are cleared for this marking may post here." in page_text(refused)
    assert "Can I help?" in page_text(refused)
    assert not Post.objects.filter(is_opening=False).exists()

    membership_set_role(community=board.community, member=visitor, role=Role.MEMBER)
    assert client.post(url("reply", board.community, pk=thread.pk), {"body": "Can I help?"}).status_code == 302


# --- Who may see what ------------------------------------------------------------------------


def assert_not_found_and_nothing_shown(client: Client, thread: Thread, secret: str) -> None:
    opening = thread.posts.get(is_opening=True)
    pages = [
        client.get(thread_url(thread)),
        client.get(url("reply", thread.community, pk=thread.pk)),
        client.post(url("reply", thread.community, pk=thread.pk), {"body": "Let me in"}),
        client.get(url("post_history", thread.community, pk=opening.pk)),
        client.get(url("post_edit", thread.community, pk=opening.pk)),
        client.post(url("post_delete", thread.community, pk=opening.pk)),
        client.post(url("accept", thread.community, pk=thread.pk), {"post": opening.pk}),
    ]
    for response in pages:
        assert response.status_code == 404, response.request["PATH_INFO"]
        assert secret not in response.content.decode()
    if thread.board is not None:
        board_page = client.get(url("board", thread.community, board=thread.board.slug))
        assert secret not in board_page.content.decode()


def test_a_thread_of_a_private_or_restricted_community_is_not_found_for_a_non_member_and_shown_to_a_member(
    owner: Member,
) -> None:
    for visibility in (Community.Visibility.PRIVATE, Community.Visibility.RESTRICTED):
        # Given a thread in a community the stranger does not belong to
        closed = community_create(
            creator=owner, name=f"Cell {visibility}", slug=f"cell-{visibility}", marking=marking(),
            visibility=visibility,
        )  # fmt: skip
        closed_board = services.board_create(community=closed, actor=owner, name="Ops")
        thread = start(owner, closed_board, title=f"Secret plan {visibility}")
        stranger = make_verified_member()

        # Then the stranger gets 404 and nothing of it; the board list is closed to them too
        assert_not_found_and_nothing_shown(signed_in(stranger), thread, f"Secret plan {visibility}")
        assert signed_in(stranger).get(url("boards", closed)).status_code in (403, 404)

        # While a member reads it
        insider = joined(closed, "In", f"Sider{visibility}")
        assert f"Secret plan {visibility}" in page_text(signed_in(insider).get(thread_url(thread)))


def test_a_restricted_thread_is_not_found_for_a_community_member_without_a_grant_and_shown_with_one(
    board: Board, owner: Member, member: Member
) -> None:
    thread = start(owner, board, title="Named members only")
    Thread.objects.filter(pk=thread.pk).update(is_restricted=True)
    thread.refresh_from_db()

    assert_not_found_and_nothing_shown(signed_in(member), thread, "Named members only")

    policy.grant_item_access(thread, member)
    assert "Named members only" in page_text(signed_in(member).get(thread_url(thread)))


def test_a_fouo_thread_is_not_found_for_an_uncleared_member_and_a_cleared_member_sees_banners_and_is_audited(
    board: Board, owner: Member, member: Member
) -> None:
    thread = start(owner, board, title="Pilot staging areas", marking=marking("fouo"))

    # An uncleared member of the community: 404, nothing of it, no view recorded
    assert_not_found_and_nothing_shown(signed_in(member), thread, "Pilot staging areas")
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.VIEWED_MARKED).exists()

    # A cleared member: the page, a banner at top and bottom, and an audit event per view
    cleared = joined(board.community, "Clea", "Red", markings=["fouo"])
    body = page_text(signed_in(cleared).get(thread_url(thread)))

    banner = marking("fouo").banner_text
    header, footer = body.split("</header>", 1)[0], body.rsplit("<footer", 1)[1]
    assert "Pilot staging areas" in body
    assert f">{banner}</div>" in header
    assert f">{banner}</div>" in footer
    viewed = AuditEvent.objects.get(action=AuditEvent.Action.VIEWED_MARKED)
    assert (viewed.actor, viewed.target_id, viewed.marking) == (cleared, str(thread.pk), "fouo")


def test_a_thread_form_offers_only_markings_the_member_is_cleared_for(board: Board, member: Member) -> None:
    body = page_text(signed_in(member).get(url("thread_new", board.community, board=board.slug)))

    assert marking().name in body
    assert marking("fouo").name not in body
    refused = signed_in(member).post(
        url("thread_new", board.community, board=board.slug),
        {"title": "Mine", "kind": "discussion", "body": "Text", "marking": marking("fouo").pk},
    )
    assert "Select a valid choice" in page_text(refused)
    assert not Thread.objects.exists()


# --- Quotes, mentions, answers ------------------------------------------------------------


def test_quoting_a_post_fills_the_reply_box_and_the_reply_remembers_what_it_quotes(
    board: Board, member: Member, owner: Member
) -> None:
    thread = start(owner, board, body="Cots are at\nthe armory.")
    opening = thread.posts.get()
    client = signed_in(member)

    page = page_text(client.get(thread_url(thread, quote=opening.pk)))
    quoted_box = page.split('class="reply-form"', 1)[1]
    response = client.post(
        url("reply", board.community, pk=thread.pk),
        {"body": "> Cots are at\n> the armory.\n\nThanks!", "quote_of": opening.pk},
    )

    assert "&gt; **Olive Owner** wrote:\n&gt;\n&gt; Cots are at\n&gt; the armory." in quoted_box
    assert f'name="quote_of" value="{opening.pk}"' in quoted_box
    assert response.status_code == 302
    new = Post.objects.get(is_opening=False)
    assert new.quote_of == opening
    assert "<blockquote>" in new.body_html
    assert "Quoting <a" in page_text(client.get(thread_url(thread)))


def test_mentions_are_recorded_only_for_members_who_may_see_the_thread(owner: Member) -> None:
    private = community_create(
        creator=owner, name="Pilot", slug="pilot", marking=marking(), visibility=Community.Visibility.PRIVATE
    )
    private_board = services.board_create(community=private, actor=owner, name="Ops")
    inside = joined(private, "Ina", "Side")
    outside = make_verified_member(first_name="Otto", last_name="Side")
    vetting.member_handle_ensure(member=outside)
    thread = start(owner, private_board)

    body = "@ina-side and @otto-side: please check the list."
    warned = signed_in(owner).post(url("reply", private, pk=thread.pk), {"body": body})
    response = signed_in(owner).post(url("reply", private, pk=thread.pk), {"body": body, "post_anyway": "on"})

    # The first try warns that @otto-side cannot see the thread; ticking "post anyway" posts it
    assert "No member @otto-side can see this thread" in page_text(warned)
    assert response.status_code == 302
    assert list(Mention.objects.values_list("member", flat=True)) == [inside.pk]


def test_mention_autocomplete_for_a_thread_offers_only_members_who_may_see_it(owner: Member) -> None:
    # Given a FOUO thread in a private community, with members cleared and not, and a stranger
    private = community_create(
        creator=owner, name="Pilot", slug="pilot", marking=marking(), visibility=Community.Visibility.PRIVATE
    )
    private_board = services.board_create(community=private, actor=owner, name="Ops")
    cleared = joined(private, "Dana", "Cleared", markings=["fouo"])
    joined(private, "Dana", "Uncleared")
    stranger = make_verified_member(first_name="Dana", last_name="Stranger")
    vetting.member_handle_ensure(member=stranger)
    thread = start(owner, private_board, marking=marking("fouo"))
    autocomplete = reverse("members:autocomplete")

    # When the owner asks for "dana" in that thread, only the cleared member is offered, with a handle
    offered = signed_in(owner).get(autocomplete, {"q": "dana", "thread": str(thread.pk)}).json()
    by_handle = signed_in(owner).get(autocomplete, {"q": "@dana-c", "thread": str(thread.pk)}).json()

    assert offered == [{"id": cleared.pk, "name": "Dana Cleared", "handle": "dana-cleared"}]
    assert by_handle == offered
    # And someone who may not see the thread is offered nobody, as for a thread that does not exist
    assert signed_in(stranger).get(autocomplete, {"q": "dana", "thread": str(thread.pk)}).json() == []
    assert signed_in(owner).get(autocomplete, {"q": "dana", "thread": "999999"}).json() == []
    assert signed_in(owner).get(autocomplete, {"q": "dana", "thread": "x"}).json() == []


def test_the_accepted_answer_comes_right_after_the_question_labelled_and_only_the_asker_or_a_moderator_accepts(
    board: Board, member: Member, owner: Member
) -> None:
    question = start(member, board, kind=Thread.Kind.QUESTION, title="Where to stage buses?")
    first = reply(owner, question, "Try the stadium.")
    second = reply(owner, question, "The fairgrounds have room for 200 buses.")
    bystander = joined(board.community, "By", "Stander")

    denied = signed_in(bystander).post(url("accept", board.community, pk=question.pk), {"post": second.pk})
    accepted = signed_in(member).post(url("accept", board.community, pk=question.pk), {"post": second.pk})

    assert denied.status_code == 403
    assert accepted.status_code == 302
    body = page_text(signed_in(bystander).get(thread_url(question)))
    assert post_ids_in_order(body) == [question.posts.get(is_opening=True).pk, second.pk, first.pk]
    assert "Accepted answer" in body.split(f'id="post-{second.pk}"', 1)[1].split("</li>", 1)[0]
    assert "Answered" in body

    # A moderator may change it
    assert signed_in(owner).post(url("accept", board.community, pk=question.pk), {"post": first.pk}).status_code == 302
    question.refresh_from_db()
    assert question.accepted_post == first


def test_the_unanswered_list_shows_only_questions_without_an_accepted_answer(
    board: Board, member: Member, owner: Member
) -> None:
    open_question = start(member, board, kind=Thread.Kind.QUESTION, title="Open question")
    answered = start(member, board, kind=Thread.Kind.QUESTION, title="Answered question")
    services.answer_accept(thread=answered, post=reply(owner, answered), actor=member)
    start(member, board, title="Just a discussion")
    client = signed_in(member)

    unanswered = page_text(client.get(url("board", board.community, board=board.slug), {"sort": "unanswered"}))
    everything = page_text(client.get(url("board", board.community, board=board.slug)))

    assert "Open question" in unanswered
    assert "Answered question" not in unanswered
    assert "Just a discussion" not in unanswered
    assert all(title in everything for title in ("Open question", "Answered question", "Just a discussion"))
    assert open_question.pk


def test_threads_sort_by_activity_or_by_newest(board: Board, member: Member, owner: Member) -> None:
    older = start(member, board, title="Older thread")
    start(member, board, title="Newer thread")
    reply(owner, older, "Bumping the older one")
    client = signed_in(member)

    by_activity = page_text(client.get(url("board", board.community, board=board.slug), {"sort": "activity"}))
    by_newest = page_text(client.get(url("board", board.community, board=board.slug), {"sort": "new"}))

    assert by_activity.index("Older thread") < by_activity.index("Newer thread")
    assert by_newest.index("Newer thread") < by_newest.index("Older thread")


# --- Edits, history, removal -----------------------------------------------------------------


def test_an_edit_is_kept_in_the_history_with_who_when_and_an_escaped_diff_and_only_the_author_edits(
    board: Board, member: Member, owner: Member
) -> None:
    thread = start(member, board, body="Bring cots.\nBring water.")
    opening = thread.posts.get()
    edit_url = url("post_edit", board.community, pk=opening.pk)

    denied = signed_in(owner).post(edit_url, {"title": "Hijacked", "body": "Hijacked"})
    saved = signed_in(member).post(
        edit_url, {"title": "Shelter supplies", "body": "Bring cots.\nBring <script>alert(1)</script> water."}
    )

    assert denied.status_code == 403
    assert saved.status_code == 302
    page = page_text(signed_in(owner).get(thread_url(thread)))
    history_url = url("post_history", board.community, pk=opening.pk)
    assert f'href="{history_url}"' in page
    assert "Shelter supplies" in page
    history = page_text(signed_in(owner).get(history_url))
    assert "Edited by" in history
    assert "Dana Reyes" in history
    assert "<del>Shelter capacity</del> → <ins>Shelter supplies</ins>" in history
    assert '<span class="diff-removed">- Bring water.</span>' in history
    assert '<span class="diff-added">+ Bring &lt;script&gt;alert(1)&lt;/script&gt; water.</span>' in history
    assert '<span class="diff-same">  Bring cots.</span>' in history
    assert "<script>alert" not in history


def test_an_empty_edit_shows_the_error_and_keeps_the_text(board: Board, member: Member) -> None:
    opening = start(member, board).posts.get()

    response = signed_in(member).post(
        url("post_edit", board.community, pk=opening.pk), {"title": "Kept title", "body": ""}
    )

    assert "Write something first." in page_text(response)
    assert 'value="Kept title"' in page_text(response)
    opening.refresh_from_db()
    assert opening.body == "How many cots?"


def test_a_removed_post_shows_as_removed_is_audited_and_only_its_author_or_a_moderator_removes_it(
    board: Board, member: Member, owner: Member
) -> None:
    thread = start(owner, board)
    first = reply(member, thread, "My reply with a secret phone number")
    second = reply(member, thread, "Another reply")
    bystander = joined(board.community, "By", "Stander")

    denied = signed_in(bystander).post(url("post_delete", board.community, pk=first.pk))
    by_author = signed_in(member).post(url("post_delete", board.community, pk=first.pk))
    by_moderator = signed_in(owner).post(url("post_delete", board.community, pk=second.pk))

    assert denied.status_code == 403
    assert (by_author.status_code, by_moderator.status_code) == (302, 302)
    body = page_text(signed_in(bystander).get(thread_url(thread)))
    assert body.count("This post was removed.") == 2
    assert "secret phone number" not in body
    removed = AuditEvent.objects.filter(action=AuditEvent.Action.POST_REMOVED)
    assert sorted(removed.values_list("actor", flat=True)) == sorted([member.pk, owner.pk])
    # The history of a removed post is not for other members
    assert signed_in(bystander).get(url("post_history", board.community, pk=first.pk)).status_code == 404
    assert signed_in(owner).get(url("post_history", board.community, pk=first.pk)).status_code == 200


def test_a_hidden_post_shows_its_reason_only_to_its_author_and_moderators_and_its_body_to_nobody(
    board: Board, member: Member, owner: Member
) -> None:
    thread = start(owner, board)
    hidden = reply(member, thread, "Buy my generators")
    services.post_hide(post=hidden, actor=owner, reason="Advertising")
    bystander = joined(board.community, "By", "Stander")

    to_author = page_text(signed_in(member).get(thread_url(thread)))
    to_moderator = page_text(signed_in(owner).get(thread_url(thread)))
    to_others = page_text(signed_in(bystander).get(thread_url(thread)))

    assert "Hidden by a moderator: Advertising" in to_author
    assert "Hidden by a moderator: Advertising" in to_moderator
    assert "This post was hidden by a moderator." in to_others
    assert "Advertising" not in to_others
    assert all("Buy my generators" not in page for page in (to_author, to_moderator, to_others))


# --- Reading state -------------------------------------------------------------------------


def test_new_threads_and_posts_are_marked_until_read_with_counts_per_board_and_community(
    community: Community, board: Board, member: Member, owner: Member
) -> None:
    other_board = services.board_create(community=community, actor=owner, name="Logistics")
    first = start(owner, board, title="First thread")
    start(owner, other_board, title="Second thread")
    client = signed_in(member)

    # Two new threads: one on each board, two in the community
    boards = page_text(client.get(url("boards", community)))
    assert "2 threads with something new" in boards
    assert boards.count("1 with something new") == 2
    assert "New</span>" in page_text(client.get(url("board", community, board=board.slug)))

    # Reading the first thread clears it; a new reply marks it again, and only the reply is new
    page_text(client.get(thread_url(first)))
    assert "1 thread with something new" in page_text(client.get(url("boards", community)))
    new_reply = reply(owner, first, "Fresh news")
    board_page = page_text(client.get(url("board", community, board=board.slug)))
    assert "1 new</span>" in board_page
    thread_page = page_text(client.get(thread_url(first)))
    assert re.findall(r'<li id="post-(\d+)" class="post[^"]*post-new', thread_page) == [str(new_reply.pk)]
    assert "post-new" not in page_text(client.get(thread_url(first)))

    # Mark all read clears the community
    response = client.post(url("mark_read", community))
    assert response.status_code == 302
    assert "Nothing new in Gulf Coast" in page_text(client.get(url("boards", community)))
    assert ReadState.objects.filter(member=member).count() == 2


def test_the_community_page_loads_its_recent_threads_that_the_member_may_see(
    board: Board, member: Member, owner: Member
) -> None:
    start(owner, board, title="Open thread")
    start(owner, board, title="Marked thread", marking=marking("fouo"))
    client = signed_in(member)

    community_page = page_text(client.get(reverse("communities:detail", kwargs={"slug": board.community.slug})))
    recent = page_text(client.get(url("boards", board.community), {"part": "recent"}, HTTP_HX_REQUEST="true"))

    assert f'hx-get="{url("boards", board.community)}?part=recent"' in community_page
    assert f'href="{url("blog", board.community)}"' in community_page
    assert "Open thread" in recent
    assert "Marked thread" not in recent


# --- The feed --------------------------------------------------------------------------------


def test_new_threads_and_replies_join_the_community_feed(board: Board, member: Member, owner: Member) -> None:
    client = signed_in(member)
    client.post(
        url("thread_new", board.community, board=board.slug),
        {"title": "Feed me", "kind": "discussion", "body": "Text", "marking": marking().pk},
    )
    thread = Thread.objects.get()
    signed_in(owner).post(url("reply", board.community, pk=thread.pk), {"body": "A reply"})

    events = ActivityEvent.objects.filter(target_id=thread.pk).order_by("created_at", "pk")

    assert [(event.verb, event.actor) for event in events] == [("posted", member), ("replied", owner)]
    assert "Feed me" in page_text(client.get(reverse("communities:detail", kwargs={"slug": "gulf"})))


# --- Constant queries ------------------------------------------------------------------------


def queries_for(client: Client, path: str, **query: Any) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(path, query)
    assert response.status_code == 200
    return len(context)


def counts_at_one_and_fifty(
    client: Client, path: str, add_rows: Callable[[int], None], **query: Any
) -> tuple[int, int]:
    """The page's query count with one row, then with fifty.

    Each count follows a first request: it warms the process-wide caches (content types), as any running
    server has, and moves the member's reading state forward once (a thread page records how far they read).
    """
    queries_for(client, path, **query)
    one = queries_for(client, path, **query)
    add_rows(49)
    queries_for(client, path, **query)
    return one, queries_for(client, path, **query)


def test_the_board_list_runs_the_same_queries_for_one_and_fifty_boards(
    community: Community, board: Board, member: Member, owner: Member
) -> None:
    start(owner, board)

    def add(count: int) -> None:
        for i in range(count):
            more = services.board_create(community=community, actor=owner, name=f"Board {i}")
            reply(owner, start(owner, more, title=f"Thread {i}"))

    one, fifty = counts_at_one_and_fifty(signed_in(member), url("boards", community), add)

    assert one == fifty


@pytest.mark.parametrize("sort", ["activity", "new", "unanswered"])
def test_the_thread_list_runs_the_same_queries_for_one_and_fifty_threads(
    sort: str, board: Board, member: Member, owner: Member
) -> None:
    start(owner, board, kind=Thread.Kind.QUESTION, tags=["sandbags"])

    def add(count: int) -> None:
        for i in range(count):
            thread = start(owner, board, title=f"Thread {i}", kind=Thread.Kind.QUESTION, tags=[f"tag-{i}", "fuel"])
            reply(owner, thread)
            if i % 3 == 0:
                services.thread_mark_read(member=member, thread=thread, up_to=timezone.now() - timedelta(days=1))

    path = url("board", board.community, board=board.slug)
    one, fifty = counts_at_one_and_fifty(signed_in(member), path, add, sort=sort)

    assert one == fifty


def test_the_thread_page_runs_the_same_queries_for_one_and_fifty_posts(board: Board, owner: Member) -> None:
    thread = start(owner, board, kind=Thread.Kind.QUESTION, marking=marking("fouo"), tags=["fuel"])
    cleared = joined(board.community, "Clea", "Red", markings=["fouo"])

    def add(count: int) -> None:
        opening = thread.posts.get()
        for i in range(count):
            author = cleared if i % 2 else owner
            post = reply(author, thread, f"Reply {i}", quote_of=opening if i % 5 == 0 else None)
            if i % 7 == 0:
                services.post_edit(post=post, editor=author, body=f"Reply {i}, edited")
            if i % 11 == 0:
                services.post_delete(post=post, actor=owner)
        services.answer_accept(thread=thread, post=Post.objects.filter(thread=thread).last(), actor=owner)

    one, fifty = counts_at_one_and_fifty(signed_in(cleared), thread_url(thread), add)

    assert one == fifty


# --- In a real browser -------------------------------------------------------------------------

browser = browser_fixtures.browser
desktop = browser_fixtures.desktop
phone = browser_fixtures.phone
_unhashed_static_files = browser_fixtures._unhashed_static_files


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_member_reads_quotes_mentions_and_replies_in_a_browser_with_no_accessibility_violations(
    desktop: BrowserPage, board: Board, member: Member, owner: Member
) -> None:
    # Given a question with an answer in a community the member belongs to
    question = start(owner, board, kind=Thread.Kind.QUESTION, title="Where to stage buses?", body="Any **ideas**?")
    reply(owner, question, "Try the fairgrounds.")
    joined(board.community, "Sam", "Okafor")
    desktop.sign_in(member.email, TEST_PASSWORD)

    # The community page loads its recent threads; the boards, the board and the thread pass axe
    desktop.open(reverse("communities:detail", kwargs={"slug": board.community.slug}))
    recent = desktop.page.get_by_role("region", name="Recent threads")
    expect(recent.get_by_role("link", name="Where to stage buses?")).to_be_visible()
    for path in (url("boards", board.community), url("board", board.community, board=board.slug)):
        desktop.open(path)
        assert_layout_landmarks(desktop.page)
        assert accessibility_problems(desktop.page) == [], path
    desktop.open(thread_url(question))
    assert_layout_landmarks(desktop.page)
    assert accessibility_problems(desktop.page) == []

    # When they quote the answer, mention a member with the keyboard, and reply
    desktop.page.get_by_role("link", name="Quote this post").last.click()
    desktop.settle()
    box = desktop.page.get_by_label("Your reply")
    expect(box).to_have_value(re.compile(r"^> \*\*Olive Owner\*\* wrote:\n>\n> Try the fairgrounds\."))
    box.press("Control+End")
    box.press_sequentially("Agreed, @sam", delay=20)
    expect(desktop.page.get_by_role("option", name="Sam Okafor (@sam-okafor)")).to_be_visible()
    box.press("Enter")
    expect(box).to_have_value(re.compile(r"Agreed, @sam-okafor $"))
    desktop.page.get_by_role("button", name="Post reply").click()
    desktop.settle()

    # Then the reply shows, quoting the answer, and the mention is recorded
    expect(desktop.page.get_by_text("Your reply is posted.")).to_be_visible()
    expect(desktop.page.get_by_text("Quoting")).to_be_visible()
    assert list(Mention.objects.values_list("member__handle", flat=True)) == ["sam-okafor"]
    assert accessibility_problems(desktop.page) == []
    assert desktop.trouble.all() == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_discussion_pages_fit_a_phone(phone: BrowserPage, board: Board, member: Member, owner: Member) -> None:
    thread = start(owner, board, title="A long title " * 8, body="A `long_unbroken_identifier_" + "x" * 80 + "`")
    opening = thread.posts.get()
    services.post_edit(post=opening, editor=owner, body="Edited " + "y" * 120, title="A shorter title")
    reply(owner, thread, "Reply")
    phone.sign_in(member.email, TEST_PASSWORD)

    for path in (
        url("boards", board.community),
        url("board", board.community, board=board.slug),
        thread_url(thread),
        url("post_history", board.community, pk=opening.pk),
        url("thread_new", board.community, board=board.slug),
    ):
        phone.open(path)
        assert_fits_the_phone_screen(phone.page)
    assert phone.trouble.all() == []
