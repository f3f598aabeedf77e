"""A removed item is gone everywhere it was listed, for everyone but the community's moderators: the feed,
saved items, tags, boards, notifications, mention suggestions, indexes and the item's own page. Removal
and restoring through the one form for every content type, who may use it, the audit trail, and feed
titles read as the items are now."""

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from communities.models import Community, Role
from communities.services import community_create
from discussions import services as discussions
from discussions.models import Board, Post, Thread
from library import services as library
from library.models import Document
from notices.notifications import notifications_visible_to
from saved import services as saved
from tests.discussions.factories import joined, marking, signed_in, start
from tests.library.test_services import PDF
from tests.verification.factories import make_verified_member
from verification import services as vetting
from verification.models import AuditEvent, Member
from wiki import services as wiki
from wiki.models import WikiPage

pytestmark = pytest.mark.django_db

REMOVED_BADGE = '<span class="badge">Removed</span>'


# --- Given -------------------------------------------------------------------------------


@pytest.fixture
def owner() -> Member:
    owner = make_verified_member(markings=["fouo"], first_name="Olive", last_name="Owner")
    vetting.member_handle_ensure(member=owner)
    return owner


@pytest.fixture
def community(owner: Member) -> Community:
    return community_create(creator=owner, name="Gulf Coast", slug="gulf", marking=marking())


@pytest.fixture
def board(community: Community, owner: Member) -> Board:
    return discussions.board_create(community=community, actor=owner, name="General")


@pytest.fixture
def moderator(community: Community) -> Member:
    return joined(community, "Mona", "Moderator", Role.MODERATOR)


@pytest.fixture
def member(community: Community) -> Member:
    return joined(community, "Dana", "Reyes")


@pytest.fixture
def author(community: Community) -> Member:
    return joined(community, "Avery", "Author")


def opening(thread: Thread) -> Post:
    return thread.posts.get(is_opening=True)


def upload(
    author: Member, community: Community, title: str = "Triage protocol", marking_slug: str = "unmarked"
) -> Document:
    return library.document_upload(
        author=author,
        community=community,
        title=title,
        file=SimpleUploadedFile("protocol.pdf", PDF),
        marking=marking(marking_slug),
    )


# --- Pages -------------------------------------------------------------------------------


def feed_url(community: Community) -> str:
    return reverse("communities:detail", args=[community.slug])


def removal_url(community: Community) -> str:
    return reverse("communities:item_removal", args=[community.slug])


def main(response: Any) -> str:
    page: str = response.content.decode()
    return page[page.index("<main") : page.index("</main>")]


def feed_labels(client: Client, community: Community) -> list[str]:
    response = client.get(feed_url(community))
    assert response.status_code == 200
    return [event.target_label for event in response.context["page"].object_list]


def feed_text(client: Client, community: Community) -> str:
    return main(client.get(feed_url(community)))


def saved_titles(client: Client) -> list[str]:
    return [row.title for row in client.get(reverse("saved:list")).context["rows"]]


def suggestions(client: Client, thread: Thread, text: str) -> list[dict[str, Any]]:
    return client.get(reverse("members:autocomplete"), {"thread": str(thread.pk), "q": text}).json()  # type: ignore[no-any-return]


def board_thread_count(client: Client, community: Community) -> int:
    response = client.get(reverse("discussions:boards", args=[community.slug]))
    return sum(row.thread_count for row in response.context["boards"])


def board_page(client: Client, board: Board) -> str:
    return main(client.get(reverse("discussions:board", args=[board.community.slug, board.slug])))


def removal(
    client: Client, community: Community, item_type: str, item_id: int, action: str, next_path: str
) -> tuple[Any, list[str]]:
    """POST the removal form; the response and the messages the next page would show."""
    response = client.post(
        removal_url(community), {"item_type": item_type, "item_id": item_id, "action": action, "next": next_path}
    )
    said = [str(message) for message in get_messages(response.wsgi_request)]
    client.cookies.pop("messages", None)
    return response, said


def offers_removal(body: str) -> bool:
    """The page has the removal form's Remove button (not, say, "Remove from saved")."""
    return 'name="action" value="remove"' in body


def audited(action: str, item: Any) -> list[int]:
    """The actors of the audit events of ``action`` about ``item``."""
    events = AuditEvent.objects.filter(action=action, target_type=item._meta.label, target_id=str(item.pk))
    return list(events.values_list("actor_id", flat=True))


# --- Threads -----------------------------------------------------------------------------


