from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import Client

from communities.models import Community, JoinRequest, Membership
from discussions.models import Thread
from library.models import Bookmark, Document
from messaging import selectors
from messaging.models import Conversation, Message
from tests.verification.factories import authenticator_code
from verification import policy
from verification.demo import DEMO_PASSWORD
from verification.models import Marking, Member
from wiki.models import WikiPage

# ``seed_demo`` runs once for the module (``seeded_demo``); each test starts from the seeded world.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_demo")]


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def test_seed_demo_prints_the_demo_sign_ins_and_their_password(seeded_demo: str) -> None:
    printed = seeded_demo
    assert "admin@muster.test" in printed
    assert "muster-demo-2026" in printed


def test_seed_demo_run_twice_changes_nothing_the_second_time() -> None:
    first = row_counts()

    call_command("seed_demo", stdout=StringIO())

    assert row_counts() == first
    assert first["verification.Member"] >= 2


def test_seed_demo_has_a_member_at_every_vetting_state() -> None:
    barriers = {member.email: policy.member_access(member).barrier for member in Member.objects.all()}
    assert barriers["dana.reyes@galvestoncounty.gov"] is policy.Barrier.NONE
    assert barriers["pat.lee@houstontx.gov"] is policy.Barrier.UNVERIFIED
    assert barriers["chris.morgan@noaa.example.gov"] is policy.Barrier.EXPIRED
    assert barriers["taylor.brooks@ems.example.org"] is policy.Barrier.SUSPENDED
    assert policy.member_access(Member.objects.get(email="dana.reyes@galvestoncounty.gov")).visible_marking_ids == {
        Marking.objects.get(slug=slug).pk for slug in ("unmarked", "fouo")
    }


def test_the_printed_totp_secret_signs_the_fouo_demo_member_in(client: Client, seeded_demo: str) -> None:
    lines = seeded_demo.splitlines()
    index = next(i for i, line in enumerate(lines) if "dana.reyes@galvestoncounty.gov" in line)
    secret = lines[index + 1].split("TOTP secret ")[1].split()[0]

    client.post("/accounts/login/", {"login": "dana.reyes@galvestoncounty.gov", "password": DEMO_PASSWORD})
    done = client.post("/accounts/2fa/authenticate/", {"code": authenticator_code(secret)}, follow=True)

    assert done.redirect_chain[-1][0] == "/home/"
    assert done.status_code == 200


def test_seed_demo_builds_communities_with_members_in_each_role_and_keeps_the_private_one_private() -> None:
    roles = set(Membership.objects.values_list("role", flat=True))
    pilot = Community.objects.get(slug="galveston-pilot")
    outsider = Member.objects.get(email="marcus.bell@charlestonfire.gov")
    insider = Member.objects.get(email="dana.reyes@galvestoncounty.gov")
    assert roles == {"owner", "moderator", "member"}
    assert JoinRequest.objects.filter(status="pending").exists()
    assert not policy.can_know_community(outsider, pilot)
    assert policy.can_know_community(insider, pilot)


def test_seed_demo_writes_discussions_questions_and_blog_posts_from_the_source_documents() -> None:
    titles = set(Thread.objects.values_list("title", flat=True))
    question = Thread.objects.get(kind=Thread.Kind.QUESTION)
    fouo_thread = Thread.objects.get(marking__slug="fouo")
    outsider = Member.objects.get(email="sam.ortiz@portlogistics.example.com")
    assert "Step 1: who should co-lead from the private sector?" in titles
    assert question.accepted_post is not None
    assert Thread.objects.filter(kind=Thread.Kind.BLOG).count() == 2
    assert not policy.can_view(outsider, fouo_thread)
    assert Member.objects.get(email="dana.reyes@galvestoncounty.gov").handle == "dana-reyes"


def test_seed_demo_adds_the_partnership_wiki_documents_and_links() -> None:
    model_page = WikiPage.objects.get(title="Partnership model")
    contacts = Document.objects.get(title="Partner contact list")
    assert WikiPage.objects.get(title="Co-leads").parent == model_page
    assert 'class="wiki-missing"' in model_page.body_html  # "Resource inventory" is still to be written
    assert contacts.marking.slug == "fouo"
    assert contacts.versions.get().original_name == "contacts.csv"
    assert Bookmark.objects.count() == 2


def test_seed_demo_gives_every_community_room_a_history_members_can_read() -> None:
    rooms = Conversation.objects.filter(kind=Conversation.Kind.ROOM, is_default_room=True)
    dana = Member.objects.get(email="dana.reyes@galvestoncounty.gov")
    gulf = rooms.get(community__slug="gulf-coast-hurricane-response")
    history = selectors.message_history(dana, gulf)
    assert all(8 <= room.messages.count() <= 15 for room in rooms), {
        str(r.community): r.messages.count() for r in rooms
    }
    assert [message.sequence for message in history] == list(range(1, len(history) + 1))
    assert gulf.last_sequence == gulf.last_version == len(history)
    assert len({message.author_id for message in history}) >= 3
    assert history[0].created_at < history[-1].created_at  # spread over time, oldest first
    assert "Bolivar Peninsula" in " ".join(message.body for message in history)


def test_seed_demo_keeps_the_fouo_pilot_room_from_members_without_the_marking() -> None:
    pilot = Conversation.objects.get(community__slug="galveston-pilot", is_default_room=True)
    outsider = Member.objects.get(email="marcus.bell@charlestonfire.gov")
    insider = Member.objects.get(email="dana.reyes@galvestoncounty.gov")
    assert pilot.messages.exists()
    assert not selectors.visible_conversations(outsider).filter(pk=pilot.pk).exists()
    assert selectors.visible_conversations(insider).filter(pk=pilot.pk).exists()


def test_seed_demo_adds_direct_messages_and_a_group_conversation_only_their_people_see() -> None:
    dana = Member.objects.get(email="dana.reyes@galvestoncounty.gov")
    avery = Member.objects.get(email="admin@muster.test")
    directs = Conversation.objects.filter(kind=Conversation.Kind.DIRECT)
    group = Conversation.objects.get(kind=Conversation.Kind.GROUP)
    assert directs.count() >= 2
    assert all(direct.messages.count() >= 2 for direct in directs)
    assert group.participants.filter(left_at=None).count() == 3
    assert group.messages.count() >= 4
    assert {conversation.pk for conversation in selectors.inbox(dana)} >= {
        *directs.values_list("pk", flat=True),
        group.pk,
    }
    assert not selectors.visible_conversations(avery).filter(pk__in=[*directs.values_list("pk", flat=True), group.pk])


def test_seed_demo_run_twice_sends_no_chat_message_twice() -> None:
    first = list(Message.objects.order_by("pk").values_list("conversation_id", "sequence", "body"))

    call_command("seed_demo", stdout=StringIO())

    assert list(Message.objects.order_by("pk").values_list("conversation_id", "sequence", "body")) == first
    assert Conversation.objects.filter(kind=Conversation.Kind.GROUP).count() == 1
