"""Being written."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse


def board_create(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def board_edit(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def thread_moderate(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def post_flag(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def post_hide(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def moderation_queue(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404
