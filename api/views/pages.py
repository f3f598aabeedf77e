"""The member's token page: make a token (its secret shown once, on the answer to the POST), list and revoke them.

These are site pages, not API views: the vetting gate keeps them for members who may see content.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.views.decorators.http import require_http_methods, require_POST

from api.forms import TokenForm
from api.models import AccessToken
from api.tokens import ceiling_choices, max_expiry_days, token_create, token_of, token_revoke, tokens_of
from muster.forms import add_service_error
from verification.gate import signed_in_member


@require_http_methods(["GET", "POST"])
def tokens_page(request: HttpRequest) -> HttpResponse:
    """The member's tokens and the form to make one; a made token's secret is in this one answer only."""
    member = signed_in_member(request)
    ceilings = ceiling_choices(member)
    form = TokenForm(request.POST or None, ceilings=ceilings)
    made: tuple[AccessToken, str] | None = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = token_create(
                member=member,
                name=data["name"],
                scopes=data["scopes"],
                days=data["days"],
                ceiling=data["ceiling"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            form = TokenForm(ceilings=ceilings)
    context = {
        "form": form,
        "tokens": tokens_of(member),
        "made": made[0] if made else None,
        "secret": made[1] if made else "",
        "offers_ceiling": ceilings.exists(),
        "max_days": max_expiry_days(),
    }
    response = render(request, "api/tokens.html", context, status=400 if form.errors else 200)
    # The page can carry a secret: no cache, shared or private, may keep it.
    add_never_cache_headers(response)
    patch_cache_control(response, no_store=True, private=True)
    return response


@require_POST
def token_revoke_page(request: HttpRequest, pk: int) -> HttpResponse:
    member = signed_in_member(request)
    try:
        token = token_of(member, pk)
    except AccessToken.DoesNotExist:
        raise Http404("You have no such token.") from None
    if token.revoked_at is not None:
        messages.info(request, f"“{token.name}” was already revoked.")
    else:
        token_revoke(token=token, member=member)
        messages.success(request, f"“{token.name}” is revoked: it no longer opens the API.")
    return redirect("api:tokens")
