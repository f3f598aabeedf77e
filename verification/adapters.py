"""Muster's allauth adapter and second-step forms. Failed sign-ins are throttled per address and account
(``verification.sign_in_throttle``), never per account alone: ``ACCOUNT_RATE_LIMITS["login_failed"]`` is off."""

import secrets
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.hashers import make_password
from django.forms import ValidationError
from django.http import HttpRequest

from muster.site_identity import on_site, site_identity, site_url
from verification import sign_in_throttle
from verification.models import Member

# The links allauth's e-mails carry, each built from the host the request arrived on.
ALLAUTH_MAIL_LINKS = ("activate_url", "password_reset_url", "signup_url")


class MemberAccountAdapter(DefaultAccountAdapter):
    """Muster's allauth adapter. Sign-up is always open; vetting happens after it."""

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Every allauth e-mail names the site and links to it as settings say (``MUSTER_SITE_URL``), whatever
        host the request came in on and whatever ``django.contrib.sites``' row holds (example.com)."""
        links = {key: on_site(context[key]) for key in ALLAUTH_MAIL_LINKS if isinstance(context.get(key), str)}
        super().send_mail(
            template_prefix, email, {**context, **links, "current_site": site_identity(), "site_url": site_url()}
        )

    def send_account_already_exists_mail(self, email: str) -> None:
        """Signing up with an address that has an account does the same work as a new one (a password hash
        and one e-mail), so its timing does not tell whether the address is registered."""
        make_password(secrets.token_urlsafe(16))
        super().send_account_already_exists_mail(email)

    def authenticate(self, request: HttpRequest, **credentials: Any) -> AbstractBaseUser | None:
        """Check the password only when this address may try for this account now (sign-in and reauthentication)."""
        email = credentials.get("email")
        if request is None or not isinstance(email, str) or not email:
            return super().authenticate(request, **credentials)  # type: ignore[no-any-return]
        attempt = sign_in_throttle.password_attempt(request, email=email)
        user: AbstractBaseUser | None = super().authenticate(request, **credentials)
        if user is None:
            attempt.failed()
        else:
            attempt.succeeded()
        return user

    def login(self, request: HttpRequest, user: AbstractBaseUser) -> None:
        """Every step passed (password, and a code when the member has MFA): the run of failures ends."""
        super().login(request, user)
        if isinstance(user, Member):
            sign_in_throttle.sign_in_completed(member=user)

    def set_password(self, user: AbstractBaseUser, password: str) -> None:
        """A password reset is the way back in once the account reached the ceiling."""
        super().set_password(user, password)
        if isinstance(user, Member):
            sign_in_throttle.password_replaced(member=user)


class ThrottledCodeMixin:
    """The second step (TOTP or a recovery code) is throttled like the password: per address and account."""

    user: Member

    def clean_code(self) -> str:
        attempt = sign_in_throttle.code_attempt(context.request, member=self.user)
        try:
            code: str = super().clean_code()  # type: ignore[misc]
        except ValidationError:
            attempt.failed()
            raise
        attempt.succeeded()
        return code


class ThrottledAuthenticateForm(ThrottledCodeMixin, AuthenticateForm):
    pass


class ThrottledReauthenticateForm(ThrottledCodeMixin, ReauthenticateForm):
    pass
