"""Faces beside names across the site (issue 17, point 8): initials, or the shared photo where a page shows it,
without showing anyone a face they could not see the name of, and without a query per row."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from communities.models import Community
from communities.services import community_create
from discussions import services
from discussions.models import Board
from tests.discussions.factories import joined, marking, signed_in, start
from tests.verification.factories import ProfileFactory, make_verified_member
from verification.models import Member

pytestmark = pytest.mark.django_db

AVATAR = re.compile(
    r'<span class="avatar avatar-(sm|md|lg) avatar-c\d" data-initials="([A-Z?]{1,2})" aria-hidden="true"></span>'
)


def faces(html: str) -> list[str]:
    """The initials of every avatar in the page's main content (the header shows the viewer's own)."""
    main = html.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    return [initials for _size, initials in AVATAR.findall(main)]


def queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured.captured_queries)


@pytest.fixture
def owner() -> Member:
    return make_verified_member(markings=["fouo"], first_name="Olive", last_name="Owner")


@pytest.fixture
def community(owner: Member) -> Community:
    return community_create(creator=owner, name="Gulf Coast", slug="gulf", marking=marking())


@pytest.fixture
def board(community: Community, owner: Member) -> Board:
    return services.board_create(community=community, actor=owner, name="General", description="Anything goes")


def test_a_fouo_thread_shows_its_authors_faces_only_to_members_cleared_for_it(board: Board, owner: Member) -> None:
    thread = start(owner, board, title="Pilot staging areas", marking=marking("fouo"))
    cleared = joined(board.community, "Clea", "Red", markings=["fouo"])
    services.post_reply(thread=thread, author=cleared, body="Staging at the fairground.")
    uncleared = joined(board.community, "Una", "Clear")
    path = reverse("discussions:thread", kwargs={"slug": "gulf", "pk": thread.pk})

    seen = signed_in(cleared).get(path).content.decode()
    refused = signed_in(uncleared).get(path)

    assert faces(seen) == ["OO", "CR"]
    assert refused.status_code == 404
    assert faces(refused.content.decode()) == []
    assert "Olive Owner" not in refused.content.decode()


def test_the_member_list_of_a_private_community_shows_faces_to_its_members_and_nothing_to_outsiders(
    owner: Member,
) -> None:
    private = community_create(
        creator=owner, name="Pilot", slug="pilot", marking=marking(), visibility=Community.Visibility.PRIVATE
    )
    inside = joined(private, "Ines", "Side")
    outsider = make_verified_member(first_name="Otto", last_name="Side")
    path = reverse("communities:members", kwargs={"slug": "pilot"})

    seen = signed_in(inside).get(path).content.decode()
    refused = signed_in(outsider).get(path)

    assert sorted(faces(seen)) == ["IS", "OO"]
    assert refused.status_code in (403, 404)
    assert faces(refused.content.decode()) == []
    assert "Ines Side" not in refused.content.decode()


def test_the_thread_list_shows_each_authors_face_in_the_same_queries_for_two_and_eight_threads(
    board: Board, owner: Member
) -> None:
    reader = joined(board.community, "Rita", "Reader")
    client = signed_in(reader)
    path = reverse("discussions:board", kwargs={"slug": "gulf", "board": board.slug})
    start(owner, board, title="First")
    start(joined(board.community, "Ann", "Bell"), board, title="Second")
    queries(client, path)
    two = queries(client, path)

    for i in range(6):
        start(joined(board.community, f"Au{i}", f"Thor{i}"), board, title=f"Thread {i}")
    eight = queries(client, path)

    assert two == eight
    assert {"OO", "AB", "AT"} <= set(faces(client.get(path).content.decode()))


def test_the_community_member_list_shows_faces_in_the_same_queries_for_few_and_many(
    community: Community, owner: Member
) -> None:
    client = signed_in(owner)
    path = reverse("communities:members", kwargs={"slug": "gulf"})
    joined(community, "Ann", "Bell")
    queries(client, path)
    few = queries(client, path)

    for i in range(6):
        joined(community, f"M{i}", f"Ember{i}")
    many = queries(client, path)

    assert few == many
    assert len(faces(client.get(path).content.decode())) == 8


def test_directory_cards_and_profiles_show_initials_or_the_shared_photo(owner: Member) -> None:
    viewer = make_verified_member(first_name="Vera", last_name="Viewer")
    with_photo = make_verified_member(first_name="Pat", last_name="Photo")
    ProfileFactory.create(member=with_photo, photo="profile-photos/pat.jpg", shared_fields=["photo"])
    hidden_photo = make_verified_member(first_name="Hal", last_name="Hidden")
    ProfileFactory.create(member=hidden_photo, photo="profile-photos/hal.jpg", shared_fields=[])
    ProfileFactory.create(member=owner)
    client = signed_in(viewer)

    directory = client.get(reverse("members:directory")).content.decode()
    assert "OO" in faces(directory)
    assert "HH" in faces(directory)  # Hal shares no photo: his initials, never the picture
    assert f'src="/members/{hidden_photo.pk}/photo/"' not in directory
    assert f'<img class="avatar avatar-md" src="/members/{with_photo.pk}/photo/"' in directory
    assert "PP" not in faces(directory)

    hal = client.get(reverse("members:profile", kwargs={"pk": hidden_photo.pk})).content.decode()
    assert re.search(r'<span class="avatar avatar-lg[^>]*data-initials="HH"[^>]*></span>\s*<h1>Hal Hidden</h1>', hal)
    pat = client.get(reverse("members:profile", kwargs={"pk": with_photo.pk})).content.decode()
    assert f'src="/members/{with_photo.pk}/photo/"' in pat
    assert "avatar-lg" not in pat  # the photo the page already shows is the face


def test_a_member_found_by_search_has_their_initials_beside_their_name(django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # the search index is written after each commit
        found = make_verified_member(first_name="Hana", last_name="Hydro")
        ProfileFactory.create(member=found, title="Hydrologist", shared_fields=["title"])
    client = signed_in(make_verified_member(first_name="Vera", last_name="Viewer"))

    html = client.get(reverse("search:search"), {"q": "hydrologist"}).content.decode()

    face = rf'<span class="avatar avatar-sm avatar-c{found.pk % 8}"[^>]*data-initials="HH"[^>]*></span>'
    assert re.search(face + r"\s*<h2><a", html)