def test_a_removed_thread_disappears_for_a_member_everywhere_while_its_moderator_still_sees_it_marked_removed(
    community: Community, board: Board, owner: Member, moderator: Member, member: Member
) -> None:
    # Given a tagged thread the member saved, with a reply by the owner that mentions the member
    thread = start(owner, board, title="Shelter capacity", tags=["evacuation"])
    mention = discussions.post_reply(author=owner, thread=thread, body=f"@{member.handle} can you check the cots?")
    saved.item_save(member=member, item=thread, url=discussions.thread_url(thread))
    reader, mod = signed_in(member), signed_in(moderator)
    tag_page = reverse("tags:tag", args=["evacuation"])

    # (while it stands, the member sees it everywhere)
    assert "Shelter capacity" in feed_labels(reader, community)
    assert "Shelter capacity" in feed_text(reader, community)
    assert saved_titles(reader) == ["Shelter capacity"]
    assert "Shelter capacity" in main(reader.get(tag_page))
    assert board_thread_count(reader, community) == 1
    assert "Shelter capacity" in board_page(reader, board)
    assert list(notifications_visible_to(member).values_list("target_id", flat=True)) == [mention.pk]
    assert "Shelter capacity" in main(reader.get(reverse("messaging:notifications")))
    assert [s["handle"] for s in suggestions(reader, thread, "olive")] == [owner.handle]
    assert reader.get(discussions.thread_url(thread)).status_code == 200

    # When its author removes the opening post
    discussions.post_delete(post=opening(thread), actor=owner)

    # Then the member finds it nowhere, and its page is not found
    assert "Shelter capacity" not in feed_labels(reader, community)
    assert "Shelter capacity" not in feed_text(reader, community)
    assert saved_titles(reader) == []
    assert "Shelter capacity" not in main(reader.get(tag_page))
    assert board_thread_count(reader, community) == 0
    assert "Shelter capacity" not in board_page(reader, board)
    assert not notifications_visible_to(member).exists()
    assert "Shelter capacity" not in main(reader.get(reverse("messaging:notifications")))
    assert suggestions(reader, thread, "olive") == []
    assert reader.get(discussions.thread_url(thread)).status_code == 404
    # And a moderator of the community still sees it in the feed, and its page says it was removed
    assert "Shelter capacity" in feed_labels(mod, community)
    assert "Shelter capacity" in feed_text(mod, community)
    moderator_page = mod.get(discussions.thread_url(thread))
    assert moderator_page.status_code == 200
    assert "Shelter capacity" in main(moderator_page)
    assert "This thread was removed" in main(moderator_page)


def test_a_hidden_posts_mention_disappears_for_the_mentioned_member_and_comes_back_when_a_moderator_restores_it(
    board: Board, owner: Member, moderator: Member, member: Member
) -> None:
    # Given a reply by the owner that mentions the member
    thread = start(owner, board, title="Generator fuel")
    mention = discussions.post_reply(author=owner, thread=thread, body=f"@{member.handle} how many gallons?")
    notifications_page = reverse("messaging:notifications")
    reader = signed_in(member)
    assert list(notifications_visible_to(member).values_list("target_id", flat=True)) == [mention.pk]
    assert "Generator fuel" in main(reader.get(notifications_page))

    # When a moderator hides the post
    discussions.post_hide(post=mention, actor=moderator, reason="Off topic")

    # Then the member's notification about it is gone
    assert not notifications_visible_to(member).exists()
    assert "Generator fuel" not in main(reader.get(notifications_page))

    # When a moderator restores it, the notification is back
    discussions.post_restore(post=mention, actor=moderator, reason="On reflection, fine")

    assert list(notifications_visible_to(member).values_list("target_id", flat=True)) == [mention.pk]
    assert "Generator fuel" in main(reader.get(notifications_page))


# --- Documents and wiki pages through the removal form -------------------------------------


