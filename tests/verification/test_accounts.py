"""Accounts through django-allauth: sign-up with mandatory e-mail confirmation,
sign-in, reset, MFA, rate limits and no account enumeration."""

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail
from django.test import Client

from tests.verification.factories import TEST_PASSWORD, MemberFactory, authenticator_code, make_verified_member
from verification.models import Member

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-and-unusual-passphrase-91"


def sign_up(client: Client, email: str, password: str = NEW_PASSWORD):
    return client.post("/accounts/signup/", {"email": email, "password1": password, "password2": password}, follow=True)


def sign_in(client: Client, email: str, password: str = TEST_PASSWORD):
    return client.post("/accounts/login/", {"login": email, "password": password}, follow=True)


def link_in(message: mail.EmailMessage) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/\S+)", str(message.body))
    assert match, message.body
    return match.group(1)


def test_sign_up_requires_confirming_the_email_which_signs_the_member_in(client: Client) -> None:
    response = sign_up(client, "new.member@county.gov")

    assert "verify your email address" in response.content.decode().lower()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.member@county.gov"]

    blocked = sign_in(client, "new.member@county.gov", NEW_PASSWORD)
    assert blocked.wsgi_request.user.is_authenticated is False

    # Confirming the address signs the new member in: no second sign-in.
    confirm_url = link_in(mail.outbox[-1])
    confirmed = client.post(confirm_url, follow=True)
    assert confirmed.wsgi_request.user.is_authenticated is True
    # Not yet vetted: the member lands on their verification page.
    assert confirmed.redirect_chain[-1][0] == "/verification/"

    # And the password works from another browser too.
    assert sign_in(Client(), "new.member@county.gov", NEW_PASSWORD).wsgi_request.user.is_authenticated is True


def test_sign_up_with_a_taken_email_looks_the_same_and_tells_the_owner_instead(client: Client) -> None:
    owner = MemberFactory.create(email="taken@county.gov")

    response = sign_up(client, "taken@county.gov")

    assert "verify your email address" in response.content.decode().lower()
    assert Member.objects.filter(email="taken@county.gov").count() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [owner.email]
    assert "already" in str(mail.outbox[0].body).lower()


class CountingHasher(MD5PasswordHasher):
    """The suite's fast hasher, counting what it hashes."""

    calls = 0

    def encode(self, password: str, salt: str) -> str:
        CountingHasher.calls += 1
        return super().encode(password, salt)


def test_sign_up_with_a_new_or_a_taken_address_does_the_same_work(client: Client, settings) -> None:
    # Issue 18, point 2: a taken address used to answer without hashing, so ten times faster.
    settings.PASSWORD_HASHERS = ["tests.verification.test_accounts.CountingHasher"]
    MemberFactory.create(email="taken@county.gov")
    work = {}
    for address in ("new.member@county.gov", "taken@county.gov"):
        CountingHasher.calls = 0
        mail.outbox.clear()
        page = sign_up(Client(), address)
        work[address] = (CountingHasher.calls, len(mail.outbox), page.redirect_chain[-1][0])

    assert work["new.member@county.gov"] == work["taken@county.gov"]
    assert work["taken@county.gov"][:2] == (1, 1)  # one password hashed, one e-mail sent


