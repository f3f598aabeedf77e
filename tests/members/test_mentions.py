"""Mentions everywhere (issue 17, point 2): suggestions in every Markdown box, only of members who may see
the place; mentions shown as links to profiles, the reader's own highlighted; a warning before posting a
mention of nobody; group conversations addressed by name."""

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from communities.models import Community
from communities.services import community_create
from discussions import services as discussions
from discussions.models import Board, Mention, Thread
from messaging import services as messaging
from messaging.models import Conversation
from muster.mentions import link_mentions, mentioned_handles, mentioned_in_html, unknown_mentions
from tests.discussions.factories import joined, marking, signed_in, start
from tests.verification.factories import make_verified_member
from verification import services as vetting
from verification.models import Member
from wiki import services as wiki

pytestmark = pytest.mark.django_db

AUTOCOMPLETE = "members:autocomplete"


# --- Given ---------------------------------------------------------------------------------


def person(first: str, last: str, **fields: Any) -> Member:
    member = make_verified_member(first_name=first, last_name=last, **fields)
    vetting.member_handle_ensure(member=member)
    return Member.objects.get(pk=member.pk)


@pytest.fixture
def owner() -> Member:
    return person("Olive", "Owner", markings=["fouo"])


@pytest.fixture
def private(owner: Member) -> Community:
    return community_create(
        creator=owner, name="Pilot", slug="pilot", marking=marking(), visibility=Community.Visibility.PRIVATE
    )


@pytest.fixture
def board(private: Community, owner: Member) -> Board:
    return discussions.board_create(community=private, actor=owner, name="Ops")


@pytest.fixture
def cast(private: Community) -> dict[str, Member]:
    """Dana (member, cleared for FOUO), Dan (member, not cleared), Dara (verified, outside the community)."""
    return {
        "cleared": joined(private, "Dana", "Reyes", markings=["fouo"]),
        "uncleared": joined(private, "Dan", "Uncleared"),
        "outside": person("Dara", "Outside"),
    }


def suggest(member: Member, q: str, **scope: Any) -> list[str]:
    found = signed_in(member).get(reverse(AUTOCOMPLETE), {"q": q, **scope}).json()
    return [suggestion["handle"] for suggestion in found]


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return str(response.content.decode())


def thread_url(thread: Thread) -> str:
    return reverse("discussions:thread", kwargs={"slug": thread.community.slug, "pk": thread.pk})


# --- The handle rules ----------------------------------------------------------------------


def test_handles_match_whatever_their_case_and_a_full_stop_ends_them() -> None:
    assert mentioned_handles("Thanks @Dana-Reyes. And @sam_lee!") == {"dana-reyes", "sam_lee"}
    assert mentioned_handles("mail dana@example.gov or see a/@path") == set()


def test_a_dotted_handle_is_reported_whole_as_naming_nobody() -> None:
    known = {"dana-reyes"}

    assert unknown_mentions("cc @dana.reyes and @Dana-Reyes.", known) == ["dana.reyes"]
    assert unknown_mentions("cc @dana-reyes, @nobody", known) == ["nobody"]
    assert unknown_mentions("cc @dana.reyes", {"dana"}) == []  # then it mentions @dana


def test_mentions_become_links_only_in_text_never_inside_links_or_code() -> None:
    html = '<p>Hi @dana-reyes and @ghost</p><pre><code>@dana-reyes</code></pre><p><a href="/x">@dana-reyes</a></p>'

    linked = link_mentions(html, {"dana-reyes": 7}, viewer_id=7, url=lambda pk: f"/members/{pk}/")

    assert mentioned_in_html(html) == {"dana-reyes", "ghost"}
    assert linked.count('class="mention mention-me"') == 1
    assert '<a href="/members/7/" class="mention mention-me" data-member-id="7">@dana-reyes</a>' in linked
    assert "@ghost</p>" in linked
    assert "<code>@dana-reyes</code>" in linked


# --- Suggestions in every box, only of members who may see the place --------------------------


def test_a_new_thread_in_a_private_community_suggests_only_its_members(
    owner: Member, private: Community, cast: dict[str, Member]
) -> None:
    assert suggest(owner, "da", in_community=private.pk) == ["dana-reyes", "dan-uncleared"]
    # Someone outside the private community is offered nobody, as for a community that does not exist
    assert suggest(cast["outside"], "da", in_community=private.pk) == []
    assert suggest(owner, "da", in_community=999999) == []


def test_a_fouo_thread_and_its_edit_box_suggest_only_members_cleared_for_it(
    owner: Member, board: Board, cast: dict[str, Member]
) -> None:
    thread = start(owner, board, marking=marking("fouo"))

    assert suggest(owner, "da", thread=thread.pk) == ["dana-reyes"]
    assert suggest(cast["uncleared"], "da", thread=thread.pk) == []
    box = page(signed_in(owner), thread_url(thread))
    assert f'data-mentions="{reverse(AUTOCOMPLETE)}?thread={thread.pk}"' in box


