"""E-mail updates through Celery: beat finds what is due, batches send it over one SMTP connection each.

Every task is safe to run twice or to resume after its worker died: what was
sent is recorded under a unique key in the transaction that sends it, and the
schedule (``MailPreferences.next_*_at``) only moves on with it.
"""

from collections.abc import Sequence
from smtplib import SMTPRecipientsRefused

from django.core.mail import get_connection
from django.db import IntegrityError
from django.utils import timezone

from muster.celery_app import app
from notices.mail import RETRYABLE_MAIL_ERRORS
from notices.models import Delivery
from notices.visits import last_visits
from subscriptions import services
from subscriptions.compose import Audience
from verification.models import Member

BATCH_SIZE = 100


@app.task
def send_due_digests() -> int:
    """Beat, every few minutes: queue one batch task per ``BATCH_SIZE`` members whose digest is due."""
    queued = 0
    now = timezone.now()
    for period in (Delivery.DAILY, Delivery.WEEKLY):
        due = services.members_due(period, now=now)
        for start in range(0, len(due), BATCH_SIZE):
            send_digest_batch.delay(due[start : start + BATCH_SIZE], str(period))
            queued += 1
    return queued


@app.task(autoretry_for=RETRYABLE_MAIL_ERRORS, retry_backoff=True, retry_backoff_max=600, max_retries=8)
def send_digest_batch(member_ids: Sequence[int], period: str) -> int:
    """The digests of a batch of members, over one SMTP connection. A retry skips what was sent."""
    with get_connection() as connection:
        return services.send_digests(member_ids, period, connection=connection)


@app.task
def send_due_immediate_updates() -> int:
    """Beat, every minute: queue the members who may have an immediate update waiting."""
    due = services.members_with_immediate_updates(now=timezone.now())
    for start in range(0, len(due), BATCH_SIZE):
        send_immediate_batch.delay(due[start : start + BATCH_SIZE])
    return len(due)


@app.task(autoretry_for=RETRYABLE_MAIL_ERRORS, retry_backoff=True, retry_backoff_max=600, max_retries=8)
def send_immediate_batch(member_ids: Sequence[int]) -> int:
    members = list(Member.objects.filter(pk__in=member_ids).order_by("pk"))
    visits = last_visits(member.pk for member in members)
    audience = Audience(member.pk for member in members)
    sent = 0
    refused_for_now: SMTPRecipientsRefused | None = None
    with get_connection() as connection:
        for member in members:
            try:
                sent += services.send_immediate_updates(
                    member,
                    now=timezone.now(),
                    last_visit=visits.get(member.pk),
                    connection=connection,
                    audience=audience,
                )
            except SMTPRecipientsRefused as refused:  # a 4xx: retried below, the rest of the batch goes on
                refused_for_now = refused
            except IntegrityError:  # another worker sent this very update a moment ago (its key is taken)
                continue
    if refused_for_now is not None:
        raise refused_for_now
    return sent
