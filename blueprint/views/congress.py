"""The National Congress: the editions, a Congress's page (delegates, alternates and the ideas the member may
see), naming delegates, submitting and endorsing ideas, and the editors' side (review page, decisions,
private notes, drafting an accepted idea into the Blueprint).

Views parse input and call one service; reads go through ``blueprint.congress_selectors``, already narrowed
by the access policy. An idea the member may not see is a 404; an action they may not take is a 403. Every
view of a marked idea is written to the audit log.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from blueprint import congress_selectors as selectors
from blueprint import services
from blueprint.access import (
    can_manage_congress,
    check_manage_congress_permission,
    check_review_entries_permission,
    is_blueprint_editor,
)
from blueprint.congress_forms import AppointForm, CongressForm, IdeaForm, IdeaNoteForm, IdeaReviewForm, TagsForm
from blueprint.models import Congress, CongressRole, Idea, IdeaStatus
from blueprint.selectors import markings_for_entry, postable_communities
from blueprint.services import congress_url, idea_url
from blueprint.views.common import tell_errors
from muster.forms import add_service_error
from verification import policy
from verification.gate import signed_in_member
from verification.models import Member


def _congress(member: Member, year: int) -> Congress:
    try:
        return selectors.congress_for(member, year)
    except Congress.DoesNotExist:
        raise Http404("No such Congress.") from None


def _idea(member: Member, pk: int) -> Idea:
    try:
        return selectors.idea_visible_to(member, pk)
    except Idea.DoesNotExist:
        raise Http404("No such idea.") from None


# --- Editions --------------------------------------------------------------------------------------


@require_GET
def congress_list(request: HttpRequest) -> HttpResponse:
    member = signed_in_member(request)
    context = {"congresses": list(selectors.congresses(member)), "can_manage": can_manage_congress(member)}
    return render(request, "blueprint/congress_list.html", context)


@require_http_methods(["GET", "POST"])
def congress_create(request: HttpRequest) -> HttpResponse:
    member = signed_in_member(request)
    check_manage_congress_permission(member, request)
    form = CongressForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            congress = services.congress_create(actor=member, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "The Congress is set up: name its delegates and alternates.")
            return redirect(congress_url(congress))
    status = 400 if form.errors else 200
    return render(request, "blueprint/congress_form.html", {"form": form}, status=status)


def _render_congress(
    request: HttpRequest, member: Member, congress: Congress, *, status: int = 200, **forms: Any
) -> HttpResponse:
    delegates = list(selectors.delegates_of(member, congress))
    ideas = list(selectors.congress_ideas(member, congress))
    context: dict[str, Any] = {
        "congress": congress,
        "delegates": [d for d in delegates if d.role == CongressRole.DELEGATE],
        "alternates": [d for d in delegates if d.role == CongressRole.ALTERNATE],
        "ideas": ideas,
        "role": next((d for d in delegates if d.member_id == member.pk), None),
        "is_editor": is_blueprint_editor(member),
        "marking": selectors.banner_of_ideas(ideas),
        "report": selectors.visible_report(member, congress),
    }
    if report := context["report"]:
        context["marking"] = policy.highest_marking(
            [m for m in (context["marking"], policy.effective_marking(report)) if m is not None]
        )
    if can_manage_congress(member):
        context["appoint_form"] = forms.get("appoint_form") or AppointForm(
            members=selectors.appointable_members(member)
        )
    return render(request, "blueprint/congress.html", context, status=status)


@require_GET
def congress_detail(request: HttpRequest, year: int) -> HttpResponse:
    member = signed_in_member(request)
    return _render_congress(request, member, _congress(member, year))


@require_POST
def delegate_appoint(request: HttpRequest, year: int) -> HttpResponse:
    member = signed_in_member(request)
    congress = _congress(member, year)
    check_manage_congress_permission(member, request)
    form = AppointForm(request.POST, members=selectors.appointable_members(member))
    if form.is_valid():
        try:
            delegate = services.delegate_appoint(congress=congress, actor=member, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"{delegate.member.display_name} is now {delegate.get_role_display().lower()}.")
            return redirect(congress_url(congress))
    return _render_congress(request, member, congress, status=400, appoint_form=form)


@require_POST
def delegate_remove(request: HttpRequest, year: int, pk: int) -> HttpResponse:
    member = signed_in_member(request)
    congress = _congress(member, year)
    check_manage_congress_permission(member, request)
    delegate = congress.delegates.filter(pk=pk).first()
    if delegate is None:
        raise Http404("No such delegate.")
    services.delegate_remove(delegate=delegate, actor=member)
    messages.success(request, "Removed from the Congress.")
    return redirect(congress_url(congress))


@require_GET
def congress_review(request: HttpRequest, year: int) -> HttpResponse:
    """The editors' review page: the ideas that wait for a decision or for the Blueprint."""
    member = signed_in_member(request)
    congress = _congress(member, year)
    check_review_entries_permission(member, request)
    ideas = list(selectors.ideas_to_review(member, congress))
    context = {"congress": congress, "ideas": ideas, "marking": selectors.banner_of_ideas(ideas)}
    return render(request, "blueprint/congress_review.html", context)


# --- Ideas ----------------------------------------------------------------------------------------


