"""Reads for the verifier's pages: the queue, a dossier, a member's standing and the audit log.

Every list is one query for its rows (plus one for the paginator's count),
whatever the number of rows: related rows the pages show are joined with
``select_related``.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from verification.models import AuditEvent, Marking, MarkingAuthorisation, Member, VerificationApplication

OPEN = "open"
ALL = "all"


@dataclass(frozen=True)
class QueueFilters:
    """What a verifier narrows the queue by. Empty strings and ``None`` mean "any"."""

    status: str = OPEN
    sponsor_answer: str = ""
    flagged: bool | None = None
    affiliation_type: str = ""
    discipline: str = ""
    search: str = ""


@dataclass(frozen=True)
class AuditFilters:
    """What a verifier or auditor narrows the audit log by. Empty strings and ``None`` mean "any"."""

    action: str = ""
    actor_email: str = ""
    target_type: str = ""
    target_id: str = ""
    marking: str = ""
    date_from: date | None = None
    date_to: date | None = None


def applications_for_review(filters: QueueFilters) -> QuerySet[VerificationApplication]:
    """Applications for the queue. Open ones wait oldest first; any other view lists newest first.

    Affiliation, discipline and organisation are read from the snapshot the
    member applied with, which is what the verifier decides on.
    """
    queryset = VerificationApplication.objects.select_related("member", "domain_rule", "decided_by")
    if filters.status == OPEN:
        queryset = queryset.filter(status__in=VerificationApplication.OPEN_STATUSES).order_by("submitted_at", "pk")
    else:
        if filters.status != ALL:
            queryset = queryset.filter(status=filters.status)
        queryset = queryset.order_by("-submitted_at", "-pk")
    if filters.sponsor_answer:
        queryset = queryset.filter(sponsor_answer=filters.sponsor_answer)
    if filters.flagged is not None:
        queryset = queryset.filter(domain_rule__isnull=not filters.flagged)
    if filters.affiliation_type:
        queryset = queryset.filter(profile_snapshot__affiliation_type=filters.affiliation_type)
    if filters.discipline:
        queryset = queryset.filter(profile_snapshot__discipline=filters.discipline)
    for word in filters.search.split():
        queryset = queryset.filter(
            Q(member__first_name__icontains=word)
            | Q(member__last_name__icontains=word)
            | Q(member__email__icontains=word)
            | Q(profile_snapshot__work_email__icontains=word)
            | Q(profile_snapshot__organisation__icontains=word)
        )
    return queryset


def application_for_review(*, pk: int) -> VerificationApplication:
    """One application with everything its dossier shows; raises ``DoesNotExist``."""
    return VerificationApplication.objects.select_related("member", "member__profile", "domain_rule", "decided_by").get(
        pk=pk
    )


def earlier_applications(application: VerificationApplication) -> QuerySet[VerificationApplication]:
    """The member's other applications, newest first."""
    return (
        VerificationApplication.objects.filter(member_id=application.member_id)
        .exclude(pk=application.pk)
        .select_related("decided_by", "domain_rule")
        .order_by("-submitted_at", "-pk")
    )


def marking_authorisations(member: Member) -> QuerySet[MarkingAuthorisation]:
    return (
        MarkingAuthorisation.objects.filter(member=member)
        .select_related("marking", "granted_by")
        .order_by("marking__rank", "marking__slug")
    )


def grantable_markings() -> QuerySet[Marking]:
    """Markings a verifier can authorise: every one but unmarked (which every verified member sees)."""
    return Marking.objects.filter(rank__gt=0).order_by("rank", "slug")


def member_for_standing(*, pk: int) -> Member:
    """A member with their profile; raises ``DoesNotExist``."""
    return Member.objects.select_related("profile").get(pk=pk)


def latest_application(member: Member) -> VerificationApplication | None:
    return VerificationApplication.objects.filter(member=member).order_by("-submitted_at", "-pk").first()


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_events(filters: AuditFilters) -> QuerySet[AuditEvent]:
    """Audit events, newest first. Dates are whole days in the site's time zone, both ends included."""
    queryset = AuditEvent.objects.order_by("-at", "-id")
    if filters.action:
        queryset = queryset.filter(action=filters.action)
    if filters.actor_email:
        queryset = queryset.filter(actor_email__icontains=filters.actor_email)
    if filters.target_type:
        queryset = queryset.filter(target_type__iexact=filters.target_type)
    if filters.target_id:
        queryset = queryset.filter(target_id=filters.target_id)
    if filters.marking:
        queryset = queryset.filter(marking=filters.marking)
    if filters.date_from is not None:
        queryset = queryset.filter(at__gte=_start_of(filters.date_from))
    if filters.date_to is not None:
        queryset = queryset.filter(at__lt=_start_of(filters.date_to + timedelta(days=1)))
    return queryset
