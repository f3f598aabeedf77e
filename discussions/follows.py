"""What members follow in discussions: a board, a thread, a member's blog."""

from collections.abc import Collection
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse

from communities.models import Community
from discussions.models import Board, Thread
from discussions.services import thread_url
from notices.follow import events_about, register_followable
from verification import policy
from verification.models import Member


def _boards_seen_by(member: Member, boards: QuerySet[Any]) -> QuerySet[Any]:
    return boards.filter(community__in=policy.filter_content_communities(member, Community.objects.all()))


def _board_events(ids: Collection[int]) -> Q:
    return events_about(Thread, Thread.objects.filter(board_id__in=ids))


def _thread_events(ids: Collection[int]) -> Q:
    return events_about(Thread, ids)


def _blog_events(ids: Collection[int]) -> Q:
    return events_about(Thread, Thread.objects.filter(kind=Thread.Kind.BLOG, author_id__in=ids))


def register_followables() -> None:
    register_followable(
        Board,
        label="board",
        title=lambda board: f"{board.name} ({board.community.name})",
        url=lambda board: reverse("discussions:board", kwargs={"slug": board.community.slug, "board": board.slug}),
        visible=_boards_seen_by,
        events=_board_events,
        display_related=("community",),
    )
    register_followable(
        Thread,
        label="thread",
        title=lambda thread: thread.title,
        url=thread_url,
        visible=policy.filter_visible,
        events=_thread_events,
        display_related=("community",),
    )
    register_followable(
        Member,
        label="blog",
        title=lambda member: f"{member.display_name}'s blog",
        url=lambda member: reverse("discussions:member_blog", kwargs={"pk": member.pk}),
        visible=policy.filter_visible_members,
        events=_blog_events,
    )
