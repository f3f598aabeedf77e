"""Sending e-mail exactly once per key, however often the task that sends it is retried."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from smtplib import SMTPException, SMTPRecipientsRefused
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction
from django.template import Context, engines
from django.utils import timezone

from muster.site_identity import SITE_NAME, site_url
from notices.models import EmailDelivery
from verification.models import Member

if TYPE_CHECKING:
    from django.core.mail.backends.base import BaseEmailBackend

# What a mail task retries on (with back-off): the relay refused, timed out or could not be reached.
# A permanent (5xx) refusal of the recipient alone is not retried: the address is marked failed.
RETRYABLE_MAIL_ERRORS = (SMTPException, OSError)


def render_email(template: str, context: dict[str, object]) -> tuple[str, str]:
    """Templates render the subject on the first line and the body after it.

    The mail is plain text, so nothing is HTML-escaped: "O'Brien" stays O'Brien, not O&#x27;Brien."""
    engine = engines["django"].engine  # type: ignore[attr-defined]
    text = engine.get_template(template).render(Context(context, autoescape=False))
    subject, _, body = text.strip().partition("\n")
    return subject.strip(), body.strip() + "\n"


def deliver_once(*, key: str, to: str, template: str, context: dict[str, object]) -> bool:
    """Send unless this key was already sent. Returns whether a message went out.

    The delivery row is locked while sending, so two workers running the same
    task cannot both send; an SMTP error propagates (for the task to retry) and
    rolls the row back, so nothing records a send that did not happen.
    """
    subject, body = render_email(template, {**context, "site_url": site_url(), "site_name": SITE_NAME})
    with transaction.atomic():
        delivery, _ = EmailDelivery.objects.get_or_create(key=key, defaults={"recipient": to, "subject": subject})
        delivery = EmailDelivery.objects.select_for_update().get(pk=delivery.pk)
        if delivery.sent_at is not None:
            return False
        EmailMessage(subject=f"{settings.EMAIL_SUBJECT_PREFIX}{subject}", body=body, to=[to]).send()
        delivery.sent_at = timezone.now()
        delivery.save(update_fields=["sent_at"])
    return True


def message_id(seed: str) -> str:
    """A stable ``Message-ID`` for ``seed``: the same delivery key or thread always gets the same one."""
    domain = urlsplit(settings.SITE_URL).hostname or "muster.localhost"
    return f"<{hashlib.sha256(seed.encode()).hexdigest()[:32]}@{domain}>"


@dataclass
class Update:
    """One e-mail update for one member: both parts rendered from the same context."""

    key: str
    member: Member
    category: str
    subject: str
    text: str
    html: str
    headers: dict[str, str] = field(default_factory=dict)
    # The thread or conversation the mail is about: mail clients thread mails that share it.
    thread_seed: str = ""

    def message(self, connection: BaseEmailBackend | None) -> EmailMultiAlternatives:
        headers = {"Auto-Submitted": "auto-generated", "Message-ID": message_id(self.key), **self.headers}
        if self.thread_seed:
            root = message_id(self.thread_seed)
            headers.update({"In-Reply-To": root, "References": root})
        message = EmailMultiAlternatives(
            subject=f"{settings.EMAIL_SUBJECT_PREFIX}{self.subject}",
            body=self.text,
            to=[self.member.email],
            headers=headers,
            connection=connection,
        )
        message.attach_alternative(self.html, "text/html")
        return message


def send_update(update: Update, *, connection: BaseEmailBackend | None = None) -> bool:
    """Send the update unless its key was sent (or refused for good) before; returns whether it went out.

    The delivery row is written, already stamped sent, before sending, and
    commits with the send: a retried or duplicated task finds it and sends
    nothing more, and a second worker racing on the same key waits on its
    insert and fails on the unique key before it sends. An SMTP error rolls it
    back for the task to retry. A permanent refusal of the address is kept,
    and the member is told on their next visit.
    """
    if update.member.mail_failed_at is not None:
        return False  # the relay refused the address for good: nothing more until the member fixes it
    # No savepoint of its own: inside a caller's transaction (a digest moving its schedule on), an error
    # here rolls the whole of it back, which is what the retry needs.
    with transaction.atomic(savepoint=False):
        if EmailDelivery.objects.select_for_update().filter(key=update.key).exists():
            return False  # sent, or refused for good (a send that failed otherwise left no row)
        delivery = EmailDelivery.objects.create(
            key=update.key,
            recipient=update.member.email,
            subject=update.subject[:300],
            member=update.member,
            category=update.category,
            sent_at=timezone.now(),
        )
        try:
            update.message(connection).send()
        except SMTPRecipientsRefused as refused:
            code, _ = next(iter(refused.recipients.values()), (550, b""))
            if code < 500:
                raise  # refused for now (greylisting, a full mailbox): the task retries it with back-off
            delivery.sent_at, delivery.failed_at = None, timezone.now()
            delivery.save(update_fields=["sent_at", "failed_at"])
            mark_address_failed(update.member, str(next(iter(refused.recipients.values()), ""))[:300])
            return False
    return True


def mark_address_failed(member: Member, reason: str) -> None:
    Member.objects.filter(pk=member.pk).update(mail_failed_at=timezone.now(), mail_failure=reason)
