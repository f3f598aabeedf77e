"""Every change to vetting state: profiles, applications, sponsor answers,
verifier decisions, suspensions, Rules of Behavior and expiry.

Each function changes the database atomically, writes its audit event, and
queues e-mail only after the transaction commits.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import slugify

from notices import live
from verification import notifications, tasks
from verification.audit import audit_record
from verification.models import (
    AuditEvent,
    DomainRule,
    ExpiryReminder,
    Marking,
    MarkingAuthorisation,
    Member,
    Profile,
    RulesAcceptance,
    RulesOfBehavior,
    VerificationApplication,
)
from verification.policy import forget_member_access
from verification.signals import member_verified

SPONSOR_SALT = "muster.verification.sponsor"
PROFILE_FIELDS = (
    "affiliation_type",
    "discipline",
    "organisation",
    "jurisdiction_state",
    "jurisdiction_local",
    "title",
    "work_email",
    "phone",
    "bio",
    "shared_fields",
)


@transaction.atomic
def profile_save(
    *,
    member: Member,
    fields: dict[str, Any],
    expertise: Iterable[str] | None = None,
    names: dict[str, str] | None = None,
) -> Profile:
    """Create or update the member's profile (and their name, which every member sees).

    A replaced or removed photo's file is deleted once the change has committed, never before."""
    if names is not None:
        member.first_name = names["first_name"].strip()
        member.last_name = names["last_name"].strip()
        member.save(update_fields=["first_name", "last_name"])
        member_handle_ensure(member=member)
    previous_photo = Profile.objects.filter(member=member).values_list("photo", flat=True).first() or ""
    values = {k: v for k, v in fields.items() if k in (*PROFILE_FIELDS, "photo")}
    if "photo" in values and values["photo"] is None:
        values["photo"] = ""
    profile, _ = Profile.objects.update_or_create(member=member, defaults=values)
    if expertise is not None:
        profile.expertise.set(list(expertise))
    if previous_photo and previous_photo != profile.photo.name:
        storage = profile.photo.storage
        transaction.on_commit(partial(storage.delete, previous_photo))
    return profile


def member_handle_ensure(*, member: Member) -> str:
    """Give the member a handle for mentions if they have none: their name, made unique with a number."""
    if member.handle:
        return member.handle
    base = slugify(f"{member.first_name} {member.last_name}")[:50]
    base = base or slugify(member.email.split("@", 1)[0])[:50] or "member"
    candidate, number = base, 1
    while Member.objects.filter(handle=candidate).exclude(pk=member.pk).exists():
        number += 1
        candidate = f"{base}{number}"
    member.handle = candidate
    member.save(update_fields=["handle"])
    return candidate


def matching_domain_rule(member: Member) -> DomainRule | None:
    """The most specific active rule matching one of the member's *confirmed* addresses.

    Only addresses confirmed through allauth count: the work e-mail on the
    profile is typed by the applicant and proves nothing.
    """
    confirmed = list(EmailAddress.objects.filter(user=member, verified=True).values_list("email", flat=True))
    rules = [rule for rule in DomainRule.objects.filter(is_active=True) if any(rule.matches(e) for e in confirmed)]
    return max(rules, key=lambda rule: len(rule.domain), default=None)


def _snapshot(profile: Profile) -> dict[str, Any]:
    data = {field: getattr(profile, field) for field in PROFILE_FIELDS}
    data["expertise"] = sorted(profile.expertise.names())
    return data


def renewal_is_due(member: Member) -> bool:
    """Renewal opens when the first expiry reminder goes out (30 days before, by default)."""
    if member.verified_until is None:
        return False
    window = timedelta(days=max(settings.MUSTER_EXPIRY_REMINDER_DAYS))
    return member.verified_until <= timezone.now() + window


def sponsor_token(application: VerificationApplication) -> str:
    requested = application.sponsor_requested_at.isoformat()
    return signing.dumps({"a": application.pk, "e": application.sponsor_email, "r": requested}, salt=SPONSOR_SALT)


