"""The one Account page (issue 17, point 8): profile, e-mail, password, two-factor, sessions,
notifications and API tokens, each a section with its own heading and form or link; only the
signed-in member's own data; every action works without JavaScript."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.test import Client

from tests.verification.factories import TEST_PASSWORD, MemberFactory, ProfileFactory, make_verified_member
from verification.models import Member

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-and-unusual-passphrase-91"
SECTIONS = (
    "Profile",
    "E-mail addresses",
    "Password",
    "Two-factor authentication",
    "Sessions",
    "Notifications and e-mail",
    "API tokens",
)


def sign_in(client: Client, member: Member, browser: str = "Firefox on a laptop", address: str = "198.51.100.7"):
    """Signs in through allauth's real sign-in page, so the session is recorded like a member's own."""
    response = client.post(
        "/accounts/login/",
        {"login": member.email, "password": TEST_PASSWORD},
        HTTP_USER_AGENT=browser,
        REMOTE_ADDR=address,
    )
    assert response.wsgi_request.user.is_authenticated
    return response


def headings(html: str) -> list[str]:
    return re.findall(r"<h2[^>]*>([^<]+)</h2>", html)


def test_the_account_page_has_every_section_with_its_own_heading_and_action(client: Client) -> None:
    dana = make_verified_member(first_name="Dana", last_name="Reyes", email="dana@county.gov", handle="dana-reyes")
    ProfileFactory.create(member=dana, organisation="Harbor County OEM", shared_fields=["title", "photo"])
    client.force_login(dana)

    html = client.get("/account/").content.decode()

    assert headings(html)[: len(SECTIONS)] == list(SECTIONS)
    assert 'data-initials="DR"' in html  # her initials: no photo uploaded
    assert "@dana-reyes" in html
    assert "Harbor County OEM" in html
    assert "what you chose to share: Title, Photo" in html
    assert 'href="/verification/profile/"' in html
    assert "dana@county.gov" in html
    assert "Primary" in html
    assert "Verified" in html
    assert 'action="/accounts/password/change/"' in html
    assert 'name="oldpassword"' in html
    assert 'href="/accounts/2fa/totp/activate/"' in html
    assert 'href="/subscriptions/"' in html
    assert 'href="/account/tokens/"' in html


def test_the_header_shows_your_own_face_and_name_and_leads_to_the_account_page(client: Client) -> None:
    dana = make_verified_member(first_name="Dana", last_name="Reyes")
    client.force_login(dana)

    html = client.get("/home/").content.decode()

    link = re.search(r'<a class="account-link with-avatar" href="/account/"[^>]*>(.*?)</a>', html, re.S)
    assert link, "no account link in the header"
    assert 'data-initials="DR"' in link.group(1)
    assert "Dana Reyes" in link.group(1)


def test_adding_an_address_then_removing_it_with_its_own_labelled_buttons(client: Client) -> None:
    dana = make_verified_member(email="dana@county.gov")
    client.force_login(dana)

    client.post("/accounts/email/", {"action_add": "", "email": "dana.reyes@state.gov"})
    html = client.get("/account/").content.decode()

    assert EmailAddress.objects.filter(user=dana, email="dana.reyes@state.gov", verified=False).exists()
    entry = html[html.index("<strong>dana.reyes@state.gov</strong>") :]
    entry = entry[: entry.index("</li>")]
    assert "Not verified" in entry
    assert 'name="action_send"' in entry
    assert "Re-send verification" in entry
    assert 'name="action_remove"' in entry
    assert "Remove" in entry
    assert 'name="action_primary"' not in entry  # an unverified address cannot become primary
    primary = html[html.index("<strong>dana@county.gov</strong>") :]
    assert 'name="action_remove"' not in primary[: primary.index("</li>")]  # nor can the primary be removed

    client.post("/accounts/email/", {"action_remove": "", "email": "dana.reyes@state.gov"})
    assert not EmailAddress.objects.filter(email="dana.reyes@state.gov").exists()
    assert "<strong>dana.reyes@state.gov</strong>" not in client.get("/account/").content.decode()


def test_allauths_email_page_has_one_form_per_address_and_leads_back(client: Client) -> None:
    dana = make_verified_member(email="dana@county.gov")
    EmailAddress.objects.create(user=dana, email="dana@state.gov", verified=True, primary=False)
    client.force_login(dana)

    html = client.get("/accounts/email/").content.decode()

    assert 'href="/account/">Your account</a>' in html
    assert 'type="radio"' not in html
    assert 'Make primary<span class="visually-hidden"> dana@state.gov</span>' in html
    client.post("/accounts/email/", {"action_primary": "", "email": "dana@state.gov"})
    assert EmailAddress.objects.get(email="dana@state.gov").primary


def test_changing_the_password_from_the_account_page_returns_to_it(client: Client) -> None:
    dana = make_verified_member()
    client.force_login(dana)

    response = client.post(
        "/accounts/password/change/",
        {
            "oldpassword": TEST_PASSWORD,
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "next": "/account/#password",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/account/#password"
    dana.refresh_from_db()
    assert dana.check_password(NEW_PASSWORD)


def test_a_wrong_current_password_changes_nothing(client: Client) -> None:
    dana = make_verified_member()
    client.force_login(dana)

    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": "not-it", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "next": "/account/"},
    )

    assert response.status_code == 200
    assert "Please type your current password." in response.content.decode()
    dana.refresh_from_db()
    assert dana.check_password(TEST_PASSWORD)


def test_sign_out_everywhere_else_really_ends_the_other_session() -> None:
    dana = make_verified_member()
    laptop, phone = Client(), Client()
    sign_in(laptop, dana, browser="Firefox on a laptop", address="198.51.100.7")
    sign_in(phone, dana, browser="Safari on a phone", address="203.0.113.20")

    html = laptop.get("/account/").content.decode()
    assert "Firefox on a laptop" in html
    assert "Safari on a phone" in html
    assert "203.0.113.20" in html
    assert html.count('<span class="badge badge-new">This session</span>') == 1
    assert "(1 other session)" in html

    sam, sams_laptop = make_verified_member(), Client()
    sign_in(sams_laptop, sam, browser="Sam's laptop")
    ended = laptop.post("/account/sign-out-others/")

    assert ended.status_code == 302
    assert ended["Location"] == "/account/#sessions"

    assert phone.get("/account/").status_code == 302  # the phone is sent to sign in again
    assert not phone.get("/home/").wsgi_request.user.is_authenticated
    assert sams_laptop.get("/home/").wsgi_request.user == sam  # another member's sessions are not Dana's to end
    after = laptop.get("/account/")
    assert after.wsgi_request.user == dana
    assert "Safari on a phone" not in after.content.decode()
    assert "You are signed in nowhere else." in after.content.decode()


def test_the_two_factor_section_shows_whether_it_is_on() -> None:
    off, on = make_verified_member(mfa=False), make_verified_member(mfa=True)
    client = Client()

    client.force_login(off)
    html = client.get("/account/").content.decode()
    assert '<span class="badge">Off</span>' in html
    assert "Set up an authenticator app" in html

    client.force_login(on)
    html = client.get("/account/").content.decode()
    assert 'badge-answered">On</span>' in html
    assert "10 unused recovery codes left" in html
    assert 'href="/accounts/2fa/totp/deactivate/"' in html
    assert 'href="/accounts/2fa/recovery-codes/"' in html


def test_the_page_shows_only_your_own_account() -> None:
    dana = make_verified_member(first_name="Dana", last_name="Reyes", email="dana@county.gov")
    sam = make_verified_member(first_name="Sam", last_name="Okafor", email="sam@county.gov")
    EmailAddress.objects.create(user=sam, email="sam.private@home.example", verified=True)
    sign_in(Client(), sam, browser="Sam's own browser", address="192.0.2.44")

    client = Client()
    sign_in(client, dana)
    html = client.get("/account/").content.decode()

    assert "dana@county.gov" in html
    assert "sam@county.gov" not in html
    assert "sam.private@home.example" not in html
    assert "Sam Okafor" not in html
    assert "Sam&#x27;s own browser" not in html
    assert "192.0.2.44" not in html
    assert client.get(f"/account/?member={sam.pk}").content.decode().count("sam@county.gov") == 0


def test_anonymous_visitors_are_sent_to_sign_in(client: Client) -> None:
    response = client.get("/account/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_members_not_yet_verified_reach_their_account_email_password_and_sessions(client: Client) -> None:
    applicant = MemberFactory.create(first_name="Ada", last_name="Nwosu")
    client.force_login(applicant)

    html = client.get("/account/").content.decode()
    assert "Fill in your profile" in html
    assert "Available once your verification is approved." in html
    assert 'href="/account/tokens/"' not in html
    account_pages = ("/accounts/email/", "/accounts/password/change/", "/accounts/2fa/", "/accounts/sessions/")
    for address in (*account_pages, "/accounts/reauthenticate/"):
        assert client.get(address).status_code == 200, address
    assert client.get("/subscriptions/").status_code != 200  # content pages stay closed
