"""The index is written by a worker after the change commits, so whoever wrote (a chat message, a page)
does not wait for it; with the broker away it is written in place, and nothing is left out."""

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from unittest import mock

import pytest
from kombu.exceptions import OperationalError

from messaging import services as chat
from messaging.models import Message
from muster.celery_app import app as celery_app
from search import index
from search.models import SearchEntry
from tests.messaging.conftest import database_url_of_the_test_database
from tests.messaging.factories import make_room

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


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_worker_indexes_a_chat_message_after_the_send_has_returned(tasks_through_the_broker, start_worker) -> None:
    room = make_room(members=1)
    celery_app.control.purge()  # tasks an earlier run left in the queue

    message = chat.message_send(conversation=room.conversation, author=room.members[0], body="Fuel at pier nine")
    not_yet = entries_of(message)  # the sender did not index it: the task waits for a worker
    worker = start_worker()
    deadline = time.monotonic() + 60
    while not entries_of(message) and time.monotonic() < deadline:
        time.sleep(0.2)

    assert not_yet == []
    assert entries_of(message) == ["Fuel at pier nine"]
    assert worker.poll() is None


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_away_the_message_is_indexed_in_place(tasks_through_the_broker) -> None:
    room = make_room(members=1)

    with mock.patch.object(index.index_later, "delay", side_effect=OperationalError("Connection refused")):
        message = chat.message_send(conversation=room.conversation, author=room.members[0], body="Sandbags at gate two")

    assert entries_of(message) == ["Sandbags at gate two"]
    assert Message.objects.filter(pk=message.pk).exists()
