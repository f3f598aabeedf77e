from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from tests.verification.factories import make_verified_member
from verification.models import AuditEvent, ExpiryReminder
from verification.services import verification_expiry_sweep
from verification.tasks import sweep_verification_expiry

pytestmark = pytest.mark.django_db


def test_members_are_reminded_30_and_7_days_before_expiry_and_once_only(django_capture_on_commit_callbacks) -> None:
    now = timezone.now()
    in_20_days = make_verified_member(verified_until=now + timedelta(days=20))
    in_5_days = make_verified_member(verified_until=now + timedelta(days=5))
    far = make_verified_member(verified_until=now + timedelta(days=200))

    with django_capture_on_commit_callbacks(execute=True):
        first = verification_expiry_sweep(now=now)
    with django_capture_on_commit_callbacks(execute=True):
        second = verification_expiry_sweep(now=now)

    assert (first, second) == (2, 0)
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == sorted(
        [
            (in_20_days.email, "[Muster] Your Muster verification ends in 30 days"),
            (in_5_days.email, "[Muster] Your Muster verification ends in 7 days"),
        ]
    )
    assert not ExpiryReminder.objects.filter(member=far).exists()


def test_the_7_day_reminder_follows_the_30_day_one_as_time_passes(django_capture_on_commit_callbacks) -> None:
    now = timezone.now()
    member = make_verified_member(verified_until=now + timedelta(days=25))

    with django_capture_on_commit_callbacks(execute=True):
        verification_expiry_sweep(now=now)
        verification_expiry_sweep(now=now + timedelta(days=19))

    assert [m.subject for m in mail.outbox] == [
        "[Muster] Your Muster verification ends in 30 days",
        "[Muster] Your Muster verification ends in 7 days",
    ]
    assert set(ExpiryReminder.objects.filter(member=member).values_list("days_before", flat=True)) == {30, 7}


def test_a_lapsed_member_is_told_once_audited_and_loses_access(django_capture_on_commit_callbacks) -> None:
    member = make_verified_member(verified_until=timezone.now() + timedelta(minutes=5))
    client = Client()
    client.force_login(member)
    assert client.get("/home/").status_code == 200

    later = timezone.now() + timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        verification_expiry_sweep(now=later)
        verification_expiry_sweep(now=later)
    member.verified_until = timezone.now() - timedelta(seconds=1)
    member.save()

    expired_mail = [m for m in mail.outbox if "has ended" in m.subject]
    assert len(expired_mail) == 1
    assert "/verification/apply/" in str(expired_mail[0].body)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPIRED, target_id=str(member.pk)).count() == 1
    assert client.get("/home/")["Location"] == "/verification/"


def test_the_beat_task_runs_the_sweep(django_capture_on_commit_callbacks) -> None:
    make_verified_member(verified_until=timezone.now() + timedelta(days=3))

    with django_capture_on_commit_callbacks(execute=True):
        queued = sweep_verification_expiry.delay().get()

    assert queued == 1
    assert len(mail.outbox) == 1
