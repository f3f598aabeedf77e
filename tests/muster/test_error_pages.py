"""Error pages: 400, 403, 404 and 500 in the site's layout, saying what happened and where to go next,
and never what a member may not see (the address asked for, the refusal's message, a hidden name)."""

from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views.defaults import server_error

from communities.models import Community
from communities.services import community_create
from discussions import services as discussions
from tests.discussions.factories import joined, marking, signed_in, start
from tests.verification.factories import make_verified_member
from verification.models import Member

HIDDEN_NAME = "Quillfeather Harbour Cell"
HIDDEN_SLUG = "qh-cell"
HIDDEN_THREAD = "Operation Nightjar Basin"
RED_LINK_TITLE = "Zephyr Lantern Drill"


@pytest.fixture(autouse=True)
def _handlers_in_use(settings: Any) -> None:
    """With DEBUG off Django answers errors with the handlers and the templates, as in production."""
    settings.DEBUG = False


def text_of(response: Any) -> str:
    return str(response.content.decode())


def assert_in_site_layout(page: str, *, home: str) -> None:
    assert "· Muster</title>" in page
    assert 'class="site-header"' in page
    assert 'class="site-footer"' in page
    assert f'href="{home}"' in page
    assert 'href="/help/"' in page


@pytest.fixture
def owner(db: None) -> Member:
    return make_verified_member(first_name="Olive", last_name="Owner")


@pytest.fixture
def hidden_thread_url(owner: Member) -> str:
    """A private community with a distinctive name and a thread with a distinctive title."""
    closed = community_create(
        creator=owner, name=HIDDEN_NAME, slug=HIDDEN_SLUG, marking=marking(), visibility=Community.Visibility.PRIVATE
    )
    board = discussions.board_create(community=closed, actor=owner, name="Ops")
    thread = start(owner, board, title=HIDDEN_THREAD)
    return reverse("discussions:thread", kwargs={"slug": closed.slug, "pk": thread.pk})


@pytest.fixture
def outsider(db: None) -> Client:
    return signed_in(make_verified_member(first_name="Otto", last_name="Outsider"))


def test_a_hidden_community_and_its_thread_are_not_found_for_an_outsider_and_the_page_names_neither(
    outsider: Client, hidden_thread_url: str
) -> None:
    for path in (f"/communities/{HIDDEN_SLUG}/", hidden_thread_url, f"/communities/{HIDDEN_SLUG}/wiki/"):
        # When an outsider asks for the hidden community, its thread and its wiki
        response = outsider.get(path)

        # Then each is the styled 404, which says what happened and names neither the community nor the thread
        assert response.status_code == 404, path
        page = text_of(response)
        assert_in_site_layout(page, home=reverse("home"))
        assert "We could not find that page" in page
        for hidden in (HIDDEN_NAME, "Quillfeather", HIDDEN_THREAD, "Nightjar", HIDDEN_SLUG):
            assert hidden not in page, (path, hidden)


def test_a_member_of_the_hidden_community_reads_the_thread_the_outsider_could_not(
    owner: Member, hidden_thread_url: str
) -> None:
    # The allowed case beside the denial: the same address shows the thread to its community's members
    response = signed_in(owner).get(hidden_thread_url)

    assert response.status_code == 200
    assert HIDDEN_THREAD in text_of(response)


def test_an_unknown_address_gets_the_styled_404_without_echoing_the_address(outsider: Client) -> None:
    response = outsider.get("/communities/no-such-place-kestrel/")

    assert response.status_code == 404
    page = text_of(response)
    assert_in_site_layout(page, home=reverse("home"))
    assert "kestrel" not in page
    assert "No such community" not in page  # the exception's message is not shown
    assert 'href="/search/"' in page  # a cleared member is offered search


def test_a_red_wiki_link_into_a_community_the_member_may_not_edit_gets_the_styled_403(owner: Member) -> None:
    # Given an open community, and a verified member who has not joined it
    community_create(creator=owner, name="Gulf Coast", slug="gulf", marking=marking())
    visitor = signed_in(make_verified_member(first_name="Vic", last_name="Visitor"))

    # When they follow a link to a missing wiki page (the "red link": create with the title filled in)
    response = visitor.get(reverse("wiki:create", kwargs={"slug": "gulf"}), {"title": RED_LINK_TITLE})

    # Then they get the styled 403: what happened, where to go, and neither the title nor the refusal's message
    assert response.status_code == 403
    page = text_of(response)
    assert_in_site_layout(page, home=reverse("home"))
    assert "You may not do this here" in page
    assert "join the community" in page
    assert reverse("communities:directory") in page
    assert RED_LINK_TITLE not in page
    assert "Join the community to write in its wiki." not in page


def test_a_member_of_the_community_may_follow_the_same_red_wiki_link(owner: Member) -> None:
    community = community_create(creator=owner, name="Gulf Coast", slug="gulf", marking=marking())
    member = joined(community, "Mia", "Member")

    response = signed_in(member).get(reverse("wiki:create", kwargs={"slug": "gulf"}), {"title": RED_LINK_TITLE})

    assert response.status_code == 200
    assert RED_LINK_TITLE in text_of(response)


def test_a_request_for_a_host_the_site_does_not_serve_gets_the_styled_400(client: Client, db: None) -> None:
    response = client.get("/", HTTP_HOST="elsewhere.invalid")

    assert response.status_code == 400
    page = text_of(response)
    assert_in_site_layout(page, home=reverse("landing"))
    assert "Muster could not understand that request" in page
    assert "elsewhere.invalid" not in page


@pytest.fixture
def database_unavailable() -> Iterator[None]:
    """Every attempt to reach the database fails, as when the database server is down."""
    with mock.patch.object(BaseDatabaseWrapper, "cursor", side_effect=OperationalError("database is down")):
        yield


def test_the_500_page_renders_from_the_handler_without_the_database(
    django_db_blocker: Any, database_unavailable: None
) -> None:
    with django_db_blocker.block():
        response = server_error(RequestFactory().get("/home/"))

    assert response.status_code == 500
    page = text_of(response)
    assert_in_site_layout(page, home="/")
    assert "Something went wrong on our side" in page
    assert 'href="/search/"' in page


def test_a_signed_in_request_while_the_database_is_down_gets_the_styled_500(outsider: Client) -> None:
    outsider.raise_request_exception = False
    with mock.patch.object(BaseDatabaseWrapper, "cursor", side_effect=OperationalError("database is down")):
        response = outsider.get(reverse("home"))

    assert response.status_code == 500
    page = text_of(response)
    assert "Something went wrong on our side" in page
    assert "database is down" not in page


def test_a_form_sent_without_its_security_token_gets_the_styled_403_saying_to_reload(outsider: Client) -> None:
    outsider_without_token = Client(enforce_csrf_checks=True)
    outsider_without_token.cookies = outsider.cookies

    response = outsider_without_token.post(reverse("account_logout"))

    assert response.status_code == 403
    page = text_of(response)
    assert_in_site_layout(page, home=reverse("home"))
    assert "That form could not be sent" in page
    assert "CSRF verification failed" not in page
