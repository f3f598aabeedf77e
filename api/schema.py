"""The OpenAPI schema: every operation also documents the API's error answers (``api.errors``)."""

from __future__ import annotations

import inspect
from typing import Any, Literal

import uritemplate
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView


class ErrorDetailSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(help_text="Stable: clients branch on it (docs/api.md lists them).")
    message = serializers.CharField(help_text="For people.")
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Per field, what is wrong (validation errors only).",
    )


class ErrorSerializer(serializers.Serializer[Any]):
    error = ErrorDetailSerializer()


ERRORS = {
    "400": "Bad input: nothing was changed.",
    "401": "No valid token or session.",
    "403": "The token lacks the scope, or the member may not act today (suspended, rules to accept …).",
    "404": "Nothing the member may see is there.",
    "413": "The request body is over the limit.",
    "429": "Over the rate limit: wait Retry-After seconds.",
}


class MusterAutoSchema(AutoSchema):
    """How the API's views read as OpenAPI operations.

    A paginated ``GET`` of a generic view whose address has no lookup variable (``pk`` unless the view says
    another) is a list: its answer is a page (``{next, previous, results}``) and its default operationId ends
    in ``_list``; a view says otherwise with ``schema_lists = True/False``. A description is the operation's
    own (its method's or its class's docstring, or ``extend_schema(description=…)``), never one inherited
    from a base class, so an undocumented view shows up in tests/api/test_schema.py.
    """

    def _is_list_view(self, serializer: Any = None) -> bool:
        lists = getattr(self.view, "schema_lists", None)
        if lists is not None:
            return bool(lists) and self.method == "GET"
        if (
            self.method == "GET"
            and isinstance(self.view, GenericAPIView)
            and getattr(self.view, "pagination_class", None) is not None
        ):
            lookup = self.view.lookup_url_kwarg or self.view.lookup_field
            return lookup not in uritemplate.variables(self.path)
        return bool(super()._is_list_view(serializer))

    def get_description(self) -> str:  # type: ignore[override]
        method = getattr(self.view, self.method.lower(), None)
        own = method.__doc__ if method is not None else None
        own = own or type(self.view).__dict__.get("__doc__")
        return inspect.cleandoc(own) if own else ""

    def _get_response_bodies(self, direction: Literal["request", "response"] = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        for status, description in ERRORS.items():
            if status in responses:
                continue
            responses[status] = self._get_response_for_code(ErrorSerializer, status)  # type: ignore[no-untyped-call]
            responses[status]["description"] = description
        return responses


class BearerTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "api.authentication.BearerTokenAuthentication"
    name = "bearerToken"

    def get_security_definition(self, auto_schema: AutoSchema) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal access token from your account page: `Authorization: Bearer mst_…`.",
        }
