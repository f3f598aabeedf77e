"""Project-wide fixtures.

``MUSTER_REQUIRE_SERVICES=1`` (set by CI) turns every skipped test into a
failure: a missing PostgreSQL, Redis or browser must never pass silently.
"""

import os
import shutil
from collections.abc import Generator, Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

REQUIRE_SERVICES = os.environ.get("MUSTER_REQUIRE_SERVICES", "") not in ("", "0", "false")
CHROMIUM_PATH = os.environ.get("MUSTER_CHROMIUM", "/usr/bin/chromium")
# Hashing strength is Django's concern, not this suite's; a fast hasher keeps tests quick.
FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[Any]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if REQUIRE_SERVICES and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.longrepr = f"skipped, but MUSTER_REQUIRE_SERVICES is set: {reason}"
    return report


def pytest_unconfigure(config: pytest.Config) -> None:
    """Remove this run's SQLite test database file (``--reuse-db`` keeps it, and a new run never reuses it)."""
    name = str(settings.DATABASES["default"].get("TEST", {}).get("NAME") or "")
    if Path(name).name == f"muster-test-{os.getpid()}.sqlite3":
        for suffix in ("", "-wal", "-shm"):
            Path(name + suffix).unlink(missing_ok=True)


@pytest.fixture
def redis_url() -> str:
    """The real Redis the suite was pointed at; skips (fails in CI) without one."""
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set")
    return str(settings.REDIS_URL)


@pytest.fixture
def chromium_path() -> str:
    if not shutil.which(CHROMIUM_PATH):
        pytest.skip(f"Chromium not found at {CHROMIUM_PATH}")
    return CHROMIUM_PATH


@pytest.fixture(autouse=True)
def _isolated_media_root(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Every test's passwords with ``FAST_PASSWORD_HASHERS`` (and fixtures built once for a module use them too)."""
    settings.PASSWORD_HASHERS = FAST_PASSWORD_HASHERS


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    """Rate limits and other cached state must not leak between tests."""
    cache.clear()


@pytest.fixture(scope="module")
def seeded_demo(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[str]:
    """``seed_demo`` run once for the module; gives what it printed.

    The demo world stays for the module's tests and is rolled back at the module's end; each test (marked
    ``django_db``) runs in a transaction of its own inside it, so no test sees another's changes. Not for
    modules with ``transaction=True`` tests (they would find the module's transaction open).
    """
    out = StringIO()
    quick = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"), PASSWORD_HASHERS=FAST_PASSWORD_HASHERS)
    with django_db_blocker.unblock(), quick, transaction.atomic():
        call_command("seed_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)
