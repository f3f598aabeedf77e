"""The notification communities send: a moderator decided a member's request to join."""

from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse

from communities.models import Community, JoinRequest
from notices.models import Notification
from notices.notifications import notify
from verification import policy
from verification.models import Member

JOIN_REQUEST_DECISION = "join_request_decision"


def describe_join_request_decision(notification: Notification, viewer: Member) -> str:
    community = notification.community.name if notification.community else "a community"
    outcome = "approved" if notification.outcome == JoinRequest.Status.APPROVED else "declined"
    return f"Your request to join {community} was {outcome}"


def about_known_community(user: policy.AnyUser | None) -> Q:
    """A decision shows while the member may still know the community exists."""
    return Q(community__in=policy.filter_known_communities(user, Community.objects.all()).values("pk"))


def join_request_targets() -> list[QuerySet[Any]]:
    return [JoinRequest.objects.all()]


def notify_join_request_decided(*, join_request: JoinRequest) -> None:
    community = join_request.community
    notify(
        [join_request.member],
        kind_key=JOIN_REQUEST_DECISION,
        actor=join_request.decided_by,
        target=join_request,
        url=reverse("communities:detail", args=[community.slug]),
        community=community,
        outcome=join_request.status,
    )