def test_a_wiki_page_suggests_only_members_who_may_see_it(
    owner: Member, private: Community, cast: dict[str, Member]
) -> None:
    fouo_page = wiki.page_create(author=owner, community=private, title="Plan", body="Text", marking=marking("fouo"))
    edit = reverse("wiki:edit", kwargs={"slug": private.slug, "page": fouo_page.slug})

    assert suggest(owner, "da", page=fouo_page.pk) == ["dana-reyes"]
    assert suggest(cast["outside"], "da", page=fouo_page.pk) == []
    assert f"?page={fouo_page.pk}" in page(signed_in(owner), edit)


def test_a_group_conversation_suggests_only_its_participants(owner: Member, cast: dict[str, Member]) -> None:
    group = messaging.group_conversation_create(creator=owner, title="Night shift", participants=[cast["uncleared"]])
    chat = reverse("messaging:conversation", args=[group.pk])

    assert suggest(owner, "da", conversation=group.pk) == ["dan-uncleared"]
    assert suggest(cast["outside"], "da", conversation=group.pk) == []
    assert f'data-mentions="{reverse(AUTOCOMPLETE)}?conversation={group.pk}"' in page(signed_in(owner), chat)


def test_every_markdown_box_offers_suggestions(owner: Member, private: Community, board: Board) -> None:
    client = signed_in(owner)
    scope = f'data-mentions="{reverse(AUTOCOMPLETE)}?in_community={private.pk}"'

    assert scope in page(client, reverse("discussions:thread_new", kwargs={"slug": private.slug, "board": board.slug}))
    assert scope in page(client, reverse("discussions:blog_new", kwargs={"slug": private.slug}))
    assert scope in page(client, reverse("wiki:create", kwargs={"slug": private.slug}))


def test_people_to_start_a_conversation_with_are_verified_members_found_by_name(owner: Member) -> None:
    dana = person("Dana", "Reyes")
    person("Dana", "Lapsed", verified_until=None)

    found = signed_in(owner).get(reverse(AUTOCOMPLETE), {"q": "dana", "people": "1"}).json()

    assert found == [{"id": dana.pk, "name": "Dana Reyes", "handle": "dana-reyes"}]


# --- Mentions shown as links ------------------------------------------------------------------


def test_a_mention_links_to_the_profile_and_the_mentioned_reader_sees_it_highlighted(
    owner: Member, board: Board, cast: dict[str, Member]
) -> None:
    thread = start(owner, board, body="@dana-reyes and @Dan-Uncleared, see @dara-outside and @ghost.")
    dana = cast["cleared"]

    as_owner = page(signed_in(owner), thread_url(thread))
    as_dana = page(signed_in(dana), thread_url(thread))

    profile = reverse("members:profile", args=[dana.pk])
    assert f'<a href="{profile}" class="mention" data-member-id="{dana.pk}">@dana-reyes</a>' in as_owner
    assert f'<a href="{profile}" class="mention mention-me" data-member-id="{dana.pk}">@dana-reyes</a>' in as_dana
    assert "mention-me" not in as_owner
    assert 'class="mention" data-member-id="{}">@Dan-Uncleared</a>'.format(cast["uncleared"].pk) in as_owner
    # Someone outside the private community, and nobody at all, stay plain text
    assert "@dara-outside and @ghost." in as_owner
    assert reverse("members:profile", args=[cast["outside"].pk]) not in as_owner


def test_a_member_not_cleared_for_a_fouo_thread_is_never_linked_in_it(
    owner: Member, board: Board, cast: dict[str, Member]
) -> None:
    thread = start(owner, board, body="@dana-reyes and @dan-uncleared", marking=marking("fouo"))

    shown = page(signed_in(owner), thread_url(thread))

    assert 'data-member-id="{}"'.format(cast["cleared"].pk) in shown
    assert reverse("members:profile", args=[cast["uncleared"].pk]) not in shown


def test_a_wiki_page_links_its_mentions(owner: Member, private: Community, cast: dict[str, Member]) -> None:
    written = wiki.page_create(author=owner, community=private, title="Plan", body="Ask @dana-reyes", marking=marking())

    shown = page(signed_in(cast["cleared"]), reverse("wiki:page", kwargs={"slug": private.slug, "page": written.slug}))

    assert 'class="mention mention-me"' in shown


def test_a_thread_page_costs_the_same_queries_however_many_mentions(
    owner: Member, board: Board, cast: dict[str, Member], django_assert_max_num_queries: Any
) -> None:
    thread = start(owner, board, body="@dana-reyes")
    discussions.post_reply(author=owner, thread=thread, body="@dan-uncleared")
    client = signed_in(owner)
    client.get(thread_url(thread))
    with CaptureQueriesContext(connection) as few:
        client.get(thread_url(thread))
    baseline = len(few)  # read now: each request clears the connection's query log
    for number in range(6):
        extra = person("Extra", f"Number{number}")
        joined(board.community, "Other", f"Member{number}")
        discussions.post_reply(author=owner, thread=thread, body=f"@{extra.handle} @other-member{number} @dana-reyes")
    client.get(thread_url(thread))  # reading the new posts once (the read state moves on)

    with django_assert_max_num_queries(baseline):
        shown = page(client, thread_url(thread))

    assert shown.count('class="mention"') == 2 + 6 * 2  # every member of the community; the outsiders stay text


