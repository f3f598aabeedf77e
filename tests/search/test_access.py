"""The access rule on every part of a search: results, counts, facets, snippets, "did you mean", the
suggestions under the box and the link a result opens through. Each test shows the denial and the allowed
path: what a member may not see is never found and never betrayed, and the member who may see it finds it.
Marked items a search shows are audited."""

from datetime import timedelta
from functools import partial

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from communities.models import Community, CommunityContent
from communities.services import community_update, content_remove, content_restore, membership_leave
from discussions import services as discussions
from discussions.models import Thread
from library import services as library
from messaging import services as chat
from tests.search.conftest import (
    Given,
    Searcher,
    answer,
    did_you_mean,
    facet,
    facets,
    headings,
    main,
    marking,
    results,
    total,
)
from verification import services as vetting
from verification.models import AuditEvent, Member

pytestmark = pytest.mark.django_db

FOUO_BANNER = "For Official Use Only"


def page_as_if_unknown(searcher: Searcher, word: str, stand_in: str) -> tuple[str, str]:
    """The page for ``word`` and the page for a word found nowhere, with the stand-in put back: identical
    when nothing about ``word`` leaks (no result, count, facet, snippet or suggested spelling)."""
    found = main(searcher.page(word))
    unknown = main(searcher.page(stand_in)).replace(stand_in, word)
    return found, unknown


# --- Markings ------------------------------------------------------------------------------------------


def test_a_word_only_in_an_fouo_document_finds_nothing_and_betrays_nothing_to_a_member_without_fouo(
    given: Given, owner: Member, gulf: Community, as_reader: Searcher, as_cleared: Searcher
) -> None:
    given.document(owner, gulf, "Guard roster", "Quillfeather checkpoint rotation.", marking=marking("fouo"))
    given.document(owner, gulf, "Public map", "Checkpoint locations.")

    denied = as_reader.page("quillfeather")
    allowed = as_cleared.page("quillfeather")

    found, unknown = page_as_if_unknown(as_reader, "quillfeather", "plumbobsnip")
    assert found == unknown
    assert total(denied) == 0
    assert facets(denied) == []
    for betrayal in ("quillfeather", "guard roster", "1 result", FOUO_BANNER.lower(), "did-you-mean"):
        assert betrayal not in answer(denied).lower()
    assert "marking-banner" not in denied
    # The member cleared for FOUO finds it, counted, faceted, highlighted and bannered.
    assert headings(allowed) == ["Guard roster"]
    assert total(allowed) == 1
    assert facet(allowed, "Marking") == {FOUO_BANNER: 1}
    assert results(allowed)[0].marked_words == ["Quillfeather"]
    assert results(allowed)[0].banner == "For Official Use Only (FOUO)"


def test_counts_and_facets_leave_out_what_the_member_may_not_see(
    given: Given, owner: Member, gulf: Community, as_reader: Searcher, as_cleared: Searcher
) -> None:
    given.document(owner, gulf, "Guard roster", "Checkpoint rotation.", marking=marking("fouo"), tags=["security"])
    given.thread(owner, gulf, "Checkpoint staffing", "Opening.", marking=marking("fouo"), tags=["security"])
    given.document(owner, gulf, "Public map", "Checkpoint locations.", tags=["maps"])

    denied = as_reader.page("checkpoint")
    allowed = as_cleared.page("checkpoint")

    assert headings(denied) == ["Public map"]
    assert total(denied) == 1
    assert facet(denied, "Type") == {"Documents": 1}
    assert facet(denied, "Tag") == {"maps": 1}
    assert facet(denied, "Marking") == {"Unmarked": 1}
    assert facet(denied, "Community") == {"Gulf Coast": 1}
    assert "security" not in answer(denied)
    assert as_reader.headings("tag:security") == []
    assert sorted(as_cleared.headings("tag:security")) == ["Checkpoint staffing", "Guard roster"]
    assert total(allowed) == 3
    assert facet(allowed, "Type") == {"Documents": 2, "Discussions, questions and blog posts": 1}
    assert facet(allowed, "Tag") == {"security": 2, "maps": 1}
    assert facet(allowed, "Marking") == {"Unmarked": 1, FOUO_BANNER: 2}


