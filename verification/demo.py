"""Demo members for ``seed_demo``. Every function here is idempotent."""

from dataclasses import dataclass

from allauth.account.models import EmailAddress

from verification.models import Member

DEMO_PASSWORD = "muster-demo-2026"  # noqa: S105 - printed by seed_demo on purpose


@dataclass(frozen=True)
class DemoSignIn:
    email: str
    description: str


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
    return member


def seed() -> list[DemoSignIn]:
    ensure_member("admin@muster.test", first_name="Avery", last_name="Admin", is_staff=True, is_superuser=True)
    ensure_member("dana.reyes@galvestoncounty.gov", first_name="Dana", last_name="Reyes")
    return [
        DemoSignIn("admin@muster.test", "site administrator (staff, /admin/)"),
        DemoSignIn("dana.reyes@galvestoncounty.gov", "member with a confirmed e-mail"),
    ]


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
