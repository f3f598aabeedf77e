"""E-mail digests (issue 12): one worker sends 2,000 members' daily digests to a local SMTP relay.

The world, on the throw-away test database:

- **members** (2,000): verified, the current rules accepted, a confirmed
  address; each belongs to four communities (open, open, restricted, private)
  and follows all four *watching*, delivery *daily*. Their digest is due and
  its window (since the last digest) holds 20 new threads, five in each
  community, started by two other members: every digest lists 20 items.
- Communities, boards and threads go through the services
  (``community_create``, ``board_create``, ``thread_start``: the feed events
  are recorded as the site records them). Members, addresses, rules
  acceptances, memberships (row and role group, as ``membership_join`` keeps
  them), subscriptions and mail preferences are bulk-created rows of the real
  models.

The relay is an ``aiosmtpd`` server in its own process
(``python -m bench.digests sink``, on loopback) that accepts and discards
every message, counting messages, connections and subjects. Like a real
submission relay it requires STARTTLS (TLS 1.3 with an ECDSA P-256
certificate made for the run, which the sender verifies) and AUTH before any
mail; ``--relay plain`` drops both.

The worker is this process, sending as the Celery batch task does:
``services.members_due`` (what beat runs; not timed), then
``subscriptions.tasks.send_digest_batch`` over batches of 100 members, one
SMTP connection each. The **baseline** sends the first 500 of the same
digests one e-mail per task, as a worker that sends each digest on its own
would: ``services.send_digests([member])`` with ``connection=None``, so each
e-mail makes its own access decisions and Django builds a TLS context (the
system CA bundle), connects, authenticates and quits for every e-mail, as the
stock backend does. A third run, **per connection**, keeps the batches'
shared access decisions but opens one connection per e-mail: what connection
reuse alone is worth. Before each run the schedule and delivery
rows are reset, so every digest is due and unsent again. Every run is checked:
as many e-mails sent, at the relay and recorded sent as were due, one SMTP
connection per batch (or per e-mail), every subject the expected one.

Timing covers the batches only, with ``DEBUG`` off as in a worker (no query
log): wall time, and the worker's own CPU time, which other load on the
machine changes least (the 1-minute load average is recorded). Queries are
counted by a ``connection.execute_wrapper``: every statement, ``BEGIN`` and
savepoints included. Queries per e-mail are also measured with digests of 5
and 40 items (100 members each, one batch, as each 20-item batch): they must
not grow with the digest.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import json
import logging
import math
import os
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any, ClassVar

from django.core.mail.backends.smtp import EmailBackend

ROOT = Path(__file__).resolve().parent.parent

MEMBERS = 2_000
ITEMS = 20
COMMUNITIES = 4
# The digest lengths measured beside ITEMS to show the queries per e-mail do not grow with it.
LENGTHS = (5, 40)
LENGTH_MEMBERS = 100  # one batch, as each batch of the main run
WARM_UP_MEMBERS = 10
# The baseline sends the first 500 of the same digests: a rate needs no more, and all 2,000 would add minutes.
BASELINE_MEMBERS = 500
HANDSHAKES = 30
RELAY_USER = "muster-bench"
RELAY_PASSWORD = "relay-secret-for-the-bench-only"  # noqa: S105 - a throw-away sink on loopback
# Goals (issue 12), on the 2-core machine.
PER_MINUTE_GOAL = 3_000
RATIO_GOAL = 5.0

TITLES = (
    "Shelter capacity for the weekend",
    "Sandbag distribution points",
    "Radio interoperability drill",
    "Road closures after the storm",
    "Mutual aid request template",
    "Generator fuel resupply",
    "Volunteer check-in process",
    "Cooling centre hours",
    "Debris removal contracts",
    "Evacuation route signage",
)
FIRST_NAMES = ("Dana", "Luis", "Priya", "Sam", "Amara", "Jonas", "Mei", "Tomas", "Aisha", "Kofi")
LAST_NAMES = ("Reyes", "Okafor", "Lindqvist", "Moreau", "Tanaka", "Novak", "Haddad", "Brennan", "Silva", "Kowalski")


# --- The relay process --------------------------------------------------------------
#
# Reads one JSON spec line, prints {"event": "ready", "port": ...}, then answers one JSON
# command per line ("count", "exit"). Imports nothing of Muster's and no Django settings.


class SinkCounts:
    def __init__(self) -> None:
        self.connections = 0
        self.messages = 0
        self.bytes = 0
        self.auth_failures = 0
        self.subjects: Counter[str] = Counter()

    def report(self) -> dict[str, Any]:
        return {
            "event": "count",
            "connections": self.connections,
            "messages": self.messages,
            "bytes": self.bytes,
            "auth_failures": self.auth_failures,
            "subjects": dict(self.subjects),
        }


def subject_of(content: bytes) -> str:
    headers = content.split(b"\r\n\r\n", 1)[0]
    for line in headers.split(b"\r\n"):
        if line[:9].lower() == b"subject: ":
            return line[9:].decode("ascii", "replace")
    return ""


class DiscardingHandler:
    """Accepts every message and keeps only its size and subject."""

    def __init__(self, counts: SinkCounts) -> None:
        self.counts = counts

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook name
        content = envelope.original_content or b""
        self.counts.messages += 1
        self.counts.bytes += len(content)
        self.counts.subjects[subject_of(content)] += 1
        return "250 2.0.0 Ok: queued"


async def sink_main() -> None:
    from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

    # aiosmtpd itself sets the deprecated attribute on every AUTH, and logs a warning each time.
    logging.getLogger("mail.log").setLevel(logging.ERROR)

    loop = asyncio.get_running_loop()
    stdin = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stdin), sys.stdin)
    spec = json.loads(await stdin.readline())
    counts = SinkCounts()
    handler = DiscardingHandler(counts)
    secure = spec["relay"] == "starttls-auth"
    tls_context = None
    if secure:
        tls_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls_context.load_cert_chain(spec["cert"], spec["key"])

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        good = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == spec["user"].encode()
            and auth_data.password == spec["password"].encode()
        )
        counts.auth_failures += not good
        return AuthResult(success=good)

    def factory() -> SMTP:
        counts.connections += 1
        options: dict[str, Any] = {"hostname": "relay.bench.localhost", "loop": loop}
        if secure:
            options.update(
                tls_context=tls_context,
                require_starttls=True,
                auth_required=True,
                auth_require_tls=True,
                authenticator=authenticator,
            )
        return SMTP(handler, **options)

    server = await loop.create_server(factory, host="127.0.0.1", port=0)
    port = server.sockets[0].getsockname()[1]

    def reply(message: dict[str, Any]) -> None:
        sys.stdout.write(json.dumps(message) + "\n")
        sys.stdout.flush()

    reply({"event": "ready", "port": port})
    while line := await stdin.readline():
        command = json.loads(line)
        if command["cmd"] == "count":
            reply(counts.report())
        elif command["cmd"] == "exit":
            break
    server.close()
    await server.wait_closed()


class Relay:
    """The relay process, driven over its stdin and stdout."""

    def __init__(self, relay: str, directory: Path) -> None:
        self.relay = relay
        spec: dict[str, Any] = {"relay": relay, "user": RELAY_USER, "password": RELAY_PASSWORD}
        if relay == "starttls-auth":
            cert, key = make_certificate(directory)
            spec.update(cert=str(cert), key=str(key))
            self.cafile = str(cert)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.digests", "sink"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        ready = self.ask(spec)
        if ready.get("event") != "ready":
            raise RuntimeError(f"the relay did not start: {ready}")
        self.port = int(ready["port"])

    def ask(self, message: dict[str, Any]) -> dict[str, Any]:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write(json.dumps(message) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the relay exited ({self.process.wait()})")
        return dict(json.loads(line))

    def counts(self) -> dict[str, Any]:
        return self.ask({"cmd": "count"})

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            assert self.process.stdin is not None
            self.process.stdin.write(json.dumps({"cmd": "exit"}) + "\n")
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def settings(self) -> dict[str, Any]:
        """Django's e-mail settings for sending to it."""
        secure = self.relay == "starttls-auth"
        return {
            "EMAIL_BACKEND": "bench.digests.RelayBackend" if secure else "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": self.port,
            "EMAIL_USE_TLS": secure,
            "EMAIL_USE_SSL": False,
            "EMAIL_HOST_USER": RELAY_USER if secure else "",
            "EMAIL_HOST_PASSWORD": RELAY_PASSWORD if secure else "",
            "EMAIL_TIMEOUT": 30,
        }


