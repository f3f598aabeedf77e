"""What is found follows what was written: edits replace the words found, a thread's new title heads its
posts, a re-marked page is found and labelled by its new marking, a member's profile is found by what they
share now, a document's file text is found once it has been read, and ``manage.py rebuild_search_index``
writes the whole index anew."""

from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from communities.models import Community
from communities.services import community_update
from discussions import services as discussions
from library import services as library
from library.models import DocumentVersion
from library.tasks import extract_version_text
from messaging import services as chat
from search.models import SearchEntry
from tests.search.conftest import Capture, Given, Searcher, facet, headings, marking, results, total
from verification import services as vetting
from verification.models import Member, Profile
from wiki import services as wiki

pytestmark = pytest.mark.django_db


def test_an_edited_post_is_found_by_its_new_words_and_no_longer_by_its_old(
    given: Given, owner: Member, gulf: Community, reader: Member, as_reader: Searcher
) -> None:
    thread = given.thread(owner, gulf, "Shelter roof")
    post = given.reply(reader, thread, "Bring tarpaulins to gate four")

    given.run(lambda: discussions.post_edit(post=post, editor=reader, body="Bring plywood to gate four"))

    assert as_reader.headings("tarpaulins") == []
    assert as_reader.headings("plywood") == ["Shelter roof"]


def test_an_edited_wiki_page_is_found_by_its_new_title_and_words(
    given: Given, owner: Member, gulf: Community, as_reader: Searcher
) -> None:
    page = given.page(owner, gulf, "Tarpaulin stock", "Forty tarpaulins in bay two.")

    given.run(
        lambda: wiki.page_save(
            page=page, editor=owner, title="Plywood stock", body="Sixty sheets in bay two.", base_number=1
        )
    )

    assert as_reader.headings("tarpaulin") == []
    assert as_reader.headings("tarpaulins") == []
    assert as_reader.headings("plywood") == ["Plywood stock"]
    assert as_reader.headings("sixty sheets") == ["Plywood stock"]


def test_an_edited_chat_message_is_found_by_its_new_words(
    given: Given, owner: Member, gulf: Community, reader: Member, as_reader: Searcher
) -> None:
    message = given.message(reader, given.room(gulf), "Pier seven is flooded")

    given.run(lambda: chat.message_edit(message=message, editor=reader, body="Pier nine is flooded"))

    assert [result.snippet_text for result in results(as_reader.page("flooded"))] == ["Pier nine is flooded"]
    assert as_reader.headings("seven") == []


def test_an_edited_opening_post_finds_its_thread_by_the_new_words(
    given: Given, owner: Member, gulf: Community, as_reader: Searcher
) -> None:
    thread = given.thread(owner, gulf, "Shelter roof", "Bring tarpaulins.")
    opening = thread.posts.get(is_opening=True)

    given.run(lambda: discussions.post_edit(post=opening, editor=owner, body="Bring plywood."))

    assert as_reader.headings("tarpaulins") == []
    assert as_reader.headings("plywood") == ["Shelter roof"]
    assert as_reader.headings("shelter plywood") == ["Shelter roof"]


def test_a_renamed_community_is_named_anew_in_results_and_facets(
    given: Given, owner: Member, gulf: Community, as_reader: Searcher
) -> None:
    given.page(owner, gulf, "Tarpaulin stock", "Bay two.")

    given.run(lambda: community_update(community=gulf, actor=owner, name="Gulf Coast Responders"))

    page = as_reader.page("tarpaulin")
    assert results(page)[0].kind.startswith("Wiki page in Gulf Coast Responders")
    assert facet(page, "Community") == {"Gulf Coast Responders": 1}


def test_a_thread_title_change_heads_its_posts_in_the_results(
    given: Given, owner: Member, gulf: Community, reader: Member, as_reader: Searcher
) -> None:
    thread = given.thread(owner, gulf, "Shelter roof", "The opening words.")
    given.reply(reader, thread, "Bring tarpaulins to gate four")
    opening = thread.posts.get(is_opening=True)

    given.run(
        lambda: discussions.post_edit(post=opening, editor=owner, body="The opening words.", title="Gym roof repairs")
    )

    assert as_reader.headings("tarpaulins") == ["Gym roof repairs"]
    assert as_reader.headings("opening words") == ["Gym roof repairs"]
    assert as_reader.headings("gym repairs") == ["Gym roof repairs"]
    assert as_reader.headings("shelter") == []


