"""Failed sign-ins cannot lock a member out (issue 18, point 6).

Failures are counted per address and account together, with growing delays; an account
needs a password reset after 100 failures in a row (NIST SP 800-63B); the member is told
by e-mail when failures cross a threshold, and both crossings are audited. Every test
signs in through the real sign-in pages, each "address" being the client's REMOTE_ADDR.
"""

import re
from dataclasses import dataclass

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.verification.factories import TEST_PASSWORD, MemberFactory, authenticator_code, make_verified_member
from verification.models import AuditEvent, Member

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.9"
MEMBER_AT_HOME = "198.51.100.7"
AGENCY = "192.0.2.10"
NEW_PASSWORD = "a-long-and-unusual-passphrase-91"
DELAYED = "Too many failed login attempts for this account from your address. Try again in"
WRONG_PASSWORD = "The email address and/or password you specified are not correct."
BLOCKED = "needs a password reset"


@dataclass
class Clock:
    """The throttle's clock, moved by hand: no test sleeps."""

    at: float = 1_900_000_000.0

    def now(self) -> float:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    from verification import sign_in_throttle

    clock = Clock()
    monkeypatch.setattr(sign_in_throttle, "now", clock.now)
    return clock


class CountingHasher(MD5PasswordHasher):
    """The suite's fast hasher, counting the passwords it hashes (a checked password is hashed once)."""

    calls = 0

    def encode(self, password: str, salt: str) -> str:
        CountingHasher.calls += 1
        return super().encode(password, salt)


@pytest.fixture
def hashes(settings) -> type[CountingHasher]:
    settings.PASSWORD_HASHERS = ["tests.verification.test_sign_in_throttle.CountingHasher"]
    CountingHasher.calls = 0
    return CountingHasher


def sign_in(client: Client, email: str, password: str, address: str):
    return client.post(reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR=address)


def signed_in(response) -> bool:
    return bool(response.wsgi_request.user.is_authenticated)


def errors(response) -> str:
    return " ".join(response.context["form"].non_field_errors()) if response.context else ""


def fail_from(address: str, email: str, times: int) -> list[str]:
    """``times`` wrong passwords for ``email`` from ``address``; the form errors of each answer."""
    client = Client()
    return [errors(sign_in(client, email, f"wrong-guess-{address}-{i}", address)) for i in range(times)]


def fail_from_many_addresses(email: str, failures: int, per_address: int = 5) -> None:
    """A botnet: ``failures`` wrong passwords, ``per_address`` from each address (never delayed)."""
    for start in range(0, failures, per_address):
        answers = fail_from(f"10.0.{start // 250}.{start % 250 + 1}", email, min(per_address, failures - start))
        assert all(answer == WRONG_PASSWORD for answer in answers), answers


def link_in(message: mail.EmailMessage) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/\S+)", str(message.body))
    assert match, message.body
    return match.group(1)


def audited(action: str, member: Member) -> int:
    return AuditEvent.objects.filter(action=action, target_id=str(member.pk)).count()


# The attack of the issue, and what it must no longer do.


def test_an_attacker_failing_20_times_from_one_address_does_not_stop_the_member_at_another() -> None:
    member = MemberFactory.create()

    fail_from(ATTACKER, member.email, 20)

    assert signed_in(sign_in(Client(), member.email, TEST_PASSWORD, MEMBER_AT_HOME))


def test_failures_from_a_shared_agency_address_do_not_lock_out_the_others_behind_it() -> None:
    members = MemberFactory.create_batch(4)
    for target in members[:3]:
        fail_from(AGENCY, target.email, 5)  # 15 failures in well under a minute, from one address

    assert signed_in(sign_in(Client(), members[3].email, TEST_PASSWORD, AGENCY))


def test_the_same_address_and_account_wait_longer_after_each_failure_from_the_fifth(clock: Clock) -> None:
    member = MemberFactory.create()
    client = Client()

    assert fail_from(ATTACKER, member.email, 5) == [WRONG_PASSWORD] * 5
    messages = []
    for delay in [2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900]:
        messages.append(errors(sign_in(client, member.email, "another-guess", ATTACKER)))
        clock.advance(delay - 1)
        assert errors(sign_in(client, member.email, "another-guess", ATTACKER)) == f"{DELAYED} 1 second."
        clock.advance(1)
        assert errors(sign_in(client, member.email, "another-guess", ATTACKER)) == WRONG_PASSWORD

    assert messages[:2] == [f"{DELAYED} 2 seconds.", f"{DELAYED} 4 seconds."]
    assert messages[6] == f"{DELAYED} 3 minutes."  # 128 seconds
    assert messages[-1] == f"{DELAYED} 15 minutes."


