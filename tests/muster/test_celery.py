import os
import subprocess
import sys
from pathlib import Path

import pytest

from muster.celery_app import app as celery_app

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def celery_worker_process(redis_url: str):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env.update({"REDIS_URL": redis_url, "CELERY_TASK_ALWAYS_EAGER": "false"})
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "muster.celery_app", "worker", "--pool=solo", "-l", "warning"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    yield process
    process.terminate()
    process.wait(timeout=20)


@pytest.mark.redis
def test_a_real_worker_consumes_tasks_from_the_redis_broker(celery_worker_process, redis_url: str) -> None:
    assert celery_app.conf.broker_url == redis_url

    # send_task always goes through the broker, even where the suite runs tasks eagerly.
    result = celery_app.send_task("muster.tasks.ping")

    assert result.get(timeout=60) == "pong"
    assert celery_worker_process.poll() is None