def application_from_sponsor_token(token: str) -> VerificationApplication:
    """Raises ``signing.BadSignature`` (or ``SignatureExpired``) for a forged, altered or stale link."""
    max_age = timedelta(days=settings.MUSTER_SPONSOR_LINK_DAYS)
    data = signing.loads(token, salt=SPONSOR_SALT, max_age=max_age)
    application = VerificationApplication.objects.select_related("member__profile").get(pk=data["a"])
    if application.sponsor_email != data["e"] or application.sponsor_requested_at.isoformat() != data.get("r"):
        raise signing.BadSignature("This link has been replaced by a newer request.")
    return application


@transaction.atomic
def application_submit(
    *,
    member: Member,
    sponsor_name: str,
    sponsor_email: str,
    statement: str = "",
    request: HttpRequest | None = None,
) -> VerificationApplication:
    """Submit (or resubmit after a request for more information) the member's application.

    The member's profile must already be saved. A matching auto-approve domain
    rule approves the member at once for unmarked content.
    """
    profile = Profile.objects.filter(member=member).first()
    if profile is None:
        raise ValidationError("Fill in your profile before applying.")
    if member.is_suspended:
        raise ValidationError("A suspended account cannot apply. Contact the verification team.")
    open_application = (
        VerificationApplication.objects.select_for_update()
        .filter(member=member, status__in=VerificationApplication.OPEN_STATUSES)
        .first()
    )
    if open_application is not None and open_application.status == VerificationApplication.Status.SUBMITTED:
        raise ValidationError("Your application is already waiting for a verifier.")
    if open_application is None and member.is_verified and not renewal_is_due(member):
        raise ValidationError("You are verified. Renewal opens 30 days before your verification ends.")

    sponsor_changed = open_application is None or open_application.sponsor_email != sponsor_email
    application = open_application or VerificationApplication(member=member)
    application.is_renewal = member.verified_until is not None
    application.status = VerificationApplication.Status.SUBMITTED
    application.profile_snapshot = _snapshot(profile)
    application.statement = statement
    application.sponsor_name = sponsor_name
    application.sponsor_email = sponsor_email
    application.submitted_at = timezone.now()
    application.domain_rule = matching_domain_rule(member)
    if sponsor_changed:
        application.sponsor_answer = VerificationApplication.SponsorAnswer.PENDING
        application.sponsor_comment = ""
        application.sponsor_answered_at = None
        application.sponsor_requested_at = timezone.now()
    application.save()
    audit_record(AuditEvent.Action.APPLICATION_SUBMITTED, actor=member, target=application, request=request)

    if sponsor_changed:
        transaction.on_commit(lambda: tasks.send_sponsor_request.delay(application.pk))
    rule = application.domain_rule
    if rule is not None and rule.action == DomainRule.Action.AUTO_APPROVE and not application.is_renewal:
        _approve(application, verifier=None, markings=[], note=f"Approved by domain rule {rule.domain}")
        audit_record(AuditEvent.Action.AUTO_APPROVED, actor=None, target=application, rule=rule.domain)
    return application


@transaction.atomic
def sponsor_answer(*, application: VerificationApplication, confirmed: bool, comment: str = "") -> None:
    application = VerificationApplication.objects.select_for_update().get(pk=application.pk)
    if application.sponsor_answer != VerificationApplication.SponsorAnswer.PENDING:
        raise ValidationError("This request has already been answered.")
    if not application.is_open:
        raise ValidationError("This application has already been decided; your answer is no longer needed.")
    application.sponsor_answer = (
        VerificationApplication.SponsorAnswer.CONFIRMED if confirmed else VerificationApplication.SponsorAnswer.DENIED
    )
    application.sponsor_comment = comment
    application.sponsor_answered_at = timezone.now()
    application.save(update_fields=["sponsor_answer", "sponsor_comment", "sponsor_answered_at"])
    audit_record(
        AuditEvent.Action.SPONSOR_ANSWERED,
        actor=None,
        actor_email=application.sponsor_email,
        target=application,
        answer=application.sponsor_answer,
    )


def _lock_open_application(application: VerificationApplication) -> VerificationApplication:
    locked = VerificationApplication.objects.select_for_update().select_related("member").get(pk=application.pk)
    if not locked.is_open:
        raise ValidationError("This application has already been decided.")
    return locked


