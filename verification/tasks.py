"""Vetting e-mail, the failed sign-in notice and the expiry sweep. Each task loads rows by id, calls one
service, and is safe to retry: ``deliver_once`` keys every message."""

from django.conf import settings
from django.urls import reverse

from muster.celery_app import app
from notices.mail import RETRYABLE_MAIL_ERRORS, deliver_once
from verification.models import Member, SponsorChoice, VerificationApplication


@app.task(autoretry_for=RETRYABLE_MAIL_ERRORS, retry_backoff=True, max_retries=6)
def send_sponsor_request(application_id: int) -> None:
    """Ask the sponsor to confirm the applicant's affiliation by a signed link. Idempotent per request."""
    from verification.services import sponsor_token

    application = VerificationApplication.objects.select_related("member__profile").get(pk=application_id)
    link = reverse("verification:sponsor", args=[sponsor_token(application)])
    deliver_once(
        key=f"sponsor-request:{application.pk}:{application.sponsor_requested_at.isoformat()}",
        to=application.sponsor_email,
        template="email/verification/sponsor_request.txt",
        context={
            "application": application,
            "link": link,
            "confirm_words": SponsorChoice.CONFIRM.label,
            "deny_words": SponsorChoice.DENY.label,
        },
    )


@app.task(autoretry_for=RETRYABLE_MAIL_ERRORS, retry_backoff=True, max_retries=6)
def send_application_decision(application_id: int) -> None:
    """Tell the applicant what the verifier decided. Idempotent per decision."""
    application = VerificationApplication.objects.select_related("member").get(pk=application_id)
    decided = application.decided_at.isoformat() if application.decided_at else ""
    deliver_once(
        key=f"application-decision:{application.pk}:{application.status}:{decided}",
        to=application.member.email,
        template="email/verification/decision.txt",
        context={"application": application},
    )


@app.task(autoretry_for=RETRYABLE_MAIL_ERRORS, retry_backoff=True, max_retries=6)
def send_expiry_notice(member_id: int, days_before: int) -> None:
    """Remind a member to renew (days_before > 0) or tell them it lapsed (0). Idempotent per period."""
    member = Member.objects.get(pk=member_id)
    until = member.verified_until.isoformat() if member.verified_until else ""
    deliver_once(
        key=f"expiry:{member.pk}:{until}:{days_before}",
        to=member.email,
        template="email/verification/expiry.txt",
        context={"member": member, "days_before": days_before},
    )


@app.task(autoretry_for=RETRYABLE_MAIL_ERRORS, retry_backoff=True, max_retries=6)
def send_failed_sign_ins_notice(member_id: int, *, failures: int, address: str, crossed_at: str, blocked: bool) -> None:
    """Tell a member that sign-ins to their account keep failing, or that it now needs a password reset
    (``blocked``). Never says what was typed. Idempotent per crossing."""
    member = Member.objects.get(pk=member_id)
    deliver_once(
        key=f"failed-sign-ins:{member.pk}:{'blocked' if blocked else 'notice'}:{crossed_at}",
        to=member.email,
        template="email/verification/failed_sign_ins.txt",
        context={
            "member": member,
            "failures": failures,
            "address": address,
            "blocked": blocked,
            "ceiling": settings.MUSTER_SIGN_IN_CEILING,
            "reset_link": reverse("account_reset_password"),
        },
    )


@app.task
def sweep_verification_expiry() -> int:
    from verification.services import verification_expiry_sweep

    return verification_expiry_sweep()