def _idea_form(request: HttpRequest, member: Member) -> IdeaForm:
    community_id = request.POST.get("community") if request.method == "POST" else None
    community = postable_communities(member).filter(pk=community_id).first() if community_id else None
    return IdeaForm(
        request.POST or None,
        challenges=selectors.challenge_choices(member),
        communities=postable_communities(member),
        markings=markings_for_entry(member, community),
    )


@require_http_methods(["GET", "POST"])
def idea_submit(request: HttpRequest, year: int) -> HttpResponse:
    member = signed_in_member(request)
    congress = _congress(member, year)
    form = _idea_form(request, member)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            idea = services.idea_submit(
                congress=congress,
                author=member,
                community=data["community"],
                marking=data["marking"],
                title=data["title"],
                problem=data["problem"],
                proposal=data["proposal"],
                challenges=data["challenges"],
                tags=data["tags"] or (),
            )
        except (ValidationError, PermissionDenied) as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Your idea is submitted: the Blueprint editors will review it.")
            return redirect(idea_url(idea))
    status = 400 if form.errors else 200
    context = {"congress": congress, "form": form, "role": selectors.role_at(member, congress)}
    return render(request, "blueprint/idea_form.html", context, status=status)


def _render_idea(request: HttpRequest, member: Member, idea: Idea, *, status: int = 200, **forms: Any) -> HttpResponse:
    editor = is_blueprint_editor(member)
    role = selectors.role_at(member, idea.congress)
    endorsed = selectors.has_endorsed(member, idea)
    context: dict[str, Any] = {
        "idea": idea,
        "congress": idea.congress,
        "endorsements": list(selectors.idea_endorsements(member, idea)),
        "can_endorse": role is not None
        and idea.author_id != member.pk
        and not endorsed
        and idea.status != IdeaStatus.NOT_ACCEPTED,
        "has_endorsed": endorsed,
        "is_editor": editor,
        "notes": list(selectors.idea_notes(member, idea)),
        "solution": selectors.idea_solution(member, idea),
        "marking": selectors.banner_of_ideas([idea]),
        "idea_tags": list(idea.tags.order_by("name")),
    }
    if services.can_tag_idea(member, idea):
        context["tags_form"] = forms.get("tags_form") or TagsForm(
            initial={"tags": ", ".join(tag.name for tag in context["idea_tags"])}
        )
    if editor:
        context["note_form"] = forms.get("note_form") or IdeaNoteForm()
        if idea.status in (IdeaStatus.SUBMITTED, IdeaStatus.UNDER_REVIEW):
            context["review_form"] = forms.get("review_form") or IdeaReviewForm()
    policy.record_view(member, idea, request)
    return render(request, "blueprint/idea.html", context, status=status)


@require_GET
def idea_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = signed_in_member(request)
    return _render_idea(request, member, _idea(member, pk))


@require_POST
def idea_tags(request: HttpRequest, pk: int) -> HttpResponse:
    member = signed_in_member(request)
    idea = _idea(member, pk)
    form = TagsForm(request.POST)
    if form.is_valid():
        try:
            services.idea_tags_set(idea=idea, actor=member, tags=form.cleaned_data["tags"] or ())
        except (ValidationError, PermissionDenied) as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Tags saved.")
            return redirect(idea_url(idea))
    return _render_idea(request, member, idea, status=400, tags_form=form)


@require_POST
def idea_endorse(request: HttpRequest, pk: int) -> HttpResponse:
    member = signed_in_member(request)
    idea = _idea(member, pk)
    try:
        services.idea_endorse(idea=idea, member=member)
    except ValidationError as error:
        tell_errors(request, error)
    else:
        messages.success(request, "You endorsed this idea.")
    return redirect(idea_url(idea))


@require_POST
def idea_review(request: HttpRequest, pk: int) -> HttpResponse:
    member = signed_in_member(request)
    idea = _idea(member, pk)
    check_review_entries_permission(member, request)
    form = IdeaReviewForm(request.POST)
    if form.is_valid():
        try:
            idea = services.idea_review(idea=idea, editor=member, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"The idea is now {idea.get_status_display().lower()}.")
            return redirect(idea_url(idea))
    return _render_idea(request, member, idea, status=400, review_form=form)


@require_POST
def idea_note(request: HttpRequest, pk: int) -> HttpResponse:
    member = signed_in_member(request)
    idea = _idea(member, pk)
    check_review_entries_permission(member, request)
    form = IdeaNoteForm(request.POST)
    if form.is_valid():
        try:
            services.idea_note_add(idea=idea, editor=member, text=form.cleaned_data["text"])
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Note added (only editors read it).")
            return redirect(idea_url(idea))
    return _render_idea(request, member, idea, status=400, note_form=form)


@require_POST
def idea_to_blueprint(request: HttpRequest, pk: int) -> HttpResponse:
    member = signed_in_member(request)
    idea = _idea(member, pk)
    check_review_entries_permission(member, request)
    try:
        services.idea_to_blueprint(idea=idea, editor=member)
    except ValidationError as error:
        tell_errors(request, error)
    else:
        messages.success(request, "A proposed Solution now carries the idea into the Blueprint.")
    return redirect(idea_url(idea))
