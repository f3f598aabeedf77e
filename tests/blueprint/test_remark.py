"""An editor re-marks an entry, or moves it to another community, after it was proposed: from then on the
access rule reads the new marking on every path (its page, the indexes, search, saved items, the feed, the
public tier), members cleared for it keep reading it, and nobody else may make the change."""

import html
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from blueprint import services
from blueprint.models import BLUEPRINT_COMMUNITY_SLUG, Entry, Kind, PilotTemplate
from communities.models import Community
from communities.services import community_create
from tests.blueprint.conftest import SENTINEL, Propose, fresh, joined, make_editor, marking
from tests.search.conftest import Searcher
from tests.verification.factories import make_verified_member
from verification.models import Member

pytestmark = pytest.mark.django_db

TITLE = f"Shelter roster {SENTINEL}"


def url(name: str, entry: Entry) -> str:
    return reverse(f"blueprint:{name}", kwargs={"slug": entry.slug})


def text_of(response: Any) -> str:
    return html.unescape(str(response.content.decode()))


def client_of(member: Member) -> Client:
    client = Client()
    client.force_login(member)
    return client


@pytest.fixture
def entry(published: Callable[..., Entry], django_capture_on_commit_callbacks: Any) -> Entry:
    """A published, unmarked challenge whose summary is public, found by the word "quokkaish"."""
    with django_capture_on_commit_callbacks(execute=True):
        return published(Kind.CHALLENGE, TITLE, summary="Quokkaish shelters run short of staff.", public=True)


def sees(member: Member, entry: Entry) -> dict[str, bool]:
    """What the member notices of the entry: its page, the index, search, their saved items, the feed of the
    National Blueprint community (where it was published)."""
    client = client_of(member)
    feed = client.get(reverse("communities:detail", kwargs={"slug": BLUEPRINT_COMMUNITY_SLUG}))
    return {
        "page": client.get(url("entry", entry)).status_code == 200,
        "index": TITLE in text_of(client.get(reverse("blueprint:index"))),
        "search": TITLE in Searcher(member).headings("quokkaish"),
        "saved": TITLE in text_of(client.get(reverse("saved:list"))),
        "feed": TITLE in text_of(feed),
    }


def test_an_editor_re_marks_an_entry_and_members_not_cleared_lose_it_everywhere(
    entry: Entry, editor: Member, blueprint_community: Community, django_capture_on_commit_callbacks: Any
) -> None:
    uncleared, cleared = joined(blueprint_community), joined(blueprint_community, markings=("fouo",))
    for member in (uncleared, cleared):
        saved = client_of(member).post(
            reverse("saved:save"), {"item_type": "blueprint.entry", "item_id": entry.pk, "next": url("entry", entry)}
        )
        assert saved.status_code == 302
    everywhere = {"page": True, "index": True, "search": True, "saved": True, "feed": True}
    assert sees(uncleared, entry) == everywhere
    editor_page = text_of(client_of(editor).get(url("entry", entry)))
    assert "Change the marking or community" in editor_page

    with django_capture_on_commit_callbacks(execute=True):
        changed = client_of(editor).post(
            url("remark", entry), {"community": blueprint_community.pk, "marking": marking("fouo").pk}
        )

    assert changed.status_code == 302
    entry.refresh_from_db()
    assert entry.marking.slug == "fouo"
    assert not entry.summary_public  # a marked entry is never public
    assert sees(uncleared, entry) == {"page": False, "index": False, "search": False, "saved": False, "feed": False}
    assert client_of(uncleared).get(url("entry", entry)).status_code == 404
    assert sees(cleared, entry) == everywhere
    page = text_of(client_of(cleared).get(url("entry", entry)))
    assert page.count('class="marking-banner marking-fouo"') == 2
    anonymous = Client().get(url("entry", entry))
    assert anonymous.status_code == 302
    assert SENTINEL not in text_of(Client().get(reverse("blueprint:index")))


