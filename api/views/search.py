"""Search over every content type and over members, with the site's query grammar (search/query.py)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from api.permissions import has_scope
from api.serializers import MarkingSerializer, StrictSerializer
from api.views.base import ApiView
from search import selectors
from search.query import ParsedQuery, parse, search_types
from verification import policy
from verification.registry import content_registry


class SearchParameters(StrictSerializer):
    q = serializers.CharField(
        max_length=500,
        help_text='Words, "phrases", -excluded and operators (type:, #community, tag:, marking:, author:, '
        "after:, before:, in:saved, order:) as on the site's search page.",
    )
    page = serializers.IntegerField(required=False, min_value=1, default=1)


class FacetValueSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(source="label")
    query = serializers.CharField(source="operator", help_text="What to add to q to narrow the search by it.")
    count = serializers.IntegerField()


class SearchResultSerializer(serializers.Serializer[Any]):
    type = serializers.CharField(help_text="A content type's label, or 'member'.")
    id = serializers.IntegerField()
    title = serializers.CharField()
    snippet = serializers.CharField(help_text="HTML: escaped text, matches in <mark>.")
    marking = MarkingSerializer(allow_null=True, help_text="Null when unmarked.")
    community = serializers.CharField(allow_null=True, help_text="The community's address.")
    published_at = serializers.DateTimeField(allow_null=True)
    url = serializers.CharField(help_text="The page on the site.")
    api_url = serializers.CharField(allow_null=True, help_text="The item in the API (null for a member).")


class SearchAnswerSerializer(serializers.Serializer[Any]):
    q = serializers.CharField()
    notes = serializers.ListField(child=serializers.CharField(), help_text="What the query parser set aside, and why.")
    total = serializers.IntegerField()
    bounded = serializers.BooleanField(help_text="More were found than are counted: total is the newest counted.")
    facets = serializers.DictField(child=FacetValueSerializer(many=True))
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    results = SearchResultSerializer(many=True)


def readable_types_only(request: Request, query: ParsedQuery) -> bool:
    """Narrow the query to the types the token's scopes read (chat needs ``chat``, as on every path); False
    when it asked only for types the token may not read."""
    unreadable = {
        registration.search_type
        for registration in content_registry.searchable()
        if not has_scope(request, registration.api_scope)
    }
    if not unreadable:
        return True
    asked = query.types or list(search_types())
    query.types = [kind for kind in asked if kind not in unreadable]
    return bool(query.types)


class SearchView(ApiView):
    """What the site's search page finds for the member, one page (20) at a time, with its facets."""

    pagination_class = None

    @extend_schema(
        parameters=[SearchParameters],
        responses=SearchAnswerSerializer,
        summary="Search",
        tags=["search"],
        examples=[OpenApiExample("A phrase in one community", value='"mutual aid" #gulf-coast type:thread')],
    )
    def get(self, request: Request) -> Response:
        parameters = SearchParameters(data=request.query_params.dict())
        parameters.is_valid(raise_exception=True)
        text, number = parameters.validated_data["q"], parameters.validated_data["page"]
        query = parse(text)
        nothing_to_search = query.is_empty
        if nothing_to_search:
            query.notes = query.notes or ["Type a word to search for."]
        elif not readable_types_only(request, query):
            nothing_to_search = True
            query.notes.append("This token's scopes read none of the types asked for.")
        if nothing_to_search:
            empty = {"q": text, "notes": query.notes, "total": 0, "bounded": False}
            return Response(SearchAnswerSerializer({**empty, "facets": {}, "page": 1, "pages": 0, "results": []}).data)
        found = selectors.search(self.member, query, number)
        shown = selectors.marked_for_audit((result.entry, result.marking) for result in found.results)
        policy.record_search(self.member, shown, text, request)
        labels = {registration.content_type().pk: registration.label for registration in content_registry}
        results = [
            {
                "type": labels.get(result.entry.content_type_id, "member"),
                "id": result.entry.object_id,
                "title": result.entry.heading,
                "snippet": str(result.snippet),
                "marking": result.marking,
                "community": result.entry.community.slug if result.entry.community is not None else None,
                "published_at": result.entry.published_at,
                "url": request.build_absolute_uri(result.url),
                "api_url": (
                    request.build_absolute_uri(f"/api/v1/content/{label}/{result.entry.object_id}/")
                    if (label := labels.get(result.entry.content_type_id))
                    else None
                ),
            }
            for result in found.results
        ]
        answer = {
            "q": text,
            "notes": query.notes,
            "total": found.facets.total,
            "bounded": found.facets.bounded,
            "facets": found.facets.groups,
            "page": found.page.number,
            "pages": found.page.paginator.num_pages if found.facets.total else 0,
            "results": results,
        }
        return Response(SearchAnswerSerializer(answer).data)
