"""What a caller must hold: a member who may see content today, and the token scope the endpoint needs."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from api.authentication import barrier_error
from api.errors import ApiError
from api.models import AccessToken, Scope
from verification.policy import member_access


class IsMember(BasePermission):
    """Signed in (by token or session), verified, rules accepted, MFA where needed: the site's own gate."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False  # DRF answers 401 not_authenticated
        access = member_access(request.user)
        if not access.may_see_content:
            code, message = barrier_error(access.barrier)
            raise ApiError(code, message, status_code=403)
        return True


class HasScope(BasePermission):
    """A token needs the endpoint's scope: ``read`` for reading, ``write`` for changing, ``chat`` for chat
    (an endpoint names its own with ``scope`` or ``read_scope``/``write_scope``). A session has every scope."""

    def has_permission(self, request: Request, view: Any) -> bool:
        token = request.auth
        if not isinstance(token, AccessToken):
            return True
        needed = required_scope(request, view)
        if needed:  # "": the view asks for the scope of what it reads (``check_scope``)
            check_scope(request, needed)
        return True


def has_scope(request: Request, scope: str) -> bool:
    """Whether the request may act with ``scope`` (a session has every scope)."""
    token = request.auth
    return not isinstance(token, AccessToken) or token.has_scope(scope)


def check_scope(request: Request, scope: str) -> None:
    """For a view whose scope depends on what it reads (a content type's ``api_scope``)."""
    if not has_scope(request, scope):
        raise ApiError("scope_missing", f"This token lacks the '{scope}' scope this request needs.", status_code=403)


def required_scope(request: Request, view: Any) -> str:
    if request.method in SAFE_METHODS:
        return str(getattr(view, "read_scope", Scope.READ))
    return str(getattr(view, "write_scope", Scope.WRITE))