# --- A mention of nobody is warned about before posting ------------------------------------------


def test_a_new_thread_mentioning_nobody_who_can_see_it_is_warned_and_keeps_the_text(
    owner: Member, board: Board, cast: dict[str, Member]
) -> None:
    client = signed_in(owner)
    new = reverse("discussions:thread_new", kwargs={"slug": board.community.slug, "board": board.slug})
    typed = {"title": "Cots", "kind": "discussion", "marking": marking("fouo").pk, "tags": ""}
    body = "Ask @Dana-Reyes, @dana.reyes, @dan-uncleared and @dara-outside"

    warned = client.post(new, {**typed, "body": body})
    text = warned.content.decode()

    assert warned.status_code == 200
    assert "No member @dana.reyes, @dan-uncleared, @dara-outside can see this thread" in text
    assert "Ask @Dana-Reyes, @dana.reyes, @dan-uncleared and @dara-outside</textarea>" in text
    assert 'name="post_anyway"' in text
    assert not Thread.objects.exists()

    posted = client.post(new, {**typed, "body": body, "post_anyway": "on"})
    assert posted.status_code == 302
    assert list(Mention.objects.values_list("member", flat=True)) == [cast["cleared"].pk]


def test_a_mention_everyone_may_see_posts_without_a_warning(
    owner: Member, board: Board, cast: dict[str, Member]
) -> None:
    thread = start(owner, board)
    reply = reverse("discussions:reply", kwargs={"slug": board.community.slug, "pk": thread.pk})

    response = signed_in(owner).post(reply, {"body": "Thanks @Dana-Reyes."})

    assert response.status_code == 302
    assert Mention.objects.get().member == cast["cleared"]


# --- Group conversations addressed by name ---------------------------------------------------------


def test_a_group_conversation_is_started_by_names_handles_and_chosen_suggestions(owner: Member) -> None:
    dana, sam, kim = person("Dana", "Reyes"), person("Sam", "Lee"), person("Kim", "Park")

    response = signed_in(owner).post(
        reverse("messaging:group_new"), {"title": "Ops", "participants": "Dana Reyes, @sam-lee; KIM-PARK"}
    )

    group = Conversation.objects.get(kind=Conversation.Kind.GROUP)
    assert response.status_code == 302
    assert set(group.participants.values_list("member_id", flat=True)) == {owner.pk, dana.pk, sam.pk, kim.pk}


def test_names_that_match_nobody_or_several_people_are_listed_and_the_text_kept(owner: Member) -> None:
    person("Dana", "Reyes")
    person("Sam", "Lee")
    person("Sam", "Lee")
    person("Lapsed", "Member", verified_until=None)

    response = signed_in(owner).post(
        reverse("messaging:group_new"),
        {"title": "Ops", "participants": "Dana Reyes, Dana Reeyes, @nobody, Sam Lee, lapsed-member"},
    )
    text = response.content.decode()

    assert response.status_code == 400
    assert "No member found for “Dana Reeyes”, @nobody, @lapsed-member." in text
    assert "More than one member is called “Sam Lee”: use their handle." in text
    assert 'value="Dana Reyes, Dana Reeyes, @nobody, Sam Lee, lapsed-member"' in text
    assert 'data-people="' in text
    assert not Conversation.objects.exists()


def test_a_reply_added_live_shows_its_mentions_as_links(owner: Member, board: Board, cast: dict[str, Member]) -> None:
    thread = start(owner, board)
    post = discussions.post_reply(author=owner, thread=thread, body="Over to @dana-reyes")
    live = reverse("discussions:thread_post", kwargs={"slug": board.community.slug, "pk": thread.pk})

    shown = page(signed_in(cast["cleared"]), f"{live}?post={post.pk}")

    assert 'class="mention mention-me" data-member-id="{}">@dana-reyes</a>'.format(cast["cleared"].pk) in shown


def test_a_member_no_longer_verified_is_not_linked_as_the_directory_does_not_show_them(
    owner: Member, board: Board, private: Community
) -> None:
    lapsed = joined(private, "Lapsed", "Member")
    Member.objects.filter(pk=lapsed.pk).update(verified_until=None)
    thread = start(owner, board, body="Ask @lapsed-member")

    shown = page(signed_in(owner), thread_url(thread))

    assert "Ask @lapsed-member" in shown
    assert reverse("members:profile", args=[lapsed.pk]) not in shown
