"""A token's life through the API: what stops it, what its ceiling hides, what it leaves in the audit log,
where it may not travel, and how the site's own session is let in (reads freely, writes with CSRF)."""

from datetime import timedelta
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from django.utils import timezone

from api.models import AccessToken
from api.tokens import token_revoke
from communities.models import Community
from communities.services import community_create
from discussions import services as discussions
from discussions.models import Thread
from tests.api.conftest import ApiClient, api_as, make_token
from tests.verification.factories import make_verified_member
from verification import services as vetting
from verification.models import AuditEvent, Marking, Member

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"
THREADS = "/api/v1/content/discussions.thread/"


def code_of(answer: Any) -> str:
    return str(answer.json()["error"]["code"])


def refused_with(answer: Any, status: int, code: str) -> bool:
    return bool(answer.status_code == status and code_of(answer) == code)


@pytest.fixture
def member() -> Member:
    return make_verified_member(first_name="Dana", last_name="Reyes")


@pytest.fixture
def cleared() -> Member:
    return make_verified_member(markings=["fouo"], first_name="Olive", last_name="Owner")


@pytest.fixture
def verifier() -> Member:
    return make_verified_member(first_name="Vera", last_name="Verifier")


@pytest.fixture
def community(cleared: Member) -> Community:
    community = community_create(
        creator=cleared, name="Gulf", slug="gulf", marking=Marking.objects.get(slug="unmarked")
    )
    discussions.board_create(community=community, actor=cleared, name="General")
    return community


@pytest.fixture
def fouo_thread(community: Community, cleared: Member) -> Thread:
    return discussions.thread_start(
        author=cleared,
        community=community,
        board=community.boards.get(),
        title="Shelter security plan",
        body="Guard rota.",
        marking=Marking.objects.get(slug="fouo"),
    )


# --- What stops a token ---------------------------------------------------------------------------


def test_a_token_stops_when_its_member_is_suspended(member: Member, verifier: Member) -> None:
    api = api_as(member)
    assert api.get(ME).status_code == 200

    vetting.member_suspend(member=member, verifier=verifier, reason="Shared a FOUO plan")

    assert refused_with(api.get(ME), 401, "account_suspended")


def test_a_token_stops_when_its_members_verification_expires(member: Member) -> None:
    api = api_as(member)
    assert api.get(ME).status_code == 200

    Member.objects.filter(pk=member.pk).update(verified_until=timezone.now() - timedelta(minutes=1))

    assert refused_with(api.get(ME), 401, "verification_expired")


def test_a_token_stops_when_a_cleared_member_loses_their_authenticator(cleared: Member) -> None:
    api = api_as(cleared)
    assert api.get(ME).status_code == 200

    Authenticator.objects.filter(user=cleared, type=Authenticator.Type.TOTP).delete()

    assert refused_with(api.get(ME), 401, "mfa_required")


def test_a_token_stops_until_new_rules_of_behavior_are_accepted(member: Member) -> None:
    api = api_as(member)
    assert api.get(ME).status_code == 200

    rules = vetting.rules_publish(text="Version two: never forward marked items.")

    assert refused_with(api.get(ME), 401, "rules_not_accepted")

    vetting.rules_accept(member=member, rules=rules)

    assert api.get(ME).status_code == 200


def test_a_token_stops_when_it_expires(member: Member) -> None:
    token, secret = make_token(member, days=1)
    api = ApiClient(secret)
    assert api.get(ME).status_code == 200

    AccessToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    assert refused_with(api.get(ME), 401, "token_expired")


def test_a_token_stops_when_it_is_revoked(member: Member) -> None:
    token, secret = make_token(member)
    api = ApiClient(secret)
    assert api.get(ME).status_code == 200

    token_revoke(token=token, member=member)

    assert refused_with(api.get(ME), 401, "token_revoked")


def test_a_secret_that_is_no_token_is_refused_as_invalid(member: Member) -> None:
    _token, secret = make_token(member)
    assert ApiClient(secret).get(ME).status_code == 200

    altered = ApiClient(secret[:-2] + ("aa" if not secret.endswith("aa") else "bb")).get(ME)
    foreign = ApiClient("ghp_0123456789abcdef").get(ME)

    assert refused_with(altered, 401, "token_invalid")
    assert refused_with(foreign, 401, "token_invalid")
    assert 'Bearer realm="muster"' in altered["WWW-Authenticate"]


def test_without_a_token_or_session_the_api_answers_not_authenticated() -> None:
    assert refused_with(Client().get(ME), 401, "not_authenticated")


