"""Notifications and subscriptions: what the member is told about, and what they follow and how often.

Notifications are read exactly as the notification page reads them (only those about things the member
may still see); subscriptions are written through the Follow control's service (``notices.follow``).
Someone else's notification or subscription is "not found".
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from api.serializers import CommunityRefSerializer, MarkingSerializer, MemberRefSerializer, StrictSerializer
from api.views.base import ApiGenericView, ApiView
from messaging.views.notifications import notification_rows
from notices import follow, notifications
from notices.follow import all_followables, followable_by_content_type_id
from notices.models import Delivery, Level, Notification, Subscription
from subscriptions import selectors
from subscriptions.selectors import FollowedRow
from verification.models import Member

# The API's word for each delivery: "off" is site only (no e-mail), as a one-click unsubscribe leaves it.
FREQUENCIES: dict[str, str] = {
    Delivery.IMMEDIATE.value: "immediate",
    Delivery.DAILY.value: "daily",
    Delivery.WEEKLY.value: "weekly",
    Delivery.SITE.value: "off",
}
DELIVERIES = {frequency: delivery for delivery, frequency in FREQUENCIES.items()}
FREQUENCY_HELP = "How often e-mail tells of it: immediate, daily or weekly digest, or off (on the site only)."


# --- Notifications ----------------------------------------------------------------------------


class NotificationSerializer(serializers.Serializer[Notification]):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="What happened (mention, reply, chat message …).")
    text = serializers.SerializerMethodField(help_text="The line the notification page shows.")
    url = serializers.SerializerMethodField(help_text="Where it leads on the site.")
    actor = MemberRefSerializer(allow_null=True)
    community = CommunityRefSerializer(allow_null=True)
    marking = MarkingSerializer(allow_null=True)
    count = serializers.IntegerField(help_text="How many events this row folds together (direct messages).")
    created_at = serializers.DateTimeField()
    read = serializers.BooleanField(source="is_read")
    read_at = serializers.DateTimeField(allow_null=True)

    def get_text(self, notification: Notification) -> str:
        return notifications.describe(notification, self.context["member"])

    def get_url(self, notification: Notification) -> str:
        return str(self.context["request"].build_absolute_uri(notification.url))


class MarkedSerializer(serializers.Serializer[Any]):
    marked = serializers.IntegerField(help_text="How many notifications were unread.")


class NotificationListView(ApiGenericView):
    serializer_class = NotificationSerializer

    @extend_schema(
        responses=NotificationSerializer(many=True),
        operation_id="notifications_list",
        summary="List notifications",
        tags=["notifications"],
    )
    def get(self, request: Request) -> Response:
        """The member's notifications, newest first, as the notification page shows them: only those about
        things they may still see (within the token's ceiling)."""
        page = self.paginate_queryset(notification_rows(self.member)) or []
        context = {"request": request, "member": self.member}
        data = NotificationSerializer(page, many=True, context=context).data  # type: ignore[arg-type]
        return self.get_paginated_response(data)


class NotificationReadView(ApiView):
    @extend_schema(request=None, responses={204: None}, summary="Mark a notification read", tags=["notifications"])
    def post(self, request: Request, pk: int) -> Response:
        """Mark one of the member's notifications read. Needs the ``write`` scope; 404 for a notification
        that is not theirs or that they may no longer see."""
        found = notifications.notifications_visible_to(self.member).filter(pk=pk).first()
        if found is None:
            raise NotFound("No such notification.")
        notifications.notification_mark_read(notification=found, member=self.member)
        return Response(status=status.HTTP_204_NO_CONTENT)


class NotificationReadAllView(ApiView):
    @extend_schema(
        request=None, responses=MarkedSerializer, summary="Mark every notification read", tags=["notifications"]
    )
    def post(self, request: Request) -> Response:
        """Mark all of the member's notifications read, as the page's button does. Needs the ``write`` scope."""
        marked = notifications.notifications_mark_all_read(member=self.member)
        return Response({"marked": marked})


# --- Subscriptions ----------------------------------------------------------------------------


def followable_types() -> list[str]:
    return sorted(followable.model._meta.label_lower for followable in all_followables())


class TargetSerializer(serializers.Serializer[FollowedRow]):
    type = serializers.CharField(help_text="What is followed, as app_label.model (communities.community …).")
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="community, board, thread, wiki page, tag, blog …")
    title = serializers.CharField()
    url = serializers.CharField(help_text="Its page on the site.")


class SubscriptionSerializer(serializers.Serializer[FollowedRow]):
    id = serializers.IntegerField(source="subscription.pk")
    target = serializers.SerializerMethodField()
    level = serializers.CharField(source="subscription.level", help_text="watching, new_items, normal or muted.")
    frequency = serializers.SerializerMethodField(help_text=FREQUENCY_HELP)
    created_at = serializers.DateTimeField(source="subscription.created_at")
    updated_at = serializers.DateTimeField(source="subscription.updated_at")

    @extend_schema_field(TargetSerializer)
    def get_target(self, row: FollowedRow) -> dict[str, Any]:
        subscription = row.subscription
        return {
            "type": f"{subscription.target_type.app_label}.{subscription.target_type.model}",
            "id": subscription.target_id,
            "kind": row.kind,
            "title": row.title,
            "url": self.context["request"].build_absolute_uri(row.url),
        }

    @extend_schema_field(serializers.ChoiceField(choices=list(DELIVERIES)))
    def get_frequency(self, row: FollowedRow) -> str:
        return FREQUENCIES[row.subscription.delivery]


