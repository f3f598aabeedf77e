"""The notification vetting sends: a verifier decided the member's application (shown even before they are cleared)."""

from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse

from notices.models import Notification
from notices.notifications import notify
from verification.models import VerificationApplication
from verification.policy import AnyUser

VETTING_DECISION = "vetting_decision"

OUTCOMES: dict[str, str] = {
    VerificationApplication.Status.APPROVED: "was approved",
    VerificationApplication.Status.MORE_INFO: "needs more information",
    VerificationApplication.Status.REJECTED: "was declined",
}


def describe_vetting_decision(notification: Notification, viewer: Any) -> str:
    return f"Your verification application {OUTCOMES.get(notification.outcome, 'has an answer')}"


def own_decisions(user: AnyUser | None) -> Q:
    """Decisions are about the member's own application: every one of their rows of this kind."""
    return Q()


def application_targets() -> list[QuerySet[Any]]:
    return [VerificationApplication.objects.all()]


def notify_vetting_decided(*, application: VerificationApplication) -> None:
    notify(
        [application.member],
        kind_key=VETTING_DECISION,
        actor=None,
        target=application,
        url=reverse("verification:status"),
        outcome=application.status,
    )
