"""SQLite FTS5 and PostgreSQL find the same.

``build_corpus`` writes one small shared corpus; ``corpus_findings`` writes it and searches it through the
search page as one member, query by query. This module does that on the database of the run, and once per
session runs ``tests/search/parity_probe.py`` in a subprocess on the *other* database, which does the same
and writes its findings as JSON. Each query must find the same items (in the same order when the results
are by date), with the same total, facets and notes.

On PostgreSQL the other database is SQLite (always there). On SQLite it is the PostgreSQL at
``MUSTER_PARITY_POSTGRES_URL`` (default ``postgres://postgres@127.0.0.1:5432/muster_parity``; the probe
creates its own test database there, named after the run); without a reachable PostgreSQL these tests skip,
which CI (``MUSTER_REQUIRE_SERVICES=1``) turns into failures.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.parse
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test import TestCase
from django.urls import reverse

from discussions.models import Thread
from search.query import parse
from tests.search.conftest import Given, Searcher, facets, marking, notes, results, total
from verification.models import Member

pytestmark = pytest.mark.django_db  # so the run sets up its database, which ``this_database`` writes to

ROOT = Path(__file__).resolve().parents[2]
PROBE = "tests/search/parity_probe.py"
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/muster_parity"
PROBE_TIMEOUT_SECONDS = 600

# Words, stems, phrases, OR, -word, operators, orders, odd characters and what a tokeniser may read its own way
# (accents, host names, addresses, hyphens, numbers).
PARITY_QUERIES = [
    "surge",
    "levee",
    "floods",
    "flooding",
    "evacuate",
    "generator",
    "sandbags",
    "storm surge",
    '"storm surge"',
    '"surge forecast"',
    '"low-lying"',
    "low-lying",
    '"pumping stations"',
    "levee OR generators",
    'sandbags OR "storm surge"',
    "surge -levee",
    'surge -"storm surge"',
    "87",
    "cafe",
    "café",
    "fema",
    "fema.gov",
    "tide",
    "ack",
    "swiftwater",
    "terrebonne",
    "tag:hurricanes",
    "tag:hurricanes,flooding",
    "surge type:thread",
    "levee type:post,page",
    "#gulf surge",
    "#harbor",
    "@olive-owner levee",
    "marking:fouo",
    "type:member fire",
    "discipline:ems",
    "in:mine",
    "floods before:2025-01-01",
    "storm after:2024-12-31 before:2026-01-01",
    "surge order:newest",
    "levee order:oldest",
    "colour:red",
    "NEAR(storm surge)",
    "storm* ^surge",
    "xylophone",
]

Finding = dict[str, Any]


def build_corpus(given: Given) -> tuple[Member, dict[str, str]]:
    """The shared corpus: the member who searches it, and each result link -> the item's name."""
    owner = given.member("Olive", "Owner", markings=("fouo",))
    casey = given.member("Casey", "Cleared", markings=("fouo",))
    gulf = given.community(owner, "gulf", "Gulf Coast")
    harbor = given.community(owner, "harbor", "Harbor Ops")
    given.join(gulf, casey)
    given.join(harbor, casey)
    named: dict[str, Any] = {}

    storm = given.thread(
        owner, gulf, "Storm surge forecast", "Expected at dawn; the surge may top the levee.", tags=["hurricanes"]
    )
    storm.tags.add("flooding")
    named["storm thread"] = storm
    named["storm opening"] = storm.posts.get()
    named["pumps reply"] = given.reply(casey, storm, "Pumps are running at the north levee.")
    named["route reply"] = given.reply(owner, storm, "Flooding on Route 87: evacuate the low-lying streets.")
    named["routes page"] = given.page(
        owner, gulf, "Evacuation routes", "Follow the evacuation route signs. The café serves hot meals."
    )
    named["levee page"] = given.page(
        casey,
        harbor,
        "Levee inspections",
        "Inspected levees weekly; pumping stations checked before the surge.",
        tags=["flooding"],
    )
    named["sandbag document"] = given.document(
        owner, gulf, "Sandbag inventory", "Sandbags: 5,000 at the depot. Guidance at www.fema.gov/floodplain maps."
    )
    named["tide link"] = given.link(
        owner, harbor, "NOAA surge maps", "https://www.noaa.gov/storm-tide", description="Interactive storm surge maps"
    )
    named["diesel message"] = given.message(casey, given.room(gulf), "Generators running at the shelter; diesel low.")
    named["guard document"] = given.document(
        owner, gulf, "Levee guard roster", "Guards rotate at the pumping station.", marking=marking("fouo")
    )
    named["colour page"] = given.page(casey, gulf, "Flag signals", "A red flag colour means the beach is closed.")
    named["radio page"] = given.page(owner, gulf, "Radio codes", "Type `<ack>` to acknowledge a call.")
    named["floods blog"] = given.thread(
        owner,
        gulf,
        "Lessons from the floods",
        "Floods taught us to stage sandbags early.",
        kind=Thread.Kind.BLOG,
        publish_at=datetime(2024, 5, 1, 12, tzinfo=UTC),
    )
    named["floods blog opening"] = named["floods blog"].posts.get()
    named["drills blog"] = given.thread(
        owner,
        gulf,
        "Drills for storm season",
        "We drilled the evacuation twice.",
        kind=Thread.Kind.BLOG,
        publish_at=datetime(2025, 5, 1, 12, tzinfo=UTC),
    )
    named["drills blog opening"] = named["drills blog"].posts.get()
    rosa = given.member("Rosa", "Quintero")
    given.profile(
        rosa,
        shared=("expertise",),
        expertise=("swiftwater rescue",),
        discipline="fire",
        organisation="Terrebonne Fire District",
    )
    ali = given.member("Ali", "Haddad")
    given.profile(ali, shared=("jurisdiction",), discipline="ems", organisation="Bayou EMS")
    # What the member may not see: found by neither database.
    private = given.community(owner, "private", "Private Watch", visibility="private")
    named["private thread"] = given.thread(owner, private, "Storm surge in private")

    links = {f"member {member.first_name}": reverse("members:profile", args=[member.pk]) for member in (rosa, ali)}
    for name, item in named.items():
        links[name] = reverse("search:open", args=[_content_type_id(item), item.pk])
    return casey, {link: name for name, link in links.items()}


