"""The Markdown preview (issue 17, point 7): the server renders a box's text through the site's sanitiser,
for members who may see content only, and resolves nothing: a preview shows only what the member typed."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from communities.models import Community
from communities.services import community_create
from muster.views import PREVIEW_MAX_CHARS, PREVIEW_RATE
from tests.discussions.factories import marking, signed_in
from tests.verification.factories import MemberFactory, make_verified_member
from verification.models import Member

pytestmark = pytest.mark.django_db

HIDDEN_NAME = "Quillfeather Harbour Cell"
HIDDEN_SLUG = "qh-cell"


@pytest.fixture
def member() -> Member:
    return make_verified_member(first_name="Pat", last_name="Reyes")


def preview(client: Client, text: str) -> Any:
    return client.post(reverse("preview"), {"text": text})


def test_preview_renders_markdown_for_a_cleared_member(member: Member) -> None:
    answer = preview(signed_in(member), "Bring **cots** and _water_.")

    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/html")
    assert answer.content.decode() == "<p>Bring <strong>cots</strong> and <em>water</em>.</p>"


def test_preview_never_returns_a_script_or_an_event_handler(member: Member) -> None:
    text = '<script>alert(1)</script>\n\n<img src=x onerror="alert(2)">\n\n[link](javascript:alert(3))'

    html = preview(signed_in(member), text).content.decode().lower()

    assert "<script" not in html
    assert "onerror" not in html
    assert "javascript:" not in html
    assert "<img" not in html


def test_preview_of_a_private_communitys_slug_shows_only_the_typed_text(member: Member) -> None:
    owner = make_verified_member(first_name="Olive", last_name="Owner")
    community_create(
        creator=owner, name=HIDDEN_NAME, slug=HIDDEN_SLUG, marking=marking(), visibility=Community.Visibility.PRIVATE
    )
    text = f"See @{owner.handle or 'olive'} in {HIDDEN_SLUG} and [[{HIDDEN_SLUG}]]"

    html = preview(signed_in(member), text).content.decode()

    assert HIDDEN_NAME not in html
    assert "href" not in html  # nothing was resolved into a link
    assert html == f"<p>{text}</p>"


def test_preview_sends_an_anonymous_visitor_to_sign_in() -> None:
    answer = preview(Client(), "**bold**")

    assert answer.status_code == 302
    assert answer["Location"].startswith(reverse("account_login"))
    assert b"<strong>" not in answer.content


def test_preview_refuses_an_unverified_member() -> None:
    unverified = MemberFactory.create()

    answer = preview(signed_in(unverified), "**bold**")

    assert answer.status_code == 302
    assert not answer["Location"].startswith(reverse("preview"))
    assert b"<strong>" not in answer.content


def test_preview_refuses_get(member: Member) -> None:
    assert signed_in(member).get(reverse("preview"), {"text": "**bold**"}).status_code == 405


def test_preview_refuses_a_text_over_the_limit_and_renders_nothing(member: Member) -> None:
    answer = preview(signed_in(member), "**bold** " + "x" * PREVIEW_MAX_CHARS)

    assert answer.status_code == 413
    assert b"<strong>" not in answer.content


def test_preview_is_rate_limited_per_member(member: Member) -> None:
    client = signed_in(member)
    limit, _window = PREVIEW_RATE

    answers = [preview(client, "*hi*").status_code for _ in range(limit + 1)]

    assert answers[:limit] == [200] * limit
    assert answers[limit] == 429
    assert preview(signed_in(make_verified_member()), "*hi*").status_code == 200


def test_preview_needs_the_csrf_token(member: Member) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)

    assert preview(client, "**bold**").status_code == 403
