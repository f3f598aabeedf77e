"""Who is calling: a personal access token (``Authorization: Bearer …``) or the site's own session.

A token opens only what its member may see today, narrowed to its ceiling:
it stops working when the member is suspended, expires, loses the MFA their
clearance needs, or has new Rules of Behavior to accept, exactly as the site
would stop them. A token is never read from the address (it would land in
logs and browser history).
"""

from __future__ import annotations

from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from api.errors import ApiError, TokenRefused
from api.models import AccessToken
from api.tokens import token_find, token_used
from verification.audit import TOKEN_ATTRIBUTE
from verification.models import Member
from verification.policy import BARRIER_REASONS, Barrier, limit_member_access, member_access

QUERY_TOKEN_NAMES = ("token", "access_token", "api_key", "apikey", "key")

# Why a member's token stopped working, as the code a client branches on.
BARRIER_CODES = {
    Barrier.INACTIVE: "account_closed",
    Barrier.SUSPENDED: "account_suspended",
    Barrier.UNVERIFIED: "not_verified",
    Barrier.EXPIRED: "verification_expired",
    Barrier.RULES: "rules_not_accepted",
    Barrier.MFA: "mfa_required",
}


def barrier_error(barrier: Barrier) -> tuple[str, str]:
    return BARRIER_CODES.get(barrier, "not_verified"), BARRIER_REASONS.get(barrier, "")


class BearerTokenAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[Member, AccessToken] | None:
        if any(name in request.query_params for name in QUERY_TOKEN_NAMES):
            raise ApiError(
                "token_in_query",
                "Send the token in the Authorization header (Bearer), never in the address.",
            )
        kind, _, secret = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        if kind.lower() != "bearer":
            return None
        token = token_find(secret.strip())
        if token is None:
            raise TokenRefused("token_invalid", "This token is not valid.")
        if token.revoked_at is not None:
            raise TokenRefused("token_revoked", "This token was revoked.")
        if token.is_expired:
            raise TokenRefused("token_expired", "This token has expired: make a new one on your account page.")
        member = token.member
        if token.ceiling is not None:
            limit_member_access(member, token.ceiling)
        access = member_access(member)
        if not access.may_see_content:
            raise TokenRefused(*barrier_error(access.barrier))
        token_used(token)
        setattr(request._request, TOKEN_ATTRIBUTE, token.pk)
        return member, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="muster"'