def test_a_re_marked_page_is_found_and_labelled_by_its_new_marking(
    given: Given, owner: Member, gulf: Community, as_reader: Searcher, as_cleared: Searcher
) -> None:
    page = given.page(owner, gulf, "Checkpoint plan", "Where the checkpoints are.")
    before = as_reader.headings("checkpoint")

    given.run(
        lambda: wiki.page_settings(
            page=page, actor=owner, marking=marking("fouo"), edit_policy=page.edit_policy, parent=None
        )
    )

    assert before == ["Checkpoint plan"]
    assert as_reader.headings("checkpoint") == []
    cleared_page = as_cleared.page("checkpoint marking:fouo")
    assert headings(cleared_page) == ["Checkpoint plan"]
    assert results(cleared_page)[0].banner == "For Official Use Only (FOUO)"
    assert facet(cleared_page, "Marking") == {"For Official Use Only": 1}


def test_retagging_an_item_changes_what_its_tags_find(
    given: Given, owner: Member, gulf: Community, as_reader: Searcher
) -> None:
    thread = given.thread(owner, gulf, "Shelter roof", tags=["shelters"])

    given.run(lambda: thread.tags.set(["roofing"]))

    assert as_reader.headings("tag:shelters") == []
    assert as_reader.headings("tag:roofing") == ["Shelter roof"]
    assert as_reader.headings("roofing") == ["Shelter roof"], "tags are searched as words too"


# --- Members ---------------------------------------------------------------------------------------------


@pytest.fixture
def rosa(given: Given) -> Member:
    member = given.member("Rosa", "Quintero")
    given.profile(
        member,
        shared=("expertise", "title"),
        expertise=("hazmat",),
        jurisdiction_local="Terrebonne Parish",
        title="Battalion chief",
    )
    return member


def _save_profile(given: Given, member: Member, **fields: object) -> Profile:
    return given.run(lambda: vetting.profile_save(member=member, fields=fields))  # type: ignore[no-any-return]


def test_a_member_who_stops_sharing_their_expertise_is_no_longer_found_by_it(
    given: Given, rosa: Member, as_reader: Searcher
) -> None:
    found_while_shared = as_reader.headings("hazmat")

    _save_profile(given, rosa, shared_fields=["title"])

    assert found_while_shared == ["Rosa Quintero"]
    assert as_reader.headings("hazmat") == []
    assert as_reader.headings("battalion") == ["Rosa Quintero"], "what is still shared is still found"
    assert as_reader.headings("quintero") == ["Rosa Quintero"]


def test_a_member_who_starts_sharing_their_jurisdiction_is_found_by_it(
    given: Given, rosa: Member, as_reader: Searcher
) -> None:
    hidden = as_reader.headings("terrebonne")

    _save_profile(given, rosa, shared_fields=["expertise", "title", "jurisdiction"])

    assert hidden == []
    assert as_reader.headings("terrebonne") == ["Rosa Quintero"]


def test_a_member_is_found_by_new_expertise_and_a_new_name(given: Given, rosa: Member, as_reader: Searcher) -> None:
    given.run(
        lambda: vetting.profile_save(
            member=rosa, fields={}, expertise=["swiftwater"], names={"first_name": "Rosa", "last_name": "Marin"}
        )
    )

    assert as_reader.headings("swiftwater") == ["Rosa Marin"]
    assert as_reader.headings("hazmat") == []
    assert as_reader.headings("quintero") == []
    assert as_reader.headings("marin") == ["Rosa Marin"]


# --- Documents ---------------------------------------------------------------------------------------------


