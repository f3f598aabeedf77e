"""Failed sign-ins slow the guesser down without locking the member out (issue 18, point 6).

Two counts, both kept in the Django cache (Redis in production, so every web process
shares them; nothing is written to the database for a failed try):

- **per address and account together.** The first ``MUSTER_SIGN_IN_FREE_FAILURES`` (5)
  failures from one address on one account cost nothing; after that each try must wait
  twice as long as the last (2 s, 4 s, 8 s … at most ``MUSTER_SIGN_IN_MAX_DELAY_SECONDS``,
  15 minutes). A try during the wait is refused before the password or code is checked.
  A success from that address forgets its failures, and so does a day without one. The
  member at another address, or a colleague behind the same address, is not slowed at all.
- **per account, failures in a row from anywhere** (passwords and second-step codes
  alike). When the run reaches ``MUSTER_SIGN_IN_NOTICE_FAILURES`` (10) the member is
  e-mailed and it is audited, once per run; at ``MUSTER_SIGN_IN_CEILING`` (100, the most
  NIST SP 800-63B allows) sign-in is refused until the member resets their password, which
  is e-mailed and audited too. A completed sign-in or a password reset ends the run.

Each try is counted as a failure when it is let through (so parallel tries cannot slip
past a delay or the ceiling) and given back when it succeeds. An address that has no
account is counted in the same way, so the answers never tell whether it has one.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Literal, TypedDict

from allauth.account.adapter import get_adapter
from allauth.account.utils import filter_users_by_email
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.forms import ValidationError
from django.http import HttpRequest
from django.utils import timezone

from verification import tasks
from verification.audit import audit_record
from verification.models import AuditEvent, Member

Step = Literal["password", "code"]

# How long the cache remembers an address's failures on an account, and an account's run.
PAIR_MEMORY_SECONDS = 24 * 60 * 60
ACCOUNT_MEMORY_SECONDS = 30 * 24 * 60 * 60
# The short lock that makes reading and counting one address's try a single step.
LOCK_SECONDS = 5
LOCK_WAIT_SECONDS = 1.0
LONGEST_EXPONENT = 30

WHAT_FAILED: dict[Step, str] = {"password": "failed login attempts", "code": "wrong codes"}


def now() -> float:
    """The throttle's clock, in seconds (tests replace it)."""
    return time.time()


class PairState(TypedDict):
    failures: int
    retry_at: float


@dataclass(frozen=True)
class Account:
    """Whose failures these are: a member, or an address that has no account (counted alike)."""

    key: str
    member: Member | None

    def cache_key(self, name: str) -> str:
        return f"sign-in:{self.key}:{name}"


def account_for_member(member: Member) -> Account:
    return Account(key=f"member:{member.pk}", member=member)


def account_for_email(email: str) -> Account:
    """The member whose password ``email`` is checked against (allauth's own look-up: a verified address wins),
    looked up in the same way whether or not one exists."""
    members = filter_users_by_email(email, is_active=True, prefer_verified=True)
    if members and isinstance(members[0], Member):
        return account_for_member(members[0])
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:40]
    return Account(key=f"address:{digest}", member=None)


def client_address(request: HttpRequest) -> str:
    """The address allauth's rate limits see; an IPv6 client counts as its /64, which one holder controls whole."""
    address = str(get_adapter(request).get_client_ip(request))
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6:
        return str(ipaddress.IPv6Network(f"{parsed}/64", strict=False))
    return address


def delay_after(failures: int) -> int:
    """Seconds the next try from one address on one account waits after ``failures`` failures in a row."""
    free = int(settings.MUSTER_SIGN_IN_FREE_FAILURES)
    if failures < free:
        return 0
    exponent = min(failures - free + 1, LONGEST_EXPONENT)
    return int(min(2**exponent, settings.MUSTER_SIGN_IN_MAX_DELAY_SECONDS))


def in_words(seconds: int) -> str:
    if seconds < 120:
        return "1 second" if seconds == 1 else f"{seconds} seconds"
    return f"{math.ceil(seconds / 60)} minutes"


def delayed(step: Step, seconds: int) -> ValidationError:
    return ValidationError(
        f"Too many {WHAT_FAILED[step]} for this account from your address. Try again in {in_words(seconds)}.",
        code="sign_in_delayed",
    )


def blocked() -> ValidationError:
    return ValidationError(
        "This account had too many failed sign-ins in a row and needs a password reset. "
        "Reset your password (“Forgot your password?”) to sign in again.",
        code="sign_in_blocked",
    )


