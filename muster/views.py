import time

from allauth.account.forms import AddEmailForm, ChangePasswordForm
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.adapter import get_adapter as usersessions_adapter
from allauth.usersessions.models import UserSession
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from home import selectors as start
from home.visits import start_page_seen
from muster.health import run_checks
from muster.markdown import render_markdown
from verification import policy
from verification.gate import public_page, signed_in_member, vetting_page
from verification.models import Member, Profile


@public_page
@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    results = run_checks()
    down = sorted(name for name, state in results.items() if state != "ok")
    payload = {"status": "down" if down else "ok", "down": down, "checks": results}
    return JsonResponse(payload, status=503 if down else 200)


@public_page
def landing(request: HttpRequest) -> HttpResponse:
    """The public landing page; for a member who may see content, their start page."""
    if request.user.is_authenticated:
        if policy.member_access(request.user).may_see_content:
            return home(request)
        return redirect("home")  # the vetting gate sends them where they can act
    return render(request, "pages/landing.html")


@public_page
def about(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/about.html")


@public_page
def help_page(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/help.html")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The member's start page: what is new in their communities since their last visit, unread
    conversations and mentions, their communities, and (for a member in none) communities to join."""
    assert isinstance(request.user, Member)  # noqa: S101 - login_required guarantees a member
    member = request.user
    communities = start.my_communities(member)
    types = start.feed_types()
    filters = start.FeedFilters.from_query(request.GET, communities=communities, types=types)
    page = Paginator(start.whats_new(member, filters), start.FEED_PAGE_SIZE).get_page(request.GET.get("page"))
    community_urls = {c.pk: reverse("communities:detail", args=[c.slug]) for c in communities}
    new_since = start_page_seen(member.pk)
    items = start.feed_items(list(page.object_list), since=new_since.since, community_urls=community_urls)
    conversations = start.unread_conversations(member)
    mentions = start.unread_mentions(member)
    suggestions = [] if communities else start.suggestions_for(member)
    context = {
        "communities": communities,
        "cards": start.community_cards(communities, start.new_counts(member, new_since.since) if communities else {}),
        "filters": filters,
        "feed_types": types,
        "page": page,
        "new_items": [item for item in items if item.is_new],
        "earlier_items": [item for item in items if not item.is_new],
        "new_since": new_since,
        "conversations": conversations,
        "mentions": mentions,
        "suggestions": suggestions,
        "marking": start.page_marking(
            *(item.event.target_marking for item in items),
            *(row.marking for row in conversations),
            *(row.notification.marking for row in mentions),
            *(community.marking for community in communities),
            *(row.community.marking for row in suggestions),
        ),
    }
    return render(request, "pages/home.html", context)


# The longest text any Markdown box accepts (a wiki page), with room for the form's encoding.
PREVIEW_MAX_CHARS = 100_000
# A member may ask for this many previews a minute; a person pressing Preview never comes close.
PREVIEW_RATE = (30, 60)


@require_POST
def preview(request: HttpRequest) -> HttpResponse:
    """The HTML a Markdown box's text will show as, through the same sanitiser as the saved text.

    Only Markdown is rendered: mentions and wiki links are not looked up, so a preview shows nothing
    of what is stored, only what the member typed. The vetting gate admits only members who may see content.
    """
    member = signed_in_member(request)
    text = request.POST.get("text", "")
    if len(text) > PREVIEW_MAX_CHARS:
        return HttpResponse(f"Too long to preview: at most {PREVIEW_MAX_CHARS:,} characters.", status=413)
    if not _preview_allowed(member):
        return HttpResponse("Too many previews; wait a minute.", status=429, headers={"Retry-After": "60"})
    return HttpResponse(render_markdown(text), content_type="text/html; charset=utf-8")


def _preview_allowed(member: Member) -> bool:
    """A fixed window per member in the shared cache."""
    limit, window = PREVIEW_RATE
    key = f"preview-rate:{member.pk}:{int(time.time() // window)}"
    if cache.add(key, 1, window * 2):
        return True
    return cache.incr(key) <= limit


@vetting_page
@require_GET
def account(request: HttpRequest) -> HttpResponse:
    """One page for the member's own account: profile, e-mail, password, two-factor, sessions, notifications, tokens.

    Every section shows only the signed-in member's own data; each action posts to the page that does it
    (allauth's e-mail, password, MFA and session views; the profile form; subscriptions; API tokens). Members
    not yet cleared may open it, since it is where they fix their e-mail, password and two-factor sign-in.
    """
    member = signed_in_member(request)
    profile = Profile.objects.filter(member=member).first()
    authenticators = {a.type: a for a in Authenticator.objects.filter(user=member)}
    recovery = authenticators.get(Authenticator.Type.RECOVERY_CODES)
    current_key = request.session.session_key
    sessions = sorted(UserSession.objects.purge_and_list(member), key=lambda s: s.created_at, reverse=True)
    return render(
        request,
        "pages/account.html",
        {
            "member": member,
            "profile": profile,
            "shared_fields": [
                label for field, label in Profile.SHAREABLE_FIELDS.items() if profile and profile.shares(field)
            ],
            "addresses": list(EmailAddress.objects.filter(user=member).order_by("-primary", "email")),
            "can_add_email": EmailAddress.objects.can_add_email(member),
            "add_email_form": AddEmailForm(user=member),
            "has_password": member.has_usable_password(),
            "password_form": ChangePasswordForm(user=member) if member.has_usable_password() else None,
            "totp": authenticators.get(Authenticator.Type.TOTP),
            "recovery_codes_left": len(recovery.wrap().get_unused_codes()) if recovery else None,
            "sessions": [(s, s.session_key == current_key) for s in sessions],
            "other_sessions": sum(1 for s in sessions if s.session_key != current_key),
        },
    )


@vetting_page
@require_POST
def account_sign_out_others(request: HttpRequest) -> HttpResponse:
    """End every recorded session of the member but this one (their other browsers must sign in again)."""
    member = signed_in_member(request)
    current_key = request.session.session_key
    others = [s for s in UserSession.objects.filter(user=member) if s.session_key != current_key]
    usersessions_adapter().end_sessions(others)
    if others:
        messages.success(request, f"Signed out of {len(others)} other session{'s' if len(others) != 1 else ''}.")
    return redirect(reverse("account") + "#sessions")
