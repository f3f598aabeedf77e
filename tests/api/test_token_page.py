"""The token page: a member makes a token, sees its secret once, lists and revokes their tokens."""

import hashlib
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from api.models import AccessToken
from tests.api.conftest import make_token
from tests.verification.factories import MemberFactory, make_verified_member
from verification.models import AuditEvent, Marking, Member

pytestmark = pytest.mark.django_db

PAGE = "/account/tokens/"
ONCE = "copy it now: it will not be shown again"


def signed_in(member: Member, **options: Any) -> Client:
    client = Client(**options)
    client.force_login(member)
    return client


def make(client: Client, **fields: Any) -> Any:
    data = {"name": "EOC status board", "scopes": ["read"], "days": "90", **fields}
    return client.post(PAGE, data)


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def row_of(page: str, token: AccessToken) -> str:
    found = re.search(rf'<tr id="token-{token.pk}">(.*?)</tr>', page, re.S)
    assert found, f"token {token.pk} is not listed"
    return found.group(1)


@pytest.fixture
def member() -> Member:
    return make_verified_member(first_name="Dana", last_name="Reyes")


@pytest.fixture
def cleared() -> Member:
    return make_verified_member(markings=["fouo"], first_name="Olive", last_name="Owner")


# --- The page and its gate ------------------------------------------------------------------------


def test_the_page_is_at_account_tokens_under_the_api_namespace_beside_the_api() -> None:
    assert reverse("api:tokens") == PAGE
    assert reverse("api:token_revoke", kwargs={"pk": 7}) == "/account/tokens/7/revoke/"
    assert reverse("api:me") == "/api/v1/me/"


def test_a_verified_member_sees_the_form_with_ninety_days_and_read_checked(member: Member) -> None:
    page = signed_in(member).get(PAGE)

    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="days"' in html
    assert 'value="90"' in html
    assert re.search(r'<input[^>]*name="scopes"[^>]*value="read"[^>]*checked', html)
    assert 'value="write"' in html
    assert 'value="chat"' in html
    assert "You have no tokens yet." in html


def test_the_account_page_links_api_tokens_for_verified_members_only(member: Member) -> None:
    waiting = MemberFactory.create()

    verified_page = signed_in(member).get(reverse("account")).content.decode()
    waiting_page = signed_in(waiting).get(reverse("account")).content.decode()

    assert f'href="{PAGE}"' in verified_page
    assert "API tokens" in verified_page
    assert f'href="{PAGE}"' not in waiting_page


def test_the_gate_sends_anonymous_visitors_to_sign_in_and_unverified_members_to_their_status() -> None:
    waiting = MemberFactory.create()

    anonymous = Client().get(PAGE)
    unverified = signed_in(waiting).get(PAGE)
    unverified_post = make(signed_in(waiting))

    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("account_login"))
    assert unverified.status_code == 302
    assert unverified["Location"] == reverse("verification:status")
    assert unverified_post.status_code == 302
    assert not AccessToken.objects.exists()


# --- Making a token: the secret once ----------------------------------------------------------------


def test_making_a_token_shows_its_secret_once_and_never_on_reload(member: Member) -> None:
    client = signed_in(member)

    made = make(client, scopes=["read", "write"])
    reload = client.get(PAGE)

    token = AccessToken.objects.get()
    secret = made.context["secret"]
    assert made.status_code == 200
    assert secret.startswith("mst_")
    assert secret in made.content.decode()
    assert ONCE in made.content.decode().lower()
    assert "no-store" in made["Cache-Control"]
    assert (token.member, token.name, token.scopes) == (member, "EOC status board", ["read", "write"])
    assert secret not in reload.content.decode()
    assert ONCE not in reload.content.decode().lower()
    assert f"{token.prefix}…" in reload.content.decode()


def test_the_database_keeps_only_the_digest_of_the_secret(member: Member) -> None:
    client = signed_in(member)

    secret = make(client).context["secret"]

    token = AccessToken.objects.get()
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert secret.startswith(token.prefix)
    assert len(token.prefix) < len(secret) // 2
    for row in AccessToken.objects.values():
        assert not any(secret in str(value) for value in row.values())
    for event in AuditEvent.objects.values():
        assert not any(secret in str(value) for value in event.values())


def test_a_token_from_the_page_works_as_bearer_is_listed_with_its_last_use_and_revoking_stops_it(
    member: Member,
) -> None:
    client = signed_in(member)
    secret = make(client).context["secret"]
    token = AccessToken.objects.get()
    before = row_of(client.get(PAGE).content.decode(), token)

    answer = Client().get("/api/v1/me/", headers=bearer(secret))

    after = row_of(client.get(PAGE).content.decode(), token)
    assert ">never<" in before
    assert 'data-state="active"' in before
    assert answer.status_code == 200
    assert answer.json()["id"] == member.pk
    assert answer.json()["token"]["id"] == token.pk
    assert ">never<" not in after
    assert "<time" in after.split("</td>")[5]

    revoked = client.post(reverse("api:token_revoke", kwargs={"pk": token.pk}))
    refused = Client().get("/api/v1/me/", headers=bearer(secret))

    listed = row_of(client.get(PAGE).content.decode(), token)
    assert revoked.status_code == 302
    assert revoked["Location"] == PAGE
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "token_revoked"
    assert 'data-state="revoked"' in listed
    assert "Revoke" not in listed
    assert AuditEvent.objects.filter(action=AuditEvent.Action.API_TOKEN_REVOKED, actor=member).count() == 1