def make_certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed ECDSA P-256 certificate for 127.0.0.1, valid for a day."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "relay.bench.localhost")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert, private = directory / "relay.pem", directory / "relay.key"
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    private.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert, private


class RelayBackend(EmailBackend):
    """Django's SMTP backend, trusting the relay's certificate as well as the system's: like the stock backend,
    every instance (so every connection the baseline opens) builds its TLS context from the system bundle."""

    cafile: ClassVar[str] = ""

    @cached_property
    def ssl_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        context.load_verify_locations(cafile=self.cafile)
        return context


# --- The world --------------------------------------------------------------------------


@dataclass
class Audience:
    """Members whose digests list ``items`` items: what they follow holds that many new threads."""

    items: int
    member_ids: list[int]
    communities: int
    subject: str = ""


@dataclass
class World:
    window_start: datetime
    audiences: dict[int, Audience] = field(default_factory=dict)


def build_audience(label: str, size: int, items: int, authors: Sequence[Any], window_start: datetime) -> Audience:
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from communities.models import Community, Membership, Role
    from communities.services import community_create, membership_set_role
    from discussions.services import board_create, thread_start
    from notices.models import Delivery, Level, MailPreferences, Subscription
    from verification.models import Marking, Member, RulesAcceptance, RulesOfBehavior

    unmarked = Marking.objects.get(rank=0)
    owner, writer = authors
    visibilities = (
        Community.Visibility.OPEN,
        Community.Visibility.OPEN,
        Community.Visibility.RESTRICTED,
        Community.Visibility.PRIVATE,
    )
    communities, boards = [], []
    for i in range(COMMUNITIES):
        community = community_create(
            creator=owner,
            name=f"Digest {label} {i + 1}",
            slug=f"digest-{label}-{i + 1}",
            marking=unmarked,
            visibility=visibilities[i % len(visibilities)],
        )
        membership_set_role(community=community, member=writer, role=Role.MEMBER)
        communities.append(community)
        boards.append(board_create(community=community, actor=owner, name="Operations"))

    now = timezone.now()
    unusable = make_password(None)
    members = Member.objects.bulk_create(
        [
            Member(
                email=f"digest-{label}-{i}@example.gov",
                first_name=FIRST_NAMES[i % len(FIRST_NAMES)],
                last_name=LAST_NAMES[(i // len(FIRST_NAMES)) % len(LAST_NAMES)],
                password=unusable,
                verified_until=now + timedelta(days=365),
            )
            for i in range(size)
        ],
        batch_size=500,
    )
    ids = [member.pk for member in members]
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=member, email=member.email, verified=True, primary=True) for member in members],
        batch_size=500,
    )
    rules = RulesOfBehavior.objects.order_by("-version").first()
    if rules is not None:
        RulesAcceptance.objects.bulk_create([RulesAcceptance(member_id=pk, rules=rules) for pk in ids], batch_size=500)
    # A membership is its row and the community's member group, as membership_join keeps them.
    Membership.objects.bulk_create(
        [Membership(community=community, member_id=pk, role=Role.MEMBER) for community in communities for pk in ids],
        batch_size=500,
    )
    in_group = Member.groups.through
    in_group.objects.bulk_create(
        [in_group(member_id=pk, group_id=community.member_group_id) for community in communities for pk in ids],
        batch_size=500,
    )
    for community in communities:
        Community.objects.filter(pk=community.pk).update(
            member_count=Membership.objects.filter(community=community).count()
        )
    community_type = ContentType.objects.get_for_model(Community)
    Subscription.objects.bulk_create(
        [
            Subscription(
                member_id=pk,
                target_type=community_type,
                target_id=community.pk,
                level=Level.WATCHING,
                delivery=Delivery.DAILY,
            )
            for community in communities
            for pk in ids
        ],
        batch_size=500,
    )
    later = now + timedelta(days=30)  # not due until a run makes them due
    MailPreferences.objects.bulk_create(
        [
            MailPreferences(
                member_id=pk,
                default_delivery=Delivery.DAILY,
                next_daily_at=later,
                next_weekly_at=later,
                last_daily_at=window_start,
            )
            for pk in ids
        ],
        batch_size=500,
    )

    for i in range(items):
        community = communities[i % COMMUNITIES]
        thread_start(
            author=authors[i % len(authors)],
            community=community,
            board=boards[i % COMMUNITIES],
            title=f"{TITLES[i % len(TITLES)]} ({i + 1})",
            body="Where things stand, what we need and who to call.",
            marking=unmarked,
        )
    shown = min(items, COMMUNITIES)
    return Audience(
        items=items,
        member_ids=ids,
        communities=shown,
        subject=f"Your daily digest: {items} updates in {shown} communit{'y' if shown == 1 else 'ies'}",
    )