def test_during_the_delay_even_the_right_password_is_refused_without_being_checked(
    clock: Clock, hashes: type[CountingHasher]
) -> None:
    member = MemberFactory.create()
    fail_from(ATTACKER, member.email, 5)
    hashes.calls = 0
    failed_before = AuditEvent.objects.filter(action=AuditEvent.Action.SIGN_IN_FAILED).count()

    refused = sign_in(Client(), member.email, TEST_PASSWORD, ATTACKER)

    assert not signed_in(refused)
    assert refused.status_code == 200
    assert errors(refused) == f"{DELAYED} 2 seconds."
    assert hashes.calls == 0  # the password was not checked
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SIGN_IN_FAILED).count() == failed_before

    clock.advance(1)
    assert errors(sign_in(Client(), member.email, TEST_PASSWORD, ATTACKER)) == f"{DELAYED} 1 second."
    clock.advance(1)
    assert signed_in(sign_in(Client(), member.email, TEST_PASSWORD, ATTACKER))


def test_an_address_with_no_account_is_delayed_the_same_way(clock: Clock) -> None:
    member = MemberFactory.create()

    known = fail_from(ATTACKER, member.email, 6)
    unknown = fail_from(ATTACKER, "nobody@example.gov", 6)

    assert known == unknown == [WRONG_PASSWORD] * 5 + [f"{DELAYED} 2 seconds."]


def test_an_attacker_moving_through_one_ipv6_64_counts_as_one_address(clock: Clock) -> None:
    member = MemberFactory.create()
    for host in range(1, 6):
        assert fail_from(f"2001:db8:5:7::{host:x}", member.email, 1) == [WRONG_PASSWORD]

    assert fail_from("2001:db8:5:7:ffff::1", member.email, 1) == [f"{DELAYED} 2 seconds."]
    assert fail_from("2001:db8:5:8::1", member.email, 1) == [WRONG_PASSWORD]  # another /64


def test_a_successful_sign_in_resets_the_counters(clock: Clock, django_capture_on_commit_callbacks) -> None:
    member = MemberFactory.create()
    with django_capture_on_commit_callbacks(execute=True):
        fail_from(MEMBER_AT_HOME, member.email, 4)
        fail_from(ATTACKER, member.email, 5)
        assert signed_in(sign_in(Client(), member.email, TEST_PASSWORD, MEMBER_AT_HOME))

        # The member's address starts again at five free tries; the account's run of failures starts at 0,
        # so nine more (19 in all, 9 since the sign-in) are below the e-mail threshold of 10.
        assert fail_from(MEMBER_AT_HOME, member.email, 5) == [WRONG_PASSWORD] * 5
        fail_from(AGENCY, member.email, 4)

    assert mail.outbox == []
    assert audited(AuditEvent.Action.SIGN_IN_FAILURES_REPORTED, member) == 0


# The member is told, once, and it is audited.


def test_crossing_the_threshold_sends_one_email_without_the_passwords_tried_and_audits_it(
    django_capture_on_commit_callbacks,
) -> None:
    member = MemberFactory.create()

    with django_capture_on_commit_callbacks(execute=True):
        fail_from_many_addresses(member.email, 25)

    assert len(mail.outbox) == 1
    notice = mail.outbox[0]
    assert notice.to == [member.email]
    assert "failed" in str(notice.subject).lower()
    assert "10 times" in str(notice.body)
    assert "wrong-guess" not in f"{notice.subject}{notice.body}"
    event = AuditEvent.objects.get(action=AuditEvent.Action.SIGN_IN_FAILURES_REPORTED)
    assert event.target_id == str(member.pk)
    assert event.detail["failures"] == 10
    assert event.actor is None


def test_no_email_or_audit_for_an_address_with_no_account(django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        fail_from_many_addresses("nobody@example.gov", 15)

    assert mail.outbox == []
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.SIGN_IN_FAILURES_REPORTED).exists()