def test_the_list_says_which_tokens_are_expired(member: Member) -> None:
    token, _secret = make_token(member)
    AccessToken.objects.filter(pk=token.pk).update(expires_at=token.created_at)

    row = row_of(signed_in(member).get(PAGE).content.decode(), token)

    assert 'data-state="expired"' in row
    assert "Revoke" in row


def test_the_list_shows_name_prefix_scopes_ceiling_and_dates(cleared: Member) -> None:
    token, _secret = make_token(cleared, ("read", "chat"), days=30, ceiling="unmarked")

    row = row_of(signed_in(cleared).get(PAGE).content.decode(), token)

    assert "EOC board" in row
    assert f"<code>{token.prefix}…</code>" in row
    assert "chat, read" in row
    assert "Unmarked" in row
    assert token.created_at.strftime("%Y-%m-%d") in row
    assert token.expires_at.strftime("%Y-%m-%d") in row


def test_a_member_cannot_revoke_another_members_token(member: Member, cleared: Member) -> None:
    token, secret = make_token(cleared)

    answer = signed_in(member).post(reverse("api:token_revoke", kwargs={"pk": token.pk}))

    token.refresh_from_db()
    assert answer.status_code == 404
    assert token.revoked_at is None
    assert Client().get("/api/v1/me/", headers=bearer(secret)).status_code == 200


def test_revoking_needs_a_post_with_the_csrf_token(member: Member) -> None:
    token, _secret = make_token(member)
    client = signed_in(member, enforce_csrf_checks=True)
    path = reverse("api:token_revoke", kwargs={"pk": token.pk})

    by_get = client.get(path)
    without_csrf = client.post(path)
    client.get(PAGE)  # sets the CSRF cookie, as the page's forms do
    with_csrf = client.post(path, {"csrfmiddlewaretoken": client.cookies["csrftoken"].value})

    token.refresh_from_db()
    assert by_get.status_code == 405
    assert without_csrf.status_code == 403
    assert with_csrf.status_code == 302
    assert token.revoked_at is not None


# --- Bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize("days", ["0", "366", "-3", "many"])
def test_an_expiry_outside_one_to_365_days_is_refused_and_the_form_shows_what_was_typed(
    member: Member, days: str
) -> None:
    answer = make(signed_in(member), name="Shelter count script", days=days, scopes=["read", "chat"])

    html = answer.content.decode()
    assert answer.status_code == 400
    assert not AccessToken.objects.exists()
    assert "Nothing was saved" in html
    assert 'value="Shelter count script"' in html
    assert f'value="{days}"' in html
    assert re.search(r'<input[^>]*value="chat"[^>]*checked', html)
    assert "between 1 and 365 days" in html or "whole number of days" in html
    assert answer.context["secret"] == ""


def test_the_longest_and_shortest_expiries_are_accepted(member: Member) -> None:
    client = signed_in(member)

    make(client, days="1")
    make(client, days="365")

    lifetimes = sorted((token.expires_at - token.created_at).days for token in AccessToken.objects.all())
    assert lifetimes == [1, 365]


def test_the_longest_expiry_follows_the_setting(member: Member, settings: Any) -> None:
    settings.MUSTER_API_TOKEN_MAX_DAYS = 30

    answer = make(signed_in(member), days="31")

    assert answer.status_code == 400
    assert "between 1 and 30 days" in answer.content.decode()


def test_a_token_needs_a_name_and_a_scope(member: Member) -> None:
    nameless = make(signed_in(member), name="  ")
    scopeless = make(signed_in(member), scopes=[])
    unknown_scope = make(signed_in(member), scopes=["admin"])

    assert (nameless.status_code, scopeless.status_code, unknown_scope.status_code) == (400, 400, 400)
    assert "This field is required." in nameless.content.decode()
    assert "Choose at least one of read, write and chat." in scopeless.content.decode()
    assert not AccessToken.objects.exists()


# --- The ceiling ----------------------------------------------------------------------------------


def test_the_ceiling_offers_only_markings_the_member_is_cleared_for(cleared: Member, member: Member) -> None:
    cleared_html = signed_in(cleared).get(PAGE).content.decode()
    member_html = signed_in(member).get(PAGE).content.decode()

    def offered(html: str) -> list[str]:
        select = re.search(r'<select name="ceiling".*?</select>', html, re.S)
        assert select
        return re.findall(r'<option value="([^"]*)"', select.group(0))

    assert offered(cleared_html) == ["", "unmarked", "fouo"]
    assert offered(member_html) == ["", "unmarked"]
    assert "Same as my clearance" in cleared_html


def test_a_ceiling_the_member_is_not_cleared_for_is_refused(cleared: Member, member: Member) -> None:
    assert Marking.objects.filter(slug="sbu").exists()

    above = make(signed_in(cleared), ceiling="sbu")
    uncleared = make(signed_in(member), ceiling="fouo")

    assert above.status_code == 400
    assert uncleared.status_code == 400
    assert "Choose a marking you are cleared for." in above.content.decode()
    assert not AccessToken.objects.exists()


def test_a_ceiling_below_the_clearance_is_kept_and_none_means_same_as_my_clearance(cleared: Member) -> None:
    client = signed_in(cleared)

    make(client, name="Public board", ceiling="unmarked")
    make(client, name="Own board", ceiling="")

    ceilings = dict(AccessToken.objects.values_list("name", "ceiling__slug"))
    assert ceilings == {"Public board": "unmarked", "Own board": None}
