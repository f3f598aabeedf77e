"""Everyday chat (issue 17, point 3): reactions, replies with a quote, one message per client id, and the
conversation page that opens where the member left off and loads older history on request.

Every feature that shows content is also shown to stay closed to a member outside a private community
and to a member without FOUO clearance.
"""

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from communities.models import Community
from communities.services import membership_join, membership_set_role
from messaging import services
from messaging.models import Message, Reaction
from messaging.serialise import message_data
from tests.messaging.factories import Room, make_room
from tests.verification.factories import make_verified_member
from verification.models import Marking, Member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def roomy_rate_limit(settings: Any) -> None:
    """These tests send and react in bulk; the rate limit has tests of its own."""
    settings.MUSTER_CHAT_RATE = (100_000, 10)


def signed_in(member: Member) -> Client:
    client = Client()
    client.force_login(member)
    return client


def fouo_room() -> tuple[Room, Any, Member]:
    """An open community with a FOUO room, a cleared moderator in it, and a member without FOUO."""
    gulf = make_room(members=1)
    cleared = make_verified_member(markings=["fouo"])
    membership_join(community=gulf.community, member=cleared)
    membership_set_role(community=gulf.community, member=cleared, role="moderator")
    ops = services.room_create(
        community=gulf.community, actor=cleared, title="Ops", marking=Marking.objects.get(slug="fouo")
    )
    return gulf, ops, cleared


# --- Reactions ------------------------------------------------------------------------------------


def test_a_reaction_toggles_on_and_off_and_shows_its_count_and_who_reacted() -> None:
    gulf = make_room()
    alice, bob = gulf.members
    message = services.message_send(conversation=gulf.conversation, author=alice, body="Road closed at 6th")
    before = Message.objects.get(pk=message.pk).version

    assert services.reaction_toggle(message=message, member=bob, emoji="👍") is True
    assert services.reaction_toggle(message=message, member=alice, emoji="👍") is True
    services.reaction_toggle(message=message, member=bob, emoji="🙏")
    shown = message_data(Message.objects.get(pk=message.pk))

    assert [(r["emoji"], r["count"], r["names"]) for r in shown["reactions"]] == [
        ("👍", 2, [bob.display_name, alice.display_name]),
        ("🙏", 1, [bob.display_name]),
    ]
    assert shown["version"] > before  # a reaction is a change the room hears of, and a reconnect replays
    assert services.reaction_toggle(message=message, member=bob, emoji="👍") is False
    shown = message_data(Message.objects.get(pk=message.pk))
    assert [(r["emoji"], r["members"]) for r in shown["reactions"]] == [("👍", [alice.pk]), ("🙏", [bob.pk])]


def test_only_the_offered_reactions_and_only_on_messages_that_still_exist() -> None:
    gulf = make_room()
    alice, bob = gulf.members
    message = services.message_send(conversation=gulf.conversation, author=alice, body="hello")

    with pytest.raises(ValidationError, match="offered"):
        services.reaction_toggle(message=message, member=bob, emoji="💩")
    services.message_delete(message=message, actor=alice)
    with pytest.raises(ValidationError, match="deleted"):
        services.reaction_toggle(message=Message.objects.get(pk=message.pk), member=bob, emoji="👍")
    assert not Reaction.objects.exists()


def test_a_member_who_may_not_see_the_message_cannot_react_to_it() -> None:
    gulf, ops, cleared = fouo_room()
    uncleared = gulf.members[0]
    private = make_room(members=0, slug="swat", visibility=Community.Visibility.PRIVATE)
    secret = services.message_send(conversation=private.conversation, author=private.owner, body="entry at 5")
    marked = services.message_send(conversation=ops, author=cleared, body="FOUO: staging plan")

    with pytest.raises(PermissionDenied):
        services.reaction_toggle(message=marked, member=uncleared, emoji="👍")
    with pytest.raises(PermissionDenied):
        services.reaction_toggle(message=secret, member=uncleared, emoji="👍")
    assert not Reaction.objects.exists()
    # The allowed path: the cleared member reacts in the FOUO room, the private community's owner in theirs.
    assert services.reaction_toggle(message=marked, member=cleared, emoji="👍") is True
    assert services.reaction_toggle(message=secret, member=private.owner, emoji="🎉") is True


