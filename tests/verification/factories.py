from collections.abc import Iterable
from datetime import timedelta

import factory
import pyotp
from allauth.account.models import EmailAddress
from django.utils import timezone
from factory.declarations import LazyAttribute, PostGenerationMethodCall, Sequence, SubFactory
from factory.faker import Faker
from factory.helpers import post_generation

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