def build_world(members: int) -> World:
    from django.test import override_settings
    from django.utils import timezone

    from tests.verification.factories import make_verified_member

    window_start = timezone.now() - timedelta(seconds=1)
    world = World(window_start=window_start)
    # A fast hasher: the authors never sign in with a password.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        authors = [
            make_verified_member(first_name="Rosa", last_name="Delgado"),
            make_verified_member(first_name="Ivan", last_name="Petrov"),
        ]
    for items, size in ((ITEMS, members), *((length, LENGTH_MEMBERS) for length in LENGTHS)):
        world.audiences[items] = build_audience(f"{items}-items", size, items, authors, window_start)
    return world


# --- Sending ---------------------------------------------------------------------------


class StatementCounter:
    """An ``execute_wrapper`` counting every statement by its first word."""

    def __init__(self) -> None:
        self.kinds: Counter[str] = Counter()

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.kinds[sql.lstrip().split(None, 1)[0].upper() if sql.strip() else "?"] += 1
        return execute(sql, params, many, context)

    @property
    def total(self) -> int:
        return sum(self.kinds.values())


def make_due(audience: Audience, window_start: datetime, member_ids: Sequence[int] | None = None) -> list[int]:
    """Every digest of the audience due now and unsent again, its window from ``window_start``;
    returns the members beat finds due (``services.members_due``)."""
    from django.utils import timezone

    from notices.models import Delivery, EmailDelivery, MailPreferences
    from subscriptions import services

    ids = list(member_ids if member_ids is not None else audience.member_ids)
    EmailDelivery.objects.filter(category=EmailDelivery.Category.DIGEST).delete()
    MailPreferences.objects.filter(member_id__in=audience.member_ids).update(
        next_daily_at=timezone.now() + timedelta(days=30)
    )
    MailPreferences.objects.filter(member_id__in=ids).update(
        next_daily_at=timezone.now() - timedelta(minutes=1), last_daily_at=window_start, held_from=None
    )
    due = services.members_due(Delivery.DAILY, now=timezone.now())
    if sorted(due) != sorted(ids):
        raise RuntimeError(f"expected {len(ids)} digests due, beat finds {len(due)}")
    return due


