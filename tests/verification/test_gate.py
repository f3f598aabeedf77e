import pytest
from django.test import Client

from tests.verification.factories import TEST_PASSWORD, MemberFactory, make_verified_member
from verification.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("make", "destination"),
    [
        (lambda: MemberFactory.create(), "/verification/"),
        (lambda: make_verified_member(accept_rules=False), "/verification/rules/"),
        (lambda: make_verified_member(markings=["fouo"], mfa=False), "/accounts/2fa/totp/activate/"),
        (lambda: make_verified_member(is_staff=True, mfa=False), "/accounts/2fa/totp/activate/"),
    ],
    ids=["unverified", "rules-not-accepted", "fouo-without-mfa", "staff-without-mfa"],
)
def test_member_who_may_not_see_content_is_sent_to_the_one_step_they_must_take(make, destination: str) -> None:
    client = Client()
    client.force_login(make())

    response = client.get("/home/")

    assert response.status_code == 302
    assert response["Location"] == destination


def test_cleared_member_with_mfa_reaches_home() -> None:
    client = Client()
    client.force_login(make_verified_member(markings=["fouo"], mfa=True))

    assert client.get("/home/").status_code == 200


def test_anonymous_visitor_is_sent_to_sign_in_and_back() -> None:
    response = Client().get("/home/")

    assert response["Location"] == "/accounts/login/?next=%2Fhome%2F"


def test_sign_ins_and_failed_sign_ins_are_audited_without_revealing_passwords() -> None:
    member = make_verified_member()
    client = Client()

    client.post("/accounts/login/", {"login": member.email, "password": "wrong-password-here"})
    client.post("/accounts/login/", {"login": member.email, "password": TEST_PASSWORD})

    failed = AuditEvent.objects.get(action=AuditEvent.Action.SIGN_IN_FAILED)
    signed_in = AuditEvent.objects.get(action=AuditEvent.Action.SIGN_IN)
    assert failed.actor_email == member.email
    assert failed.ip_address == "127.0.0.1"
    assert "wrong-password-here" not in str(failed.detail)
    assert signed_in.actor_id == member.pk
