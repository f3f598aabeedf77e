"""E-mail updates through the real parts: a Celery worker on a private Redis, and an SMTP relay on loopback.

The test plays Celery beat: it queues ``send_due_digests`` and
``send_due_immediate_updates`` by name, as beat does. A real worker process (on
the test's own database) sends through a real aiosmtpd relay. What a member
notices: each update arrives once, as a text and HTML mail with one-click
unsubscribe that works; a worker killed mid-batch, a relay that is down for a
while, or one that refuses an address for now or for good costs nobody else a
digest and sends nobody two; and only a member whose address is refused for good
is told so on the site.
"""

import asyncio
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from celery import Celery
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from communities.models import ActivityEvent, Community
from communities.services import community_create
from discussions.models import Board
from discussions.services import board_create, post_reply
from notices.follow import follow
from notices.models import Delivery, EmailDelivery, Level, MailPreferences, Subscription
from tests.discussions.factories import joined, marking, signed_in, start
from tests.messaging.conftest import PrivateRedis, database_url_of_the_test_database, free_port
from tests.verification.factories import make_verified_member
from verification.models import Member

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
SITE_URL = "https://muster.example.org"
UNSUBSCRIBE_LINK = re.compile(rf"^<{re.escape(SITE_URL)}(/subscriptions/unsubscribe/[^/>]+/)>$")
MESSAGE_ID = re.compile(r"^<[0-9a-f]{32}@muster\.example\.org>$")
WAIT_SECONDS = 30.0


# --- The relay -----------------------------------------------------------------------------


class Relay:
    """What an SMTP relay does with the worker's mail: keeps what it accepts (after DATA), refuses the
    ``refused`` addresses for good and the ``greylisted`` ones once, for now. With ``hold_at``, MAIL
    number ``hold_at`` sets ``held`` and gets no answer until ``release`` is set: the sender is stuck in
    the middle of that send."""

    def __init__(
        self, *, refused: frozenset[str] = frozenset(), greylisted: frozenset[str] = frozenset(), hold_at: int = 0
    ) -> None:
        self.refused = refused
        self.greylisted = set(greylisted)
        self.hold_at = hold_at
        self.mails = 0
        self.held = threading.Event()
        self.release = threading.Event()
        self.received: list[EmailMessage] = []

    async def handle_MAIL(  # noqa: N802 (aiosmtpd's hook names)
        self, server: Any, session: Any, envelope: Any, address: str, mail_options: list[str]
    ) -> str:
        self.mails += 1
        if self.mails == self.hold_at:
            self.held.set()
            deadline = time.monotonic() + WAIT_SECONDS
            while not self.release.is_set() and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(  # noqa: N802
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if address in self.refused:
            return "550 5.1.1 no such user"
        if address in self.greylisted:
            self.greylisted.discard(address)
            return "451 4.7.1 greylisted, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append(message)
        return "250 Message accepted for delivery"

    def recipients(self) -> Counter[str]:
        return Counter(str(message["To"]) for message in self.received)


StartRelay = Callable[..., tuple[Relay, int]]


@pytest.fixture
def relays() -> Iterator[StartRelay]:
    """Start a relay: ``relays(port=..., refused=..., greylisted=..., hold_at=...)`` -> (relay, its port)."""
    controllers: list[Controller] = []

    def start_relay(*, port: int | None = None, **options: Any) -> tuple[Relay, int]:
        relay = Relay(**options)
        controller = Controller(relay, hostname="127.0.0.1", port=port or free_port())
        controller.start()
        controllers.append(controller)
        return relay, int(controller.port)

    yield start_relay
    for controller in controllers:
        controller.handler.release.set()
        controller.stop()


# --- The broker, the worker and beat ---------------------------------------------------------


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    """A Redis of this test's own: a killed worker's unacknowledged task dies with it, not in the suite's Redis."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    redis = PrivateRedis(binary=binary, port=free_port(), log=tmp_path / "redis.log")
    redis.start()
    yield redis
    redis.stop()


@pytest.fixture
def beat(private_redis: PrivateRedis) -> Iterator[Celery]:
    """A Celery client on the private broker: queues tasks by name, as Celery beat does."""
    client = Celery("muster-test-beat", broker=private_redis.url, backend=private_redis.url)
    yield client
    client.close()


@dataclass
class Worker:
    """A Celery worker process, and the beat that queues work for it."""

    process: subprocess.Popen[bytes]
    log: Path
    beat: Celery

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def run(self, task: str) -> Any:
        """Queue a task by name, as Celery beat does, and wait until the worker has run it."""
        result = self.beat.send_task(task, ignore_result=False)
        deadline = time.monotonic() + WAIT_SECONDS
        while not result.ready():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the worker did not run {task}:\n{self.log_text()[-4000:]}")
            time.sleep(0.05)
        return result.get()

    def send_due_digests(self) -> int:
        """Beat's digest tick; returns how many batches it queued."""
        return int(self.run("subscriptions.tasks.send_due_digests"))

    def send_due_immediate_updates(self) -> int:
        """Beat's immediate-update tick; returns how many members it queued."""
        return int(self.run("subscriptions.tasks.send_due_immediate_updates"))

    def drain(self) -> None:
        """Wait until this (single, solo) worker has run everything queued so far: a ping queued now runs last."""
        assert self.run("muster.tasks.ping") == "pong"

    def kill(self) -> None:
        """SIGKILL: no warm shutdown, no acknowledgement, no rollback but the database's own."""
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)