def test_posts_of_an_fouo_thread_are_found_only_by_members_cleared_for_fouo(
    given: Given, owner: Member, gulf: Community, as_reader: Searcher, as_cleared: Searcher
) -> None:
    thread = given.thread(owner, gulf, "Guard rotation", "Opening.", marking=marking("fouo"))
    given.reply(owner, thread, "Quillfeather gate closes at dusk.")

    assert as_reader.headings("quillfeather") == []
    assert as_cleared.headings("quillfeather") == ["Guard rotation"]


def test_content_of_an_fouo_community_is_found_only_by_members_cleared_for_fouo(
    given: Given, owner: Member, as_reader: Searcher, as_cleared: Searcher
) -> None:
    secure = given.community(owner, "secure", "Secure Ops", marking=marking("fouo"))
    given.page(owner, secure, "Quillfeather staging", "Unmarked page in an FOUO community.")

    denied = as_reader.page("quillfeather")
    allowed = as_cleared.page("quillfeather")

    assert total(denied) == 0
    assert "Secure Ops" not in answer(denied)
    assert "Quillfeather" not in as_reader.suggestions("quillf")
    assert headings(allowed) == ["Quillfeather staging"]
    assert results(allowed)[0].banner == "For Official Use Only (FOUO)", "the community's marking is the higher"
    assert 'class="marking-tag marking-fouo"' in as_cleared.suggestions("quillf")
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.SEARCHED_MARKED, actor=as_cleared.member, marking="fouo"
    ).exists()


def test_did_you_mean_never_suggests_a_word_from_what_the_member_may_not_see(
    given: Given, owner: Member, gulf: Community, as_reader: Searcher, as_cleared: Searcher
) -> None:
    given.document(owner, gulf, "Zebrafish protocol", "Lab steps.", marking=marking("fouo"))

    denied = as_reader.page("zebrafsh")
    allowed = as_cleared.page("zebrafsh")

    assert did_you_mean(denied) == ""
    assert "zebrafish" not in denied.lower()
    found, unknown = page_as_if_unknown(as_reader, "zebrafsh", "plumbobsnip")
    assert found == unknown
    assert did_you_mean(allowed) == "zebrafish"
    assert headings(as_cleared.follow("?q=zebrafish")) == ["Zebrafish protocol"]


def test_did_you_mean_suggests_from_what_the_member_may_see(
    given: Given, owner: Member, gulf: Community, as_reader: Searcher
) -> None:
    given.page(owner, gulf, "Generator maintenance", "Oil and fuel.")

    page = as_reader.page("generatr")

    assert total(page) == 0
    assert did_you_mean(page) == "generator"


def test_suggestions_offer_only_titles_and_members_the_member_may_see(
    given: Given, owner: Member, gulf: Community, as_reader: Searcher, as_cleared: Searcher
) -> None:
    given.document(owner, gulf, "Zebrafish protocol", "Lab steps.", marking=marking("fouo"))
    given.page(owner, gulf, "Zebra crossing repairs", "Paint.")
    given.profile(given.member("Zebulon", "Pike"))

    denied = as_reader.suggestions("zeb")
    allowed = as_cleared.suggestions("zeb")

    assert "Zebra crossing repairs" in denied
    assert "Zebulon Pike" in denied
    assert "Zebrafish" not in denied
    assert "marking-" not in denied
    assert "Zebrafish protocol" in allowed
    assert 'class="marking-tag marking-fouo"' in allowed


def test_a_result_link_opens_only_for_members_who_may_see_the_item(
    given: Given, owner: Member, gulf: Community, as_reader: Searcher, as_cleared: Searcher
) -> None:
    document = given.document(owner, gulf, "Guard roster", "Quillfeather rotation.", marking=marking("fouo"))
    (shown,) = results(as_cleared.page("quillfeather"))

    denied = as_reader.client.get(shown.url)
    allowed = as_cleared.client.get(shown.url)

    assert denied.status_code == 404
    assert b"Guard roster" not in denied.content
    assert allowed.status_code == 302
    assert allowed["Location"] == library.document_url(document)


