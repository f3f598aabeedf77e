"""How the API shows members, communities and items of every registered type.

``ItemSerializer`` reads any registered type through its registration: what
every item carries, and the type's own ``api_fields``. A new content type
appears in the API by registering.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from communities.models import Community
from verification import policy
from verification.models import Marking, Member
from verification.registry import ContentRegistration


class StrictSerializer(serializers.Serializer[Any]):
    """Refuses fields it does not know (a typo must not be silently ignored), with code ``unknown_field``."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(str(key) for key in data if key not in writable)
            if unknown:
                raise serializers.ValidationError(
                    {name: ["This field is unknown here."] for name in unknown}, code="unknown_field"
                )
        return super().to_internal_value(data)


@extend_schema_field({"type": "integer", "minimum": 1})
class PageSizeField(serializers.CharField):
    """``page_size``: known to a list's filters, checked by the paginator alone (``invalid_page_size``)."""


class PagedFilters(StrictSerializer):
    """A list's query parameters: its own filters, and the paginator's, which only the paginator checks (so a
    bad cursor is ``cursor_invalid`` and a bad page size ``invalid_page_size``, never a generic ``invalid``)."""

    cursor = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, help_text="From a page's next or previous link."
    )
    page_size = PageSizeField(required=False, allow_blank=True, help_text="Items per page (1 to the maximum).")


class MarkingSerializer(serializers.Serializer[Marking]):
    slug = serializers.SlugField()
    name = serializers.CharField()


class MemberRefSerializer(serializers.Serializer[Member]):
    id = serializers.IntegerField()
    handle = serializers.CharField(allow_null=True)
    name = serializers.CharField(source="display_name")


class CommunityRefSerializer(serializers.Serializer[Community]):
    id = serializers.IntegerField()
    slug = serializers.SlugField()
    name = serializers.CharField()


class ParentRefSerializer(serializers.Serializer[Any]):
    type = serializers.CharField()
    id = serializers.IntegerField()


def plain(value: Any) -> Any:
    """A field's value as JSON."""
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


class ItemSerializer(serializers.Serializer[Any]):
    """One item of a registered type (the registration comes in the context)."""

    id = serializers.IntegerField(source="pk", read_only=True)
    type = serializers.SerializerMethodField(help_text="The type's label, as in /api/v1/content/<type>/.")
    title = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField(help_text="The item's page on the site.")
    community = serializers.SerializerMethodField()
    marking = serializers.SerializerMethodField(help_text="The marking that governs the item (its own or higher).")
    author = serializers.SerializerMethodField()
    # ``parent`` and ``fields`` are also attributes of DRF serializers; as declared fields they only name keys.
    parent = serializers.SerializerMethodField()  # type: ignore[assignment]
    created_at = serializers.DateTimeField(read_only=True)
    tags = serializers.SerializerMethodField()
    removed = serializers.SerializerMethodField(help_text="Removed items are shown only to moderators.")
    fields = serializers.SerializerMethodField(  # type: ignore[assignment]
        method_name="get_own_fields", help_text="The type's own fields (see the type list)."
    )

    @property
    def registration(self) -> ContentRegistration:
        registration: ContentRegistration = self.context["registration"]
        return registration

    def get_type(self, item: Any) -> str:
        return self.registration.label

    def get_title(self, item: Any) -> str:
        return self.registration.title(item)

    def get_url(self, item: Any) -> str:
        path = self.registration.url(item)
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    @extend_schema_field(CommunityRefSerializer(allow_null=True))
    def get_community(self, item: Any) -> dict[str, Any] | None:
        community = policy.community_of(item)
        return CommunityRefSerializer(community).data if community is not None else None

    @extend_schema_field(MarkingSerializer)
    def get_marking(self, item: Any) -> dict[str, Any]:
        return dict(MarkingSerializer(policy.effective_marking(item)).data)

    @extend_schema_field(MemberRefSerializer(allow_null=True))
    def get_author(self, item: Any) -> dict[str, Any] | None:
        path = self.registration.author
        author = getattr(item, path) if path else None
        return dict(MemberRefSerializer(author).data) if author is not None else None

    @extend_schema_field(ParentRefSerializer(allow_null=True))
    def get_parent(self, item: Any) -> dict[str, Any] | None:
        path = self.registration.parent
        if path is None:
            return None
        return {"type": self.registration.parent_model()._meta.label_lower, "id": getattr(item, f"{path}_id")}

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_tags(self, item: Any) -> list[str]:
        if not self.registration.taggable:
            return []
        return sorted(tag.name for tag in item.tags.all())

    def get_removed(self, item: Any) -> bool:
        removed: set[int] = self.context.get("removed_ids", set())
        return bool(item.pk in removed)

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_own_fields(self, item: Any) -> dict[str, Any]:
        return {name: plain(getattr(item, name)) for name in self.registration.api_fields}


class TypeSerializer(serializers.Serializer[ContentRegistration]):
    type = serializers.CharField(source="label")
    name = serializers.CharField(source="type_label")
    plural = serializers.CharField()
    fields = serializers.ListField(source="api_fields", child=serializers.CharField())  # type: ignore[assignment]
    taggable = serializers.BooleanField()
    scope = serializers.CharField(source="api_scope", help_text="The token scope that reads this type.")
    parent = serializers.SerializerMethodField()  # type: ignore[assignment]
    list_url = serializers.SerializerMethodField()

    def get_parent(self, registration: ContentRegistration) -> str | None:
        return registration.parent_model()._meta.label_lower if registration.parent else None

    def get_list_url(self, registration: ContentRegistration) -> str:
        request = self.context["request"]
        return str(request.build_absolute_uri(f"/api/v1/content/{registration.label}/"))
