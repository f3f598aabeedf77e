"""Cursor pagination bound to its query: a cursor is signed, and refused on any other query.

DRF's cursor holds a position in the list's order; ours also holds a digest
of the query it was made for (path and every parameter but the cursor and
page size), so a cursor pasted onto other filters gets a clear error instead
of a silently wrong page.
"""

from __future__ import annotations

import hashlib
from typing import Any
from urllib import parse

from django.conf import settings
from django.core import signing
from django.db.models import QuerySet
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.request import Request
from rest_framework.utils.urls import replace_query_param

from api.errors import ApiError

SALT = "api.cursor"


class QueryCursorPagination(CursorPagination):
    page_size = 25
    page_size_query_param = "page_size"
    ordering = ("-created_at", "-pk")

    @property
    def max_page_size(self) -> int:  # type: ignore[override]
        return int(settings.MUSTER_API_MAX_PAGE_SIZE)

    def paginate_queryset(self, queryset: QuerySet[Any], request: Request, view: Any = None) -> list[Any] | None:
        self._query_digest = query_digest(request, (self.cursor_query_param, self.page_size_query_param))
        return super().paginate_queryset(queryset, request, view)

    def get_ordering(self, request: Request, queryset: QuerySet[Any], view: Any) -> tuple[str, ...]:
        return tuple(getattr(view, "cursor_ordering", None) or self.ordering)

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            raise ApiError("invalid_page_size", "page_size must be a whole number.") from None
        if not 1 <= size <= self.max_page_size:
            raise ApiError("invalid_page_size", f"page_size must be between 1 and {self.max_page_size}.")
        return size

    def decode_cursor(self, request: Request) -> Cursor | None:
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is None:
            return None
        try:
            tokens = signing.loads(encoded, salt=SALT)
            offset, reverse, position, digest = tokens["o"], tokens["r"], tokens["p"], tokens["q"]
            if not isinstance(offset, int) or not 0 <= offset <= self.offset_cutoff:
                raise ValueError(offset)
        except (signing.BadSignature, KeyError, TypeError, ValueError):
            raise ApiError("cursor_invalid", "This cursor is not one the API gave out.") from None
        if digest != self._query_digest:
            raise ApiError(
                "cursor_mismatch", "This cursor belongs to another query: start again without it, or repeat that query."
            )
        return Cursor(offset=offset, reverse=bool(reverse), position=position)

    def encode_cursor(self, cursor: Cursor) -> str:
        tokens = {"o": cursor.offset, "r": int(cursor.reverse), "p": cursor.position, "q": self._query_digest}
        encoded = signing.dumps(tokens, salt=SALT, compress=True)
        return replace_query_param(self.base_url or "", self.cursor_query_param, encoded)


def query_digest(request: Request, ignored: tuple[str, ...]) -> str:
    """What identifies a query apart from where in it a page starts."""
    items = sorted(
        (key, value) for key, value in parse.parse_qsl(request.META.get("QUERY_STRING", "")) if key not in ignored
    )
    return hashlib.sha256(f"{request.path}?{parse.urlencode(items)}".encode()).hexdigest()[:16]
