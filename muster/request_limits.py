"""How big a request body may be, decided from its ``Content-Length`` before any of it is read.

A view that takes files says how much it accepts with ``@accepts_body(bytes)``;
every other request may carry ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (Django's limit for
form fields, 2.5 MB). ``muster.asgi`` refuses a larger body with 413 before
Django reads it; under Daphne, which reads a body before the application sees
it, ``muster.server`` refuses anything over the largest limit of all
(``MUSTER_REQUEST_MAX_BYTES``) while Daphne is still reading headers, so such
a body is never received at all.
"""

from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings

ViewT = TypeVar("ViewT", bound=Callable[..., Any])
LIMIT_ATTRIBUTE = "max_body_bytes"


def accepts_body(max_bytes: Callable[[], int]) -> Callable[[ViewT], ViewT]:
    """Mark a view that takes a body larger than form fields (a file): ``max_bytes()`` is read per request,
    so settings changed in tests and deployments apply."""

    def mark(view: ViewT) -> ViewT:
        setattr(view, LIMIT_ATTRIBUTE, max_bytes)
        return view

    return mark


def default_limit() -> int:
    return int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0) or settings.MUSTER_REQUEST_MAX_BYTES


def limit_of(view: Callable[..., Any] | None) -> int:
    """The limit a view function says, or its class (a class-based view's ``view_class``)."""
    limit = getattr(view, LIMIT_ATTRIBUTE, None) or getattr(getattr(view, "view_class", None), LIMIT_ATTRIBUTE, None)
    return int(limit()) if limit is not None else default_limit()


def too_large_message(size: int | None, limit: int) -> str:
    """``size`` is ``None`` for a body sent without a length, refused once it passed the limit."""
    if size is None:
        said = f"This request is over {_megabytes(limit)}, the most this page accepts."
    else:
        said = f"This request is {_megabytes(size)}; the most this page accepts is {_megabytes(limit)}."
    return f"{said} Nothing was saved: choose a smaller file and try again."


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"
