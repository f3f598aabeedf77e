import secrets

from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.auth.hashers import make_password


class MemberAccountAdapter(DefaultAccountAdapter):
    """Muster's allauth adapter. Sign-up is always open; vetting happens after it."""

    def send_account_already_exists_mail(self, email: str) -> None:
        """Signing up with an address that has an account does the same work as a new one (a password hash
        and one e-mail), so its timing does not tell whether the address is registered."""
        make_password(secrets.token_urlsafe(16))
        super().send_account_already_exists_mail(email)
