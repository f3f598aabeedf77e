"""The permission matrix: vetting state x marking clearance x item marking x
community visibility x membership x per-item grant x action.

The expected answer of every cell is the access rule of DESIGN.md restated
plainly in ``expected``; the policy must agree for the single-object checks
and for the queryset filter.
"""

from dataclasses import dataclass
from datetime import timedelta
from itertools import product

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from communities.models import Community, Role
from communities.services import community_create, membership_set_role
from library.models import Document
from tests.verification.factories import ProfileFactory, make_verified_member
from verification import policy
from verification.models import Marking, Member, VerificationApplication

pytestmark = pytest.mark.django_db

VETTING_STATES = ("verified", "unverified", "pending", "expired", "suspended", "rules_not_accepted")
CLEARANCES = ("none", "fouo", "fouo_without_mfa")
ITEM_MARKINGS = ("unmarked", "fouo", "sbu")
VISIBILITIES = ("open", "restricted", "private")
MEMBERSHIPS = ("none", "member", "moderator")
GRANTS = ("unrestricted", "granted_directly", "granted_to_group", "not_granted")
ACTIONS = ("view", "download", "edit", "moderate", "post")


@dataclass(frozen=True)
class Cell:
    visibility: str
    membership: str
    marking: str
    grant: str


def expected(vetting: str, clearance: str, cell: Cell, action: str) -> bool:
    cleared = vetting == "verified" and clearance != "fouo_without_mfa"
    marking_ok = cell.marking == "unmarked" or (cell.marking == "fouo" and clearance == "fouo")
    community_ok = cell.visibility == "open" or cell.membership != "none"
    grant_ok = cell.grant != "not_granted"
    can_view = cleared and marking_ok and community_ok and grant_ok
    if action in ("view", "download"):
        return can_view
    if action in ("edit", "moderate"):
        # The items are written by someone else: only moderators may edit them.
        return can_view and cell.membership == "moderator"
    if action == "post":
        return cleared and marking_ok and cell.membership != "none"
    raise AssertionError(action)


def make_member(vetting: str, clearance: str, partners: Group) -> Member:
    markings = [] if clearance == "none" else ["fouo"]
    member = make_verified_member(
        markings=markings, mfa=clearance == "fouo", accept_rules=vetting != "rules_not_accepted"
    )
    now = timezone.now()
    if vetting == "unverified":
        member.verified_until = None
    elif vetting == "pending":
        member.verified_until = None
        VerificationApplication.objects.create(
            member=ProfileFactory.create(member=member).member, sponsor_name="S", sponsor_email="s@example.gov"
        )
    elif vetting == "expired":
        member.verified_until = now - timedelta(days=1)
    elif vetting == "suspended":
        member.suspended_at = now
    member.save()
    member.groups.add(partners)
    return member


@pytest.fixture
def world() -> tuple[dict[Cell, Document], dict[tuple[str, str], Community], Group, Member]:
    """One community per (visibility, membership) and one document per (marking, grant) in each."""
    owner = make_verified_member(markings=["fouo", "sbu"])
    partners = Group.objects.create(name="Sector partners")
    markings = {m.slug: m for m in Marking.objects.all()}
    unmarked = markings["unmarked"]
    communities: dict[tuple[str, str], Community] = {}
    documents: dict[Cell, Document] = {}
    for visibility, membership in product(VISIBILITIES, MEMBERSHIPS):
        community = community_create(
            creator=owner,
            name=f"{visibility} {membership}",
            slug=f"{visibility}-{membership}",
            marking=unmarked,
            visibility=visibility,
        )
        communities[(visibility, membership)] = community
        for marking, grant in product(ITEM_MARKINGS, GRANTS):
            document = Document.objects.create(
                community=community,
                author=owner,
                marking=markings[marking],
                title=f"{visibility}/{membership}/{marking}/{grant}",
                is_restricted=grant != "unrestricted",
            )
            if grant == "granted_to_group":
                policy.grant_item_access(document, partners)
            documents[Cell(visibility, membership, marking, grant)] = document
    return documents, communities, partners, owner


@pytest.mark.parametrize(("vetting", "clearance"), list(product(VETTING_STATES, CLEARANCES)))
def test_every_cell_of_the_permission_matrix(vetting: str, clearance: str, world) -> None:
    documents, communities, partners, _ = world
    member = make_member(vetting, clearance, partners)
    for (_, membership), community in communities.items():
        if membership != "none":
            membership_set_role(
                community=community, member=member, role=Role.MODERATOR if membership == "moderator" else Role.MEMBER
            )
    for cell, document in documents.items():
        if cell.grant == "granted_directly":
            policy.grant_item_access(document, member)
    member = Member.objects.get(pk=member.pk)  # a fresh request: nothing cached

    markings = {m.slug: m for m in Marking.objects.all()}
    mismatches = []
    for cell, document in documents.items():
        community = communities[(cell.visibility, cell.membership)]
        answers = {
            "view": policy.can_view(member, document),
            "download": policy.can_download(member, document),
            "edit": policy.can_edit(member, document),
            "moderate": policy.can_moderate_item(member, document),
            "post": policy.can_post(member, community, markings[cell.marking]),
        }
        for action in ACTIONS:
            want = expected(vetting, clearance, cell, action)
            if answers[action] != want:
                mismatches.append(f"{cell} {action}: policy says {answers[action]}, rule says {want}")

    visible = set(policy.filter_visible(member, Document.objects.all()).values_list("pk", flat=True))
    should_see = {doc.pk for cell, doc in documents.items() if expected(vetting, clearance, cell, "view")}
    assert not mismatches, "\n".join(mismatches)
    assert visible == should_see
    # Every state sees something or nothing for a reason: the verified, cleared ones see some of it.
    assert bool(should_see) == (vetting == "verified" and clearance != "fouo_without_mfa")


