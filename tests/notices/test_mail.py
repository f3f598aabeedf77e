"""E-mail goes out once per key over real SMTP on loopback, and a failed send can be retried."""

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message

from notices.mail import deliver_once
from notices.models import EmailDelivery
from tests.verification.factories import MemberFactory, ProfileFactory
from verification import services, tasks

pytestmark = pytest.mark.django_db


class Inbox(Message):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[Any] = []

    def handle_message(self, message: Any) -> None:
        self.messages.append(message)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_inbox(settings) -> Iterator[Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    yield inbox
    controller.stop()


def test_the_same_key_is_sent_once_however_often_it_is_delivered(smtp_inbox: Inbox) -> None:
    member = MemberFactory.create()
    context = {"member": member, "days_before": 7}

    sent = [
        deliver_once(key="expiry:test:7", to=member.email, template="email/verification/expiry.txt", context=context)
        for _ in range(3)
    ]

    assert sent == [True, False, False]
    assert len(smtp_inbox.messages) == 1
    assert smtp_inbox.messages[0]["To"] == member.email
    assert smtp_inbox.messages[0]["Subject"] == "[Muster] Your Muster verification ends in 7 days"


def test_an_smtp_failure_records_nothing_and_a_retry_sends_it_once(smtp_inbox: Inbox, settings) -> None:
    member = MemberFactory.create()
    ProfileFactory.create(member=member)
    application = services.application_submit(member=member, sponsor_name="Chief", sponsor_email="c@county.gov")
    smtp_inbox.messages.clear()
    working_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # nothing listens there: the relay is "down"

    with pytest.raises(ConnectionRefusedError):
        tasks.send_sponsor_request.apply(args=(application.pk,), throw=True, retries=6)
    assert not EmailDelivery.objects.filter(key__startswith=f"sponsor-request:{application.pk}:").exists()
    assert smtp_inbox.messages == []

    settings.EMAIL_PORT = working_port
    tasks.send_sponsor_request.apply(args=(application.pk,), throw=True)
    tasks.send_sponsor_request.apply(args=(application.pk,), throw=True)

    delivery = EmailDelivery.objects.get(key__startswith=f"sponsor-request:{application.pk}:")
    assert delivery.sent_at is not None
    assert [m["To"] for m in smtp_inbox.messages] == ["c@county.gov"]