# --- Audit -----------------------------------------------------------------------------------------------


def test_a_search_that_shows_marked_items_is_audited_and_one_that_shows_none_is_not(
    given: Given, owner: Member, gulf: Community, reader: Member, cleared: Member
) -> None:
    document = given.document(owner, gulf, "Guard roster", "Checkpoint rotation.", marking=marking("fouo"))
    given.document(owner, gulf, "Public map", "Checkpoint locations.")
    searched = AuditEvent.objects.filter(action=AuditEvent.Action.SEARCHED_MARKED)

    Searcher(reader).page("checkpoint")
    Searcher(cleared).page("locations")
    assert not searched.exists(), "nothing marked was shown"

    Searcher(cleared).page("checkpoint")

    event = searched.get()
    assert event.action == "searched_marked"
    assert (event.actor, event.actor_email) == (cleared, cleared.email)
    assert (event.target_type, event.target_id, event.target_label) == (
        "library.Document",
        str(document.pk),
        "Guard roster",
    )
    assert event.marking == "fouo"
    assert event.detail == {"query": "checkpoint"}


# --- Removed, drafts, scheduled ---------------------------------------------------------------------------


def test_removed_items_are_found_by_no_one_until_restored(
    given: Given, owner: Member, gulf: Community, reader: Member, as_reader: Searcher, as_owner: Searcher
) -> None:
    page = given.page(owner, gulf, "Quillfeather depot", "Where it is.")
    document = given.document(owner, gulf, "Quillfeather roster", "Who is where.")
    link = given.link(owner, gulf, "Quillfeather map", "https://example.gov/map")
    given.thread(owner, gulf, "Quillfeather still here", "Live.")
    items: list[CommunityContent] = [page, document, link]
    for item in items:
        given.run(partial(content_remove, item=item, actor=owner))

    removed = as_reader.headings("quillfeather")
    as_moderator = as_owner.headings("quillfeather")
    given.run(lambda: content_restore(item=page, actor=owner))
    restored = as_reader.headings("quillfeather")

    assert removed == ["Quillfeather still here"]
    assert as_moderator == ["Quillfeather still here"], "a removed item is never found, by moderators neither"
    assert sorted(restored) == ["Quillfeather depot", "Quillfeather still here"]


def test_a_removed_thread_and_a_hidden_post_are_found_by_no_one_until_restored(
    given: Given, owner: Member, gulf: Community, reader: Member, as_reader: Searcher, as_owner: Searcher
) -> None:
    removed_thread = given.thread(owner, gulf, "Quillfeather rumours", "Quillfeather everywhere.")
    kept = given.thread(owner, gulf, "Shelter", "Opening.")
    hidden = given.reply(reader, kept, "Quillfeather spam")
    given.reply(reader, kept, "Quillfeather, for real")
    given.run(lambda: discussions.post_delete(post=removed_thread.posts.get(), actor=owner))
    given.run(lambda: discussions.post_hide(post=hidden, actor=owner, reason="Spam"))

    denied = as_reader.page("quillfeather")
    as_moderator = as_owner.page("quillfeather")
    given.run(lambda: discussions.post_restore(post=hidden, actor=owner, reason="Not spam"))
    restored = as_reader.page("quillfeather")

    assert [result.snippet_text for result in results(denied)] == ["Quillfeather, for real"]
    assert "Quillfeather rumours" not in answer(denied)
    assert [result.snippet_text for result in results(as_moderator)] == ["Quillfeather, for real"]
    assert sorted(result.snippet_text for result in results(restored)) == [
        "Quillfeather spam",
        "Quillfeather, for real",
    ]


