"""Threads and replies: start a thread, reply, and edit one's own, through the discussion services.

Reading goes through the generic content endpoints (``/api/v1/content/discussions.thread/`` and
``discussions.post/?parent=<thread>``). A thread the member may not see is "not found", whatever the
reason; one they see but may not change is 403. The services decide every rule (who may post where, at
which marking, locked threads, quotes); these views parse JSON and call one service each.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from api.errors import ApiError
from api.serializers import ItemSerializer, StrictSerializer
from api.views.base import ApiView
from api.views.content import item_answer
from communities import selectors as community_selectors
from communities.models import Community
from discussions import selectors, services
from discussions.models import BODY_MAX, TITLE_MAX, Board, Post, Thread
from verification.models import Marking, Member
from verification.registry import content_registry

TAG_MAX = 100
TAGS_MAX = 20


# --- Input ---------------------------------------------------------------------------------


class ThreadCreateSerializer(StrictSerializer):
    community = serializers.SlugField(help_text="The community's address.")
    board = serializers.IntegerField(
        required=False, min_value=1, help_text="One of the community's boards; by default its first board."
    )
    title = serializers.CharField(max_length=TITLE_MAX)
    body = serializers.CharField(max_length=BODY_MAX, help_text="Markdown; @handle mentions a member.")
    marking = serializers.SlugField(
        required=False,
        help_text="A marking the member (and the token's ceiling) may use here, never below the community's own; "
        "by default the lowest such marking (unmarked in an unmarked community).",
    )
    kind = serializers.ChoiceField(
        choices=[Thread.Kind.DISCUSSION.value, Thread.Kind.QUESTION.value], default=Thread.Kind.DISCUSSION.value
    )
    tags = serializers.ListField(
        child=serializers.CharField(max_length=TAG_MAX), required=False, max_length=TAGS_MAX, default=list
    )


class ThreadEditSerializer(StrictSerializer):
    title = serializers.CharField(max_length=TITLE_MAX, required=False)
    body = serializers.CharField(max_length=BODY_MAX, required=False, help_text="The opening post's new text.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs:
            raise serializers.ValidationError("Send a new title, a new body, or both.")
        return attrs


class ReplyCreateSerializer(StrictSerializer):
    body = serializers.CharField(max_length=BODY_MAX, help_text="Markdown; @handle mentions a member.")
    quote_of = serializers.IntegerField(required=False, min_value=1, help_text="A post of this thread to quote.")


class ReplyEditSerializer(StrictSerializer):
    body = serializers.CharField(max_length=BODY_MAX)


# --- Finding things ------------------------------------------------------------------------


def known_community(member: Member, slug: str) -> Community:
    try:
        return community_selectors.community_known_to(member, slug)
    except Community.DoesNotExist:
        raise NotFound("Nothing you may see is there.") from None


def visible_thread(member: Member, pk: int) -> Thread:
    """A thread (or blog post) the member may see, not removed; 404 otherwise, whatever the reason."""
    thread = selectors.visible_threads(member).filter(pk=pk).select_related("community", "marking").first()
    if thread is None:
        raise NotFound("Nothing you may see is there.")
    return thread


def visible_reply(member: Member, pk: int) -> Post:
    """A reply (not an opening post) in a thread the member may see; 404 otherwise."""
    posts = selectors.posts_of_visible_threads(member, Post.objects.filter(pk=pk, is_opening=False))
    post = posts.select_related("thread", "thread__community").first()
    if post is None:
        raise NotFound("Nothing you may see is there.")
    return post


def posting_marking(member: Member, community: Community, slug: str | None) -> Marking:
    """The marking asked for, when the member (within the token's ceiling) may post at it here; by default the
    lowest one they may use, as the site's form offers first. 400 ``marking_not_allowed`` otherwise."""
    allowed = list(selectors.markings_for_posting(member, community))
    if slug is None:
        if allowed:
            return allowed[0]
    else:
        for marking in allowed:
            if marking.slug == slug:
                return marking
    choices = ", ".join(marking.slug for marking in allowed) or "none"
    asked = f"'{slug}'" if slug is not None else "any marking"
    raise ApiError(
        "marking_not_allowed",
        f"You may not post at {asked} in {community.name} (with this token). Markings you may use here: {choices}.",
    )


def chosen_board(member: Member, community: Community, pk: int | None) -> Board | None:
    """The board asked for, or the community's first board as its board list orders them. ``None`` when
    there is none: the service refuses that with a message."""
    if pk is not None:
        return Board.objects.filter(community=community, pk=pk).first()
    rows = selectors.community_boards(member, community)
    return rows[0].board if rows else None


def item_data(request: Request, member: Member, model: type[Model], pk: int) -> Any:
    """The item as ``/api/v1/content/<type>/<id>/`` shows it (its view of a marked item audited)."""
    return item_answer(request, member, content_registry.get(model), pk)


# --- Views ----------------------------------------------------------------------------------


class ThreadCreateView(ApiView):
    @extend_schema(
        request=ThreadCreateSerializer,
        responses={201: ItemSerializer},
        summary="Start a thread",
        tags=["discussions"],
    )
    def post(self, request: Request) -> Response:
        """Start a thread (or a question) on one of a community's boards, as its members do on the site.

        Needs the ``write`` scope. The member must belong to the community and be cleared for the marking;
        a marking above their clearance or the token's ceiling is 400 ``marking_not_allowed`` and nothing
        is made. The answer is the thread as ``/api/v1/content/discussions.thread/<id>/`` shows it.
        """
        form = ThreadCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        community = known_community(self.member, data["community"])
        marking = posting_marking(self.member, community, data.get("marking"))
        thread = services.thread_start(
            author=self.member,
            community=community,
            board=chosen_board(self.member, community, data.get("board")),
            title=data["title"],
            body=data["body"],
            marking=marking,
            kind=data["kind"],
            tags=[tag.strip() for tag in data["tags"] if tag.strip()],
        )
        return Response(item_data(request, self.member, Thread, thread.pk), status=status.HTTP_201_CREATED)


class ThreadEditView(ApiView):
    @extend_schema(
        request=ThreadEditSerializer, responses=ItemSerializer, summary="Edit a thread", tags=["discussions"]
    )
    def patch(self, request: Request, pk: int) -> Response:
        """Change the title or the opening post of one's own thread; the earlier text stays in its history.

        Needs the ``write`` scope. 404 for a thread the member may not see; 403 ``permission_denied`` for
        someone else's.
        """
        thread = visible_thread(self.member, pk)
        form = ThreadEditSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        opening = Post.objects.get(thread=thread, is_opening=True)
        services.post_edit(
            post=opening,
            editor=self.member,
            body=form.validated_data.get("body", opening.body),
            title=form.validated_data.get("title"),
        )
        return Response(item_data(request, self.member, Thread, thread.pk))


class ReplyCreateView(ApiView):
    @extend_schema(
        request=ReplyCreateSerializer,
        responses={201: ItemSerializer},
        summary="Reply to a thread",
        tags=["discussions"],
    )
    def post(self, request: Request, pk: int) -> Response:
        """Reply to a thread (or comment on a blog post), perhaps quoting one of its posts.

        Needs the ``write`` scope. 404 for a thread the member may not see; 403 when they see it but may not
        post there (not a member of its community); 400 for a locked thread or a post to quote that is not
        in it. The answer is the reply as ``/api/v1/content/discussions.post/<id>/`` shows it.
        """
        thread = visible_thread(self.member, pk)
        form = ReplyCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        quoted = None
        if "quote_of" in form.validated_data:
            quoted = selectors.quotable_post(self.member, thread, form.validated_data["quote_of"])
            if quoted is None:
                raise ValidationError({"quote_of": ["You can only quote a post of this thread."]})
        post = services.post_reply(author=self.member, thread=thread, body=form.validated_data["body"], quote_of=quoted)
        return Response(item_data(request, self.member, Post, post.pk), status=status.HTTP_201_CREATED)


class ReplyEditView(ApiView):
    @extend_schema(request=ReplyEditSerializer, responses=ItemSerializer, summary="Edit a reply", tags=["discussions"])
    def patch(self, request: Request, pk: int) -> Response:
        """Change the text of one's own reply; the earlier text stays in its history.

        Needs the ``write`` scope. 404 for a reply the member may not see; 403 ``permission_denied`` for
        someone else's.
        """
        post = visible_reply(self.member, pk)
        form = ReplyEditSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.post_edit(post=post, editor=self.member, body=form.validated_data["body"])
        return Response(item_data(request, self.member, Post, post.pk))
