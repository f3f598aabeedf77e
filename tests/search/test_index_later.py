"""The index is written by a worker after the change commits, so whoever wrote (a chat message, a page)
does not wait for it; with the broker away it is written in place, and nothing is left out."""

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from unittest import mock

import pytest
from django.db import DatabaseError, transaction
from kombu.exceptions import OperationalError
from redis import Redis

from messaging import services as chat
from messaging.models import Message
from muster.cache import cache_key, redis_client
from muster.celery_app import app as celery_app
from search import index
from search.models import SearchEntry
from tests.messaging.conftest import database_url_of_the_test_database
from tests.messaging.factories import make_room, saved

ROOT = Path(__file__).resolve().parents[2]
WORKER = [sys.executable, "-m", "celery", "-A", "muster.celery_app", "worker", "--pool=solo", "-l", "warning"]


def entries_of(message: Message) -> list[str]:
    return list(SearchEntry.objects.filter(object_id=message.pk, search_type="message").values_list("body", flat=True))


@pytest.fixture
def tasks_through_the_broker() -> Iterator[None]:
    """Tasks go to the real broker, as in production, instead of running in the caller (the suite's default)."""
    celery_app.conf.task_always_eager = False
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = True


@pytest.fixture
def start_worker(redis_url: str, tmp_path: Path) -> Iterator[Callable[[], subprocess.Popen[bytes]]]:
    """A real Celery worker on the test database and the suite's Redis, started when the test asks."""
    started: list[subprocess.Popen[bytes]] = []

    def start() -> subprocess.Popen[bytes]:
        env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_")}
        env.update(
            {
                "REDIS_URL": redis_url,
                "CELERY_TASK_ALWAYS_EAGER": "false",
                "DATABASE_URL": database_url_of_the_test_database(),
            }
        )
        with (tmp_path / "worker.log").open("wb") as log:
            command = [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "muster.celery_app",
                "worker",
                "--pool=solo",
                "-l",
                "warning",
            ]
            started.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT))
        return started[-1]

    yield start
    for process in started:
        process.terminate()
        process.wait(timeout=20)


def pending_items(client: Redis) -> set[bytes]:
    return {item for item in client.smembers(cache_key(index.PENDING)) if isinstance(item, bytes)}


def messages_waiting(client: Redis) -> set[bytes]:
    """The chat messages among the items waiting to be indexed (a new room's members wait there too)."""
    return {item for item in pending_items(client) if item.startswith(b"messaging.message:")}


def queued_tasks(client: Redis) -> list[str]:
    """The task names waiting in Celery's default queue on the broker."""
    return [json.loads(raw)["headers"]["task"] for raw in client.lrange("celery", 0, -1)]


@pytest.fixture
def broker(redis_url: str, tasks_through_the_broker) -> Iterator[Redis]:
    """The suite's Redis, as broker and cache, with no task or pending item left from an earlier test."""
    client = redis_client()
    assert client is not None, "the suite's cache must be Redis for these tests"
    index._enqueue_waiting()  # what earlier tests' rolled-back changes left waiting, cleared below
    celery_app.control.purge()
    client.delete(cache_key(index.PENDING), cache_key(index.SCHEDULED))
    yield client
    celery_app.control.purge()
    client.delete(cache_key(index.PENDING), cache_key(index.SCHEDULED))


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_burst_of_messages_is_indexed_by_one_task(broker, start_worker) -> None:
    room = make_room(members=2)
    bodies = ["Generator at the school", "Water at the church", "Cots at the arena", "Fuel at pier nine"]

    sent = [
        chat.message_send(conversation=room.conversation, author=room.members[i % 2], body=body)
        for i, body in enumerate(bodies)
    ]
    waiting = queued_tasks(broker)
    waiting_messages = messages_waiting(broker)
    not_yet = [entries_of(message) for message in sent]  # the senders did not index them
    worker = start_worker()
    deadline = time.monotonic() + 60
    while not all(entries_of(message) for message in sent) and time.monotonic() < deadline:
        time.sleep(0.2)

    assert not_yet == [[], [], [], []]
    assert waiting == ["search.index.index_pending"]  # one task, for the room's members and the four messages
    assert waiting_messages == {f"messaging.message:1:{message.pk}".encode() for message in sent}
    assert [entries_of(message) for message in sent] == [[body] for body in bodies]
    assert pending_items(broker) == set()
    assert worker.poll() is None


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_failed_run_puts_its_items_back_and_the_next_run_indexes_them(broker) -> None:
    room = make_room(members=1)
    message = chat.message_send(conversation=room.conversation, author=room.members[0], body="Sandbags at gate two")
    celery_app.control.purge()  # the task is run here, by hand

    with (
        mock.patch.object(index, "index_items", side_effect=DatabaseError("the database went away")),
        pytest.raises(DatabaseError),
    ):
        index.index_pending.run()
    after_failure = (entries_of(message), messages_waiting(broker))
    index.index_pending.run()

    assert after_failure == ([], {f"messaging.message:1:{message.pk}".encode()})
    assert entries_of(message) == ["Sandbags at gate two"]
    assert pending_items(broker) == set()


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_with_the_broker_away_the_message_is_indexed_in_place(broker) -> None:
    with mock.patch.object(index.index_pending, "apply_async", side_effect=OperationalError("Connection refused")):
        room = make_room(members=1)
        message = chat.message_send(conversation=room.conversation, author=room.members[0], body="Sandbags at gate two")

    assert entries_of(message) == ["Sandbags at gate two"]
    assert Message.objects.filter(pk=message.pk).exists()
    assert broker.exists(cache_key(index.SCHEDULED)) == 0  # the next change tries the broker again


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_messages_saved_together_wait_for_the_worker_together(broker) -> None:
    room = make_room(members=1)
    drafts = [chat.Draft(body) for body in ("Generator at the school", "Water at the church", "Cots at the arena")]

    sent = saved(chat.messages_send(conversation=room.conversation, author=room.members[0], drafts=drafts))

    assert messages_waiting(broker) == {f"messaging.message:1:{message.pk}".encode() for message in sent}
    assert queued_tasks(broker) == ["search.index.index_pending"]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_does_not_keep_the_next_changes_out_of_the_index() -> None:
    """Items a transaction changes are indexed together after it commits: one rolled back, wholly or to a
    savepoint, must not take the later items' turn with it."""
    room = make_room(members=1)

    def send(body: str) -> Message:
        return chat.message_send(conversation=room.conversation, author=room.members[0], body=body)

    def send_and_roll_back(body: str) -> None:
        with transaction.atomic():
            send(body)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        send_and_roll_back("Rolled back")
    with transaction.atomic():
        kept = send("Kept")
        with pytest.raises(RuntimeError):
            send_and_roll_back("Back to the savepoint")
        after = send("After the savepoint")
    alone = send("On its own")

    assert [entries_of(message) for message in (kept, after, alone)] == [
        ["Kept"],
        ["After the savepoint"],
        ["On its own"],
    ]
    assert not SearchEntry.objects.filter(body__in=["Rolled back", "Back to the savepoint"]).exists()