@contextmanager
def locked(key: str) -> Iterator[bool]:
    """Hold ``key``'s lock (in the cache, so across processes); yields False when another holder kept it too long."""
    lock = f"{key}:lock"
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while not cache.add(lock, 1, LOCK_SECONDS):
        if time.monotonic() >= deadline:
            yield False
            return
        time.sleep(0.01)
    try:
        yield True
    finally:
        cache.delete(lock)


def pair_key(account: Account, step: Step, address: str) -> str:
    generation = cache.get(account.cache_key("generation"), "0")
    return account.cache_key(f"{generation}:{step}:{address}")


@dataclass
class Attempt:
    """One try let through: already counted as a failure, until ``succeeded`` gives it back."""

    request: HttpRequest
    account: Account
    step: Step
    address: str
    pair: str
    in_a_row: int

    def succeeded(self) -> None:
        """Forget this address's failures. The account's run ends with the whole sign-in (``sign_in_completed``)."""
        cache.delete(self.pair)
        with suppress(ValueError):  # the run was ended meanwhile
            cache.decr(self.account.cache_key("failures"))

    def failed(self) -> None:
        """The try is already counted; tell the member when this failure crosses a threshold."""
        member = self.account.member
        if member is None:
            return
        if self.in_a_row >= settings.MUSTER_SIGN_IN_CEILING:
            self.report_once(member, AuditEvent.Action.SIGN_IN_BLOCKED, blocked=True)
        elif self.in_a_row >= settings.MUSTER_SIGN_IN_NOTICE_FAILURES:
            self.report_once(member, AuditEvent.Action.SIGN_IN_FAILURES_REPORTED, blocked=False)

    def report_once(self, member: Member, action: str, *, blocked: bool) -> None:
        """Audit the crossing and e-mail the member, once per run of failures."""
        told = self.account.cache_key("told:blocked" if blocked else "told:notice")
        if not cache.add(told, 1, ACCOUNT_MEMORY_SECONDS):
            return
        audit_record(
            action,
            actor=None,
            actor_email=member.email,
            target=member,
            request=self.request,
            failures=self.in_a_row,
            step=self.step,
        )
        member_id, failures, address = member.pk, self.in_a_row, self.address
        crossed_at = timezone.now().isoformat()
        transaction.on_commit(
            lambda: tasks.send_failed_sign_ins_notice.delay(
                member_id, failures=failures, address=address, crossed_at=crossed_at, blocked=blocked
            )
        )


def begin_attempt(request: HttpRequest, account: Account, step: Step) -> Attempt:
    """Let one try through, counted, or raise a ``ValidationError`` saying why not and when to come back."""
    failures_key = account.cache_key("failures")
    if (cache.get(failures_key) or 0) >= settings.MUSTER_SIGN_IN_CEILING:
        raise blocked()
    address = client_address(request)
    pair = pair_key(account, step, address)
    with locked(pair) as held:
        if not held:
            raise delayed(step, 1)
        state: PairState = cache.get(pair) or PairState(failures=0, retry_at=0.0)
        moment = now()
        if moment < state["retry_at"]:
            raise delayed(step, math.ceil(state["retry_at"] - moment))
        failures = state["failures"] + 1
        cache.set(pair, PairState(failures=failures, retry_at=moment + delay_after(failures)), PAIR_MEMORY_SECONDS)
    cache.add(failures_key, 0, ACCOUNT_MEMORY_SECONDS)
    try:
        in_a_row = int(cache.incr(failures_key))
    except ValueError:  # expired between the two calls
        cache.set(failures_key, 1, ACCOUNT_MEMORY_SECONDS)
        in_a_row = 1
    cache.touch(failures_key, ACCOUNT_MEMORY_SECONDS)
    if in_a_row > settings.MUSTER_SIGN_IN_CEILING:  # tries from many addresses at once
        raise blocked()
    return Attempt(request=request, account=account, step=step, address=address, pair=pair, in_a_row=in_a_row)


def password_attempt(request: HttpRequest, *, email: str) -> Attempt:
    return begin_attempt(request, account_for_email(email), "password")


def code_attempt(request: HttpRequest, *, member: Member) -> Attempt:
    return begin_attempt(request, account_for_member(member), "code")


def sign_in_completed(*, member: Member) -> None:
    """Every step passed: the account's run of failures ends (each address forgot its own on success)."""
    account = account_for_member(member)
    cache.delete_many([account.cache_key(name) for name in ("failures", "told:notice", "told:blocked")])


def password_replaced(*, member: Member) -> None:
    """A reset (or change) of the password is the other way in: the run ends and every address starts afresh."""
    sign_in_completed(member=member)
    cache.set(account_for_member(member).cache_key("generation"), secrets.token_hex(8), ACCOUNT_MEMORY_SECONDS)