def send(
    audience: Audience,
    window_start: datetime,
    relay: Relay,
    *,
    mode: str,
    member_ids: Sequence[int] | None = None,
) -> dict[str, Any]:
    """Send the audience's due digests as one worker; what it took, checked against the relay and the database."""
    from django.db import connection

    from notices.models import Delivery, EmailDelivery
    from subscriptions import services, tasks

    due = make_due(audience, window_start, member_ids)
    batch_size = tasks.BATCH_SIZE
    before = relay.counts()
    counter = StatementCounter()
    sent = 0
    with connection.execute_wrapper(counter):
        started, cpu_started = time.perf_counter(), time.process_time()
        for start in range(0, len(due), batch_size):
            batch = due[start : start + batch_size]
            if mode == "per-email":
                # The baseline: one e-mail per task, as a worker sending each digest on its own would (its own
                # access decisions, and its own SMTP connection, which Django opens and closes per e-mail).
                for member_id in batch:
                    sent += services.send_digests([member_id], Delivery.DAILY)
            elif mode == "per-connection":
                # The batch's shared work, but no shared connection: what connection reuse alone is worth.
                sent += services.send_digests(batch, Delivery.DAILY)
            else:
                sent += tasks.send_digest_batch.run(batch, Delivery.DAILY)
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    after = relay.counts()
    messages = after["messages"] - before["messages"]
    connections = after["connections"] - before["connections"]
    subjects = Counter(after["subjects"]) - Counter(before["subjects"])
    expected_subject = f"[Muster] {audience.subject}"
    recorded = EmailDelivery.objects.filter(member_id__in=due, sent_at__isnull=False).count()
    batches = math.ceil(len(due) / batch_size)
    problems = []
    if not sent == messages == recorded == len(due):
        problems.append(f"{len(due)} due, {sent} sent, {messages} at the relay, {recorded} recorded as sent")
    if connections != (batches if mode == "batch" else len(due)):
        problems.append(f"{connections} SMTP connections for {len(due)} e-mails in {batches} batches")
    if set(subjects) != {expected_subject}:
        problems.append(f"subjects {dict(subjects)}, expected only {expected_subject!r}")
    if after["auth_failures"] != before["auth_failures"]:
        problems.append("the relay refused a login")
    return {
        "emails": sent,
        "items": audience.items,
        "seconds": round(seconds, 3),
        "emails_per_minute": round(sent / seconds * 60, 1) if seconds else math.nan,
        "ms_per_email": round(seconds / sent * 1000, 3) if sent else math.nan,
        # The worker's own CPU time: what other load on the machine changes least.
        "cpu_ms_per_email": round(cpu_seconds / sent * 1000, 3) if sent else math.nan,
        "queries_per_email": round(counter.total / sent, 3) if sent else math.nan,
        "statements_per_email": {kind: round(n / sent, 3) for kind, n in sorted(counter.kinds.items())} if sent else {},
        "smtp_connections": connections,
        "bytes_per_email": round((after["bytes"] - before["bytes"]) / messages) if messages else 0,
        "problems": problems,
    }