class SubscriptionListSerializer(serializers.Serializer[Any]):
    results = SubscriptionSerializer(many=True)


class SubscriptionCreateSerializer(StrictSerializer):
    target_type = serializers.CharField(
        max_length=100,
        help_text="What to follow, as app_label.model: communities.community, discussions.thread, "
        "wiki.wikipage, taggit.tag …",
    )
    target_id = serializers.IntegerField(min_value=1)
    level = serializers.ChoiceField(
        choices=Level.values, required=False, help_text="By default as the site's Follow control offers it."
    )
    frequency = serializers.ChoiceField(
        choices=list(DELIVERIES), required=False, default="weekly", help_text=FREQUENCY_HELP
    )

    def validate_target_type(self, value: str) -> str:
        # Which kinds can be followed is no secret: an unknown kind is bad input (400), not a hidden thing (404).
        if value.lower() not in followable_types():
            raise serializers.ValidationError(
                f"Not something that can be followed: one of {', '.join(followable_types())}."
            )
        return value.lower()


class SubscriptionEditSerializer(StrictSerializer):
    level = serializers.ChoiceField(choices=Level.values, required=False)
    frequency = serializers.ChoiceField(choices=list(DELIVERIES), required=False, help_text=FREQUENCY_HELP)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs:
            raise serializers.ValidationError("Send a new frequency, a new level, or both.")
        return attrs


def default_level(target: Model) -> str:
    """The level the site's Follow control offers first (``notices.templatetags.follow``)."""
    followable = follow.followable_for(type(target))
    return followable.default_level or (
        Level.WATCHING.value if followable.label in {"thread", "wiki page"} else Level.NEW_ITEMS.value
    )


def row_of(member: Member, subscription: Subscription) -> FollowedRow:
    """The subscription as the subscriptions page lists it."""
    for row in selectors.followed_rows(member):
        if row.subscription.pk == subscription.pk:
            return row
    raise NotFound("Nothing you may see is there.")


def followed_target(member: Member, subscription: Subscription) -> Model:
    followable = followable_by_content_type_id().get(subscription.target_type_id)
    if followable is None:
        raise NotFound("Nothing you may see is there.")
    try:
        return selectors.followable_target(member, followable.model._meta.label_lower, subscription.target_id)
    except LookupError:
        raise NotFound("Nothing you may see is there.") from None


class SubscriptionListView(ApiView):
    @extend_schema(
        responses=SubscriptionListSerializer,
        operation_id="subscriptions_list",
        summary="List subscriptions",
        tags=["subscriptions"],
    )
    def get(self, request: Request) -> Response:
        """Everything the member follows that they may still see, by kind then title, as the subscriptions
        page lists it (all at once: it is the member's own short list)."""
        rows = selectors.followed_rows(self.member)
        data = SubscriptionSerializer(rows, many=True, context={"request": request}).data  # type: ignore[arg-type]
        return Response({"results": data})

    @extend_schema(
        request=SubscriptionCreateSerializer,
        responses={201: SubscriptionSerializer},
        summary="Follow something",
        tags=["subscriptions"],
    )
    def post(self, request: Request) -> Response:
        """Follow a community, a board, a thread, a wiki page, a tag or a member's blog, as the Follow button
        does (following it again changes how). Needs the ``write`` scope; 404 for something the member may
        not see."""
        form = SubscriptionCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        try:
            target = selectors.followable_target(self.member, data["target_type"], data["target_id"])
        except LookupError:
            raise NotFound("There is nothing here you can follow.") from None
        subscription = follow.follow(
            member=self.member,
            target=target,
            level=data.get("level") or default_level(target),
            delivery=DELIVERIES[data["frequency"]],
        )
        data = SubscriptionSerializer(row_of(self.member, subscription), context={"request": request}).data
        return Response(data, status=status.HTTP_201_CREATED)


class SubscriptionEditView(ApiView):
    @extend_schema(
        request=SubscriptionEditSerializer,
        responses=SubscriptionSerializer,
        summary="Change how often a subscription tells",
        tags=["subscriptions"],
    )
    def patch(self, request: Request, pk: int) -> Response:
        """Change a subscription's frequency (immediate, daily, weekly or off) or level. Needs the ``write``
        scope; someone else's subscription, or one to something the member may no longer see, is 404."""
        subscription = Subscription.objects.filter(member=self.member, pk=pk).first()
        if subscription is None:
            raise NotFound("Nothing you may see is there.")
        target = followed_target(self.member, subscription)
        form = SubscriptionEditSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        subscription = follow.follow(
            member=self.member,
            target=target,
            level=data.get("level", subscription.level),
            delivery=DELIVERIES[data["frequency"]] if "frequency" in data else subscription.delivery,
        )
        return Response(SubscriptionSerializer(row_of(self.member, subscription), context={"request": request}).data)