def test_a_document_removed_by_its_author_is_gone_for_members_and_a_moderator_restores_it_through_the_same_form(
    community: Community, author: Member, moderator: Member, member: Member
) -> None:
    # Given a document the member can see and has saved
    document = upload(author, community, title="Triage protocol")
    page = library.document_url(document)
    index = reverse("library:index", args=[community.slug])
    saved.item_save(member=member, item=document, url=page)
    reader, writer, mod = signed_in(member), signed_in(author), signed_in(moderator)
    assert reader.get(page).status_code == 200
    assert not offers_removal(main(reader.get(page)))  # neither author nor moderator: no button
    assert "Triage protocol" in main(reader.get(index))
    assert "Triage protocol" in feed_labels(reader, community)
    assert saved_titles(reader) == ["Triage protocol"]

    # When its author removes it with the page's button
    assert offers_removal(main(writer.get(page)))
    removed, removed_said = removal(writer, community, "library.document", document.pk, "remove", page)

    # Then the author (who may no longer see it) lands on the community's page, told what happened
    assert removed.status_code == 302
    assert removed["Location"] == feed_url(community)
    assert removed_said == ["“Triage protocol” was removed. The community's moderators can still see and restore it."]
    document.refresh_from_db()
    assert document.deleted_at is not None
    assert document.deleted_by == author
    # And the member finds it nowhere
    assert reader.get(page).status_code == 404
    assert "Triage protocol" not in main(reader.get(index))
    assert "Triage protocol" not in feed_labels(reader, community)
    assert "Triage protocol" not in feed_text(reader, community)
    assert saved_titles(reader) == []
    # And a moderator sees it, marked removed, with a Restore button, in the index as well
    moderator_page = main(mod.get(page))
    assert "This document was removed by Avery Author" in moderator_page
    assert "Restore this document" in moderator_page
    moderator_index = main(mod.get(index))
    assert "Triage protocol" in moderator_index
    assert REMOVED_BADGE in moderator_index
    assert "Triage protocol" in feed_labels(mod, community)

    # When the moderator restores it through the same form
    restored, restored_said = removal(mod, community, "library.document", document.pk, "restore", page)

    # Then it is back for the member everywhere, and both actions are in the audit log
    assert restored.status_code == 302
    assert restored["Location"] == page
    assert restored_said == ["“Triage protocol” is back."]
    assert reader.get(page).status_code == 200
    assert "was removed" not in main(reader.get(page))
    assert "Triage protocol" in main(reader.get(index))
    assert "Triage protocol" in feed_labels(reader, community)
    assert saved_titles(reader) == ["Triage protocol"]
    assert audited(AuditEvent.Action.ITEM_REMOVED, document) == [author.pk]
    assert audited(AuditEvent.Action.ITEM_RESTORED, document) == [moderator.pk]


def test_a_wiki_page_removed_by_a_moderator_is_not_found_for_members_and_hidden_from_their_index_until_restored(
    community: Community, author: Member, moderator: Member, member: Member
) -> None:
    # Given a wiki page by a member
    wiki_page = wiki.page_create(
        author=author, community=community, title="Partnership model", body="1. Co-leads\n", marking=marking()
    )
    page = wiki.page_url(wiki_page)
    index = reverse("wiki:index", args=[community.slug])
    reader, mod = signed_in(member), signed_in(moderator)
    assert reader.get(page).status_code == 200
    assert "Partnership model" in main(reader.get(index))

    # When a moderator removes it with the page's button
    assert offers_removal(main(mod.get(page)))
    removed, removed_said = removal(mod, community, "wiki.wikipage", wiki_page.pk, "remove", page)

    # Then the moderator stays on the page, which says it was removed
    assert removed.status_code == 302
    assert removed["Location"] == page
    assert removed_said == ["“Partnership model” was removed. The community's moderators can still see and restore it."]
    moderator_page = main(mod.get(page))
    assert "This page was removed by Mona Moderator" in moderator_page
    assert "Restore this page" in moderator_page
    moderator_index = main(mod.get(index))
    assert "Partnership model" in moderator_index
    assert REMOVED_BADGE in moderator_index
    # And the member gets 404, and the index does not list it
    assert reader.get(page).status_code == 404
    assert "Partnership model" not in main(reader.get(index))

    # When the moderator restores it, the member sees it again
    restored, _ = removal(mod, community, "wiki.wikipage", wiki_page.pk, "restore", page)

    assert restored.status_code == 302
    assert WikiPage.objects.get(pk=wiki_page.pk).deleted_at is None
    assert reader.get(page).status_code == 200
    assert "Partnership model" in main(reader.get(index))
    assert audited(AuditEvent.Action.ITEM_REMOVED, wiki_page) == [moderator.pk]
    assert audited(AuditEvent.Action.ITEM_RESTORED, wiki_page) == [moderator.pk]


