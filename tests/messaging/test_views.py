"""The chat pages: inbox, conversation (with its JSON fallback), people, rooms, direct messages,
and the post fragment a thread page fetches live. Each access rule shows the denial and the allowed case."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import AsyncRequestFactory, Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from communities.services import community_create, membership_join
from discussions import services as discussion_services
from messaging import presence, services
from messaging.models import Conversation, Message, Participant
from muster import context_processors
from tests.messaging.factories import make_room
from tests.verification.factories import make_verified_member
from verification.models import AuditEvent, Marking, Member

pytestmark = pytest.mark.django_db

JSON: dict[str, Any] = {"HTTP_ACCEPT": "application/json"}


def conversation_url(conversation: Conversation) -> str:
    return reverse("messaging:conversation", args=[conversation.pk])


def signed_in(member: Member) -> Client:
    client = Client()
    client.force_login(member)
    return client


def queries_for(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context)


def counts_at_one_and_fifty(client: Client, url: str, add_rows: Callable[[int], None]) -> tuple[int, int]:
    """The page's queries with one row, then with fifty; each after a first visit that warms caches and
    reads what is new, so both counts are taken in the same state."""
    queries_for(client, url)
    one = queries_for(client, url)
    add_rows(49)
    queries_for(client, url)
    return one, queries_for(client, url)


# --- The inbox ----------------------------------------------------------------------------------


def test_the_inbox_lists_rooms_direct_and_group_conversations_with_unread_counts_and_snippets() -> None:
    room = make_room()
    alice, bob = room.members
    services.message_send(conversation=room.conversation, author=bob, body="Levee **holding** at gauge 3")
    direct = services.direct_conversation_open(member=bob, other=alice)
    services.message_send(conversation=direct, author=bob, body="Can you cover the night shift?")
    services.message_send(conversation=direct, author=bob, body="Second thought: <b>both</b> nights")

    response = signed_in(alice).get(reverse("messaging:inbox"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Gulf · General" in page
    assert bob.display_name in page
    assert "Levee holding at gauge 3" in page
    assert "Second thought: both nights" in page
    assert "data-unread-value>2<" in page
    assert "New group conversation" in page


def test_a_deleted_last_message_shows_as_deleted_in_the_inbox() -> None:
    room = make_room()
    alice, bob = room.members
    message = services.message_send(conversation=room.conversation, author=bob, body="Wrong channel, sorry")
    services.message_delete(message=message, actor=bob)

    page = signed_in(alice).get(reverse("messaging:inbox")).content.decode()

    assert "message deleted" in page
    assert "Wrong channel" not in page


def test_the_inbox_does_not_show_conversations_of_others() -> None:
    room = make_room()
    alice, bob = room.members
    direct = services.direct_conversation_open(member=bob, other=alice)
    services.message_send(conversation=direct, author=bob, body="Between the two of us")
    outsider = make_verified_member()

    page = signed_in(outsider).get(reverse("messaging:inbox")).content.decode()

    assert "Between the two of us" not in page
    assert "Gulf · General" not in page


def test_the_inbox_runs_the_same_queries_for_one_and_fifty_conversations() -> None:
    member = make_verified_member()
    first = services.direct_conversation_open(member=make_verified_member(), other=member)
    services.message_send(conversation=first, author=member, body="hello")
    client = signed_in(member)

    def add(count: int) -> None:
        for i in range(count):
            other = make_verified_member()
            if i % 2:
                conversation = services.direct_conversation_open(member=other, other=member)
            else:
                conversation = services.group_conversation_create(
                    creator=other, title="" if i % 4 else "Night shift", participants=[member, make_verified_member()]
                )
            services.message_send(conversation=conversation, author=other, body=f"message {i}")

    one, fifty = counts_at_one_and_fifty(client, reverse("messaging:inbox"), add)

    assert one == fifty


def test_a_member_not_yet_cleared_is_sent_to_the_gate_from_the_inbox() -> None:
    room = make_room()
    alice = room.members[0]
    alice.suspended_at = timezone.now()
    alice.save()

    response = signed_in(alice).get(reverse("messaging:inbox"))

    assert response.status_code == 302
    assert reverse("messaging:inbox") not in response["Location"]


# --- A conversation page --------------------------------------------------------------------------


def test_a_room_member_reads_the_conversation_with_ids_marking_and_own_message_controls() -> None:
    room = make_room()
    alice, bob = room.members
    mine = services.message_send(conversation=room.conversation, author=alice, body="Staging at **Pier 21**")
    services.message_send(conversation=room.conversation, author=bob, body="On my way")

    response = signed_in(alice).get(conversation_url(room.conversation))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="m1"' in page
    assert 'id="m2"' in page
    assert "<strong>Pier 21</strong>" in page
    assert f'data-conversation="{room.conversation.pk}"' in page
    assert f'data-member="{alice.pk}"' in page
    assert reverse("messaging:message_edit", args=[room.conversation.pk, mine.sequence]) in page
    assert reverse("messaging:message_edit", args=[room.conversation.pk, 2]) not in page
    assert response.context["marking"].slug == "unmarked"


def test_opening_the_newest_page_reads_the_conversation() -> None:
    room = make_room()
    alice, bob = room.members
    services.message_send(conversation=room.conversation, author=bob, body="one")
    services.message_send(conversation=room.conversation, author=bob, body="two")

    signed_in(alice).get(conversation_url(room.conversation))

    row = Participant.objects.get(conversation=room.conversation, member=alice)
    assert row.last_read_sequence == 2


def test_a_marked_room_shows_its_marking_banner_and_is_hidden_from_members_not_cleared() -> None:
    owner = make_verified_member(markings=["fouo"])
    community = community_create(creator=owner, name="Gulf", slug="gulf", marking=Marking.objects.get(slug="unmarked"))
    cleared, not_cleared = make_verified_member(markings=["fouo"]), make_verified_member()
    for member in (cleared, not_cleared):
        membership_join(community=community, member=member)
    marked = services.room_create(
        community=community, actor=owner, title="Ops", marking=Marking.objects.get(slug="fouo")
    )
    services.message_send(conversation=marked, author=cleared, body="Secret staging area")

    allowed = signed_in(cleared).get(conversation_url(marked))
    denied = signed_in(not_cleared).get(conversation_url(marked))

    assert allowed.status_code == 200
    assert allowed.context["marking"].slug == "fouo"
    assert denied.status_code == 404
    assert b"Secret staging area" not in denied.content


def test_a_member_outside_the_community_gets_not_found_and_the_denial_is_audited() -> None:
    room = make_room()
    services.message_send(conversation=room.conversation, author=room.members[0], body="Members only talk")
    outsider = make_verified_member()

    response = signed_in(outsider).get(conversation_url(room.conversation))

    assert response.status_code == 404
    assert b"Members only talk" not in response.content
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PERMISSION_DENIED, actor=outsider).exists()


def test_a_forged_conversation_id_looks_the_same_as_a_forbidden_one() -> None:
    outsider = make_verified_member()

    response = signed_in(outsider).get(reverse("messaging:conversation", args=[999999]))

    assert response.status_code == 404


def test_a_direct_conversation_is_closed_to_a_third_member() -> None:
    alice, bob, carol = make_verified_member(), make_verified_member(), make_verified_member()
    direct = services.direct_conversation_open(member=alice, other=bob)
    services.message_send(conversation=direct, author=alice, body="Just for Bob")

    assert signed_in(bob).get(conversation_url(direct)).status_code == 200
    denied = signed_in(carol).get(conversation_url(direct))
    assert denied.status_code == 404
    assert b"Just for Bob" not in denied.content


def test_a_suspended_participant_sees_nothing_of_the_conversation() -> None:
    alice, bob = make_verified_member(), make_verified_member()
    direct = services.direct_conversation_open(member=alice, other=bob)
    services.message_send(conversation=direct, author=alice, body="Before the suspension")
    bob.suspended_at = timezone.now()
    bob.save()

    response = signed_in(bob).get(conversation_url(direct))

    assert response.status_code == 302
    assert b"Before the suspension" not in response.content


def test_older_messages_are_a_link_away_and_show_fifty_at_a_time() -> None:
    alice, bob = make_verified_member(), make_verified_member()
    direct = services.direct_conversation_open(member=alice, other=bob)
    for i in range(1, 56):
        Message.objects.create(
            conversation=direct, sequence=i, version=i, author=alice, body=f"n{i}", body_html=f"<p>n{i}</p>"
        )
    Conversation.objects.filter(pk=direct.pk).update(last_sequence=55, last_version=55)

    newest = signed_in(bob).get(conversation_url(direct)).content.decode()
    older = signed_in(bob).get(conversation_url(direct) + "?before=6").content.decode()

    assert 'id="m6"' in newest
    assert 'id="m5"' not in newest
    assert "?before=6" in newest
    assert 'id="m5"' in older
    assert 'id="m1"' in older
    assert 'id="m6"' not in older


def test_the_conversation_page_runs_the_same_queries_for_one_and_fifty_messages() -> None:
    room = make_room(members=3)
    alice, bob, carol = room.members
    services.message_send(conversation=room.conversation, author=bob, body="first")
    client = signed_in(alice)
    presence.presence_set(bob.pk, "online")

    def add(count: int) -> None:
        for i in range(count):
            author = (alice, bob, carol)[i % 3]
            message = Message.objects.create(
                conversation=room.conversation,
                sequence=i + 2,
                version=i + 2,
                author=author,
                body=f"m{i}",
                body_html=f"<p>m{i}</p>",
                edited_at=timezone.now() if i % 5 == 0 else None,
            )
            del message
        Conversation.objects.filter(pk=room.conversation.pk).update(last_sequence=count + 1, last_version=count + 1)

    one, fifty = counts_at_one_and_fifty(client, conversation_url(room.conversation), add)

    assert one == fifty


# --- Sending -------------------------------------------------------------------------------------------


def test_sending_a_message_from_the_form_redirects_to_it() -> None:
    room = make_room()
    alice = room.members[0]

    response = signed_in(alice).post(conversation_url(room.conversation), {"body": "Generators fuelled"})

    assert response.status_code == 302
    assert response["Location"] == conversation_url(room.conversation) + "#m1"
    assert Message.objects.get(conversation=room.conversation).body == "Generators fuelled"


def test_an_empty_message_is_refused_with_an_error_and_nothing_stored() -> None:
    room = make_room()

    response = signed_in(room.members[0]).post(conversation_url(room.conversation), {"body": "   "})

    assert response.status_code == 400
    assert b"Write a message first." in response.content
    assert not Message.objects.exists()


def test_an_over_long_message_is_refused_with_the_text_kept_and_nothing_stored(settings: Any) -> None:
    settings.MUSTER_MESSAGE_MAX_CHARS = 50
    room = make_room()
    typed = "Sandbag crews needed at " + "the north levee " * 5

    response = signed_in(room.members[0]).post(conversation_url(room.conversation), {"body": typed})

    page = response.content.decode()
    assert response.status_code == 400
    assert "at most 50 characters" in page
    assert typed.strip() in page
    assert not Message.objects.exists()


def test_sending_too_fast_answers_429_with_the_text_kept(settings: Any) -> None:
    settings.MUSTER_CHAT_RATE = (2, 60)
    room = make_room()
    client = signed_in(room.members[0])
    for body in ("one", "two"):
        assert client.post(conversation_url(room.conversation), {"body": body}).status_code == 302

    response = client.post(conversation_url(room.conversation), {"body": "Third report from sector 9"})

    page = response.content.decode()
    assert response.status_code == 429
    assert "Third report from sector 9" in page
    assert "too quickly" in page
    assert Message.objects.count() == 2


def test_a_member_outside_the_conversation_cannot_post_to_it() -> None:
    room = make_room()
    outsider = make_verified_member()

    response = signed_in(outsider).post(conversation_url(room.conversation), {"body": "Let me in"})

    assert response.status_code == 404
    assert not Message.objects.exists()


def test_the_json_fallback_sends_and_answers_201_with_the_message() -> None:
    room = make_room()
    alice = room.members[0]

    response = signed_in(alice).post(conversation_url(room.conversation), {"body": "Via *fetch*"}, **JSON)

    assert response.status_code == 201
    message = response.json()["message"]
    assert message["id"] == 1
    assert message["conversation"] == room.conversation.pk
    assert message["author"]["id"] == alice.pk
    assert "<em>fetch</em>" in message["body_html"]


def test_the_json_fallback_answers_400_and_429_with_a_code_and_detail(settings: Any) -> None:
    settings.MUSTER_CHAT_RATE = (1, 60)
    room = make_room()
    client = signed_in(room.members[0])

    empty = client.post(conversation_url(room.conversation), {"body": ""}, **JSON)
    client.post(conversation_url(room.conversation), {"body": "ok"}, **JSON)
    limited = client.post(conversation_url(room.conversation), {"body": "too fast"}, **JSON)

    assert empty.status_code == 400
    assert empty.json()["error"] == "invalid"
    assert limited.status_code == 429
    assert limited.json()["error"] == "rate_limited"
    assert limited.json()["retry_after"] >= 1
    assert Message.objects.count() == 1


# --- Catching up over HTTP, and the read position -----------------------------------------------------


def test_the_events_endpoint_returns_what_changed_after_a_version() -> None:
    room = make_room()
    alice, bob = room.members
    first = services.message_send(conversation=room.conversation, author=alice, body="one")
    services.message_send(conversation=room.conversation, author=bob, body="two")
    services.message_edit(message=first, editor=alice, body="one, corrected")
    url = reverse("messaging:events", args=[room.conversation.pk])

    answer = signed_in(bob).get(url, {"since": 1}).json()

    assert [(m["id"], m["version"]) for m in answer["messages"]] == [(2, 2), (1, 3)]
    assert answer["version"] == 3
    assert answer["complete"] is True
    assert signed_in(bob).get(url, {"since": 3}).json() == {"messages": [], "version": 3, "complete": True}


def test_the_events_endpoint_refuses_a_bad_since_and_a_stranger() -> None:
    room = make_room()
    services.message_send(conversation=room.conversation, author=room.members[0], body="private")
    url = reverse("messaging:events", args=[room.conversation.pk])

    bad = signed_in(room.members[1]).get(url, {"since": "yesterday"})
    stranger = signed_in(make_verified_member()).get(url, {"since": 0})

    assert bad.status_code == 400
    assert bad.json()["error"] == "malformed"
    assert stranger.status_code == 404
    assert b"private" not in stranger.content


def test_marking_read_answers_204_to_fetch_and_redirects_a_form() -> None:
    room = make_room()
    alice, bob = room.members
    for body in ("one", "two", "three"):
        services.message_send(conversation=room.conversation, author=bob, body=body)
    url = reverse("messaging:read", args=[room.conversation.pk])
    client = signed_in(alice)

    fetched = client.post(url, {"up_to": 2}, **JSON)
    assert fetched.status_code == 204
    assert Participant.objects.get(conversation=room.conversation, member=alice).last_read_sequence == 2
    posted = client.post(url, {"up_to": 3})
    assert posted.status_code == 302
    assert Participant.objects.get(conversation=room.conversation, member=alice).last_read_sequence == 3


# --- Editing and deleting -----------------------------------------------------------------------------


def test_the_author_edits_a_message_and_a_refused_edit_keeps_the_typed_text(settings: Any) -> None:
    settings.MUSTER_MESSAGE_MAX_CHARS = 30
    room = make_room()
    alice = room.members[0]
    message = services.message_send(conversation=room.conversation, author=alice, body="Road closd")
    url = reverse("messaging:message_edit", args=[room.conversation.pk, message.sequence])
    client = signed_in(alice)

    too_long = client.post(url, {"body": "Road closed at mile four, use the frontage road"})
    saved = client.post(url, {"body": "Road closed"})

    assert too_long.status_code == 400
    assert "use the frontage road" in too_long.content.decode()
    assert saved.status_code == 302
    assert Message.objects.get(pk=message.pk).body == "Road closed"


def test_only_the_author_may_open_the_edit_page() -> None:
    room = make_room()
    alice, bob = room.members
    message = services.message_send(conversation=room.conversation, author=alice, body="Mine")

    response = signed_in(bob).get(reverse("messaging:message_edit", args=[room.conversation.pk, message.sequence]))

    assert response.status_code == 403


def test_the_author_deletes_a_message_and_its_tombstone_shows() -> None:
    room = make_room()
    alice, bob = room.members
    message = services.message_send(conversation=room.conversation, author=alice, body="Posted in error")
    client = signed_in(alice)

    response = client.post(reverse("messaging:message_delete", args=[room.conversation.pk, message.sequence]))
    page = signed_in(bob).get(conversation_url(room.conversation)).content.decode()

    assert response.status_code == 302
    assert "This message was deleted." in page
    assert "Posted in error" not in page


def test_another_member_cannot_delete_a_message() -> None:
    room = make_room()
    alice, bob = room.members
    message = services.message_send(conversation=room.conversation, author=alice, body="Stays")

    signed_in(bob).post(reverse("messaging:message_delete", args=[room.conversation.pk, message.sequence]))

    assert Message.objects.get(pk=message.pk).body == "Stays"


# --- Direct messages and groups ------------------------------------------------------------------------


def handle_of(member: Member) -> str:
    if not member.handle:
        member.handle = f"member-{member.pk}"
        member.save()
    return member.handle


def test_send_a_message_on_a_profile_opens_the_direct_conversation() -> None:
    alice, bob = make_verified_member(), make_verified_member()
    client = signed_in(alice)
    handle = handle_of(bob)

    profile = client.get(reverse("members:profile", args=[bob.pk])).content.decode()
    response = client.post(reverse("messaging:direct_open", args=[handle]))

    assert reverse("messaging:direct_open", args=[handle]) in profile
    direct = Conversation.objects.get(kind=Conversation.Kind.DIRECT)
    assert response["Location"] == conversation_url(direct)
    own_profile = client.get(reverse("members:profile", args=[alice.pk])).content.decode()
    assert "Send a message" not in own_profile


def test_a_direct_message_to_a_hidden_member_is_not_found_and_one_to_oneself_is_refused() -> None:
    alice, suspended = make_verified_member(), make_verified_member()
    handle = handle_of(suspended)
    suspended.suspended_at = timezone.now()
    suspended.save()
    client = signed_in(alice)

    hidden = client.post(reverse("messaging:direct_open", args=[handle]))
    oneself = client.post(reverse("messaging:direct_open", args=[handle_of(alice)]), follow=True)

    assert hidden.status_code == 404
    assert "cannot send a direct message to yourself" in oneself.content.decode()
    assert not Conversation.objects.filter(kind=Conversation.Kind.DIRECT).exists()


def test_a_group_conversation_is_started_by_handles() -> None:
    alice, bob, carol = make_verified_member(), make_verified_member(), make_verified_member()

    response = signed_in(alice).post(
        reverse("messaging:group_new"),
        {"title": "Night shift", "participants": f"@{handle_of(bob)}, {handle_of(carol)}"},
    )

    group = Conversation.objects.get(kind=Conversation.Kind.GROUP)
    assert response["Location"] == conversation_url(group)
    assert set(group.participants.values_list("member_id", flat=True)) == {alice.pk, bob.pk, carol.pk}


def test_a_refused_group_keeps_what_was_typed() -> None:
    alice = make_verified_member(markings=["fouo"])
    bob = make_verified_member()
    fouo = Marking.objects.get(slug="fouo")
    client = signed_in(alice)

    unknown = client.post(reverse("messaging:group_new"), {"title": "Ops cell", "participants": "no-such-person"})
    not_cleared = client.post(
        reverse("messaging:group_new"), {"title": "Ops cell", "participants": handle_of(bob), "marking": fouo.pk}
    )

    assert unknown.status_code == 400
    assert "@no-such-person" in unknown.content.decode()
    assert 'value="Ops cell"' in unknown.content.decode()
    assert not_cleared.status_code == 400
    assert "Not everyone can take part" in not_cleared.content.decode()
    assert 'value="Ops cell"' in not_cleared.content.decode()
    assert not Conversation.objects.filter(kind=Conversation.Kind.GROUP).exists()


def test_the_group_marking_offers_only_markings_the_member_is_cleared_for() -> None:
    alice = make_verified_member()

    page = signed_in(alice).get(reverse("messaging:group_new")).content.decode()

    assert "Unmarked" in page or "UNMARKED" in page.upper()
    assert Marking.objects.get(slug="fouo").name not in page


def test_people_are_added_removed_and_leave_a_group() -> None:
    alice, bob, carol, dan = (make_verified_member() for _ in range(4))
    group = services.group_conversation_create(creator=alice, title="Logistics", participants=[bob, carol])
    people = reverse("messaging:people", args=[group.pk])

    added = signed_in(bob).post(people, {"action": "add", "handles": handle_of(dan)})
    removed = signed_in(alice).post(people, {"action": "remove", "member": carol.pk})
    left = signed_in(bob).post(people, {"action": "leave"})

    assert added.status_code == 302
    assert removed.status_code == 302
    assert left["Location"] == reverse("messaging:inbox")
    active = set(group.participants.filter(left_at=None).values_list("member_id", flat=True))
    assert active == {alice.pk, dan.pk}
    assert signed_in(carol).get(people).status_code == 404


def test_only_the_creator_removes_people_from_a_group() -> None:
    alice, bob, carol = (make_verified_member() for _ in range(3))
    group = services.group_conversation_create(creator=alice, title="Logistics", participants=[bob, carol])

    response = signed_in(bob).post(
        reverse("messaging:people", args=[group.pk]), {"action": "remove", "member": carol.pk}
    )

    assert response.status_code == 302
    assert group.participants.get(member=carol).left_at is None


def test_the_people_page_is_for_groups_and_their_participants_only() -> None:
    alice, bob = make_verified_member(), make_verified_member()
    direct = services.direct_conversation_open(member=alice, other=bob)
    group = services.group_conversation_create(creator=alice, title="Pair", participants=[bob])

    assert signed_in(alice).get(reverse("messaging:people", args=[direct.pk])).status_code == 404
    assert signed_in(bob).get(reverse("messaging:people", args=[group.pk])).status_code == 200
    assert signed_in(make_verified_member()).get(reverse("messaging:people", args=[group.pk])).status_code == 404


# --- Community rooms --------------------------------------------------------------------------------------


def test_members_see_the_rooms_and_non_members_are_asked_to_join() -> None:
    room = make_room()
    services.room_create(community=room.community, actor=room.owner, title="Logistics", topic="Trucks and fuel")
    outsider = make_verified_member()
    url = reverse("messaging:rooms", args=[room.community.slug])

    member_page = signed_in(room.members[0]).get(url).content.decode()
    outsider_page = signed_in(outsider).get(url)

    assert "General" in member_page
    assert "Trucks and fuel" in member_page
    assert reverse("messaging:room_new", args=[room.community.slug]) not in member_page
    assert outsider_page.status_code == 200
    assert "Join the community to chat" in outsider_page.content.decode()
    assert "Trucks and fuel" not in outsider_page.content.decode()


def test_a_private_community_rooms_page_is_not_found_for_outsiders() -> None:
    room = make_room(members=0, visibility="private")
    outsider = make_verified_member()

    response = signed_in(outsider).get(reverse("messaging:rooms", args=[room.community.slug]))

    assert response.status_code == 404


def test_moderators_add_a_room_and_members_may_not() -> None:
    room = make_room()
    url = reverse("messaging:room_new", args=[room.community.slug])
    owner = signed_in(room.owner)

    listed = owner.get(reverse("messaging:rooms", args=[room.community.slug])).content.decode()
    refused = signed_in(room.members[0]).post(url, {"title": "Sneaky"})
    duplicate = owner.post(url, {"title": "general", "topic": "again"})
    created = owner.post(url, {"title": "Logistics", "topic": "Trucks"})

    assert url in listed
    assert refused.status_code == 403
    assert duplicate.status_code == 400
    assert 'value="again"' in duplicate.content.decode()
    new_room = Conversation.objects.get(title="Logistics")
    assert created["Location"] == conversation_url(new_room)
    assert not Conversation.objects.filter(title="Sneaky").exists()


def test_the_community_page_links_its_members_to_the_chat() -> None:
    room = make_room()

    page = signed_in(room.members[0]).get(reverse("communities:detail", args=[room.community.slug])).content.decode()

    assert reverse("messaging:rooms", args=[room.community.slug]) in page


# --- The header --------------------------------------------------------------------------------------------


def test_the_header_carries_the_bell_count_and_the_inbox_link_for_cleared_members() -> None:
    alice, bob = make_verified_member(), make_verified_member()
    direct = services.direct_conversation_open(member=bob, other=alice)
    services.message_send(conversation=direct, author=bob, body="ping")

    page = signed_in(alice).get(reverse("messaging:inbox")).content.decode()

    assert "<span data-unread-number>1</span>" in page
    assert f'href="{reverse("messaging:inbox")}"' in page


def test_the_live_socket_is_offered_to_cleared_members_on_pages_served_over_asgi() -> None:
    cleared = make_verified_member()
    not_cleared = make_verified_member(verified_until=timezone.now() - timedelta(days=1))

    def live_url(member: Member, *, asgi: bool) -> object:
        request = (AsyncRequestFactory() if asgi else RequestFactory()).get("/")
        request.user = Member.objects.get(pk=member.pk)
        return context_processors.notifications(request)["live_url"]

    assert live_url(cleared, asgi=True) == "/ws/live/"
    assert live_url(cleared, asgi=False) == ""
    assert live_url(not_cleared, asgi=True) == ""


def test_a_member_not_yet_cleared_gets_no_live_socket_and_no_count() -> None:
    member = make_verified_member(verified_until=timezone.now() - timedelta(days=1))

    page = signed_in(member).get(reverse("messaging:notifications")).content.decode()

    assert "data-live" not in page
    assert "data-unread-number" not in page


# --- The post fragment of a thread page --------------------------------------------------------------------


def make_thread(owner: Member, community_slug: str, **fields: Any) -> tuple[Any, Any]:
    community = community_create(
        creator=owner,
        name=community_slug.title(),
        slug=community_slug,
        marking=Marking.objects.get(slug="unmarked"),
        **fields,
    )
    board = discussion_services.board_create(community=community, actor=owner, name="General")
    thread = discussion_services.thread_start(
        author=owner,
        community=community,
        board=board,
        title="Fuel plan",
        body="Opening post",
        marking=Marking.objects.get(slug="unmarked"),
    )
    return community, thread


def test_the_post_fragment_renders_one_post_for_a_member_who_may_see_the_thread() -> None:
    owner = make_verified_member()
    community, thread = make_thread(owner, "delta")
    reader = make_verified_member()
    membership_join(community=community, member=reader)
    reply = discussion_services.post_reply(author=owner, thread=thread, body="Fuel arrives at **noon**")
    url = reverse("discussions:thread_post", args=[community.slug, thread.pk])

    response = signed_in(reader).get(url, {"post": reply.pk})
    thread_page = signed_in(reader).get(reverse("discussions:thread", args=[community.slug, thread.pk]))

    assert response.status_code == 200
    assert f'id="post-{reply.pk}"' in response.content.decode()
    assert "<strong>noon</strong>" in response.content.decode()
    assert f'data-post-url="{url}"' in thread_page.content.decode()
    assert signed_in(reader).get(url, {"post": 999999}).status_code == 404


def test_the_post_fragment_is_not_found_for_a_member_who_may_not_see_the_thread() -> None:
    owner = make_verified_member()
    community, thread = make_thread(owner, "private-ops", visibility="private")
    reply = discussion_services.post_reply(author=owner, thread=thread, body="Private detail")
    outsider = make_verified_member()

    response = signed_in(outsider).get(
        reverse("discussions:thread_post", args=[community.slug, thread.pk]), {"post": reply.pk}
    )

    assert response.status_code in (403, 404)
    assert b"Private detail" not in response.content


def test_opening_a_marked_group_conversation_is_audited_and_an_unmarked_one_is_not() -> None:
    creator, other = make_verified_member(markings=["fouo"]), make_verified_member(markings=["fouo"])
    marked = services.group_conversation_create(
        creator=creator, title="Ops", participants=[other], marking=Marking.objects.get(slug="fouo")
    )
    plain = services.direct_conversation_open(member=creator, other=other)
    client = signed_in(creator)

    assert client.get(conversation_url(marked)).status_code == 200
    assert client.get(conversation_url(plain)).status_code == 200

    viewed = AuditEvent.objects.filter(action=AuditEvent.Action.VIEWED_MARKED, actor=creator)
    assert [(event.target_id, event.marking) for event in viewed] == [(str(marked.pk), "fouo")]
