"""Sending e-mail exactly once per key, however often the task that sends it is retried."""

from smtplib import SMTPException

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from notices.models import EmailDelivery

# What a mail task retries on (with back-off): the relay refused, timed out or could not be reached.
RETRYABLE_MAIL_ERRORS = (SMTPException, OSError)


def render_email(template: str, context: dict[str, object]) -> tuple[str, str]:
    """Templates render the subject on the first line and the body after it."""
    subject, _, body = render_to_string(template, context).strip().partition("\n")
    return subject.strip(), body.strip() + "\n"


def deliver_once(*, key: str, to: str, template: str, context: dict[str, object]) -> bool:
    """Send unless this key was already sent. Returns whether a message went out.

    The delivery row is locked while sending, so two workers running the same
    task cannot both send; an SMTP error propagates (for the task to retry) and
    rolls the row back, so nothing records a send that did not happen.
    """
    subject, body = render_email(template, {**context, "site_url": settings.SITE_URL})
    with transaction.atomic():
        delivery, _ = EmailDelivery.objects.get_or_create(key=key, defaults={"recipient": to, "subject": subject})
        delivery = EmailDelivery.objects.select_for_update().get(pk=delivery.pk)
        if delivery.sent_at is not None:
            return False
        EmailMessage(subject=f"{settings.EMAIL_SUBJECT_PREFIX}{subject}", body=body, to=[to]).send()
        delivery.sent_at = timezone.now()
        delivery.save(update_fields=["sent_at"])
    return True