def test_an_editor_moves_an_entry_into_a_private_community_and_outsiders_lose_it(
    entry: Entry, blueprint_community: Community, django_capture_on_commit_callbacks: Any
) -> None:
    mover = make_editor(markings=("fouo",))
    private = community_create(
        creator=mover, name="Gulf pilot", slug="gulf-pilot", marking=marking(), visibility=Community.Visibility.PRIVATE
    )
    outsider = joined(blueprint_community)
    assert sees(outsider, entry)["page"]

    with django_capture_on_commit_callbacks(execute=True):
        services.entry_remark(entry=entry, editor=fresh(mover), marking=marking(), community=private)

    assert not any(sees(outsider, entry).values())
    assert sees(fresh(mover), entry)["page"]
    assert sees(fresh(mover), entry)["search"]


def test_only_an_editor_cleared_for_the_marking_re_marks_an_entry(
    entry: Entry, author: Member, blueprint_community: Community
) -> None:
    refused = client_of(author).post(
        url("remark", entry), {"community": blueprint_community.pk, "marking": marking("fouo").pk}
    )
    with pytest.raises(PermissionDenied):
        services.entry_remark(entry=entry, editor=author, marking=marking("fouo"))
    fouo_only_editor = make_editor(markings=("fouo",))
    beyond = client_of(fouo_only_editor).post(
        url("remark", entry), {"community": blueprint_community.pk, "marking": marking("sbu").pk}
    )
    with pytest.raises(ValidationError, match="not cleared for"):
        services.entry_remark(entry=entry, editor=fouo_only_editor, marking=marking("sbu"))
    with pytest.raises(ValidationError, match="Nothing changed"):
        services.entry_remark(entry=entry, editor=fouo_only_editor, marking=marking())

    entry.refresh_from_db()
    assert refused.status_code == 403
    assert beyond.status_code == 400
    assert "Select a valid choice" in text_of(beyond)
    assert entry.marking.slug == "unmarked"
    assert entry.summary_public


def test_an_entry_is_never_marked_below_its_community_nor_moved_where_the_editor_does_not_post(
    propose: Propose, editor: Member, blueprint_community: Community
) -> None:
    owner = make_verified_member(markings=["fouo"])
    fouo_room = community_create(
        creator=owner, name="FOUO room", slug="fouo-room", marking=marking("fouo"), visibility=Community.Visibility.OPEN
    )
    entry = propose(Kind.SOLUTION, "Mutual aid", marking_slug="unmarked")

    with pytest.raises(ValidationError, match="communities you post in"):
        services.entry_remark(entry=entry, editor=editor, marking=marking("fouo"), community=fouo_room)
    fouo_member = joined(fouo_room, markings=("fouo",))
    fouo_member.groups.add(*editor.groups.all())
    with pytest.raises(ValidationError, match="marked at least"):
        services.entry_remark(entry=entry, editor=fresh(fouo_member), marking=marking(), community=fouo_room)
    moved = services.entry_remark(entry=entry, editor=fresh(fouo_member), marking=marking("fouo"), community=fouo_room)

    assert (moved.community, moved.marking.slug) == (fouo_room, "fouo")


def test_a_proposed_entry_is_re_marked_before_it_is_published_and_stays_its_authors_and_editors(
    propose: Propose, editor: Member, fouo_author: Member, author: Member
) -> None:
    entry = propose(Kind.CHALLENGE, "Waiting proposal", author=fouo_author)

    services.entry_remark(entry=entry, editor=editor, marking=marking("fouo"))

    assert client_of(fouo_author).get(url("entry", entry)).status_code == 200
    assert client_of(editor).get(url("entry", entry)).status_code == 200
    assert client_of(author).get(url("entry", entry)).status_code == 404


def test_an_entry_a_template_bundles_is_not_marked_above_the_template(
    entry: Entry, editor: Member, blueprint_community: Community
) -> None:
    template = PilotTemplate.objects.create(
        community=blueprint_community,
        author=editor,
        marking=marking(),
        title="Partnership pilot",
        slug="partnership-pilot",
        summary="Start a partnership.",
    )
    template.entries.add(entry)

    with pytest.raises(ValidationError, match="Partnership pilot"):
        services.entry_remark(entry=entry, editor=editor, marking=marking("fouo"))

    entry.refresh_from_db()
    assert entry.marking.slug == "unmarked"
