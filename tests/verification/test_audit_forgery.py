"""Nobody can write views into another member's audit trail (issue 18, point 1): a marked thread, wiki page
or document download fetched as an image, a stylesheet, a prefetch or from another site is refused and
audited for nobody, while the member opening it themselves (a page, a download, the site's own scripts) is
served and audited once. And an image a member writes in a post, a blog post, a wiki page or a chat message
reaches readers only as a link, never as something their browser fetches."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from communities.models import Community
from communities.services import community_create
from discussions import services as discussions
from discussions.models import Board
from library import services as library
from messaging import services as messaging
from messaging.models import Conversation
from tests.discussions.factories import joined, marking, signed_in
from tests.verification.factories import make_verified_member
from verification.models import AuditEvent, Member
from wiki import services as wiki
from wiki.models import WikiPage

pytestmark = pytest.mark.django_db

NAVIGATION = {"Sec-Fetch-Dest": "document", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Site": "none"}
OWN_SCRIPT = {"Sec-Fetch-Dest": "empty", "Sec-Fetch-Mode": "cors", "Sec-Fetch-Site": "same-origin"}
EMBEDDED = {
    "a Markdown image": {
        "Sec-Fetch-Dest": "image",
        "Sec-Fetch-Mode": "no-cors",
        "Sec-Fetch-Site": "same-origin",
    },
    "a CSS url()": {
        "Sec-Fetch-Dest": "style",
        "Sec-Fetch-Mode": "no-cors",
        "Sec-Fetch-Site": "same-origin",
    },
    "a link prefetch": {
        "Sec-Purpose": "prefetch",
        "Sec-Fetch-Dest": "document",
        "Sec-Fetch-Site": "same-origin",
    },
    "another site's link": {
        "Sec-Fetch-Dest": "document",
        "Sec-Fetch-Mode": "navigate",
        "Sec-Fetch-Site": "cross-site",
    },
}


@pytest.fixture
def marked_urls() -> tuple[Member, list[str]]:
    """A cleared administrator, and a marked thread, wiki page and document download in an FOUO-cleared world."""
    owner = make_verified_member(markings=["fouo"], first_name="Olive", last_name="Owner")
    community = community_create(creator=owner, name="Gulf Coast", slug="gulf", marking=marking())
    board = discussions.board_create(community=community, actor=owner, name="General")
    author = joined(community, "Alex", "Author", markings=["fouo"])
    thread = discussions.thread_start(
        author=author, community=community, board=board, title="Pier 7", body="Staging.", marking=marking("fouo")
    )
    page = wiki.page_create(
        author=author, community=community, title="Routes", body="Route 87.", marking=marking("fouo")
    )
    document = library.document_upload(
        author=author,
        community=community,
        title="Contacts",
        file=SimpleUploadedFile("contacts.txt", b"Harbor master: 555-0100\n"),
        marking=marking("fouo"),
    )
    urls = [
        discussions.thread_url(thread),
        wiki.page_url(page),
        reverse("library:download", kwargs={"slug": "gulf", "pk": document.pk, "number": 1}),
    ]
    return joined(community, "Ada", "Admin", markings=["fouo"]), urls


def audited(member: Member) -> int:
    return AuditEvent.objects.filter(
        actor=member, action__in=[AuditEvent.Action.VIEWED_MARKED, AuditEvent.Action.DOWNLOADED_MARKED]
    ).count()


@pytest.mark.parametrize("how", list(EMBEDDED))
def test_a_marked_item_fetched_as_something_embedded_is_refused_and_audited_for_nobody(
    marked_urls: tuple[Member, list[str]], how: str
) -> None:
    reader, urls = marked_urls
    client: Client = signed_in(reader)

    answers = [client.get(url, headers=EMBEDDED[how]).status_code for url in urls]

    assert answers == [403, 403, 403]
    assert audited(reader) == 0


def test_the_member_opening_it_themselves_is_served_and_audited_once_each_time(
    marked_urls: tuple[Member, list[str]],
) -> None:
    reader, urls = marked_urls
    client: Client = signed_in(reader)

    opened = [client.get(url, headers=NAVIGATION).status_code for url in urls]
    scripted = client.get(urls[0], headers=OWN_SCRIPT).status_code
    plain = client.get(urls[1]).status_code  # a client that sends no Fetch Metadata at all

    assert opened == [200, 200, 200]
    assert (scripted, plain) == (200, 200)
    assert audited(reader) == 5


def test_an_image_a_member_writes_reaches_readers_only_as_a_link_in_posts_blogs_wiki_and_chat(
    marked_urls: tuple[Member, list[str]],
) -> None:
    reader, urls = marked_urls
    community = Community.objects.get(slug="gulf")
    board = Board.objects.get(community=community)
    trap = f"![c]({urls[2]}) and <img src='{urls[0]}'>"
    thread = discussions.thread_start(
        author=reader, community=community, board=board, title="Trap", body=trap, marking=marking()
    )
    blog = discussions.thread_start(
        author=reader, community=community, board=None, title="Blog", body=trap, marking=marking(), kind="blog"
    )
    page = wiki.page_create(author=reader, community=community, title="Trap", body=trap, marking=marking())
    room = Conversation.objects.filter(community=community).first()
    assert room is not None
    message = messaging.message_send(conversation=room, author=reader, body=trap)

    rendered = [
        thread.posts.get().body_html,
        blog.posts.get().body_html,
        WikiPage.objects.get(pk=page.pk).body_html,
        message.body_html,
    ]

    for html in rendered:
        assert "<img" not in html
        assert f'<a href="{urls[2]}" rel="nofollow noopener noreferrer">Image: c</a>' in html
