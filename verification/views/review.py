"""The verifier's side: the queue, a dossier and its decision, suspensions, the audit log."""

from django.http import HttpRequest, HttpResponse


def review_queue(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


def review_application(request: HttpRequest, pk: int) -> HttpResponse:
    raise NotImplementedError


def member_standing(request: HttpRequest, pk: int) -> HttpResponse:
    raise NotImplementedError


def audit_log(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


def audit_export(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError
