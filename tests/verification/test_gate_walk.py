"""Members who are not cleared reach only their profile, application, MFA and help pages.

Walks every URL pattern of the project as each such member.
"""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.exceptions import NoReverseMatch
from django.utils import timezone

from communities.services import community_create
from library.models import Document
from tests.verification.factories import MemberFactory, ProfileFactory, make_verified_member
from verification.models import Marking, Member, VerificationApplication

pytestmark = pytest.mark.django_db

OPEN_TO_UNCLEARED = {
    "landing",
    "about",
    "help",
    "healthz",
    "marking_styles",
    "verification:status",
    "verification:profile",
    "verification:apply",
    "verification:rules",
    "verification:sponsor",
    # Their notifications page shows them only the decisions about their own vetting (the policy's filter).
    "messaging:notifications",
    # Their own account: e-mail, password, two-factor and sessions; it links to content pages only once cleared.
    "account",
    # The Blueprint's indexes show everyone its public tier only (verification.policy.public); tests/blueprint
    # walks them with a marked sentinel.
    "blueprint:index",
    "blueprint:solutions",
    "blueprint:tools",
    "blueprint:reports",
    "blueprint:cases",
}


def url_names(patterns: list[URLPattern | URLResolver] | None = None, namespace: str = "") -> Iterator[str]:
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from url_names(entry.url_patterns, inner)
        elif entry.name:
            yield f"{namespace}{entry.name}"


def sample_kwargs(member: Member, document: Document) -> list[dict[str, str]]:
    return [
        {},
        {"pk": str(member.pk)},
        {"pk": str(document.pk)},
        {"token": "abc"},
        {"key": "abc"},
        {"slug": document.community.slug},
        {"slug": document.community.slug, "pk": str(document.pk)},
        {"slug": document.community.slug, "board": "general"},
        {"slug": document.community.slug, "page": "partnership-model"},
        {"slug": document.community.slug, "pk": str(document.pk), "number": "1"},
        {"tag": "hurricanes"},
        {"handle": "abc"},
        {"pk": str(member.pk), "sequence": "1"},
        {"object_id": str(member.pk)},
        {"id": str(member.pk)},
        {"app_label": "verification"},
        {"app_label": "verification", "model_name": "member"},
        {"app_label": "verification", "model_name": "member", "object_id": str(member.pk)},
        {"content_type_id": "1", "object_id": str(member.pk)},
        {"type_id": "1", "item_id": str(document.pk)},
        {"uidb36": "1", "key": "abc"},
        {"kind": "challenge"},
        {"year": "2030"},
        {"year": "2030", "pk": str(document.pk)},
        {"pk": str(document.pk), "number": "1"},
        {"pk": str(document.pk), "row": "1"},
        {"pk": str(document.pk), "issue": "1"},
        {"pk": str(document.pk), "what": "need"},
        {"pk": str(document.pk), "item": "1"},
        {"type": "library.document"},
        {"type": "library.document", "pk": str(document.pk)},
    ]


def every_url(member: Member, document: Document) -> list[tuple[str, str]]:
    urls = []
    for name in sorted(set(url_names())):
        for kwargs in sample_kwargs(member, document):
            try:
                urls.append((name, reverse(name, kwargs=kwargs)))
                break
            except NoReverseMatch:
                continue
        else:
            raise AssertionError(f"No sample arguments reverse {name}: add them to sample_kwargs")
    return urls


def uncleared_member(state: str) -> Member:
    if state == "unverified":
        return MemberFactory.create()
    if state == "pending":
        member = ProfileFactory.create().member
        VerificationApplication.objects.create(member=member, sponsor_name="S", sponsor_email="s@example.gov")
        return member
    if state == "expired":
        return make_verified_member(verified_until=timezone.now() - timedelta(days=1))
    if state == "suspended":
        return make_verified_member(suspended_at=timezone.now(), suspension_reason="Under review")
    if state == "rules_not_accepted":
        return make_verified_member(accept_rules=False)
    if state == "cleared_without_mfa":
        return make_verified_member(markings=["fouo"], mfa=False)
    raise AssertionError(state)


@pytest.fixture
def document() -> Document:
    owner = make_verified_member()
    unmarked = Marking.objects.get(slug="unmarked")
    community = community_create(creator=owner, name="Gulf Coast", slug="gulf-coast", marking=unmarked)
    return Document.objects.create(community=community, author=owner, marking=unmarked, title="Shelter list")


@pytest.mark.parametrize(
    "state", ["unverified", "pending", "expired", "suspended", "rules_not_accepted", "cleared_without_mfa"]
)
def test_uncleared_member_finds_no_content_page_that_answers_200(state: str, document: Document) -> None:
    member = uncleared_member(state)
    client = Client()
    client.force_login(member)

    answered = {name: client.get(url).status_code for name, url in every_url(member, document)}

    leaks = sorted(
        name
        for name, status in answered.items()
        if status == 200
        and name not in OPEN_TO_UNCLEARED
        and not name.startswith(("account_", "mfa_", "usersessions_"))
    )
    assert leaks == []
    assert answered["verification:status"] == 200
    assert answered["home"] == 302
    assert answered["admin:index"] == 302


def test_cleared_member_reaches_the_content_pages_the_walk_checks(document: Document) -> None:
    member = make_verified_member()
    client = Client()
    client.force_login(member)

    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("members:profile", kwargs={"pk": member.pk})).status_code == 200


def test_anonymous_visitor_reaches_only_public_and_sign_in_pages(document: Document) -> None:
    member = make_verified_member()
    client = Client()

    answered = {name: client.get(url).status_code for name, url in every_url(member, document)}

    reachable = sorted(name for name, status in answered.items() if status == 200)
    assert not [name for name in reachable if not name.startswith("account_") and name not in OPEN_TO_UNCLEARED]
    assert "verification:status" not in reachable
    assert {"landing", "about", "help", "account_login", "account_signup"} <= set(reachable)
