"""Pilot-community templates: the list, a template's page (what it bundles, its checklist, roles and pages,
its locale variants and the progress of the pilots the member may see), writing, editing and customising one
for a locale (editors), starting a pilot from one, and a pilot's page where its members tick the checklist
and take roles.

Views parse input and call one service; reads go through ``blueprint.pilot_selectors``, already narrowed
by the access policy. A template or pilot the member may not see is a 404; an action they may not take is a
403. Every view of a marked template is written to the audit log.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from blueprint import pilot_selectors as selectors
from blueprint import services
from blueprint.access import check_review_entries_permission, is_blueprint_editor
from blueprint.models import BLUEPRINT_COMMUNITY_SLUG, Pilot, PilotRole, PilotTask, PilotTemplate
from blueprint.pilot_forms import PageFormSet, PilotStartForm, TaskForm, TemplateForm, initial_of, template_content
from blueprint.selectors import markings_for_entry, postable_communities
from blueprint.services import pilot_url, template_url
from blueprint.views.common import tell_errors
from communities.models import Community
from muster.forms import add_service_error
from verification import policy
from verification.gate import signed_in_member
from verification.models import Member


def _template(member: Member, slug: str) -> PilotTemplate:
    try:
        return selectors.template_for(member, slug)
    except PilotTemplate.DoesNotExist:
        raise Http404("No such template.") from None


def _pilot(member: Member, pk: int) -> Pilot:
    try:
        return selectors.pilot_for(member, pk)
    except Pilot.DoesNotExist:
        raise Http404("No such pilot.") from None


@require_GET
def template_list(request: HttpRequest) -> HttpResponse:
    member = signed_in_member(request)
    templates = list(selectors.template_list(member))
    context = {
        "templates": templates,
        "is_editor": is_blueprint_editor(member),
        "marking": policy.highest_marking([policy.effective_marking(t) for t in templates]) if templates else None,
    }
    return render(request, "blueprint/template_list.html", context)


@require_GET
def template_detail(request: HttpRequest, slug: str) -> HttpResponse:
    member = signed_in_member(request)
    template = _template(member, slug)
    entries = list(selectors.template_entries(member, template))
    variants = list(selectors.template_variants(member, template))
    pilots = list(selectors.template_pilots(member, template))
    markings = [policy.effective_marking(template), *(policy.effective_marking(entry) for entry in entries)]
    markings += [policy.effective_marking(variant) for variant in variants]
    markings += [pilot.community.marking for pilot in pilots]
    context = {
        "template": template,
        "entries": entries,
        "variants": variants,
        "based_on": selectors.based_on_visible(member, template),
        "pilots": pilots,
        "is_editor": is_blueprint_editor(member),
        "marking": policy.highest_marking(markings),
        "community": template.community,
        "can_remove": policy.can_edit(member, template),
        "can_moderate": policy.can_moderate_item(member, template),
    }
    policy.record_view(member, template, request)
    return render(request, "blueprint/template.html", context)


def _editor_form(
    request: HttpRequest, member: Member, *, initial: dict[str, Any] | None = None, locale_required: bool = False
) -> TemplateForm:
    community_id = request.POST.get("community") if request.method == "POST" else None
    communities = postable_communities(member)
    community = communities.filter(pk=community_id).first() if community_id else None
    return TemplateForm(
        request.POST or None,
        initial=initial,
        entries=selectors.bundle_choices(member),
        communities=communities,
        markings=markings_for_entry(member, community),
        locale_required=locale_required,
    )


def _render_form(
    request: HttpRequest, form: TemplateForm, pages: Any, *, heading: str, action: str, **context: Any
) -> HttpResponse:
    status = 400 if request.method == "POST" else 200
    context |= {"form": form, "pages": pages, "heading": heading, "action": action}
    return render(request, "blueprint/template_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
def template_create(request: HttpRequest) -> HttpResponse:
    member = signed_in_member(request)
    check_review_entries_permission(member, request)
    home = postable_communities(member).filter(slug=BLUEPRINT_COMMUNITY_SLUG).first()
    form = _editor_form(request, member, initial={"community": home.pk if home else None})
    pages = PageFormSet(request.POST or None, prefix="pages")
    if request.method == "POST" and form.is_valid() and pages.is_valid():
        try:
            template = services.template_create(
                editor=member,
                community=form.cleaned_data["community"],
                marking=form.cleaned_data["marking"],
                content=template_content(form, pages),
                tags=form.cleaned_data["tags"] or (),
            )
        except (ValidationError, PermissionDenied) as error:
            add_service_error(form, error)
        else:
            messages.success(request, "The template is published: members can start pilots from it.")
            return redirect(template_url(template))
    return _render_form(request, form, pages, heading="Write a pilot-community template", action=request.path)


@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, slug: str) -> HttpResponse:
    member = signed_in_member(request)
    template = _template(member, slug)
    check_review_entries_permission(member, request)
    initial, page_initial = initial_of(services.template_content(template))
    form = TemplateForm(
        request.POST or None,
        initial=initial,
        entries=selectors.bundle_choices(member),
        locale_required=template.based_on_id is not None,
    )
    pages = PageFormSet(request.POST or None, prefix="pages", initial=page_initial)
    if request.method == "POST" and form.is_valid() and pages.is_valid():
        try:
            services.template_edit(template=template, editor=member, content=template_content(form, pages))
        except (ValidationError, PermissionDenied) as error:
            add_service_error(form, error)
        else:
            messages.success(request, "The template is changed. Pilots already started keep their checklist.")
            return redirect(template_url(template))
    return _render_form(request, form, pages, heading=f"Edit “{template}”", action=request.path, template=template)


@require_http_methods(["GET", "POST"])
def template_customise(request: HttpRequest, slug: str) -> HttpResponse:
    """A copy of the template for one place, with its own checklist and pages (an editor's)."""
    member = signed_in_member(request)
    template = _template(member, slug)
    check_review_entries_permission(member, request)
    initial, page_initial = initial_of(services.template_content(template))
    initial |= {"locale": "", "community": template.community_id, "marking": template.marking_id}
    form = _editor_form(request, member, initial=initial, locale_required=True)
    pages = PageFormSet(request.POST or None, prefix="pages", initial=page_initial)
    if request.method == "POST" and form.is_valid() and pages.is_valid():
        try:
            variant = services.template_create(
                editor=member,
                community=form.cleaned_data["community"],
                marking=form.cleaned_data["marking"],
                content=template_content(form, pages),
                based_on=template,
                tags=form.cleaned_data["tags"] or (),
            )
        except (ValidationError, PermissionDenied) as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"The template is customised for {variant.locale}.")
            return redirect(template_url(variant))
    return _render_form(
        request, form, pages, heading=f"Customise “{template}” for a locale", action=request.path, template=template
    )