def test_drafts_and_scheduled_blog_posts_are_found_by_no_one_until_published(
    given: Given, reader: Member, gulf: Community, as_reader: Searcher, as_cleared: Searcher
) -> None:
    draft = given.thread(reader, gulf, "Quillfeather draft", "Not yet.", kind=Thread.Kind.BLOG, is_draft=True)
    given.thread(
        reader,
        gulf,
        "Quillfeather scheduled",
        "Later.",
        kind=Thread.Kind.BLOG,
        publish_at=timezone.now() + timedelta(days=2),
    )
    given.thread(reader, gulf, "Quillfeather published", "Now.", kind=Thread.Kind.BLOG)

    as_author = as_reader.headings("quillfeather")
    as_other = as_cleared.headings("quillfeather")
    given.run(lambda: discussions.blog_post_publish(thread=draft, author=reader))
    after_publishing = as_cleared.headings("quillfeather")

    assert as_author == as_other == ["Quillfeather published"]
    assert sorted(after_publishing) == ["Quillfeather draft", "Quillfeather published"]


def test_deleted_chat_messages_are_found_by_no_one(
    given: Given, owner: Member, gulf: Community, reader: Member, as_reader: Searcher
) -> None:
    room = given.room(gulf)
    deleted = given.message(reader, room, "Quillfeather typo")
    given.message(reader, room, "Quillfeather at pier seven")
    given.run(lambda: chat.message_delete(message=deleted, actor=reader))

    assert [result.snippet_text for result in results(as_reader.page("quillfeather"))] == ["Quillfeather at pier seven"]


# --- Communities, restrictions, conversations --------------------------------------------------------------


@pytest.mark.parametrize("visibility", [Community.Visibility.PRIVATE, Community.Visibility.RESTRICTED])
def test_content_of_a_community_the_member_may_not_see_into_is_found_only_by_its_members(
    given: Given, owner: Member, reader: Member, as_reader: Searcher, as_cleared: Searcher, visibility: str
) -> None:
    harbor = given.community(owner, "harbor", "Harbor Watch", visibility=visibility)
    given.join(harbor, as_cleared.member)
    given.thread(owner, harbor, "Quillfeather crane outage")
    given.page(owner, harbor, "Quillfeather berths", "Berth list.")
    given.document(owner, harbor, "Quillfeather manifest", "Cargo.")
    given.message(owner, given.room(harbor), "Quillfeather in the harbor room.")

    denied = as_reader.page("quillfeather")
    allowed = as_cleared.page("quillfeather")

    assert total(denied) == 0
    assert "Harbor Watch" not in answer(denied)
    assert total(allowed) == 4
    assert facet(allowed, "Community") == {"Harbor Watch": 4}


def test_content_of_a_community_made_private_is_no_longer_found_by_non_members(
    given: Given, owner: Member, gulf: Community, as_reader: Searcher, as_cleared: Searcher
) -> None:
    outsider = Searcher(given.member("Otto", "Outsider"))
    given.page(owner, gulf, "Quillfeather depot", "Where it is.")
    while_open = outsider.headings("quillfeather")

    given.run(lambda: community_update(community=gulf, actor=owner, visibility=Community.Visibility.PRIVATE))

    assert while_open == ["Quillfeather depot"]
    assert outsider.headings("quillfeather") == []
    assert as_reader.headings("quillfeather") == ["Quillfeather depot"], "its members still find it"


def test_a_member_who_leaves_a_private_community_no_longer_finds_its_content(
    given: Given, owner: Member, reader: Member, as_reader: Searcher
) -> None:
    harbor = given.community(owner, "harbor", "Harbor Watch", visibility=Community.Visibility.PRIVATE)
    given.join(harbor, reader)
    given.thread(owner, harbor, "Quillfeather crane outage")

    as_member = as_reader.headings("quillfeather")
    given.run(lambda: membership_leave(community=harbor, member=reader))
    after_leaving = Searcher(Member.objects.get(pk=reader.pk)).headings("quillfeather")

    assert as_member == ["Quillfeather crane outage"]
    assert after_leaving == []


def test_a_restricted_document_is_found_only_by_those_granted(
    given: Given, owner: Member, gulf: Community, reader: Member, cleared: Member, as_owner: Searcher
) -> None:
    document = given.document(owner, gulf, "Quillfeather staff list", "Names.")
    given.run(lambda: library.document_restrict(document=document, actor=owner, members=[cleared]))

    denied = Searcher(reader).page("quillfeather")
    granted = Searcher(cleared).headings("quillfeather")
    author = as_owner.headings("quillfeather")

    assert total(denied) == 0
    assert "Quillfeather staff list" not in denied
    assert granted == author == ["Quillfeather staff list"]