def test_the_text_inside_an_uploaded_file_is_found_once_it_has_been_read(
    owner: Member, gulf: Community, as_reader: Searcher, django_capture_on_commit_callbacks: Capture
) -> None:
    upload = SimpleUploadedFile("roster.txt", b"Aisle four holds the tarpaulins.\n")
    with django_capture_on_commit_callbacks(execute=False) as after_commit:
        document = library.document_upload(
            author=owner, community=gulf, title="Warehouse list", file=upload, marking=marking()
        )
    # Everything the upload leaves for after its commit but reading the file (the task of the worker).
    for callback in after_commit:
        if getattr(callback, "func", None) != extract_version_text.delay:
            callback()
    before_reading = as_reader.page("tarpaulins")

    extract_version_text(DocumentVersion.objects.get(document=document).pk)

    assert total(before_reading) == 0
    assert as_reader.headings("warehouse") == ["Warehouse list"]
    assert as_reader.headings("tarpaulins") == ["Warehouse list"]
    assert results(as_reader.page("tarpaulins"))[0].marked_words == ["tarpaulins"]


def test_a_new_version_of_a_document_is_found_by_its_own_text_and_no_longer_by_the_old(
    given: Given, owner: Member, gulf: Community, as_reader: Searcher
) -> None:
    document = given.document(owner, gulf, "Warehouse list", "Aisle four holds the tarpaulins.")
    upload = SimpleUploadedFile("roster.txt", b"Aisle four holds the plywood.\n")

    given.run(lambda: library.document_add_version(document=document, author=owner, file=upload))

    assert as_reader.headings("tarpaulins") == []
    assert as_reader.headings("plywood") == ["Warehouse list"]


# --- Rebuilding -------------------------------------------------------------------------------------------


def test_rebuild_search_index_writes_the_index_anew_so_everything_is_found_again(
    given: Given, owner: Member, gulf: Community, reader: Member, rosa: Member, as_reader: Searcher
) -> None:
    thread = given.thread(owner, gulf, "Tarpaulin drive", "Opening tarpaulins.", tags=["roofing"])
    given.reply(reader, thread, "More tarpaulins at gate four")
    given.page(owner, gulf, "Tarpaulin stock", "Bay two.")
    given.document(owner, gulf, "Warehouse list", "Aisle four holds the tarpaulins.")
    given.link(owner, gulf, "Tarpaulin suppliers", "https://example.gov/suppliers")
    given.message(reader, given.room(gulf), "Tarpaulins arrived")
    given.document(owner, gulf, "Tarpaulin guards", "Rotation.", marking=marking("fouo"))
    before = as_reader.page("tarpaulins OR tarpaulin OR hazmat")
    SearchEntry.objects.all().delete()
    emptied = as_reader.page("tarpaulins OR tarpaulin OR hazmat")
    output = StringIO()

    call_command("rebuild_search_index", stdout=output)

    rebuilt = as_reader.page("tarpaulins OR tarpaulin OR hazmat")
    assert total(emptied) == 0
    assert total(before) == 7
    assert sorted(headings(rebuilt)) == sorted(headings(before))
    assert facet(rebuilt, "Type") == facet(before, "Type")
    assert facet(rebuilt, "Type") == {
        "Discussions, questions and blog posts": 1,
        "Posts": 1,
        "Wiki pages": 1,
        "Documents": 1,
        "Links": 1,
        "Chat messages": 1,
        "Members": 1,
    }
    assert as_reader.headings("tag:roofing") == ["Tarpaulin drive"]
    assert output.getvalue().startswith(f"Indexed {SearchEntry.objects.count()} items and members.")


def test_rebuilding_twice_leaves_one_row_per_item(given: Given, owner: Member, gulf: Community) -> None:
    given.thread(owner, gulf, "Tarpaulin drive", "Opening tarpaulins.")
    given.document(owner, gulf, "Warehouse list", "Aisle four holds the tarpaulins.")

    call_command("rebuild_search_index", stdout=StringIO())
    first = SearchEntry.objects.count()
    call_command("rebuild_search_index", stdout=StringIO())

    assert SearchEntry.objects.count() == first == 2  # the thread (with its opening post) and the document
