"""Reads of boards, threads, posts and blogs, already narrowed by the access policy.

Every function starts from ``policy.filter_visible`` (threads, blog posts) or
``posts_of_visible_threads`` (posts, comments) and returns only what the
member may see, in a fixed number of queries however many rows there are:
counts and reading state are annotations (subqueries), authors and markings
are joined, tags are prefetched.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateTimeField,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from communities.models import Community
from discussions.models import Board, Post, PostRevision, ReadState, Thread
from muster.mentions import mentioned_handles
from muster.mentions import unknown_mentions as unknown_mentions_in
from verification import policy
from verification.models import Marking, Member

# Before any post was written: "never read" compares as read up to here.
NEVER = datetime(1970, 1, 1, tzinfo=UTC)
RECENT_THREADS = 5


class ThreadSort(StrEnum):
    ACTIVITY = "activity"
    NEW = "new"
    UNANSWERED = "unanswered"


THREAD_ORDER: dict[ThreadSort, tuple[str, ...]] = {
    ThreadSort.ACTIVITY: ("-is_pinned", "-last_post_at", "-pk"),
    ThreadSort.NEW: ("-published_at", "-pk"),
    ThreadSort.UNANSWERED: ("-published_at", "-pk"),
}


# --- Threads -----------------------------------------------------------------------


def visible_threads(member: Member) -> QuerySet[Thread]:
    """Threads and blog posts the member may see (their own drafts included), not removed."""
    return policy.filter_visible(member, Thread.objects.filter(deleted_at__isnull=True))


def published_threads(member: Member) -> QuerySet[Thread]:
    """Like ``visible_threads``, without drafts and scheduled posts (even the member's own): what lists show."""
    return visible_threads(member).filter(published_at__lte=timezone.now())


def posts_of_visible_threads(member: Member, posts: QuerySet[Post]) -> QuerySet[Post]:
    """Posts of threads the member may see, removed and hidden ones included: a thread's page shows
    them as such (``policy.filter_visible(member, posts)`` leaves them out, as lists and counts do)."""
    return posts.filter(thread__in=policy.filter_visible(member, Thread.objects.all()).values("pk"))


def _live_posts() -> QuerySet[Post]:
    return Post.objects.filter(deleted_at__isnull=True, hidden_at__isnull=True)


def with_reading_state(member: Member, threads: QuerySet[Thread]) -> QuerySet[Thread]:
    """Annotate how far the member has read each thread.

    ``read_up_to``: when they last read it (``NEVER`` if not yet);
    ``was_read``: whether they ever opened it;
    ``unread_posts``: posts by others written since, not removed.
    """
    read_at = ReadState.objects.filter(member=member, thread=OuterRef("pk")).values("last_read_at")[:1]
    unread = (
        _live_posts()
        .filter(thread=OuterRef("pk"), created_at__gt=OuterRef("read_up_to"))
        .exclude(author=member)
        .order_by()
        .values("thread")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return threads.annotate(
        read_up_to=Coalesce(Subquery(read_at), Value(NEVER), output_field=DateTimeField()),
        was_read=Exists(ReadState.objects.filter(member=member, thread=OuterRef("pk"))),
    ).annotate(unread_posts=Coalesce(Subquery(unread, output_field=IntegerField()), Value(0)))


def _listed(threads: QuerySet[Thread]) -> QuerySet[Thread]:
    joined = threads.select_related("author", "marking", "board", "community", "community__marking")
    return joined.prefetch_related("tags")  # type: ignore[misc]  # taggit managers prefetch; the stubs cannot tell


def board_threads(member: Member, board: Board, sort: ThreadSort = ThreadSort.ACTIVITY) -> QuerySet[Thread]:
    """The board's threads the member may see, with reading state, sorted; ``UNANSWERED`` keeps
    only questions without an accepted answer."""
    threads = published_threads(member).filter(board=board)
    if sort is ThreadSort.UNANSWERED:
        threads = threads.filter(kind=Thread.Kind.QUESTION, accepted_post__isnull=True)
    return _listed(with_reading_state(member, threads)).order_by(*THREAD_ORDER[sort])


def recent_threads(member: Member, community: Community, limit: int = RECENT_THREADS) -> QuerySet[Thread]:
    """The community's most recently active board threads the member may see."""
    threads = published_threads(member).filter(community=community, board__isnull=False)
    return _listed(with_reading_state(member, threads)).order_by("-last_post_at", "-pk")[:limit]


def thread_in(member: Member, community: Community, pk: int, *, blog: bool | None = None) -> Thread:
    """A thread (with ``blog=True`` a blog post, with ``blog=False`` a board thread, by default either) of the
    community that the member may see, even if removed (it shows as removed); ``Thread.DoesNotExist`` otherwise."""
    threads = Thread.objects.filter(community=community, pk=pk)
    if blog is not None:
        threads = threads.filter(kind=Thread.Kind.BLOG) if blog else threads.exclude(kind=Thread.Kind.BLOG)
    visible: QuerySet[Thread] = policy.filter_visible(member, threads)
    return visible.select_related("community", "marking", "board", "author", "community__marking").get()


def last_read_at(member: Member, thread: Thread) -> datetime | None:
    return ReadState.objects.filter(member=member, thread=thread).values_list("last_read_at", flat=True).first()


def markings_for_posting(member: Member, community: Community) -> QuerySet[Marking]:
    """The markings the member may give a thread or blog post here: those they are cleared for, never below
    the community's own (so a page's banner is never lower than the community's)."""
    cleared = policy.member_access(member).visible_marking_ids
    return Marking.objects.filter(pk__in=cleared, rank__gte=community.marking.rank).order_by("rank", "slug")


# --- Boards ------------------------------------------------------------------------


@dataclass(frozen=True)
class BoardRow:
    board: Board
    thread_count: int
    unread_count: int


def community_boards(member: Member, community: Community) -> list[BoardRow]:
    """The community's boards in their order, each with the threads the member may see and how many
    of those have something new for them. One query. Empty when the member may not see the content."""
    if not policy.can_view_community_content(member, community):
        return []
    visible = published_threads(member).filter(community=community)
    unread = with_reading_state(member, visible).filter(Q(unread_posts__gt=0))
    boards = Board.objects.filter(community=community).annotate(
        thread_count=Count("threads", filter=Q(threads__in=visible.values("pk")), distinct=True),
        unread_count=Count("threads", filter=Q(threads__in=unread.values("pk")), distinct=True),
    )
    return [
        BoardRow(board, board.thread_count, board.unread_count) for board in boards.order_by("position", "name", "pk")
    ]


def board_in(member: Member, community: Community, slug: str) -> Board:
    """The community's board at ``slug``, for a member who may see the community's content;
    ``Board.DoesNotExist`` otherwise."""
    readable = policy.filter_content_communities(member, Community.objects.filter(pk=community.pk))
    return Board.objects.filter(community__in=readable.values("pk")).get(slug=slug)


# --- Posts -------------------------------------------------------------------------


def thread_posts(member: Member, thread: Thread, read_up_to: datetime | None) -> QuerySet[Post]:
    """The thread's posts the member may see: the opening post, then the accepted answer, then the
    replies in order. ``is_new`` marks posts by others written after ``read_up_to``."""
    rank = [When(is_opening=True, then=Value(0))]
    if thread.accepted_post_id is not None:
        rank.append(When(pk=thread.accepted_post_id, then=Value(1)))
    is_new = Q(created_at__gt=read_up_to or NEVER) & ~Q(author=member)
    posts = posts_of_visible_threads(member, Post.objects.filter(thread=thread))
    return (
        posts.select_related("author", "quote_of", "quote_of__author", "hidden_by")
        .annotate(
            rank=Case(*rank, default=Value(2), output_field=IntegerField()),
            is_new=Case(When(is_new, then=Value(True)), default=Value(False), output_field=BooleanField()),
        )
        .order_by("rank", "created_at", "pk")
    )


def post_in(member: Member, community: Community, pk: int) -> Post:
    """A post (reply, comment or opening post) in the community that the member may see;
    ``Post.DoesNotExist`` otherwise."""
    posts = posts_of_visible_threads(member, Post.objects.filter(pk=pk, thread__community=community))
    return posts.select_related("thread", "thread__community", "thread__marking", "author").get()


def quotable_post(member: Member, thread: Thread, pk: int) -> Post | None:
    """A post of ``thread`` the member may see and quote (not removed), or ``None``."""
    posts = posts_of_visible_threads(member, _live_posts().filter(thread=thread, pk=pk))
    return posts.select_related("author").first()


def post_revisions(post: Post) -> list[PostRevision]:
    """A post's earlier texts, oldest first, with who made each edit (the post was read through the policy)."""
    return list(PostRevision.objects.filter(post=post).select_related("editor").order_by("created_at", "pk"))


# --- Blogs -------------------------------------------------------------------------


def _blog_posts(threads: QuerySet[Thread]) -> QuerySet[Thread]:
    opening = Post.objects.filter(thread=OuterRef("pk"), is_opening=True).values("body_html")[:1]
    return _listed(threads.filter(kind=Thread.Kind.BLOG)).annotate(opening_html=Subquery(opening))


def community_blog(
    member: Member, community: Community, *, year: int | None = None, month: int | None = None
) -> QuerySet[Thread]:
    """The community's published blog posts the member may see, newest first; one month's with ``year`` and
    ``month``."""
    posts = published_threads(member).filter(community=community)
    if year is not None and month is not None:
        posts = posts.filter(published_at__year=year, published_at__month=month)
    return _blog_posts(posts).order_by("-published_at", "-pk")


@dataclass(frozen=True)
class ArchiveMonth:
    month: datetime
    count: int


def blog_months(member: Member, community: Community) -> list[ArchiveMonth]:
    """The months in which the community published blog posts the member may see, newest first, with counts."""
    posts = published_threads(member).filter(community=community, kind=Thread.Kind.BLOG)
    rows = (
        posts.annotate(month=TruncMonth("published_at"))
        .values("month")
        .annotate(count=Count("pk"))
        .order_by("-month")
        .values_list("month", "count")
    )
    return [ArchiveMonth(month, count) for month, count in rows]


def blog_drafts(member: Member, community: Community) -> QuerySet[Thread]:
    """The member's own drafts and scheduled blog posts in the community."""
    now = timezone.now()
    posts = visible_threads(member).filter(community=community, author=member)
    return _blog_posts(posts.filter(Q(published_at__isnull=True) | Q(published_at__gt=now))).order_by(
        "-created_at", "-pk"
    )


def member_blog(viewer: Member, author: Member) -> QuerySet[Thread]:
    """The author's published blog posts, in every community, that the viewer may see; newest first."""
    return _blog_posts(published_threads(viewer).filter(author=author)).order_by("-published_at", "-pk")


# --- Mentions that name nobody -------------------------------------------------


def unknown_mentions(viewer: Member, body: str, *, thread: Thread | None = None, new_in: Community | None = None,
                     marking: Marking | None = None) -> list[str]:  # fmt: skip
    """The ``@words`` of ``body`` that name no member the viewer may see who may see the thread (or, for a
    new thread in ``new_in``, its community's content at ``marking``), as typed: the writer is warned."""
    handles = mentioned_handles(body)
    if not handles:
        return []
    members = policy.filter_visible_members(viewer, Member.objects.filter(handle__in=sorted(handles)))
    if thread is not None:
        members = policy.filter_members_who_may_view(thread, members)
    elif new_in is not None:
        allowed = (
            policy.members_cleared_to_see_content()
            & policy.members_cleared_for(new_in.marking)
            & policy.members_cleared_for(marking or new_in.marking)
        )
        if new_in.visibility != Community.Visibility.OPEN:
            allowed &= policy.members_in_role_groups(new_in)
        members = members.filter(allowed)
    known = [handle for handle in members.values_list("handle", flat=True) if handle]
    return unknown_mentions_in(body, known)