def handshake_ms() -> dict[str, float]:
    """Median milliseconds to open and close one connection to the relay, sending nothing (a new backend
    each time, as ``connection=None`` makes); and of that, to build the TLS context (the system CA bundle)."""
    from django.conf import settings
    from django.core.mail import get_connection

    connect, context = [], []
    for _ in range(HANDSHAKES):
        started = time.perf_counter()
        backend = get_connection()
        backend.open()
        backend.close()
        connect.append((time.perf_counter() - started) * 1000)
        if settings.EMAIL_USE_TLS:
            started = time.perf_counter()
            ssl.create_default_context()
            context.append((time.perf_counter() - started) * 1000)
    return {
        "connection_open_close_ms": round(statistics.median(connect), 3),
        "tls_context_ms": round(statistics.median(context), 3) if context else 0.0,
    }


@contextlib.contextmanager
def relay_running(relay: str) -> Iterator[Relay]:
    with tempfile.TemporaryDirectory(prefix="digest-relay-") as directory:
        process = Relay(relay, Path(directory))
        try:
            if relay == "starttls-auth":
                RelayBackend.cafile = process.cafile
            yield process
        finally:
            process.stop()


def run(members: int = MEMBERS, relay: str = "starttls-auth") -> dict[str, Any]:
    from django.db import connection
    from django.test import override_settings

    from subscriptions import tasks

    started = time.monotonic()
    load_before = os.getloadavg()[0]
    world = build_world(members)
    setup_seconds = time.monotonic() - started
    main = world.audiences[ITEMS]
    print(
        f"digests: {members} members, {ITEMS} items each (and {LENGTH_MEMBERS} each with "
        f"{', '.join(str(n) for n in LENGTHS)}) in {setup_seconds:.1f} s",
        flush=True,
    )
    with relay_running(relay) as sink, override_settings(DEBUG=False, **sink.settings()):
        # Templates compiled, content types cached: what a worker that has sent before has.
        warm = world.audiences[LENGTHS[0]]
        send(warm, world.window_start, sink, mode="batch", member_ids=warm.member_ids[:WARM_UP_MEMBERS])
        lengths = {n: send(world.audiences[n], world.window_start, sink, mode="batch") for n in LENGTHS}
        first = main.member_ids[:BASELINE_MEMBERS]
        baseline = send(main, world.window_start, sink, mode="per-email", member_ids=first)
        print(f"digests: baseline {baseline['emails_per_minute']:.0f} e-mails/min", flush=True)
        per_connection = send(main, world.window_start, sink, mode="per-connection", member_ids=first)
        print(f"digests: batches without a shared connection {per_connection['emails_per_minute']:.0f}/min", flush=True)
        optimised = send(main, world.window_start, sink, mode="batch")
        handshake = handshake_ms()
    load_after = os.getloadavg()[0]
    lengths[ITEMS] = optimised
    by_items = {str(n): lengths[n]["queries_per_email"] for n in sorted(lengths)}
    constant = len(set(by_items.values())) == 1
    ratio = optimised["emails_per_minute"] / baseline["emails_per_minute"]
    connection_ratio = optimised["emails_per_minute"] / per_connection["emails_per_minute"]
    runs = {
        "baseline": baseline,
        "per_connection": per_connection,
        "optimised": optimised,
        **{f"{n} items": lengths[n] for n in LENGTHS},
    }
    problems = [f"{name}: {problem}" for name, result in runs.items() for problem in result["problems"]]
    passed = {
        "emails_per_minute": optimised["emails_per_minute"] >= PER_MINUTE_GOAL,
        "ratio": ratio >= RATIO_GOAL,
        "constant_queries": constant,
    }
    print(
        f"digests, {connection.vendor}, relay {relay}: {optimised['emails_per_minute']:.0f} e-mails/min over one "
        f"connection per batch vs {baseline['emails_per_minute']:.0f} one e-mail per task (x{ratio:.2f}) and "
        f"{per_connection['emails_per_minute']:.0f} in batches, one connection per e-mail (x{connection_ratio:.2f}); "
        f"{optimised['ms_per_email']:.1f} ms per e-mail ({optimised['cpu_ms_per_email']:.1f} ms of the worker's CPU) "
        f"vs {baseline['ms_per_email']:.1f} ({baseline['cpu_ms_per_email']:.1f}); "
        f"{handshake['connection_open_close_ms']:.1f} ms per connection opened and closed"
        + (f" (of which {handshake['tls_context_ms']:.1f} ms the TLS context)" if handshake["tls_context_ms"] else "")
        + f"; load average {load_before:.1f} before, {load_after:.1f} after"
    )
    print(
        "digests: queries per e-mail by digest length: "
        + ", ".join(f"{n} items {q}" for n, q in by_items.items())
        + (" (constant)" if constant else " (NOT constant)")
    )
    verdicts = ", ".join(f"{goal} {'pass' if ok else 'FAIL'}" for goal, ok in passed.items())
    print(f"digests: goals (>= {PER_MINUTE_GOAL}/min, >= x{RATIO_GOAL:g} the baseline, constant queries): {verdicts}")
    for problem in problems:
        print(f"digests: PROBLEM {problem}")
    return {
        "method": {
            "members": members,
            "items": ITEMS,
            "communities_followed": COMMUNITIES,
            "batch_size": tasks.BATCH_SIZE,
            "relay": relay,
            "relay_process": "aiosmtpd on loopback, accepts and discards",
            "worker": "one process, DEBUG off, subscriptions.tasks.send_digest_batch per batch",
            "baseline": "one e-mail per task: services.send_digests([member]) with connection=None, so each e-mail "
            "has its own access decisions and its own SMTP connection",
            "per_connection": "the batches' shared access decisions, but connection=None: one SMTP connection per "
            "e-mail (what connection reuse alone is worth)",
            "baseline_members": min(BASELINE_MEMBERS, members),
            "length_members": LENGTH_MEMBERS,
        },
        # Other work on the machine slows both runs: the 1-minute load average (2 cores: 2.0 is full).
        "load_average": {"before": round(load_before, 2), "after": round(load_after, 2)},
        "setup_seconds": round(setup_seconds, 1),
        "total_seconds": round(time.monotonic() - started, 1),
        "optimised": optimised,
        "baseline": baseline,
        "per_connection": per_connection,
        "ratio": round(ratio, 3),
        "ratio_to_per_connection": round(connection_ratio, 3),
        **handshake,
        "queries_per_email_by_items": by_items,
        "constant_queries": constant,
        "by_items": {str(n): lengths[n] for n in LENGTHS},
        "goals": {"emails_per_minute": PER_MINUTE_GOAL, "ratio": RATIO_GOAL},
        "passed": passed,
        "problems": problems,
    }


if __name__ == "__main__":
    if sys.argv[1:] == ["sink"]:
        asyncio.run(sink_main())
    else:
        sys.exit("usage: python -m bench.digests sink  (started by python -m bench digests)")
