import time
from collections.abc import Iterable
from datetime import timedelta

import factory
import pyotp
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group, Permission
from django.utils import timezone
from factory.declarations import LazyAttribute, PostGenerationMethodCall, Sequence, SubFactory
from factory.faker import Faker
from factory.helpers import post_generation

from communities.models import Community, Role
from communities.services import community_create, membership_set_role
from verification.demo import enrol_totp
from verification.models import Marking, MarkingAuthorisation, Member, Profile, RulesAcceptance, RulesOfBehavior

TEST_PASSWORD = "correct-horse-battery-staple-42"


class MemberFactory(factory.django.DjangoModelFactory[Member]):
    """A signed-up member with a confirmed e-mail, not yet verified."""

    class Meta:
        model = Member
        skip_postgeneration_save = True

    email = Sequence(lambda n: f"member{n}@example.gov")
    first_name = Faker("first_name")
    last_name = Faker("last_name")
    password = PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @post_generation
    def confirmed_email(self: Member, create: bool, extracted: object, **kwargs: object) -> None:
        """Every factory member has confirmed their e-mail unless ``confirmed_email=False``."""
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)
        if create:
            self.save()


class ProfileFactory(factory.django.DjangoModelFactory[Profile]):
    class Meta:
        model = Profile

    member = SubFactory(MemberFactory)
    affiliation_type = "responder"
    discipline = "emergency_management"
    organisation = "Galveston County Office of Emergency Management"
    jurisdiction_state = "Texas"
    jurisdiction_local = "Galveston County"
    title = "Planner"
    work_email = LazyAttribute(lambda profile: profile.member.email)


def accept_current_rules(member: Member) -> None:
    rules = RulesOfBehavior.objects.order_by("-version").first()
    if rules is not None:
        RulesAcceptance.objects.get_or_create(member=member, rules=rules)


def make_verified_member(
    *, markings: Iterable[str] = (), mfa: bool | None = None, accept_rules: bool = True, **fields: object
) -> Member:
    """A verified member cleared for ``markings`` (slugs). MFA defaults to on when cleared for any marking.

    The TOTP secret, when enrolled, is left on ``member.totp_secret`` for tests that sign in.
    """
    fields.setdefault("verified_until", timezone.now() + timedelta(days=365))
    member = MemberFactory.create(**fields)
    if accept_rules:
        accept_current_rules(member)
    slugs = list(markings)
    for marking in Marking.objects.filter(slug__in=slugs):
        MarkingAuthorisation.objects.create(member=member, marking=marking)
    if mfa if mfa is not None else bool(slugs):
        secret = pyotp.random_base32()
        enrol_totp(member, secret)
        member.totp_secret = secret  # type: ignore[attr-defined]
    return member


def authenticator_code(secret: str) -> str:
    """The code a member's authenticator shows, with time left to type it.

    allauth takes only the current 30-second step's code: one read in a step's last
    seconds may reach the server in the next step and be refused, so wait for a new step.
    """
    totp = pyotp.TOTP(secret)
    seconds_left = totp.interval - time.time() % totp.interval
    if seconds_left < 5:
        time.sleep(seconds_left + 0.1)
    return totp.now()


def make_members_of_every_standing() -> dict[str, Member]:
    """One member for each standing the policy tells apart, and each way of holding a clearance or a community.

    Verifiers hold the permission directly or through the Verifiers group; the
    communities (private, FOUO, and one staff declined) are created by ``owner``.
    """
    now = timezone.now()
    review = Permission.objects.get(content_type__app_label="verification", codename="review_application")
    verifiers = Group.objects.get(name="Verifiers")
    members = {
        "verified": make_verified_member(),
        "suspended": make_verified_member(suspended_at=now),
        "expired": make_verified_member(verified_until=now - timedelta(days=1)),
        "unverified": make_verified_member(verified_until=None),
        "inactive verifier": make_verified_member(is_active=False, mfa=True),
        "rules not accepted": make_verified_member(accept_rules=False),
        "fouo with mfa": make_verified_member(markings=["fouo"]),
        "fouo without mfa": make_verified_member(markings=["fouo"], mfa=False),
        "verifier with mfa": make_verified_member(mfa=True),
        "verifier without mfa": make_verified_member(),
        "group verifier with mfa": make_verified_member(mfa=True),
        "group verifier without mfa": make_verified_member(),
        "staff": make_verified_member(is_staff=True, mfa=True),
        "staff without mfa": make_verified_member(is_staff=True),
        "superuser": make_verified_member(is_staff=True, is_superuser=True, mfa=True),
        "owner": make_verified_member(markings=["fouo"]),
        "private member": make_verified_member(),
        "closed member": make_verified_member(),
    }
    for name in ("inactive verifier", "verifier with mfa", "verifier without mfa"):
        members[name].user_permissions.add(review)
    for name in ("group verifier with mfa", "group verifier without mfa"):
        members[name].groups.add(verifiers)

    owner = members["owner"]
    unmarked, fouo = Marking.objects.get(slug="unmarked"), Marking.objects.get(slug="fouo")
    private = community_create(creator=owner, name="Harbour", slug="harbour", marking=unmarked, visibility="private")
    membership_set_role(community=private, member=members["private member"], role=Role.MEMBER)
    port = community_create(creator=owner, name="Port security", slug="port-security", marking=fouo)
    membership_set_role(community=port, member=members["fouo with mfa"], role=Role.MODERATOR)
    closed = community_create(creator=owner, name="Levees", slug="levees", marking=unmarked)
    membership_set_role(community=closed, member=members["closed member"], role=Role.MEMBER)
    Community.objects.filter(pk=closed.pk).update(status=Community.Status.DECLINED)
    return members