def _content_type_id(item: Any) -> int:
    return ContentType.objects.get_for_model(item).pk


def is_ordered_by_date(q: str) -> bool:
    query = parse(q)
    return query.order in ("newest", "oldest") or not query.has_words


def corpus_findings(given: Given) -> dict[str, Finding]:
    """Write the corpus and search it, query by query, as its member on the search page."""
    member, names = build_corpus(given)
    searcher = Searcher(member)
    findings = {}
    for q in PARITY_QUERIES:
        page = searcher.page(q)
        found = [names.get(result.url, result.url) for result in results(page)]
        findings[q] = {
            "found": found if is_ordered_by_date(q) else sorted(found),
            "total": total(page),
            "facets": {f"{link.group}: {link.label}": link.count for link in facets(page) if link.group != "Year"},
            "notes": notes(page),
        }
    return findings


# --- The other database ------------------------------------------------------------------------------------


def _postgres_reachable(url: str) -> str:
    """Why PostgreSQL at ``url`` cannot be used, or "" when it can."""
    parts = urllib.parse.urlsplit(url)
    try:
        with psycopg.connect(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 5432,
            user=urllib.parse.unquote(parts.username or "postgres"),
            password=urllib.parse.unquote(parts.password or ""),
            dbname="postgres",
            connect_timeout=3,
        ):
            return ""
    except psycopg.Error as error:
        return str(error).strip() or type(error).__name__


def _other_database_url(tmp: Path) -> tuple[str, str]:
    """The other database's URL and vendor; skips when it is PostgreSQL and cannot be reached."""
    if connection.vendor == "postgresql":
        return f"sqlite:///{tmp / 'parity.sqlite3'}", "sqlite"
    url = os.environ.get("MUSTER_PARITY_POSTGRES_URL") or DEFAULT_POSTGRES_URL
    problem = _postgres_reachable(url)
    if problem:
        pytest.skip(f"no PostgreSQL to compare SQLite with at {url} (set MUSTER_PARITY_POSTGRES_URL): {problem}")
    # A database name of this run's own, so two runs on one server never share a test database.
    parts = urllib.parse.urlsplit(url)
    name = re.sub(r"\W", "_", parts.path.lstrip("/") or "muster_parity")
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}_{os.getpid()}")), "postgresql"


@pytest.fixture(scope="module")
def other_database(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Finding]:
    """The findings of the other database, from one subprocess per session."""
    tmp = tmp_path_factory.mktemp("parity")
    url, vendor = _other_database_url(tmp)
    output = tmp / "findings.json"
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_")}
    env.pop("MUSTER_SQLITE_TEST_NAME", None)  # the probe's SQLite test database must be its own
    env.update({"DATABASE_URL": url, "MUSTER_PARITY_OUTPUT": str(output), "CELERY_TASK_ALWAYS_EAGER": "true"})
    probe = subprocess.run(
        # Without the project's --reuse-db, the probe's test database is dropped when it is done.
        [sys.executable, "-m", "pytest", PROBE, "-q", "-p", "no:cacheprovider", "-o", "addopts=", "--create-db"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=PROBE_TIMEOUT_SECONDS,
        check=False,
    )
    assert probe.returncode == 0, f"the probe failed on {vendor}:\n{probe.stdout[-6000:]}\n{probe.stderr[-3000:]}"
    written = json.loads(output.read_text())
    assert written["vendor"] == vendor
    findings: dict[str, Finding] = written["findings"]
    return findings


@pytest.fixture(scope="module")
def this_database(django_db_setup: None, django_db_blocker: Any) -> dict[str, Finding]:
    """The findings of the run's database, written in a transaction that is rolled back."""
    with django_db_blocker.unblock(), transaction.atomic():
        findings = corpus_findings(Given(TestCase.captureOnCommitCallbacks))
        transaction.set_rollback(True)
    return findings


@pytest.mark.parametrize("q", PARITY_QUERIES)
def test_both_databases_find_the_same(
    q: str, this_database: dict[str, Finding], other_database: dict[str, Finding]
) -> None:
    assert this_database[q] == other_database[q], (
        f"{connection.vendor} (left) and the other database (right) differ on {q!r}"
    )


def test_the_corpus_finds_something_for_most_queries_and_hides_the_private_community(
    this_database: dict[str, Finding],
) -> None:
    found = {q: finding["found"] for q, finding in this_database.items()}

    # Every query but a few (nothing to find, or words a tokeniser reads its own way) finds something, so the
    # comparison is not of empty lists.
    assert sum(1 for names in found.values() if names) >= len(PARITY_QUERIES) - 8
    assert all("private thread" not in names for names in found.values())
    assert found['"storm surge"'] == ["storm thread", "tide link"]
    assert found['surge -"storm surge"'] == ["levee page"]
    assert found["levee order:oldest"] == ["storm thread", "pumps reply", "levee page", "guard document"]
    assert found["in:mine"] == ["colour page", "diesel message", "levee page", "pumps reply"]
    assert found["xylophone"] == []
