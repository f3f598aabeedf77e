"""Demo members for ``seed_demo``: one at every vetting state. Every function here is idempotent."""

from dataclasses import dataclass, field
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.utils import timezone

from verification.models import (
    DomainRule,
    Marking,
    MarkingAuthorisation,
    Member,
    Profile,
    RulesAcceptance,
    RulesOfBehavior,
    VerificationApplication,
)
from verification.services import member_handle_ensure

DEMO_PASSWORD = "muster-demo-2026"  # noqa: S105 - printed by seed_demo on purpose


@dataclass(frozen=True)
class DemoSignIn:
    email: str
    description: str
    totp_secret: str = ""


@dataclass(frozen=True)
class DemoMember:
    email: str
    first_name: str
    last_name: str
    description: str
    affiliation_type: str
    discipline: str
    organisation: str
    state: str
    local: str
    title: str
    standing: str  # verified, pending, more_info, unverified, expired, suspended
    markings: tuple[str, ...] = ()
    totp_secret: str = ""
    groups: tuple[str, ...] = ()
    staff: bool = False
    expertise: tuple[str, ...] = field(default_factory=tuple)


DEMO_MEMBERS = (
    DemoMember(
        "admin@muster.test", "Avery", "Admin", "site administrator (staff, /admin/), FOUO and SBU",
        "government", "emergency_management", "Muster operations", "District of Columbia", "Washington",
        "Platform administrator", "verified", ("fouo", "sbu"), "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXA", (), True,
    ),
    DemoMember(
        "vera.verifier@muster.test", "Vera", "Quinn", "verifier: works the vetting queue, reads the audit log",
        "government", "emergency_management", "Muster verification team", "Virginia", "Arlington",
        "Verification officer", "verified", ("fouo",), "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU", ("Verifiers",),
    ),
    DemoMember(
        "dana.reyes@galvestoncounty.gov", "Dana", "Reyes", "verified, cleared for FOUO, with MFA",
        "government", "emergency_management", "Galveston County Office of Emergency Management", "Texas",
        "Galveston County", "Emergency management coordinator", "verified", ("fouo",),
        "MFRGGZDFMZTWQ2LKMFRGGZDFMZTWQ2LK", (), False, ("hurricanes", "sheltering", "evacuation"),
    ),
    DemoMember(
        "marcus.bell@charlestonfire.gov", "Marcus", "Bell", "verified, unmarked content only",
        "responder", "fire", "Charleston Fire Department", "South Carolina", "Charleston",
        "Battalion chief", "verified", (), "", (), False, ("hazmat", "port security"),
    ),
    DemoMember(
        "sam.ortiz@portlogistics.example.com", "Sam", "Ortiz", "verified private-sector partner",
        "contractor", "private_sector", "Port Logistics Partners", "South Carolina", "Charleston",
        "Operations director", "verified", (), "", (), False, ("logistics", "supply chain"),
    ),
    DemoMember(
        "pat.lee@houstontx.gov", "Pat", "Lee", "pending: application waiting for a verifier",
        "government", "public_health", "Houston Health Department", "Texas", "Houston",
        "Epidemiologist", "pending",
    ),
    DemoMember(
        "riley.chen@gulfrelief.example.org", "Riley", "Chen", "asked for more information by a verifier",
        "citizen", "ngo", "Gulf Relief Volunteers", "Louisiana", "New Orleans", "Volunteer coordinator", "more_info",
    ),
    DemoMember(
        "jordan.kim@example.net", "Jordan", "Kim", "signed up and confirmed, has not applied",
        "citizen", "other", "", "Texas", "", "", "unverified",
    ),
    DemoMember(
        "chris.morgan@noaa.example.gov", "Chris", "Morgan", "verification expired: must renew",
        "academic", "emergency_management", "Gulf Coast Storm Research Center", "Mississippi", "Biloxi",
        "Research scientist", "expired",
    ),
    DemoMember(
        "taylor.brooks@ems.example.org", "Taylor", "Brooks", "suspended by a verifier",
        "responder", "ems", "Coastal EMS", "Alabama", "Mobile", "Paramedic", "suspended",
    ),
)  # fmt: skip

DOMAIN_RULES = (
    (".gov", DomainRule.Action.FLAG, "U.S. government addresses"),
    (".mil", DomainRule.Action.FLAG, "U.S. military addresses"),
    ("fema.dhs.gov", DomainRule.Action.AUTO_APPROVE, "FEMA staff: unmarked access at once"),
)