StartWorker = Callable[[str], Worker]


@pytest.fixture
def workers(transactional_db: None, private_redis: PrivateRedis, beat: Celery, tmp_path: Path) -> Iterator[StartWorker]:
    """Start a Celery worker on the test database and the private broker, sending mail to ``email_url``
    (it boots while the test goes on; its first task waits for it). Every worker started is stopped before
    the test database is flushed."""
    started: list[Worker] = []
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PYTEST_") and key != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }

    def start_worker(email_url: str) -> Worker:
        env.update(
            {
                "DATABASE_URL": database_url_of_the_test_database(),
                "REDIS_URL": private_redis.url,
                "CELERY_TASK_ALWAYS_EAGER": "false",
                "EMAIL_URL": email_url,
                "MUSTER_SITE_URL": SITE_URL,
                "PYTHONUNBUFFERED": "1",
            }
        )
        log = tmp_path / f"worker-{len(started)}.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                [
                    *(sys.executable, "-m", "celery", "-A", "muster.celery_app", "worker", "--pool=solo"),
                    *("--without-heartbeat", "--without-gossip", "--without-mingle", "-l", "info"),
                    *("-n", f"mail-test-{len(started)}@%h"),
                ],
                cwd=ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        worker = Worker(process, log, beat)
        started.append(worker)
        return worker

    yield start_worker
    for worker in started:
        if worker.process.poll() is None:
            worker.process.terminate()
    for worker in started:
        try:
            worker.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.process.kill()
            worker.process.wait(timeout=5)


def smtp_url(port: int) -> str:
    return f"smtp://127.0.0.1:{port}"


def wait_until(condition: Callable[[], bool], what: str, worker: Worker) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}; worker log:\n{worker.log_text()[-4000:]}")
        time.sleep(0.05)


# --- People and content ------------------------------------------------------------------------


@dataclass
class Place:
    owner: Member
    community: Community
    board: Board


def gulf_coast() -> Place:
    owner = make_verified_member(first_name="Olive", last_name="Owner")
    community = community_create(creator=owner, name="Gulf Coast", slug="gulf", marking=marking())
    return Place(owner, community, board_create(community=community, actor=owner, name="General"))


def daily_reader(place: Place, first_name: str) -> Member:
    """A member who follows the community's new items by daily digest, whose digest is due now and
    covers the last hour."""
    member = joined(place.community, first_name, "Reader")
    follow(member=member, target=place.community, level=Level.NEW_ITEMS, delivery=Delivery.DAILY)
    now = timezone.now()
    MailPreferences.objects.filter(pk=member.pk).update(
        next_daily_at=now - timedelta(minutes=1), last_daily_at=now - timedelta(hours=1)
    )
    return member


