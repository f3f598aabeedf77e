"""Which pages a visitor may reach before they may see content.

The vetting gate denies by default: a page is open to anonymous visitors only
when marked ``@public_page``, and to signed-in members who are not yet cleared
(unverified, pending, expired, suspended, rules not accepted, MFA missing)
only when marked ``@vetting_page`` or when it is one of allauth's own account
and MFA pages.
"""

from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from verification.models import Member

ViewT = TypeVar("ViewT", bound=Callable[..., object])

PUBLIC_ATTRIBUTE = "muster_public_page"
VETTING_ATTRIBUTE = "muster_vetting_page"

# allauth's views: sign-in, sign-up, confirmation, reset, e-mail, password, MFA, signed-in sessions.
ACCOUNT_URL_NAME_PREFIXES = ("account_", "mfa_", "usersessions_")
# allauth pages that anonymous visitors need (sign-in, sign-up, confirm, reset).
PUBLIC_ACCOUNT_URL_NAMES = frozenset(
    {
        "account_login",
        "account_signup",
        "account_confirm_email",
        "account_email_verification_sent",
        "account_reset_password",
        "account_reset_password_done",
        "account_reset_password_from_key",
        "account_reset_password_from_key_done",
        "account_inactive",
        "account_logout",
        "mfa_authenticate",
        "account_login_code_confirm",
    }
)


def signed_in_member(request: HttpRequest) -> Member:
    """The member behind a request to a gated page (the gate sends anonymous visitors to sign in first)."""
    if not isinstance(request.user, Member):
        raise PermissionDenied("Sign in first.")
    return request.user


def public_page(view: ViewT) -> ViewT:
    """Anonymous visitors and members at any stage may open this page."""
    setattr(view, PUBLIC_ATTRIBUTE, True)
    setattr(view, VETTING_ATTRIBUTE, True)
    return view


def vetting_page(view: ViewT) -> ViewT:
    """Signed-in members who are not yet cleared may open this page (their profile, application, rules, help)."""
    setattr(view, VETTING_ATTRIBUTE, True)
    return view
