"""People and threads for discussion tests: members in a community with a handle, signed-in clients, threads."""

from typing import Any

from django.test import Client

from communities.models import Community, Role
from communities.services import membership_set_role
from discussions import services
from discussions.models import Board, Thread
from tests.verification.factories import make_verified_member
from verification import services as vetting
from verification.models import Marking, Member


def marking(slug: str = "unmarked") -> Marking:
    return Marking.objects.get(slug=slug)


def joined(community: Community, first_name: str, last_name: str, role: str = Role.MEMBER, **fields: Any) -> Member:
    person = make_verified_member(first_name=first_name, last_name=last_name, **fields)
    vetting.member_handle_ensure(member=person)
    membership_set_role(community=community, member=person, role=role)
    return Member.objects.get(pk=person.pk)


def signed_in(member: Member) -> Client:
    client = Client()
    client.force_login(member)
    return client


def start(author: Member, board: Board, **fields: Any) -> Thread:
    defaults = {"title": "Shelter capacity", "body": "How many cots?", "marking": marking()}
    return services.thread_start(author=author, community=board.community, board=board, **{**defaults, **fields})
