"""Every refusal of the API is JSON with a stable code: ``{"error": {"code", "message", "fields"?}}``.

Clients branch on ``code``; ``message`` is for people. Django's own refusals
(``Http404``, ``PermissionDenied`` from the policy) come through here too.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response


class ApiError(exceptions.APIException):
    """A refusal with a code of the API's own: ``raise ApiError("scope_missing", "…", status=403)``."""

    def __init__(self, code: str, message: str, *, status_code: int = status.HTTP_400_BAD_REQUEST) -> None:
        super().__init__(detail=message, code=code)
        self.status_code = status_code
        self.error_code = code


class TokenRefused(exceptions.AuthenticationFailed):
    """A token that does not (or no longer) open the API: 401 with a code saying why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(detail=message, code=code)
        self.error_code = code


# DRF's own exceptions, by class, to the code clients see.
CODES: dict[type[exceptions.APIException], str] = {
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "token_invalid",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.ParseError: "malformed_body",
    exceptions.Throttled: "rate_limited",
    exceptions.ValidationError: "invalid",
}


def _code_of(exc: exceptions.APIException) -> str:
    own = getattr(exc, "error_code", None)
    if own:
        return str(own)
    for kind in type(exc).__mro__:
        if kind in CODES:
            return CODES[kind]
    return "error"


def _fields_of(detail: Any) -> dict[str, list[str]]:
    """A validation error's messages per field (``non_field_errors`` under ``_``)."""
    if isinstance(detail, dict):
        return {("_" if key == "non_field_errors" else str(key)): _messages(value) for key, value in detail.items()}
    return {"_": _messages(detail)}


def _messages(value: Any) -> list[str]:
    if isinstance(value, list):
        return [message for item in value for message in _messages(item)]
    if isinstance(value, dict):
        return [f"{key}: {message}" for key, item in value.items() for message in _messages(item)]
    return [str(value)]


def _codes(value: Any) -> set[str]:
    """Every code in a validation error's codes, however deeply nested (not ``_messages``: it prefixes keys)."""
    if isinstance(value, dict):
        return {code for item in value.values() for code in _codes(item)}
    if isinstance(value, list):
        return {code for item in value for code in _codes(item)}
    return {str(value)}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    from rest_framework.views import exception_handler  # rest_framework.views reads these settings at import

    if isinstance(exc, Http404):
        exc = exceptions.NotFound("Nothing you may see is there.")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or "You may not do this.")
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"_": exc.messages})
    response = exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    code = _code_of(exc)
    error: dict[str, Any] = {"code": code}
    if isinstance(exc, exceptions.ValidationError):
        if "unknown_field" in _codes(exc.get_codes()):
            error["code"] = "unknown_field"
        fields = _fields_of(exc.detail)
        refusal = list(fields) == ["_"]  # the action was refused as a whole, not a field
        error["message"] = " ".join(fields["_"]) if refusal else "Some fields are not valid: nothing was changed."
        error["fields"] = fields
    else:
        error["message"] = str(exc.detail)
    response.data = {"error": error}
    return response