# --- Pilots ----------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def pilot_start(request: HttpRequest, slug: str) -> HttpResponse:
    member = signed_in_member(request)
    template = _template(member, slug)
    form = PilotStartForm(request.POST or None, markings=selectors.markings_for_pilot(member, template))
    if request.method == "POST" and form.is_valid():
        try:
            pilot = services.pilot_start(template=template, member=member, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as error:
            add_service_error(form, error)
        else:
            if pilot.community.status == Community.Status.PENDING:
                messages.success(
                    request,
                    f"{pilot.community.name} is set up with its wiki pages, board and checklist; like every new "
                    "community it waits for staff approval, and opens once approved.",
                )
                return redirect("communities:detail", slug=pilot.community.slug)
            messages.success(
                request, f"{pilot.community.name} is started: its wiki pages, board and checklist are ready."
            )
            return redirect(pilot_url(pilot))
    status = 400 if form.errors else 200
    context = {"template": template, "form": form, "marking": policy.effective_marking(template)}
    return render(request, "blueprint/pilot_start.html", context, status=status)


@require_GET
def pilot_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = signed_in_member(request)
    pilot = _pilot(member, pk)
    tasks = list(pilot.tasks.all())
    template = selectors.pilot_template(member, pilot)
    entries = list(selectors.template_entries(member, template)) if template is not None else []
    markings = [pilot.community.marking, *(policy.effective_marking(entry) for entry in entries)]
    if template is not None:
        markings.append(policy.effective_marking(template))
    context: dict[str, Any] = {
        "pilot": pilot,
        "community": pilot.community,
        "template": template,
        "tasks": tasks,
        "done_count": sum(task.done_at is not None for task in tasks),
        "roles": list(pilot.roles.all()),
        "is_member": policy.is_community_member(member, pilot.community),
        "entries": entries,
        "marking": policy.highest_marking(markings),
    }
    return render(request, "blueprint/pilot.html", context)


@require_POST
def pilot_task(request: HttpRequest, pk: int) -> HttpResponse:
    member = signed_in_member(request)
    try:
        task = selectors.task_of(member, pk)
    except PilotTask.DoesNotExist:
        raise Http404("No such task.") from None
    form = TaskForm(request.POST)
    form.is_valid()
    try:
        services.pilot_task_set(task=task, member=member, done=bool(form.cleaned_data.get("done")))
    except ValidationError as error:
        tell_errors(request, error)
    return redirect(f"{pilot_url(task.pilot)}#task-{task.pk}")


@require_POST
def pilot_role(request: HttpRequest, pk: int) -> HttpResponse:
    member = signed_in_member(request)
    try:
        role = selectors.role_of(member, pk)
    except PilotRole.DoesNotExist:
        raise Http404("No such role.") from None
    take = request.POST.get("take") == "1"
    try:
        services.pilot_role_take(role=role, member=member, take=take)
    except ValidationError as error:
        tell_errors(request, error)
    else:
        messages.success(request, f"You fill the role of {role.name}." if take else f"You gave up {role.name}.")
    return redirect(f"{pilot_url(role.pilot)}#roles")