def _approve(
    application: VerificationApplication, *, verifier: Member | None, markings: Iterable[Marking], note: str
) -> None:
    now = timezone.now()
    member = application.member
    member.verified_until = now + timedelta(days=settings.MUSTER_VERIFICATION_DAYS)
    member.save(update_fields=["verified_until"])
    MarkingAuthorisation.objects.filter(member=member).exclude(marking__in=list(markings)).delete()
    for marking in markings:
        MarkingAuthorisation.objects.get_or_create(member=member, marking=marking, defaults={"granted_by": verifier})
    application.status = VerificationApplication.Status.APPROVED
    application.decided_at = now
    application.decided_by = verifier
    application.decision_note = note
    application.save()
    forget_member_access(member)
    member_verified.send(sender=Member, member=member)
    transaction.on_commit(lambda: tasks.send_application_decision.delay(application.pk))
    live.announce_access_changed([member.pk])
    notifications.notify_vetting_decided(application=application)


@transaction.atomic
def application_approve(
    *,
    application: VerificationApplication,
    verifier: Member,
    markings: Iterable[Marking],
    note: str = "",
    request: HttpRequest | None = None,
) -> VerificationApplication:
    """Verify the member. ``markings`` become exactly their authorisations: any not given are withdrawn."""
    application = _lock_open_application(application)
    if application.member_id == verifier.pk:
        raise ValidationError("Verifiers cannot decide their own application.")
    markings = [m for m in markings if not m.is_unmarked]
    _approve(application, verifier=verifier, markings=markings, note=note)
    audit_record(
        AuditEvent.Action.APPLICATION_APPROVED,
        actor=verifier,
        target=application,
        request=request,
        markings=[m.slug for m in markings],
    )
    return application


def _decide_without_approval(
    application: VerificationApplication,
    *,
    verifier: Member,
    status: str,
    note: str,
    action: str,
    request: HttpRequest | None,
) -> VerificationApplication:
    if not note.strip():
        raise ValidationError("Give the applicant a reason.")
    application = _lock_open_application(application)
    if application.member_id == verifier.pk:
        raise ValidationError("Verifiers cannot decide their own application.")
    application.status = status
    application.decided_at = timezone.now()
    application.decided_by = verifier
    application.decision_note = note.strip()
    application.save()
    audit_record(action, actor=verifier, target=application, request=request, note=application.decision_note)
    transaction.on_commit(lambda: tasks.send_application_decision.delay(application.pk))
    notifications.notify_vetting_decided(application=application)
    return application


@transaction.atomic
def application_reject(
    *, application: VerificationApplication, verifier: Member, reason: str, request: HttpRequest | None = None
) -> VerificationApplication:
    return _decide_without_approval(
        application,
        verifier=verifier,
        status=VerificationApplication.Status.REJECTED,
        note=reason,
        action=AuditEvent.Action.APPLICATION_REJECTED,
        request=request,
    )


@transaction.atomic
def application_request_information(
    *, application: VerificationApplication, verifier: Member, question: str, request: HttpRequest | None = None
) -> VerificationApplication:
    return _decide_without_approval(
        application,
        verifier=verifier,
        status=VerificationApplication.Status.MORE_INFO,
        note=question,
        action=AuditEvent.Action.MORE_INFO_REQUESTED,
        request=request,
    )


@transaction.atomic
def member_suspend(*, member: Member, verifier: Member, reason: str, request: HttpRequest | None = None) -> Member:
    if not reason.strip():
        raise ValidationError("Give a reason for the suspension.")
    if member.pk == verifier.pk:
        raise ValidationError("You cannot suspend yourself.")
    member = Member.objects.select_for_update().get(pk=member.pk)
    if member.is_suspended:
        raise ValidationError("This member is already suspended.")
    member.suspended_at = timezone.now()
    member.suspension_reason = reason.strip()
    member.save(update_fields=["suspended_at", "suspension_reason"])
    forget_member_access(member)
    live.announce_access_changed([member.pk])
    audit_record(AuditEvent.Action.SUSPENDED, actor=verifier, target=member, request=request, reason=reason.strip())
    return member