def ensure_member(
    email: str, *, first_name: str, last_name: str, is_staff: bool = False, is_superuser: bool = False
) -> Member:
    member, created = Member.objects.get_or_create(
        email=email,
        defaults={"first_name": first_name, "last_name": last_name, "is_staff": is_staff, "is_superuser": is_superuser},
    )
    if created:
        member.set_password(DEMO_PASSWORD)
        member.save(update_fields=["password"])
    EmailAddress.objects.update_or_create(user=member, email=email, defaults={"verified": True, "primary": True})
    member_handle_ensure(member=member)
    return member


def enrol_totp(member: Member, secret: str) -> None:
    """Give the member an authenticator with a known secret and recovery codes (demo and tests only)."""
    from allauth.mfa.adapter import get_adapter as get_mfa_adapter
    from allauth.mfa.models import Authenticator
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    Authenticator.objects.update_or_create(
        user=member,
        type=Authenticator.Type.TOTP,
        defaults={"data": {"secret": get_mfa_adapter().encrypt(secret)}},
    )
    if not Authenticator.objects.filter(user=member, type=Authenticator.Type.RECOVERY_CODES).exists():
        RecoveryCodes.activate(member)


def _apply_standing(member: Member, spec: DemoMember, verifier: Member | None) -> None:
    now = timezone.now()
    standing = spec.standing
    if standing in ("verified", "suspended") and member.verified_until is None:
        member.verified_until = now + timedelta(days=300)
    if standing == "expired":
        member.verified_until = now - timedelta(days=3)
    if standing == "suspended" and member.suspended_at is None:
        member.suspended_at = now
        member.suspension_reason = "Shared an SBU document outside the platform; under review."
    member.save()
    if standing in ("pending", "more_info", "verified", "expired", "suspended"):
        status = {
            "pending": VerificationApplication.Status.SUBMITTED,
            "more_info": VerificationApplication.Status.MORE_INFO,
        }.get(standing, VerificationApplication.Status.APPROVED)
        VerificationApplication.objects.get_or_create(
            member=member,
            defaults={
                "status": status,
                "sponsor_name": "Jamie Supervisor",
                "sponsor_email": f"supervisor@{spec.email.rsplit('@', 1)[1]}",
                "decided_by": verifier if status != VerificationApplication.Status.SUBMITTED else None,
                "decided_at": now if status != VerificationApplication.Status.SUBMITTED else None,
                "decision_note": (
                    "Please add your organisation's registration number and a work e-mail address."
                    if standing == "more_info"
                    else ""
                ),
                "profile_snapshot": {"organisation": spec.organisation, "title": spec.title},
            },
        )
    if standing != "unverified":
        rules = RulesOfBehavior.objects.order_by("-version").first()
        if rules is not None:
            RulesAcceptance.objects.get_or_create(member=member, rules=rules)
    for marking in Marking.objects.filter(slug__in=spec.markings):
        MarkingAuthorisation.objects.get_or_create(member=member, marking=marking, defaults={"granted_by": verifier})


def seed() -> list[DemoSignIn]:
    for domain, action, note in DOMAIN_RULES:
        DomainRule.objects.get_or_create(domain=domain, defaults={"action": action, "note": note})
    sign_ins = []
    verifier: Member | None = None
    for spec in DEMO_MEMBERS:
        member = ensure_member(
            spec.email,
            first_name=spec.first_name,
            last_name=spec.last_name,
            is_staff=spec.staff,
            is_superuser=spec.staff,
        )
        for name in spec.groups:
            member.groups.add(Group.objects.get(name=name))
        if spec.organisation:
            profile, _ = Profile.objects.get_or_create(
                member=member,
                defaults={
                    "affiliation_type": spec.affiliation_type,
                    "discipline": spec.discipline,
                    "organisation": spec.organisation,
                    "jurisdiction_state": spec.state,
                    "jurisdiction_local": spec.local,
                    "title": spec.title,
                    "work_email": spec.email,
                    "shared_fields": ["title", "jurisdiction", "expertise"],
                },
            )
            profile.expertise.set(list(spec.expertise))
        _apply_standing(member, spec, verifier)
        if spec.totp_secret:
            enrol_totp(member, spec.totp_secret)
        if "Verifiers" in spec.groups:
            verifier = member
        sign_ins.append(DemoSignIn(spec.email, spec.description, spec.totp_secret))
    return sign_ins