def test_the_reaction_form_works_without_script_and_is_not_found_for_outsiders() -> None:
    gulf, ops, cleared = fouo_room()
    uncleared = gulf.members[0]
    marked = services.message_send(conversation=ops, author=cleared, body="FOUO: staging plan")
    url = f"/inbox/{ops.pk}/messages/{marked.sequence}/react/"

    refused = signed_in(uncleared).post(url, {"emoji": "👍"}, HTTP_ACCEPT="application/json")
    answer = signed_in(cleared).post(url, {"emoji": "👍"}, HTTP_ACCEPT="application/json")
    page = signed_in(cleared).get(f"/inbox/{ops.pk}/")

    assert refused.status_code == 404
    assert answer.status_code == 200
    assert answer.json()["message"]["reactions"][0]["members"] == [cleared.pk]
    assert Reaction.objects.filter(member=uncleared).count() == 0
    html = page.content.decode()
    assert 'aria-label="thumbs up: 1"' in html
    assert 'aria-pressed="true" aria-label="React with thumbs up"' in html


# --- Replies ----------------------------------------------------------------------------------------


def test_a_reply_quotes_its_message_and_shows_message_deleted_once_it_is_gone() -> None:
    gulf = make_room()
    alice, bob = gulf.members
    original = services.message_send(conversation=gulf.conversation, author=alice, body="Is **Pier 9** open? " * 20)
    reply = services.message_send(conversation=gulf.conversation, author=bob, body="Yes", reply_to=original)

    quote = message_data(Message.objects.get(pk=reply.pk))["reply_to"]
    assert quote is not None
    assert quote["id"] == original.sequence
    assert quote["author"] == alice.display_name
    assert quote["snippet"].startswith("Is Pier 9 open?")
    assert len(quote["snippet"]) <= 120

    services.message_delete(message=original, actor=alice)
    quote = message_data(Message.objects.get(pk=reply.pk))["reply_to"]
    assert quote == {"id": original.sequence, "author": alice.display_name, "snippet": "", "deleted": True}
    page = signed_in(bob).get(f"/inbox/{gulf.conversation.pk}/").content.decode()
    assert "message deleted" in page
    assert "Pier 9" not in page


def test_a_reply_to_a_message_of_another_conversation_is_refused() -> None:
    gulf = make_room()
    alice, _bob = gulf.members
    elsewhere = make_room(members=0, slug="ems")
    membership_join(community=elsewhere.community, member=alice)
    other = services.message_send(conversation=elsewhere.conversation, author=alice, body="EMS only")

    with pytest.raises(ValidationError, match="same conversation"):
        services.message_send(conversation=gulf.conversation, author=alice, body="see this", reply_to=other)
    # Over HTTP the quoted message is looked up in this conversation only: id 1 there does not exist yet.
    answer = signed_in(alice).post(
        f"/inbox/{gulf.conversation.pk}/", {"body": "see this", "reply_to": 1}, HTTP_ACCEPT="application/json"
    )
    assert answer.status_code == 400
    assert gulf.conversation.messages.count() == 0


# --- One message per client id -------------------------------------------------------------------


def test_the_same_client_id_sent_twice_stores_one_message() -> None:
    gulf = make_room()
    alice, _bob = gulf.members

    first = services.message_send(conversation=gulf.conversation, author=alice, body="Need sandbags", client_id="c-1")
    again = services.message_send(conversation=gulf.conversation, author=alice, body="Need sandbags", client_id="c-1")
    other = services.message_send(conversation=gulf.conversation, author=alice, body="Need sandbags", client_id="c-2")
    over_http = signed_in(alice).post(
        f"/inbox/{gulf.conversation.pk}/", {"body": "Need sandbags", "client_id": "c-1"}, HTTP_ACCEPT="application/json"
    )

    assert again.pk == first.pk
    assert other.pk != first.pk
    assert over_http.status_code == 201
    assert over_http.json()["message"]["id"] == first.sequence
    assert gulf.conversation.messages.count() == 2


# --- The conversation page and older history --------------------------------------------------------------


