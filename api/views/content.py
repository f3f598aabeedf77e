"""Every registered content type, read through the content registry: the types, a type's list, one item."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from api.permissions import check_scope
from api.serializers import ItemSerializer, PagedFilters, TypeSerializer
from api.views.base import ApiGenericView, ApiView
from verification import policy
from verification.models import Member
from verification.registry import ContentRegistration, content_registry

TYPE_PARAMETER = OpenApiParameter(
    "type",
    str,
    OpenApiParameter.PATH,
    description="A content type's label, as /api/v1/content/ lists them.",
    enum=[registration.label for registration in content_registry],
)


ITEM_EXAMPLE = OpenApiExample(
    "A thread",
    value={
        "id": 118,
        "type": "discussions.thread",
        "title": "Shelter capacity on Bolivar Peninsula",
        "url": "https://muster.example.gov/communities/gulf-coast-hurricane-response/threads/118/",
        "community": {"id": 3, "slug": "gulf-coast-hurricane-response", "name": "Gulf Coast Hurricane Response"},
        "marking": {"slug": "unmarked", "name": "Unmarked"},
        "author": {"id": 12, "handle": "dana-reyes", "name": "Dana Reyes"},
        "parent": None,
        "created_at": "2026-11-30T18:04:00Z",
        "tags": ["shelters"],
        "removed": False,
        "fields": {"kind": "discussion", "reply_count": 4},
    },
    response_only=True,
)


def registration_of(request: Request, label: str) -> ContentRegistration:
    """The type of this label, when the request's token has the scope that reads it."""
    try:
        registration = content_registry.by_label(label)
    except LookupError:
        raise NotFound("There is no such content type.") from None
    check_scope(request, registration.api_scope)
    return registration


def shown(registration: ContentRegistration, items: QuerySet[Any]) -> QuerySet[Any]:
    """``items`` with what showing them reads, fetched in the same queries whatever their number."""
    related = list(registration.related_for_display())
    if registration.author:
        related.append(registration.author)
    items = items.select_related(*related)
    if registration.taggable:
        items = items.prefetch_related("tags")
    return items


def removed_ids(member: Member, registration: ContentRegistration, items: list[Any]) -> set[int]:
    """Which of these items are removed (only moderators see them): one query, none when nothing can be."""
    if not items or not registration.not_removed or not policy.member_access(member).moderated_community_ids():
        return set()
    model = registration.model
    listed = set(
        model._default_manager.filter(registration.not_removed, pk__in=[item.pk for item in items]).values_list(
            "pk", flat=True
        )
    )
    return {item.pk for item in items} - listed


class ContentFilters(PagedFilters):
    community = serializers.SlugField(required=False, help_text="A community's address.")
    author = serializers.SlugField(required=False, help_text="The author's @handle, without the @.")
    tag = serializers.CharField(required=False, max_length=100)
    marking = serializers.SlugField(required=False, help_text="Only items marked so (a child: its parent).")
    parent = serializers.IntegerField(required=False, min_value=1, help_text="A child type's parent (a post's thread).")  # type: ignore[assignment]
    since = serializers.DateTimeField(required=False, help_text="Made at or after this time.")
    before = serializers.DateTimeField(required=False, help_text="Made before this time.")
    order = serializers.ChoiceField(choices=["newest", "oldest"], default="newest")


def filtered(registration: ContentRegistration, items: QuerySet[Any], filters: dict[str, Any]) -> QuerySet[Any]:
    if "community" in filters:
        if registration.community is None:
            return items.none()
        items = items.filter(**{f"{registration.community}__slug": filters["community"]})
    if "author" in filters:
        if registration.author is None:
            return items.none()
        items = items.filter(**{f"{registration.author}__handle": filters["author"]})
    if "tag" in filters:
        if not registration.taggable:
            return items.none()
        items = items.filter(tags__name__iexact=filters["tag"])
    if "parent" in filters:
        if registration.parent is None:
            return items.none()
        items = items.filter(**{f"{registration.parent}_id": filters["parent"]})
    if "since" in filters:
        items = items.filter(created_at__gte=filters["since"])
    if "before" in filters:
        items = items.filter(created_at__lt=filters["before"])
    if "marking" in filters:
        own = registration.marking if registration.parent is None else f"{registration.parent}__marking"
        if own is None:
            return items.none()
        items = items.filter(**{f"{own}__slug": filters["marking"]})
    return items


def item_answer(request: Request, member: Member, registration: ContentRegistration, pk: int) -> Any:
    """One item as the API shows it, when the member may see it (404 otherwise, whether or not it exists); a
    marked one's view is audited."""
    items = policy.filter_visible(member, registration.model._default_manager.filter(pk=pk))
    item = shown(registration, items).first()
    if item is None:
        raise NotFound("Nothing you may see is there.")
    policy.record_view(member, item, request)
    context = {
        "request": request,
        "registration": registration,
        "removed_ids": removed_ids(member, registration, [item]),
    }
    return ItemSerializer(item, context=context).data


class ContentTypesView(ApiView):
    """The content types the API reads, each with its own fields and the address of its list."""

    pagination_class = None

    @extend_schema(
        operation_id="content_types_list",
        responses=TypeSerializer(many=True),
        summary="List content types",
        tags=["content"],
        examples=[
            OpenApiExample(
                "Threads",
                value=[
                    {
                        "type": "discussions.thread",
                        "name": "Discussion",
                        "plural": "Discussions, questions and blog posts",
                        "fields": ["kind"],
                        "taggable": True,
                        "parent": None,
                        "list_url": "https://muster.example.gov/api/v1/content/discussions.thread/",
                    }
                ],
                response_only=True,
            )
        ],
    )
    def get(self, request: Request) -> Response:
        registrations = list(content_registry)
        return Response(TypeSerializer(registrations, many=True, context={"request": request}).data)  # type: ignore[arg-type]


class ContentListView(ApiGenericView):
    """Items of one type the member may see, newest first: the same items the site's pages show them."""

    serializer_class = ItemSerializer
    read_scope = ""  # the type's own (registration_of)

    @extend_schema(
        operation_id="content_list",
        parameters=[TYPE_PARAMETER, ContentFilters],
        summary="List items of a type",
        examples=[ITEM_EXAMPLE],
        tags=["content"],
    )
    def get(self, request: Request, type: str) -> Response:
        registration = registration_of(request, type)
        filters = ContentFilters(data=request.query_params.dict())
        filters.is_valid(raise_exception=True)
        self.cursor_ordering = ("pk",) if filters.validated_data["order"] == "oldest" else ("-pk",)
        items = filtered(registration, registration.model._default_manager.all(), filters.validated_data)
        if registration.listed_for is not None:
            items = items.filter(registration.listed_for(self.member))
        visible = shown(registration, policy.filter_visible(self.member, items))
        page = self.paginate_queryset(visible) or []
        policy.record_views(self.member, page, request)
        context = self.get_serializer_context() | {
            "registration": registration,
            "removed_ids": removed_ids(self.member, registration, page),
        }
        return self.get_paginated_response(ItemSerializer(page, many=True, context=context).data)


class ContentDetailView(ApiView):
    """One item, when the member may see it (404 otherwise, whether or not it exists)."""

    read_scope = ""  # the type's own (registration_of)

    @extend_schema(
        operation_id="content_retrieve",
        parameters=[TYPE_PARAMETER],
        responses=ItemSerializer,
        summary="Read one item",
        tags=["content"],
        examples=[ITEM_EXAMPLE],
    )
    def get(self, request: Request, type: str, pk: int) -> Response:
        return Response(item_answer(request, self.member, registration_of(request, type), pk))