def test_a_member_who_is_neither_author_nor_moderator_cannot_remove_a_document_and_one_who_may_not_see_it_gets_404(
    community: Community, author: Member, member: Member, moderator: Member
) -> None:
    # Given a member's document, and an FOUO document by a cleared author
    document = upload(author, community, title="Triage protocol")
    cleared = joined(community, "Casey", "Cleared", markings=["fouo"])
    secret = upload(cleared, community, title="Port security plan", marking_slug="fouo")
    page = library.document_url(document)
    bystander = signed_in(member)

    # When a member who did not write it tries to remove it (or to restore it)
    refused, refused_said = removal(bystander, community, "library.document", document.pk, "remove", page)
    _not_restored, not_restored_said = removal(bystander, community, "library.document", document.pk, "restore", page)

    # Then the form answers with why, and nothing changes
    assert refused.status_code == 302
    assert refused["Location"] == page
    assert refused_said == ["Only the author or a moderator removes this."]
    assert not_restored_said == ["Only the community's moderators restore removed items."]
    assert Document.objects.get(pk=document.pk).deleted_at is None
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.ITEM_REMOVED).exists()
    assert bystander.get(page).status_code == 200

    # When a member not cleared for FOUO names the FOUO document, it does not exist for them
    assert removal(bystander, community, "library.document", secret.pk, "remove", page)[0].status_code == 404
    assert removal(bystander, community, "library.document", 999999, "remove", page)[0].status_code == 404
    assert removal(bystander, community, "library.nosuchtype", document.pk, "remove", page)[0].status_code == 404
    assert Document.objects.get(pk=secret.pk).deleted_at is None

    # And once removed, a plain member cannot even name it, while its author could remove their own
    removed, _ = removal(signed_in(author), community, "library.document", document.pk, "remove", page)
    assert removed.status_code == 302
    assert Document.objects.get(pk=document.pk).deleted_at is not None
    assert removal(bystander, community, "library.document", document.pk, "restore", page)[0].status_code == 404
    assert Document.objects.get(pk=document.pk).deleted_at is not None
    assert audited(AuditEvent.Action.ITEM_REMOVED, document) == [author.pk]


def test_the_removal_form_leaves_threads_alone_as_they_are_removed_and_restored_with_their_opening_post(
    community: Community, board: Board, author: Member, moderator: Member, member: Member
) -> None:
    # Given a thread removed by its author deleting the opening post, and a thread that stands
    removed = start(author, board, title="Shelter capacity")
    discussions.post_delete(post=opening(removed), actor=author)
    standing = start(author, board, title="Generator fuel")

    # When a moderator names the removed thread in the form to restore it, and its author names the other
    restore, _ = removal(signed_in(moderator), community, "discussions.thread", removed.pk, "restore", "/")
    remove, _ = removal(signed_in(author), community, "discussions.thread", standing.pk, "remove", "/")

    # Then the form does not know threads (as for posts, or any type it does not handle), and nothing changes:
    # a thread restored without its opening post, or removed with its opening post standing, is half-removed
    assert (
        removal(signed_in(moderator), community, "discussions.post", opening(standing).pk, "remove", "/")[0].status_code
        == 404
    )
    assert (restore.status_code, remove.status_code) == (404, 404)
    assert Thread.objects.get(pk=removed.pk).deleted_at is not None
    assert Thread.objects.get(pk=standing.pk).deleted_at is None
    assert signed_in(member).get(discussions.thread_url(removed)).status_code == 404
    assert signed_in(member).get(discussions.thread_url(standing)).status_code == 200
    # (the allowed path: the opening post's own removal)
    discussions.post_delete(post=opening(standing), actor=author)
    assert signed_in(member).get(discussions.thread_url(standing)).status_code == 404


# --- The feed reads items as they are now --------------------------------------------------


def test_the_feed_shows_a_threads_title_as_edited_and_drops_a_document_re_marked_beyond_a_members_clearance(
    community: Community, board: Board, owner: Member, author: Member, member: Member
) -> None:
    # Given a thread and a document in the feed
    thread = start(author, board, title="Old title")
    document = upload(author, community, title="Triage protocol")
    cleared = joined(community, "Casey", "Cleared", markings=["fouo"])
    reader, cleared_reader = signed_in(member), signed_in(cleared)
    assert "Old title" in feed_labels(reader, community)

    # When the author edits the thread's title
    discussions.post_edit(post=opening(thread), editor=author, body="How many cots?", title="New title")

    # Then the feed shows the new title, not the old one
    labels = feed_labels(reader, community)
    assert "New title" in labels
    assert "Old title" not in labels
    body = feed_text(reader, community)
    assert "New title" in body
    assert "Old title" not in body

    # When the document is re-marked FOUO
    assert "Triage protocol" in feed_labels(reader, community)
    Document.objects.filter(pk=document.pk).update(marking=marking("fouo"))

    # Then a member without FOUO no longer sees its event, while a cleared member does
    assert "Triage protocol" not in feed_labels(reader, community)
    assert "Triage protocol" not in feed_text(reader, community)
    assert "Triage protocol" in feed_labels(cleared_reader, community)