def test_chat_messages_are_found_only_by_members_who_may_read_the_conversation(
    given: Given, owner: Member, gulf: Community, reader: Member, cleared: Member
) -> None:
    direct = given.run(lambda: chat.direct_conversation_open(member=owner, other=cleared))
    given.message(owner, direct, "Quillfeather for Casey alone")
    given.message(reader, given.room(gulf), "Quillfeather for the whole room")
    outsider = given.member("Otto", "Outsider")  # not a member of the community whose room it is

    in_the_room = Searcher(reader).page("quillfeather")
    in_both = Searcher(cleared).page("quillfeather")
    in_neither = Searcher(outsider).page("quillfeather")

    assert [result.snippet_text for result in results(in_the_room)] == ["Quillfeather for the whole room"]
    assert sorted(result.snippet_text for result in results(in_both)) == [
        "Quillfeather for Casey alone",
        "Quillfeather for the whole room",
    ]
    assert total(in_neither) == 0
    assert "Quillfeather for" not in answer(in_neither)


def test_suspended_members_are_not_found_and_reinstated_ones_are(given: Given, as_reader: Searcher) -> None:
    verifier = given.member("Vera", "Verifier", markings=("fouo",), is_staff=True)
    verifier.user_permissions.add(Permission.objects.get(codename="review_application"))
    member = given.member("Rosa", "Quintero")
    given.profile(member)
    given.run(lambda: vetting.member_suspend(member=member, verifier=verifier, reason="Investigation"))

    suspended = as_reader.headings("quintero")
    given.run(lambda: vetting.member_reinstate(member=member, verifier=verifier, reason="Cleared"))
    reinstated = as_reader.headings("quintero")

    assert suspended == []
    assert reinstated == ["Rosa Quintero"]


def test_members_not_verified_or_whose_verification_expired_are_not_found(given: Given, as_reader: Searcher) -> None:
    given.profile(given.member("Rosa", "Quintero", verified_until=None))
    given.profile(given.member("Ali", "Quintero", verified_until=timezone.now() - timedelta(days=1)))
    given.profile(given.member("Mei", "Quintero"))

    assert as_reader.headings("quintero") == ["Mei Quintero"]
    assert "Rosa" not in as_reader.suggestions("quin")
    assert "Ali" not in as_reader.suggestions("quin")


def test_a_result_link_to_an_item_the_member_may_no_longer_see_is_not_found(
    given: Given, owner: Member, gulf: Community, as_reader: Searcher
) -> None:
    page = given.page(owner, gulf, "Quillfeather depot", "Where it is.")
    (shown,) = results(as_reader.page("quillfeather"))

    opened = as_reader.client.get(shown.url)
    given.run(lambda: content_remove(item=page, actor=owner))
    after_removal = as_reader.client.get(shown.url)

    assert opened.status_code == 302
    assert after_removal.status_code == 404
    assert reverse("search:open", args=[0, 0]).removesuffix("0/0/") in shown.url


def test_a_marked_title_suggested_under_the_box_is_audited_like_a_result(
    given: Given, owner: Member, gulf: Community, reader: Member, cleared: Member
) -> None:
    document = given.document(owner, gulf, "Guard roster", "Checkpoint rotation.", marking=marking("fouo"))
    given.document(owner, gulf, "Guard map", "Checkpoint locations.")
    searched = AuditEvent.objects.filter(action=AuditEvent.Action.SEARCHED_MARKED)

    denied = Searcher(reader).suggestions("guard")
    assert "Guard map" in denied
    assert "Guard roster" not in denied
    assert not searched.exists(), "nothing marked was suggested"

    allowed = Searcher(cleared).suggestions("guard")

    assert "Guard roster" in allowed
    event = searched.get()
    assert (event.actor, event.target_type, event.target_id) == (cleared, "library.Document", str(document.pk))
    assert (event.marking, event.detail) == ("fouo", {"query": "guard"})