def parts(message: EmailMessage) -> dict[str, str]:
    return {part.get_content_type(): str(part.get_content()) for part in message.iter_parts()}


def assert_is_an_update_with_one_click_unsubscribe(message: EmailMessage) -> str:
    """Checks the shape every update has; returns the unsubscribe link's path."""
    assert message.get_content_type() == "multipart/alternative"
    assert list(parts(message)) == ["text/plain", "text/html"]
    assert message["Auto-Submitted"] == "auto-generated"
    assert MESSAGE_ID.match(str(message["Message-ID"])), message["Message-ID"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = UNSUBSCRIBE_LINK.match(str(message["List-Unsubscribe"]).strip())  # a long link is folded
    assert link is not None, message["List-Unsubscribe"]
    return link.group(1)


# --- The tests -------------------------------------------------------------------------------


def test_a_daily_digest_and_an_immediate_update_arrive_once_as_text_and_html_with_one_click_unsubscribe(
    relays: StartRelay, workers: StartWorker
) -> None:
    relay, port = relays()
    worker = workers(smtp_url(port))
    place = gulf_coast()
    dana = daily_reader(place, "Dana")
    carol = joined(place.community, "Carol", "Watcher")
    thread = start(place.owner, place.board, title="Road to Bolivar closed")
    # An hour ago Carol chose to hear about every reply to the thread at once (after five minutes unread).
    an_hour_ago = timezone.now() - timedelta(hours=1)
    watching = follow(member=carol, target=thread, level=Level.WATCHING, delivery=Delivery.IMMEDIATE)
    Subscription.objects.filter(pk=watching.pk).update(created_at=an_hour_ago, updated_at=an_hour_ago)
    MailPreferences.objects.filter(pk=carol.pk).update(immediate_delay_minutes=5, immediate_through=an_hour_ago)
    post_reply(author=place.owner, thread=thread, body="Ferry is running instead.")
    # The reply was left unread for longer than her five minutes.
    ActivityEvent.objects.filter(verb=ActivityEvent.Verb.REPLIED, target_id=thread.pk).update(
        created_at=timezone.now() - timedelta(minutes=10)
    )

    assert worker.send_due_digests() == 1
    assert worker.send_due_immediate_updates() >= 1
    worker.drain()

    by_recipient = {str(message["To"]): message for message in relay.received}
    assert sorted(by_recipient) == sorted([dana.email, carol.email])
    digest, immediate = by_recipient[dana.email], by_recipient[carol.email]
    digest_unsubscribe = assert_is_an_update_with_one_click_unsubscribe(digest)
    assert_is_an_update_with_one_click_unsubscribe(immediate)
    assert str(digest["Subject"]).startswith("[Muster] Your daily digest: 1 update")
    assert "Road to Bolivar closed" in parts(digest)["text/plain"]
    assert "Road to Bolivar closed" in parts(digest)["text/html"]
    assert f"{SITE_URL}/" in parts(digest)["text/plain"]
    assert immediate["Subject"] == "[Muster] Re: Road to Bolivar closed"
    assert "Olive Owner" in parts(immediate)["text/plain"]
    assert immediate["In-Reply-To"]
    assert immediate["In-Reply-To"] == immediate["References"]

    # Beat's next ticks find both sent.
    assert worker.send_due_digests() == 0
    worker.send_due_immediate_updates()
    worker.drain()
    assert len(relay.received) == 2
    assert EmailDelivery.objects.filter(sent_at__isnull=False).count() == 2

    # Dana's mail client's one-click unsubscribe (no session, no token) turns her daily digest off.
    answer = Client().post(digest_unsubscribe, {"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200
    assert Subscription.objects.get(member=dana, target_id=place.community.pk).delivery == Delivery.SITE


def test_a_worker_killed_mid_batch_leaves_no_member_without_a_digest_and_none_with_two(
    relays: StartRelay, workers: StartWorker
) -> None:
    relay, port = relays(hold_at=5)
    first = workers(smtp_url(port))
    place = gulf_coast()
    readers = [daily_reader(place, f"Reader{number:02d}") for number in range(12)]
    start(place.owner, place.board, title="Shelter 4 is full")

    assert first.send_due_digests() == 1  # one batch of twelve
    assert relay.held.wait(WAIT_SECONDS), first.log_text()[-4000:]
    first.kill()  # while it waits for the relay to take the fifth digest
    relay.release.set()

    assert len(relay.received) == 4
    assert EmailDelivery.objects.filter(sent_at__isnull=False).count() == 4

    second = workers(smtp_url(port))
    assert second.send_due_digests() == 1  # beat's next tick: the eight whose digest is still due
    second.drain()

    assert relay.recipients() == Counter({reader.email: 1 for reader in readers}), second.log_text()[-4000:]
    deliveries = EmailDelivery.objects.filter(category=EmailDelivery.Category.DIGEST)
    assert sorted(deliveries.values_list("member_id", flat=True)) == sorted(reader.pk for reader in readers)
    assert not deliveries.filter(sent_at__isnull=True).exists()
    assert second.send_due_digests() == 0


def test_a_digest_queued_while_the_relay_is_down_arrives_once_it_is_back(
    relays: StartRelay, workers: StartWorker
) -> None:
    port = free_port()  # nothing listens there yet: the relay is down
    worker = workers(smtp_url(port))
    place = gulf_coast()
    reader = daily_reader(place, "Dana")
    start(place.owner, place.board, title="Levee inspection at noon")

    assert worker.send_due_digests() == 1
    wait_until(lambda: "Retry in" in worker.log_text(), "the batch to fail and be retried later", worker)
    assert not EmailDelivery.objects.exists()
    relay, _ = relays(port=port)  # the relay is back
    wait_until(lambda: len(relay.received) >= 1, "the digest after the relay came back", worker)
    worker.drain()

    assert relay.recipients() == Counter({reader.email: 1})
    assert "Levee inspection at noon" in parts(relay.received[0])["text/plain"]
    assert EmailDelivery.objects.get().sent_at is not None
    assert worker.send_due_digests() == 0


def test_an_address_refused_for_good_is_marked_failing_one_refused_for_now_is_retried_and_the_batch_goes_on(
    relays: StartRelay, workers: StartWorker
) -> None:
    port = free_port()
    worker = workers(smtp_url(port))
    place = gulf_coast()
    finn = daily_reader(place, "Finn")  # the relay greylists him: "try again later"
    erin = daily_reader(place, "Erin")  # the relay has no such user
    gail = daily_reader(place, "Gail")
    relay, _ = relays(port=port, refused=frozenset({erin.email}), greylisted=frozenset({finn.email}))
    start(place.owner, place.board, title="Water distribution points")

    assert worker.send_due_digests() == 1
    wait_until(lambda: len(relay.received) >= 2, "Finn's and Gail's digests", worker)
    worker.drain()

    # Gail's digest did not wait for Finn's: his came with the task's retry, once.
    assert [str(message["To"]) for message in relay.received] == [gail.email, finn.email]
    erin = Member.objects.get(pk=erin.pk)
    assert erin.mail_failed_at is not None
    assert "no such user" in erin.mail_failure
    refused = EmailDelivery.objects.get(member=erin)
    assert refused.failed_at is not None
    assert refused.sent_at is None
    assert EmailDelivery.objects.get(member=finn).sent_at is not None
    assert worker.send_due_digests() == 0

    warning = f"E-mail to {erin.email} has been failing"
    assert warning in signed_in(erin).get(reverse("subscriptions:list")).content.decode()
    for member in (finn, gail):
        assert "has been failing" not in signed_in(member).get(reverse("subscriptions:list")).content.decode()
