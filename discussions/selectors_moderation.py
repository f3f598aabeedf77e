"""Reads for moderation: boards to manage, the thread or post a moderator or reporter acts on, and the
moderation queue.

Every function narrows through the access policy: nothing from a thread the
member may not see, and the queue only for the community's moderators. Lists
run a fixed number of queries however many rows they hold.
"""

from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Subquery
from django.utils import timezone

from communities.models import Community
from discussions.models import Board, Flag, Post, Thread
from discussions.selectors import posts_of_visible_threads
from verification import policy
from verification.models import Member

# --- Boards -------------------------------------------------------------------------


def community_boards(member: Member, community: Community) -> QuerySet[Board]:
    """The community's boards in their order; none unless the member may see its content."""
    visible = policy.filter_content_communities(member, Community.objects.filter(pk=community.pk))
    return Board.objects.filter(community__in=visible).order_by("position", "name", "pk")


def board_in(member: Member, community: Community, slug: str) -> Board:
    """The community's board at ``slug``; ``Board.DoesNotExist`` when there is none the member may see."""
    return community_boards(member, community).get(slug=slug)


# --- What a moderator or reporter acts on ---------------------------------------------


def _visible_posts(member: Member, community: Community) -> QuerySet[Post]:
    return posts_of_visible_threads(member, Post.objects.filter(thread__community=community))


def thread_in(member: Member, community: Community, pk: int) -> Thread:
    """A thread of the community the member may see; ``Thread.DoesNotExist`` otherwise."""
    threads = policy.filter_visible(member, Thread.objects.filter(community=community, pk=pk))
    return threads.select_related("community", "marking", "board").get()


def post_in(member: Member, community: Community, pk: int) -> Post:
    """A post in a thread of the community the member may see; ``Post.DoesNotExist`` otherwise."""
    return (
        _visible_posts(member, community)
        .select_related("author", "thread__community__marking", "thread__marking")
        .get(pk=pk)
    )


def post_to_flag(member: Member, community: Community, pk: int) -> Post:
    """A post the member may flag: one still shown, in a published thread that has not been removed."""
    return (
        _visible_posts(member, community)
        .filter(
            deleted_at__isnull=True,
            hidden_at__isnull=True,
            thread__deleted_at__isnull=True,
            thread__published_at__lte=timezone.now(),
        )
        .select_related("author", "thread__community__marking", "thread__marking")
        .get(pk=pk)
    )


# --- The moderation queue -----------------------------------------------------------


def _open_flags() -> QuerySet[Flag]:
    return Flag.objects.filter(status=Flag.Status.OPEN)


def flagged_posts(member: Member, community: Community) -> QuerySet[Post]:
    """Posts with open flags, first flagged first, each with its open flags and their reporters
    (``post.open_flags``): the community's moderators only, and only in threads they may see."""
    if not policy.can_moderate(member, community):
        return Post.objects.none()
    flags_of_post = _open_flags().filter(post=OuterRef("pk"))
    first_flagged_at = Subquery(flags_of_post.order_by("created_at", "pk").values("created_at")[:1])
    return (
        _visible_posts(member, community)
        .filter(Exists(flags_of_post))
        .annotate(first_flagged_at=first_flagged_at)
        .select_related("author", "thread__community", "thread__marking")
        .prefetch_related(
            Prefetch(
                "flags",
                queryset=_open_flags().select_related("reporter").order_by("created_at", "pk"),
                to_attr="open_flags",
            )
        )
        .order_by("first_flagged_at", "pk")
    )


def hidden_posts(member: Member, community: Community) -> QuerySet[Post]:
    """Posts moderators have hidden, most recently hidden first: the community's moderators only."""
    if not policy.can_moderate(member, community):
        return Post.objects.none()
    return (
        _visible_posts(member, community)
        .filter(hidden_at__isnull=False)
        .select_related("author", "hidden_by", "thread__community", "thread__marking")
        .order_by("-hidden_at", "-pk")
    )


def open_flags(member: Member, community: Community) -> QuerySet[Flag]:
    """Open flags a moderator may dismiss: on posts of the community in threads they may see."""
    if not policy.can_moderate(member, community):
        return Flag.objects.none()
    return _open_flags().filter(post__in=_visible_posts(member, community).values("pk")).select_related("post")