def test_queryset_filter_runs_one_query_whatever_the_rows(django_assert_num_queries, world) -> None:
    _, _, partners, _ = world
    member = make_member("verified", "fouo", partners)
    policy.member_access(member)  # the member's standing is read once per request, before any list

    with django_assert_num_queries(1):
        few = list(policy.filter_visible(member, Document.objects.all())[:1])
    with django_assert_num_queries(1):
        many = list(policy.filter_visible(member, Document.objects.all()))

    assert len(few) == 1
    assert len(many) > 10


def test_member_standing_costs_six_queries_once_per_request(django_assert_num_queries, world) -> None:
    _, communities, partners, _ = world
    member = make_member("verified", "fouo", partners)
    member = Member.objects.get(pk=member.pk)
    community = communities[("open", "member")]

    # MFA, the member's own and group permissions, markings, the current rules, community roles.
    with django_assert_num_queries(6):
        policy.member_access(member)
    with django_assert_num_queries(0):
        policy.member_access(member)
        # Community roles are then answered without touching the database.
        assert policy.is_community_member(member, community) is False


def test_fouo_community_hides_its_unmarked_items_from_members_without_fouo() -> None:
    owner = make_verified_member(markings=["fouo"])
    fouo = Marking.objects.get(slug="fouo")
    community = community_create(creator=owner, name="Port security", slug="port-security", marking=fouo)
    item = Document.objects.create(
        community=community, author=owner, marking=Marking.objects.get(slug="unmarked"), title="Berth plan"
    )
    uncleared = make_verified_member()
    cleared = make_verified_member(markings=["fouo"])

    assert policy.can_view(uncleared, item) is False
    assert policy.can_know_community(uncleared, community) is False
    assert policy.can_view(cleared, item) is True
    assert policy.can_know_community(cleared, community) is True


@pytest.mark.parametrize("role", ["staff", "verifier"])
def test_staff_and_verifiers_without_mfa_see_nothing_until_they_enrol(role: str) -> None:
    owner = make_verified_member()
    community = community_create(
        creator=owner, name="EMS practice", slug="ems", marking=Marking.objects.get(slug="unmarked")
    )
    item = Document.objects.create(
        community=community, author=owner, marking=Marking.objects.get(slug="unmarked"), title="Triage"
    )
    without = make_verified_member(is_staff=role == "staff", mfa=False)
    with_mfa = make_verified_member(is_staff=role == "staff", mfa=True)
    if role == "verifier":
        verifiers = Group.objects.get(name="Verifiers")
        without.groups.add(verifiers)
        with_mfa.groups.add(verifiers)

    assert policy.member_access(without).barrier is policy.Barrier.MFA
    assert policy.can_view(without, item) is False
    assert policy.can_view(with_mfa, item) is True


def test_private_community_is_unknown_to_non_members_and_known_to_members() -> None:
    owner = make_verified_member()
    community = community_create(
        creator=owner,
        name="Galveston pilot",
        slug="galveston",
        marking=Marking.objects.get(slug="unmarked"),
        visibility=Community.Visibility.PRIVATE,
    )
    outsider = make_verified_member()
    insider = make_verified_member()
    membership_set_role(community=community, member=insider, role=Role.MEMBER)

    assert policy.can_know_community(outsider, community) is False
    assert policy.can_know_community(insider, community) is True
    assert policy.can_know_community(owner, community) is True


def test_members_who_may_view_an_item_are_exactly_those_the_policy_lets_see_it(world) -> None:
    documents, communities, partners, _ = world
    members = []
    for vetting, clearance in product(VETTING_STATES, CLEARANCES):
        member = make_member(vetting, clearance, partners)
        membership_set_role(community=communities[("restricted", "member")], member=member, role=Role.MEMBER)
        members.append(member)
    staff_without_mfa = make_verified_member(is_staff=True, mfa=False)
    members.append(staff_without_mfa)
    candidates = Member.objects.filter(pk__in=[m.pk for m in members])

    mismatches = []
    for cell, document in documents.items():
        if cell.membership == "moderator":
            continue
        who = set(policy.filter_members_who_may_view(document, candidates).values_list("pk", flat=True))
        expected_members = {m.pk for m in candidates if policy.can_view(Member.objects.get(pk=m.pk), document)}
        if who != expected_members:
            mismatches.append(f"{cell}: {sorted(who)} != {sorted(expected_members)}")

    assert not mismatches, "\n".join(mismatches)