@transaction.atomic
def member_reinstate(*, member: Member, verifier: Member, reason: str, request: HttpRequest | None = None) -> Member:
    if not reason.strip():
        raise ValidationError("Give a reason for reinstating.")
    member = Member.objects.select_for_update().get(pk=member.pk)
    if not member.is_suspended:
        raise ValidationError("This member is not suspended.")
    member.suspended_at = None
    member.suspension_reason = ""
    member.save(update_fields=["suspended_at", "suspension_reason"])
    forget_member_access(member)
    audit_record(AuditEvent.Action.REINSTATED, actor=verifier, target=member, request=request, reason=reason.strip())
    return member


@transaction.atomic
def member_verify_by_operator(*, member: Member, markings: Iterable[Marking], note: str) -> Member:
    """Verify a member without a verifier: only for the first administrator of a new
    installation, from the operator's shell (``manage.py verify_member``). Audited."""
    if not note.strip():
        raise ValidationError("Say why this member is verified without a verifier.")
    member = Member.objects.select_for_update().get(pk=member.pk)
    member.verified_until = timezone.now() + timedelta(days=settings.MUSTER_VERIFICATION_DAYS)
    member.save(update_fields=["verified_until"])
    EmailAddress.objects.update_or_create(user=member, email=member.email, defaults={"verified": True})
    for marking in markings:
        MarkingAuthorisation.objects.get_or_create(member=member, marking=marking)
    forget_member_access(member)
    audit_record(
        AuditEvent.Action.APPLICATION_APPROVED,
        actor=None,
        actor_email="operator (manage.py verify_member)",
        target=member,
        note=note.strip(),
        markings=sorted(m.slug for m in markings),
    )
    return member


def current_rules() -> RulesOfBehavior | None:
    return RulesOfBehavior.objects.order_by("-version").first()


@transaction.atomic
def rules_publish(*, text: str) -> RulesOfBehavior:
    """Publish a new version; every member must accept it before seeing content again."""
    latest = current_rules()
    rules = RulesOfBehavior.objects.create(version=(latest.version + 1) if latest else 1, text=text)
    live.announce_access_changed_for_everyone()
    return rules


@transaction.atomic
def rules_accept(*, member: Member, rules: RulesOfBehavior, request: HttpRequest | None = None) -> RulesAcceptance:
    if not member.is_verified:
        raise ValidationError("Only verified members accept the Rules of Behavior.")
    acceptance, created = RulesAcceptance.objects.get_or_create(member=member, rules=rules)
    if created:
        audit_record(AuditEvent.Action.RULES_ACCEPTED, actor=member, target=rules, request=request)
    forget_member_access(member)
    return acceptance


def _expiry_step(verified_until: datetime, now: datetime) -> int:
    """Days-before step this verification is at: 0 when lapsed, else the nearest reminder."""
    if verified_until <= now:
        return 0
    return min(days for days in settings.MUSTER_EXPIRY_REMINDER_DAYS if verified_until <= now + timedelta(days=days))


def verification_expiry_sweep(*, now: datetime | None = None) -> int:
    """Remind members 30 and 7 days before their verification lapses, and tell them when it has.

    Expiry itself needs no write: the policy reads ``verified_until``. Each
    notice is claimed by a unique ``ExpiryReminder`` row before it is queued, so
    a repeated or retried sweep sends nothing twice. Returns how many were queued.
    """
    now = now or timezone.now()
    horizon = now + timedelta(days=max(settings.MUSTER_EXPIRY_REMINDER_DAYS))
    recently_lapsed = now - timedelta(days=settings.MUSTER_EXPIRED_NOTICE_WINDOW_DAYS)
    candidates = Member.objects.filter(
        is_active=True, suspended_at__isnull=True, verified_until__gt=recently_lapsed, verified_until__lte=horizon
    )
    queued = 0
    for member in candidates:
        if member.verified_until is None:
            continue
        step = _expiry_step(member.verified_until, now)
        with transaction.atomic():
            _, created = ExpiryReminder.objects.get_or_create(
                member=member, verified_until=member.verified_until, days_before=step
            )
            if not created:
                continue
            if step == 0:
                audit_record(AuditEvent.Action.EXPIRED, actor=None, target=member)
            transaction.on_commit(partial(tasks.send_expiry_notice.delay, member.pk, step))
        queued += 1
    return queued
