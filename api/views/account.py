"""The caller themselves: their profile and standing, and what their token may do."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from api.models import AccessToken
from api.serializers import CommunityRefSerializer, MarkingSerializer
from api.views.base import ApiView
from communities.models import Community
from verification import policy
from verification.models import Marking


class TokenInfoSerializer(serializers.Serializer[AccessToken]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    scopes = serializers.ListField(child=serializers.CharField())
    ceiling = MarkingSerializer(allow_null=True)
    expires_at = serializers.DateTimeField()


class MeSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    handle = serializers.CharField(allow_null=True)
    name = serializers.CharField()
    verified_until = serializers.DateTimeField(allow_null=True)
    markings = MarkingSerializer(many=True, help_text="What this request may see: a token's ceiling applies.")
    communities = CommunityRefSerializer(many=True, help_text="The communities the member belongs to.")
    moderates = serializers.ListField(child=serializers.IntegerField(), help_text="Ids of communities they moderate.")
    token = TokenInfoSerializer(allow_null=True, help_text="The token of this request; null with a session.")


ME_EXAMPLE = OpenApiExample(
    "A member cleared for FOUO, calling with a read-only token",
    value={
        "id": 12,
        "handle": "dana-reyes",
        "name": "Dana Reyes",
        "verified_until": "2027-06-30T00:00:00Z",
        "markings": [{"slug": "unmarked", "name": "Unmarked"}, {"slug": "fouo", "name": "FOUO"}],
        "communities": [{"id": 3, "slug": "gulf-coast-hurricane-response", "name": "Gulf Coast Hurricane Response"}],
        "moderates": [3],
        "token": {
            "id": 7,
            "name": "EOC board",
            "scopes": ["read"],
            "ceiling": None,
            "expires_at": "2027-03-01T12:00:00Z",
        },
    },
    response_only=True,
)


class MeView(ApiView):
    """The member's own profile and standing, as the policy sees them for this request."""

    pagination_class = None

    @extend_schema(
        operation_id="me_retrieve",
        responses=MeSerializer,
        summary="Who am I",
        tags=["account"],
        examples=[ME_EXAMPLE],
    )
    def get(self, request: Request) -> Response:
        member = self.member
        access = policy.member_access(member)
        communities = policy.filter_member_communities(member, Community.objects.order_by("name"))
        token = request.auth if isinstance(request.auth, AccessToken) else None
        data = {
            "id": member.pk,
            "handle": member.handle,
            "name": member.display_name,
            "verified_until": member.verified_until,
            "markings": Marking.objects.filter(pk__in=access.visible_marking_ids).order_by("rank"),
            "communities": communities,
            "moderates": sorted(access.moderated_community_ids()),
            "token": token,
        }
        return Response(MeSerializer(data).data)