# The ceiling: 100 failures in a row, then the account needs another way in.


def test_the_100th_failure_in_a_row_blocks_password_sign_in_until_a_password_reset(
    django_capture_on_commit_callbacks, hashes: type[CountingHasher]
) -> None:
    member = MemberFactory.create()
    with django_capture_on_commit_callbacks(execute=True):
        fail_from_many_addresses(member.email, 99)
        assert audited(AuditEvent.Action.SIGN_IN_BLOCKED, member) == 0
        fail_from(MEMBER_AT_HOME, member.email, 1)

    assert audited(AuditEvent.Action.SIGN_IN_BLOCKED, member) == 1
    assert len(mail.outbox) == 2  # the notice at 10, and this one
    blocked_mail = mail.outbox[1]
    assert "reset" in str(blocked_mail.body).lower()
    assert "/accounts/password/reset/" in str(blocked_mail.body)

    hashes.calls = 0
    refused = sign_in(Client(), member.email, TEST_PASSWORD, "198.51.100.200")
    assert not signed_in(refused)
    assert BLOCKED in errors(refused)
    assert "reset your password" in errors(refused).lower()
    assert hashes.calls == 0

    mail.outbox.clear()
    client = Client()
    client.post(reverse("account_reset_password"), {"email": member.email}, REMOTE_ADDR=MEMBER_AT_HOME)
    form_url = client.get(link_in(mail.outbox[0]), follow=True).redirect_chain[-1][0]
    client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}, REMOTE_ADDR=MEMBER_AT_HOME)

    # Every counter of the account is cleared, the member's own address included.
    assert signed_in(sign_in(Client(), member.email, NEW_PASSWORD, MEMBER_AT_HOME))


def test_an_address_with_no_account_reaches_the_same_ceiling(settings) -> None:
    settings.MUSTER_SIGN_IN_CEILING = 20  # as at 100, sooner
    fail_from_many_addresses("nobody@example.gov", 20)

    assert BLOCKED in errors(sign_in(Client(), "nobody@example.gov", "a-guess", "198.51.100.200"))


# The second step (TOTP or a recovery code) is throttled per address and account too.


def test_wrong_codes_at_the_second_step_delay_that_address_and_account_not_the_member(clock: Clock) -> None:
    member = make_verified_member(mfa=True)
    right_code = authenticator_code(member.totp_secret)  # type: ignore[attr-defined]
    attacker = Client()  # knows the password, not the authenticator
    assert sign_in(attacker, member.email, TEST_PASSWORD, ATTACKER)["Location"] == reverse("mfa_authenticate")

    wrong = [attacker.post(reverse("mfa_authenticate"), {"code": f"{i:06d}"}, REMOTE_ADDR=ATTACKER) for i in range(20)]
    assert not any(signed_in(answer) for answer in wrong)
    assert "Try again in" not in wrong[4].content.decode()
    assert "Too many wrong codes for this account from your address. Try again in 2 seconds." in (
        wrong[5].content.decode()
    )
    refused = attacker.post(reverse("mfa_authenticate"), {"code": right_code}, REMOTE_ADDR=ATTACKER)
    assert not signed_in(refused)  # the right code is not even checked during the delay

    member_client = Client()
    sign_in(member_client, member.email, TEST_PASSWORD, MEMBER_AT_HOME)
    done = member_client.post(reverse("mfa_authenticate"), {"code": right_code}, REMOTE_ADDR=MEMBER_AT_HOME)
    assert signed_in(done)


def test_wrong_codes_count_towards_the_accounts_ceiling(settings, django_capture_on_commit_callbacks) -> None:
    settings.MUSTER_SIGN_IN_CEILING = 20  # as at 100, sooner
    member = make_verified_member(mfa=True)
    with django_capture_on_commit_callbacks(execute=True):
        for address in range(4):
            client = Client()
            sign_in(client, member.email, TEST_PASSWORD, f"10.1.0.{address + 1}")
            for i in range(5):
                client.post(reverse("mfa_authenticate"), {"code": f"{i:06d}"}, REMOTE_ADDR=f"10.1.0.{address + 1}")

    assert audited(AuditEvent.Action.SIGN_IN_BLOCKED, member) == 1
    assert BLOCKED in errors(sign_in(Client(), member.email, TEST_PASSWORD, MEMBER_AT_HOME))