def test_sign_up_rejects_a_common_password_and_keeps_the_email_typed(client: Client) -> None:
    response = client.post(
        "/accounts/signup/", {"email": "keep.me@county.gov", "password1": "password1234", "password2": "password1234"}
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "too common" in body
    assert 'value="keep.me@county.gov"' in body
    assert not Member.objects.filter(email="keep.me@county.gov").exists()


def test_failed_sign_in_does_not_say_whether_the_account_exists(client: Client) -> None:
    MemberFactory.create(email="real@county.gov")

    wrong_password = client.post("/accounts/login/", {"login": "real@county.gov", "password": "nope-nope-nope"})
    no_account = client.post("/accounts/login/", {"login": "ghost@county.gov", "password": "nope-nope-nope"})

    assert wrong_password.status_code == no_account.status_code == 200
    assert wrong_password.context["form"].errors == no_account.context["form"].errors


def test_password_reset_answers_the_same_for_known_and_unknown_addresses(client: Client) -> None:
    MemberFactory.create(email="real@county.gov")

    known = client.post("/accounts/password/reset/", {"email": "real@county.gov"}, follow=True)
    unknown = client.post("/accounts/password/reset/", {"email": "ghost@county.gov"}, follow=True)

    assert known.redirect_chain == unknown.redirect_chain == [("/accounts/password/reset/done/", 302)]
    assert [list(m.to) for m in mail.outbox] == [["real@county.gov"], ["ghost@county.gov"]]


def test_password_reset_link_sets_a_new_password_that_signs_in(client: Client) -> None:
    member = MemberFactory.create(email="forgetful@county.gov")
    client.post("/accounts/password/reset/", {"email": member.email})
    reset_page = client.get(link_in(mail.outbox[0]), follow=True)
    form_url = reset_page.redirect_chain[-1][0]

    client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert sign_in(Client(), member.email, NEW_PASSWORD).wsgi_request.user.is_authenticated is True


def test_repeated_failed_sign_ins_are_rate_limited(client: Client) -> None:
    MemberFactory.create(email="target@county.gov")

    answers = [
        client.post("/accounts/login/", {"login": "target@county.gov", "password": f"guess-{i}"}).content.decode()
        for i in range(6)
    ]

    assert "Too many failed login attempts" not in answers[0]
    assert "Too many failed login attempts" in answers[-1]
    # Once limited, even the right password is refused for that account for now.
    right = client.post("/accounts/login/", {"login": "target@county.gov", "password": TEST_PASSWORD})
    assert right.wsgi_request.user.is_authenticated is False
    assert "Too many failed login attempts" in right.content.decode()


def test_signed_in_member_changes_password_and_manages_emails(client: Client) -> None:
    member = MemberFactory.create()
    sign_in(client, member.email)

    changed = client.post(
        "/accounts/password/change/",
        {"oldpassword": TEST_PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        follow=True,
    )
    added = client.post("/accounts/email/", {"action_add": "", "email": "second@county.gov"}, follow=True)

    assert changed.status_code == 200
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)
    assert added.status_code == 200
    assert EmailAddress.objects.filter(user=member, email="second@county.gov", verified=False).exists()


def test_member_sets_up_totp_and_must_give_a_code_at_next_sign_in(client: Client) -> None:
    member = MemberFactory.create()
    sign_in(client, member.email)
    asked_again = client.get("/accounts/2fa/totp/activate/")
    assert asked_again["Location"].startswith("/accounts/reauthenticate/")
    client.post(asked_again["Location"], {"password": TEST_PASSWORD})
    setup_page = client.get("/accounts/2fa/totp/activate/")
    secret = setup_page.context["form"].secret

    client.post("/accounts/2fa/totp/activate/", {"code": authenticator_code(secret)})
    assert Authenticator.objects.filter(user=member, type=Authenticator.Type.TOTP).exists()
    assert Authenticator.objects.filter(user=member, type=Authenticator.Type.RECOVERY_CODES).exists()

    fresh = Client()
    first_step = sign_in(fresh, member.email)
    assert first_step.redirect_chain[-1][0] == "/accounts/2fa/authenticate/"
    assert first_step.wsgi_request.user.is_authenticated is False

    wrong = fresh.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.wsgi_request.user.is_authenticated is False

    done = fresh.post("/accounts/2fa/authenticate/", {"code": authenticator_code(secret)}, follow=True)
    assert done.wsgi_request.user.is_authenticated is True
    assert done.redirect_chain[-1][0] == "/verification/"


def test_a_recovery_code_signs_in_once_when_the_authenticator_is_lost(client: Client) -> None:
    member = make_verified_member(markings=["fouo"], mfa=True)
    codes = RecoveryCodes(Authenticator.objects.get(user=member, type=Authenticator.Type.RECOVERY_CODES))
    code = codes.get_unused_codes()[0]

    sign_in(client, member.email)
    done = client.post("/accounts/2fa/authenticate/", {"code": code}, follow=True)
    assert done.wsgi_request.user.is_authenticated is True

    again = Client()
    sign_in(again, member.email)
    reused = again.post("/accounts/2fa/authenticate/", {"code": code})
    assert reused.wsgi_request.user.is_authenticated is False