def test_the_page_opens_on_the_last_page_with_a_new_messages_line_before_the_first_unread() -> None:
    gulf = make_room()
    alice, bob = gulf.members
    for n in range(60):
        services.message_send(conversation=gulf.conversation, author=alice, body=f"update {n}")
    services.conversation_mark_read(conversation=gulf.conversation, member=bob, up_to=55)

    html = signed_in(bob).get(f"/inbox/{gulf.conversation.pk}/").content.decode()

    assert html.count(" data-id=") == 50
    assert "update 9<" not in html
    assert "update 10<" in html
    assert html.index("data-new-divider") < html.index("update 55<")
    assert html.index("update 54<") < html.index("data-new-divider")
    assert 'data-older="11"' in html
    assert 'class="avatar avatar-sm avatar-c' in html


def test_older_history_comes_a_page_at_a_time_in_a_constant_number_of_queries() -> None:
    gulf = make_room()
    alice, bob = gulf.members
    client = signed_in(bob)
    url = f"/inbox/{gulf.conversation.pk}/history/"

    def queries_for_page(before: int) -> tuple[int, dict[str, Any]]:
        with CaptureQueriesContext(connection) as queries:
            answer = client.get(url, {"before": before}, HTTP_ACCEPT="application/json")
        assert answer.status_code == 200
        return len(queries), answer.json()

    first = services.message_send(conversation=gulf.conversation, author=alice, body="first")
    services.message_send(conversation=gulf.conversation, author=bob, body="reply", reply_to=first)
    services.reaction_toggle(message=first, member=bob, emoji="👍")
    few, small = queries_for_page(3)
    for n in range(120):
        message = services.message_send(conversation=gulf.conversation, author=alice if n % 2 else bob, body=f"m{n}")
        services.reaction_toggle(message=message, member=alice, emoji="🎉")
        if n % 3 == 0:
            services.message_send(conversation=gulf.conversation, author=bob, body=f"re {n}", reply_to=message)
    many, page = queries_for_page(120)

    assert small["ids"] == [1, 2]
    assert small["older"] is None
    assert page["ids"] == list(range(70, 120))
    assert page["older"] == 70
    assert page["html"].count('data-id="') == 50
    assert many == few


def test_older_history_and_the_page_stay_closed_to_members_who_may_not_see_them() -> None:
    gulf, ops, cleared = fouo_room()
    uncleared = gulf.members[0]
    private = make_room(members=0, slug="swat", visibility=Community.Visibility.PRIVATE)
    services.message_send(conversation=ops, author=cleared, body="FOUO: staging plan")
    services.message_send(conversation=ops, author=cleared, body="FOUO: second")
    services.message_send(conversation=private.conversation, author=private.owner, body="entry at 5")
    services.message_send(conversation=private.conversation, author=private.owner, body="entry at 6")

    for conversation in (ops, private.conversation):
        for url in (f"/inbox/{conversation.pk}/history/?before=3", f"/inbox/{conversation.pk}/"):
            answer = signed_in(uncleared).get(url, HTTP_ACCEPT="application/json")
            assert answer.status_code == 404
            assert b"staging" not in answer.content
            assert b"entry at" not in answer.content
    allowed = signed_in(cleared).get(f"/inbox/{ops.pk}/history/?before=3", HTTP_ACCEPT="application/json")
    assert allowed.status_code == 200
    assert "FOUO: staging plan" in allowed.json()["html"]


# --- Mentions -------------------------------------------------------------------------------------


def test_a_mention_of_a_reader_becomes_a_profile_link_and_of_anyone_else_stays_text() -> None:
    gulf, ops, cleared = fouo_room()
    uncleared = gulf.members[0]
    Member.objects.filter(pk=cleared.pk).update(handle="casey-cleared")
    Member.objects.filter(pk=uncleared.pk).update(handle="uri-uncleared")

    message = services.message_send(
        conversation=ops, author=cleared, body="@casey-cleared and @uri-uncleared and @nobody-here"
    )

    # Linked for the member who may read this FOUO room; the member without FOUO, and a handle of nobody, stay text.
    assert f'<a href="/members/{cleared.pk}/" class="mention" data-member-id="{cleared.pk}">@casey-cleared</a>' in (
        message.body_html
    )
    assert "@uri-uncleared" in message.body_html
    assert f'data-member-id="{uncleared.pk}"' not in message.body_html
    assert "@nobody-here" in message.body_html
    assert message_data(message)["body_html"] == message.body_html  # live frames carry the same links

    edited = services.message_edit(message=message, editor=cleared, body="now only @uri-uncleared")
    assert "<a " not in edited.body_html
