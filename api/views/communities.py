"""Communities: the directory the member may know of, one community, joining and leaving."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from api.serializers import MarkingSerializer, PagedFilters, StrictSerializer
from api.views.base import ApiGenericView, ApiView
from communities import selectors, services
from communities.models import Community
from verification import policy


class CommunitySerializer(serializers.Serializer[Community]):
    id = serializers.IntegerField()
    slug = serializers.SlugField()
    name = serializers.CharField()
    description = serializers.CharField()
    visibility = serializers.CharField()
    join_policy = serializers.CharField()
    marking = MarkingSerializer()
    member_count = serializers.IntegerField()
    last_activity_at = serializers.DateTimeField()
    tags = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    standing = serializers.SerializerMethodField(
        help_text="member, may_join, may_ask, asked, invited, invitation_only or banned."
    )

    def get_tags(self, community: Community) -> list[str]:
        return sorted(tag.name for tag in community.tags.all())

    def get_url(self, community: Community) -> str:
        return str(self.context["request"].build_absolute_uri(f"/communities/{community.slug}/"))

    def get_standing(self, community: Community) -> str:
        standing = self.context["standings"].get(community.pk)
        return str(standing.state) if standing is not None else ""


class DirectoryFilters(PagedFilters):
    q = serializers.CharField(required=False, max_length=200, help_text="Words in the name or description.")
    tag = serializers.ListField(child=serializers.SlugField(), required=False, help_text="Every tag required.")
    mine = serializers.BooleanField(required=False, default=False, help_text="Only communities the member is in.")


class JoinSerializer(StrictSerializer):
    message = serializers.CharField(required=False, allow_blank=True, max_length=2000, help_text="For a request.")


COMMUNITY_EXAMPLE = OpenApiExample(
    "An open community the member belongs to",
    value={
        "id": 3,
        "slug": "gulf-coast-hurricane-response",
        "name": "Gulf Coast Hurricane Response",
        "description": "Shelters, evacuation and recovery along the Gulf Coast.",
        "visibility": "open",
        "join_policy": "open",
        "marking": {"slug": "unmarked", "name": "Unmarked"},
        "member_count": 42,
        "last_activity_at": "2026-11-30T18:04:00Z",
        "tags": ["hurricanes", "shelters"],
        "url": "https://muster.example.gov/communities/gulf-coast-hurricane-response/",
        "standing": "member",
    },
    response_only=True,
)


def _serialized(request: Request, communities: list[Community], member: Any) -> Any:
    context = {"request": request, "standings": selectors.standings(member, communities)}
    return CommunitySerializer(communities, many=True, context=context).data  # type: ignore[arg-type]


def _known(member: Any, slug: str) -> Community:
    try:
        return selectors.community_known_to(member, slug)
    except Community.DoesNotExist:
        raise NotFound("Nothing you may see is there.") from None


class CommunityListView(ApiGenericView):
    """Active communities the member may know of (as the directory shows them), by name."""

    serializer_class = CommunitySerializer
    cursor_ordering = ("name", "pk")

    @extend_schema(
        operation_id="communities_list",
        parameters=[DirectoryFilters],
        summary="List communities",
        tags=["communities"],
        examples=[COMMUNITY_EXAMPLE],
    )
    def get(self, request: Request) -> Response:
        query = {**request.query_params.dict(), "tag": request.query_params.getlist("tag")}
        filters = DirectoryFilters(data=query)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        communities = selectors.community_directory(
            self.member, search=data.get("q", ""), tags=data.get("tag", []), mine=data["mine"]
        )
        page = self.paginate_queryset(communities) or []
        return self.get_paginated_response(_serialized(request, page, self.member))


class CommunityDetailView(ApiView):
    """One community the member may know of, by its address (404 for one they may not know of)."""

    @extend_schema(
        operation_id="communities_retrieve",
        responses=CommunitySerializer,
        summary="Read one community",
        tags=["communities"],
        examples=[COMMUNITY_EXAMPLE],
    )
    def get(self, request: Request, slug: str) -> Response:
        community = _known(self.member, slug)
        return Response(_serialized(request, [community], self.member)[0])


class CommunityJoinView(ApiView):
    """Join an open community at once, or ask to join one that takes requests (with a message)."""

    @extend_schema(
        operation_id="communities_join",
        request=JoinSerializer,
        responses={200: CommunitySerializer, 202: CommunitySerializer},
        summary="Join, or ask to join, a community",
        description="Joins an open community at once (200, standing ``member``), or asks to join a community "
        "that takes requests (202, standing ``asked``; the message goes to its moderators). A field the API "
        "does not know is refused with ``unknown_field`` and nothing is done.",
        tags=["communities"],
        examples=[
            OpenApiExample("Asking to join", value={"message": "EM planner for Galveston County."}, request_only=True),
            COMMUNITY_EXAMPLE,
        ],
    )
    def post(self, request: Request, slug: str) -> Response:
        community = _known(self.member, slug)
        form = JoinSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        with transaction.atomic():
            if community.join_policy == Community.JoinPolicy.REQUEST:
                services.join_request_create(
                    community=community, member=self.member, message=form.validated_data.get("message", "")
                )
                answer: int = status.HTTP_202_ACCEPTED
            else:
                services.membership_join(community=community, member=self.member)
                answer = status.HTTP_200_OK
        policy.forget_member_access(self.member)
        community = _known(self.member, slug)
        return Response(_serialized(request, [community], self.member)[0], status=answer)


class CommunityLeaveView(ApiView):
    """Leave a community the member belongs to (its last owner must first hand it on)."""

    @extend_schema(
        operation_id="communities_leave",
        request=None,
        responses={204: None},
        summary="Leave a community",
        tags=["communities"],
    )
    def post(self, request: Request, slug: str) -> Response:
        community = _known(self.member, slug)
        services.membership_leave(community=community, member=self.member)
        policy.forget_member_access(self.member)
        return Response(status=status.HTTP_204_NO_CONTENT)
