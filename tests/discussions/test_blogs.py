"""Blogs through the pages: drafts and scheduled posts are their author's alone, publishing, the month
archive, comments that are the thread's replies, a member's blog and profile, the feed, and constant queries."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
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
from discussions.models import Post, Thread
from tests.browser import conftest as browser_fixtures
from tests.browser.conftest import BrowserPage
from tests.browser.test_layout_accessibility import (
    accessibility_problems,
    assert_fits_the_phone_screen,
    assert_layout_landmarks,
)
from tests.verification.factories import TEST_PASSWORD, make_verified_member
from verification.models import Marking, Member

pytestmark = pytest.mark.django_db


def marking(slug: str = "unmarked") -> Marking:
    return Marking.objects.get(slug=slug)


@pytest.fixture
def owner() -> Member:
    return make_verified_member(markings=["fouo"], first_name="Olive", last_name="Owner")


@pytest.fixture
def community(owner: Member) -> Community:
    return community_create(creator=owner, name="Gulf Coast", slug="gulf", marking=marking())


@pytest.fixture
def member(community: Community) -> Member:
    person = make_verified_member(first_name="Dana", last_name="Reyes")
    membership_set_role(community=community, member=person, role=Role.MEMBER)
    return Member.objects.get(pk=person.pk)


def signed_in(member: Member) -> Client:
    client = Client()
    client.force_login(member)
    return client


def blog_post(author: Member, community: Community, title: str = "Lessons from Ike", **fields: Any) -> Thread:
    fields.setdefault("body", "What we learned about **sheltering**.")
    fields.setdefault("marking", marking())
    return services.thread_start(
        author=author, community=community, board=None, kind=Thread.Kind.BLOG, title=title, **fields
    )


def published_at(post: Thread, when: datetime) -> Thread:
    Thread.objects.filter(pk=post.pk).update(published_at=when, last_post_at=when)
    post.refresh_from_db()
    return post


def url(name: str, community: Community, **kwargs: Any) -> str:
    return reverse(f"discussions:{name}", kwargs={"slug": community.slug, **kwargs})


def post_url(post: Thread) -> str:
    return url("blog_post", post.community, pk=post.pk)


def page_text(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return str(response.content.decode())


# --- Drafts, schedules, publishing --------------------------------------------------------------


def test_a_draft_is_its_authors_alone_until_published_from_its_page(
    community: Community, member: Member, owner: Member
) -> None:
    # Given a draft written through the form
    client = signed_in(member)
    saved = client.post(
        url("blog_new", community),
        {"title": "Draft thoughts", "body": "Not ready", "tags": "ike", "marking": marking().pk, "when": "draft"},
    )
    draft = Thread.objects.get()

    # Then only its author sees it: on its page and in their drafts list, not in the blog
    assert saved["Location"] == post_url(draft)
    assert draft.published_at is None
    author_page = page_text(client.get(post_url(draft)))
    assert "Only you can see this post" in author_page
    assert "Comments open once the post is published." in author_page
    assert "Draft thoughts" in page_text(client.get(url("blog", community))).split("drafts-heading", 1)[1]
    assert signed_in(owner).get(post_url(draft)).status_code == 404
    assert "Draft thoughts" not in page_text(signed_in(owner).get(url("blog", community)))
    assert signed_in(owner).post(url("blog_publish", community, pk=draft.pk), {"when": "now"}).status_code == 404
    assert not ActivityEvent.objects.filter(verb=ActivityEvent.Verb.PUBLISHED).exists()

    # When the author publishes it
    published = client.post(url("blog_publish", community, pk=draft.pk), {"when": "now"})

    # Then everyone who may see the community sees it, and it joins the feed
    assert published.status_code == 302
    assert "Draft thoughts" in page_text(signed_in(owner).get(url("blog", community)))
    assert "Draft thoughts" in page_text(signed_in(owner).get(post_url(draft)))
    event = ActivityEvent.objects.get(verb=ActivityEvent.Verb.PUBLISHED)
    assert (event.actor, event.target_id) == (member, draft.pk)
    assert (
        post_url(draft) in signed_in(owner).get(reverse("communities:detail", args=[community.slug])).content.decode()
    )


def test_a_scheduled_post_is_hidden_from_others_until_its_time(
    community: Community, member: Member, owner: Member
) -> None:
    client = signed_in(member)
    when = (timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    client.post(
        url("blog_new", community),
        {"title": "Season outlook", "body": "Soon", "marking": marking().pk, "when": "schedule", "publish_at": when},
    )
    scheduled = Thread.objects.get()
    reader = signed_in(owner)

    assert scheduled.published_at is not None
    assert scheduled.published_at > timezone.now()
    assert "Scheduled for" in page_text(client.get(post_url(scheduled)))
    assert reader.get(post_url(scheduled)).status_code == 404
    assert "Season outlook" not in page_text(reader.get(url("blog", community)))
    assert "Season outlook" not in page_text(reader.get(reverse("discussions:member_blog", args=[member.pk])))

    published_at(scheduled, timezone.now() - timedelta(minutes=1))

    assert "Season outlook" in page_text(reader.get(url("blog", community)))
    assert "Season outlook" in page_text(reader.get(post_url(scheduled)))


def test_a_schedule_in_the_past_or_without_a_time_is_refused_and_the_text_kept(
    community: Community, member: Member
) -> None:
    client = signed_in(member)
    past = (timezone.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")

    without_time = client.post(
        url("blog_new", community),
        {"title": "Kept title", "body": "Kept body", "marking": marking().pk, "when": "schedule"},
    )
    in_the_past = client.post(
        url("blog_new", community),
        {"title": "Kept title", "body": "Kept body", "marking": marking().pk, "when": "schedule", "publish_at": past},
    )
    empty = client.post(url("blog_new", community), {"title": "Kept title", "body": "", "marking": marking().pk})

    assert "Choose when to publish." in page_text(without_time)
    assert "Choose a time in the future, or publish now." in page_text(in_the_past)
    assert "Write something first." in page_text(empty)
    for response in (without_time, in_the_past, empty):
        assert 'value="Kept title"' in page_text(response)
    assert "Kept body" in page_text(in_the_past)
    assert not Thread.objects.exists()


def test_a_non_member_may_read_an_open_communitys_blog_but_not_write_for_it(
    community: Community, owner: Member
) -> None:
    blog_post(owner, community, title="Open letter")
    visitor = make_verified_member()
    client = signed_in(visitor)

    index = page_text(client.get(url("blog", community)))
    refused = client.post(
        url("blog_new", community), {"title": "Mine", "body": "Visitor text", "marking": marking().pk, "when": "now"}
    )

    assert "Open letter" in index
    assert "Write a post" not in index
    assert "Only members of Gulf Coast who are cleared for this marking may post here." in page_text(refused)
    assert "Visitor text" in page_text(refused)
    assert Thread.objects.count() == 1

    membership_set_role(community=community, member=visitor, role=Role.MEMBER)
    done = client.post(
        url("blog_new", community), {"title": "Mine", "body": "Visitor text", "marking": marking().pk, "when": "now"}
    )
    assert done.status_code == 302
    assert Thread.objects.count() == 2


def test_a_private_communitys_blog_is_for_its_members_only(owner: Member) -> None:
    private = community_create(
        creator=owner, name="Pilot", slug="pilot", marking=marking(), visibility=Community.Visibility.PRIVATE
    )
    post = blog_post(owner, private, title="Pilot diary")
    stranger = signed_in(make_verified_member())

    assert stranger.get(url("blog", private)).status_code == 404
    assert stranger.get(post_url(post)).status_code == 404
    assert "Pilot diary" not in page_text(stranger.get(reverse("discussions:member_blog", args=[owner.pk])))
    assert "Pilot diary" not in page_text(stranger.get(reverse("members:profile", args=[owner.pk])))

    assert "Pilot diary" in page_text(signed_in(owner).get(url("blog", private)))


# --- The archive ------------------------------------------------------------------------------


def test_the_blog_lists_newest_first_and_the_archive_shows_one_month(
    community: Community, member: Member, owner: Member
) -> None:
    published_at(blog_post(owner, community, title="March notes"), datetime(2025, 3, 10, 12, tzinfo=UTC))
    published_at(blog_post(owner, community, title="May notes"), datetime(2025, 5, 2, 12, tzinfo=UTC))
    published_at(blog_post(owner, community, title="Late May notes"), datetime(2025, 5, 30, 12, tzinfo=UTC))
    client = signed_in(member)

    everything = page_text(client.get(url("blog", community)))
    may = page_text(client.get(url("blog", community), {"year": 2025, "month": 5}))
    nonsense = client.get(url("blog", community), {"year": "soon", "month": "13"})

    assert everything.index("Late May notes") < everything.index("May notes") < everything.index("March notes")
    assert 'May 2025</a> <span class="muted">(2)</span>' in everything
    assert 'March 2025</a> <span class="muted">(1)</span>' in everything
    assert "Late May notes" in may
    assert "March notes" not in may.split("blog-archive", 1)[0]
    assert "Blog of Gulf Coast: May 2025" in may
    assert "March notes" in page_text(nonsense)


# --- Comments are replies ---------------------------------------------------------------------


def test_comments_on_a_blog_post_are_its_threads_replies(community: Community, member: Member, owner: Member) -> None:
    post = blog_post(owner, community)
    client = signed_in(member)

    empty = client.post(url("reply", community, pk=post.pk), {"body": ""})
    commented = client.post(url("reply", community, pk=post.pk), {"body": "Thanks, very useful."})

    assert "Write something first." in page_text(empty)
    assert commented.status_code == 302
    assert commented["Location"].startswith(post_url(post) + "?page=last")
    comment = Post.objects.get(thread=post, is_opening=False)
    assert comment.author == member
    page = page_text(client.get(post_url(post)))
    assert "Thanks, very useful." in page
    assert "Add a comment" in page
    assert "<strong>sheltering</strong>" in page
    assert ActivityEvent.objects.filter(verb=ActivityEvent.Verb.REPLIED, target_id=post.pk).exists()
    # The blog post is not a board thread
    assert client.get(reverse("discussions:thread", kwargs={"slug": "gulf", "pk": post.pk})).status_code == 404


def test_the_author_edits_a_blog_post_and_the_history_keeps_the_earlier_text(
    community: Community, member: Member
) -> None:
    post = blog_post(member, community, body="First text")
    opening = post.posts.get()

    response = signed_in(member).post(
        url("post_edit", community, pk=opening.pk), {"title": "Better title", "body": "Second text"}
    )

    assert response["Location"] == post_url(post) + f"#post-{opening.pk}"
    history = page_text(signed_in(member).get(url("post_history", community, pk=opening.pk)))
    assert "- First text" in history
    assert "+ Second text" in history


# --- A member's blog ----------------------------------------------------------------------------


def test_a_members_blog_and_profile_list_their_published_posts_the_viewer_may_see(
    community: Community, owner: Member
) -> None:
    writer = make_verified_member(markings=["fouo"], first_name="Wren", last_name="Writer")
    membership_set_role(community=community, member=writer, role=Role.MEMBER)
    blog_post(writer, community, title="Published post")
    blog_post(writer, community, title="Draft post", is_draft=True)
    blog_post(writer, community, title="Marked post", marking=marking("fouo"))
    viewer = signed_in(make_verified_member())
    cleared = signed_in(owner)

    blog = page_text(viewer.get(reverse("discussions:member_blog", args=[writer.pk])))
    profile = page_text(viewer.get(reverse("members:profile", args=[writer.pk])))
    cleared_profile = page_text(cleared.get(reverse("members:profile", args=[writer.pk])))
    cleared_blog = page_text(cleared.get(reverse("discussions:member_blog", args=[writer.pk])))

    assert "Published post" in blog
    assert "Published post" in profile
    assert reverse("discussions:member_blog", args=[writer.pk]) in profile
    for page in (blog, profile):
        assert "Draft post" not in page
        assert "Marked post" not in page
        assert "marking-banner" not in page
    banner = f">{marking('fouo').banner_text}</div>"
    for page in (cleared_profile, cleared_blog):
        assert "Marked post" in page
        assert page.count(banner) == 2  # top and bottom


# --- Constant queries --------------------------------------------------------------------------


def queries_for(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    assert response.status_code == 200
    return len(context)


def counts_at_one_and_fifty(client: Client, path: str, add_rows: Callable[[int], None]) -> tuple[int, int]:
    """With one row, then fifty; a first request warms the process-wide caches (content types)."""
    queries_for(client, path)
    one = queries_for(client, path)
    add_rows(49)
    return one, queries_for(client, path)


def test_the_blog_index_runs_the_same_queries_for_one_and_fifty_posts(
    community: Community, member: Member, owner: Member
) -> None:
    blog_post(member, community, tags=["ike"])
    blog_post(member, community, title="My draft", is_draft=True)

    def add(count: int) -> None:
        for i in range(count):
            author = member if i % 2 else owner
            post = blog_post(author, community, title=f"Post {i}", tags=[f"tag-{i}", "ike"], is_draft=i % 5 == 0)
            if post.published_at is not None:
                published_at(post, timezone.now() - timedelta(days=40 * i))
                services.post_reply(author=owner, thread=post, body="A comment")

    one, fifty = counts_at_one_and_fifty(signed_in(member), url("blog", community), add)

    assert one == fifty


def test_a_members_blog_runs_the_same_queries_for_one_and_fifty_posts(
    community: Community, member: Member, owner: Member
) -> None:
    blog_post(member, community)
    other = community_create(creator=owner, name="Other", slug="other", marking=marking())
    membership_set_role(community=other, member=member, role=Role.MEMBER)

    def add(count: int) -> None:
        for i in range(count):
            blog_post(member, community if i % 2 else other, title=f"Post {i}", tags=[f"tag-{i}"])

    one, fifty = counts_at_one_and_fifty(signed_in(owner), reverse("discussions:member_blog", args=[member.pk]), add)

    assert one == fifty


# --- In a real browser -------------------------------------------------------------------------

browser = browser_fixtures.browser
desktop = browser_fixtures.desktop
phone = browser_fixtures.phone
_unhashed_static_files = browser_fixtures._unhashed_static_files


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_member_writes_a_draft_and_publishes_it_in_a_browser_with_no_accessibility_violations(
    desktop: BrowserPage, community: Community, member: Member, owner: Member
) -> None:
    published_at(blog_post(owner, community, title="Older post"), datetime(2025, 3, 10, 12, tzinfo=UTC))
    desktop.sign_in(member.email, TEST_PASSWORD)

    desktop.open(url("blog", community))
    assert_layout_landmarks(desktop.page)
    assert accessibility_problems(desktop.page) == []
    desktop.page.get_by_role("link", name="Write a post").click()
    desktop.settle()
    assert accessibility_problems(desktop.page) == []
    desktop.page.get_by_label("Title").fill("Notes from the shelter")
    desktop.page.get_by_label("Post").fill("We opened **three** shelters.")
    desktop.page.get_by_role("button", name="Save").click()
    desktop.settle()

    expect(desktop.page.get_by_text("Saved as a draft.")).to_be_visible()
    assert accessibility_problems(desktop.page) == []
    desktop.page.get_by_role("button", name="Publish").click()
    desktop.settle()

    expect(desktop.page.get_by_text("Published.")).to_be_visible()
    expect(desktop.page.get_by_role("heading", name="Add a comment")).to_be_visible()
    desktop.open(url("blog", community))
    expect(desktop.page.get_by_role("link", name="Notes from the shelter")).to_be_visible()
    assert desktop.trouble.all() == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_blog_pages_fit_a_phone(phone: BrowserPage, community: Community, member: Member, owner: Member) -> None:
    post = blog_post(owner, community, title="A very long blog title " * 6, tags=["ike"])
    services.post_reply(author=owner, thread=post, body="A comment")
    blog_post(member, community, title="My draft", is_draft=True)
    phone.sign_in(member.email, TEST_PASSWORD)

    for path in (
        url("blog", community),
        url("blog_new", community),
        post_url(post),
        reverse("discussions:member_blog", args=[owner.pk]),
    ):
        phone.open(path)
        assert_fits_the_phone_screen(phone.page)
    assert phone.trouble.all() == []
