"""Being written."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse


def board_list(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def board_detail(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def thread_new(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def thread_detail(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def thread_reply(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def answer_accept(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def post_edit(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def post_history(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def post_delete(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def community_mark_read(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404
