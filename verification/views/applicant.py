"""The applicant's side of vetting: profile, application, its status, the sponsor's answer, the Rules of Behavior."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from verification.gate import public_page, vetting_page


@vetting_page
def application_status(request: HttpRequest) -> HttpResponse:
    return render(request, "verification/status.html")


@vetting_page
def profile_edit(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


@vetting_page
def application_apply(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


@vetting_page
def rules_accept_page(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


@public_page
def sponsor_answer_page(request: HttpRequest, token: str) -> HttpResponse:
    raise NotImplementedError


def member_profile(request: HttpRequest, pk: int) -> HttpResponse:
    raise NotImplementedError