# --- The ceiling ----------------------------------------------------------------------------------


def test_a_token_with_an_unmarked_ceiling_does_not_see_a_fouo_thread_its_member_may(
    cleared: Member, fouo_thread: Thread
) -> None:
    detail = f"{THREADS}{fouo_thread.pk}/"
    full = api_as(cleared)
    capped = api_as(cleared, ceiling="unmarked")

    full_list = full.get(THREADS)
    full_detail = full.get(detail)
    capped_list = capped.get(THREADS)
    capped_detail = capped.get(detail)

    assert full_list.status_code == 200
    assert [item["id"] for item in full_list.json()["results"]] == [fouo_thread.pk]
    assert full_detail.status_code == 200
    assert full_detail.json()["marking"]["slug"] == "fouo"
    assert capped_list.status_code == 200
    assert capped_list.json()["results"] == []
    assert refused_with(capped_detail, 404, "not_found")


def test_a_capped_token_says_what_it_may_see_on_me(cleared: Member) -> None:
    full = api_as(cleared).get(ME).json()
    capped = api_as(cleared, ceiling="unmarked").get(ME).json()

    assert [marking["slug"] for marking in full["markings"]] == ["unmarked", "fouo"]
    assert full["token"]["ceiling"] is None
    assert [marking["slug"] for marking in capped["markings"]] == ["unmarked"]
    assert capped["token"]["ceiling"]["slug"] == "unmarked"


# --- The audit log names the token ----------------------------------------------------------------


def test_reading_a_marked_item_through_a_token_is_audited_with_the_token(cleared: Member, fouo_thread: Thread) -> None:
    token, secret = make_token(cleared)
    api = ApiClient(secret)

    listed = api.get(THREADS)
    read = api.get(f"{THREADS}{fouo_thread.pk}/")

    events = AuditEvent.objects.filter(action=AuditEvent.Action.VIEWED_MARKED, actor=cleared)
    assert listed.status_code == 200
    assert read.status_code == 200
    assert events.count() == 2
    assert {event.target_id for event in events} == {str(fouo_thread.pk)}
    assert all(event.detail["token"] == token.pk for event in events)
    assert all(event.marking == "fouo" for event in events)


def test_a_capped_token_leaves_no_view_of_what_it_could_not_see(cleared: Member, fouo_thread: Thread) -> None:
    capped = api_as(cleared, ceiling="unmarked")

    capped.get(THREADS)
    capped.get(f"{THREADS}{fouo_thread.pk}/")

    assert not AuditEvent.objects.filter(action=AuditEvent.Action.VIEWED_MARKED).exists()


# --- Where a token may travel ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["token", "access_token"])
def test_a_token_in_the_address_is_refused(member: Member, name: str) -> None:
    _token, secret = make_token(member)
    api = ApiClient(secret)
    assert api.get(ME).status_code == 200

    with_header = api.get(ME, {name: secret})
    address_only = Client().get(ME, {name: secret})

    assert refused_with(with_header, 400, "token_in_query")
    assert refused_with(address_only, 400, "token_in_query")


# --- The site's session ---------------------------------------------------------------------------


def test_a_session_reads_without_csrf_and_writes_only_with_it(member: Member, community: Community) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    join = f"/api/v1/communities/{community.slug}/join/"

    read = client.get(ME)
    without_csrf = client.post(join, {}, content_type="application/json")
    client.get("/account/tokens/")  # a site page sets the CSRF cookie, as a browser would have it
    with_csrf = client.post(
        join, {}, content_type="application/json", headers={"X-CSRFToken": client.cookies["csrftoken"].value}
    )

    assert read.status_code == 200
    assert read.json()["token"] is None
    assert without_csrf.status_code == 403
    assert code_of(without_csrf) == "permission_denied"
    assert with_csrf.status_code == 200
    assert with_csrf.json()["standing"] == "member"


def test_a_session_whose_member_is_not_cleared_is_refused_in_json(member: Member) -> None:
    client = Client()
    client.force_login(member)
    assert client.get(ME).status_code == 200

    vetting.rules_publish(text="Version two.")

    assert refused_with(client.get(ME), 403, "rules_not_accepted")


def test_a_token_may_not_write_without_the_write_scope(member: Member, community: Community) -> None:
    reader = api_as(member, ("read",))
    join = f"/api/v1/communities/{community.slug}/join/"

    assert reader.get(f"/api/v1/communities/{community.slug}/").status_code == 200
    assert refused_with(reader.post(join), 403, "scope_missing")
    assert api_as(member, ("read", "write")).post(join).status_code == 200
