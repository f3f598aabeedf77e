"""Step 4, the resource inventory: the list with search and filters, who can provide what within 72 hours,
a resource's page with its history, adding and changing resources, CSV import (all or nothing) and export
(the marking in its first lines). Every view of a marked resource, and every export of marked ones, is
audited."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from muster.forms import add_service_error
from partnerships import selectors, services
from partnerships.access import check_contribute_permission
from partnerships.addresses import resource_url
from partnerships.csv_io import COLUMNS, read_rows, write_resources
from partnerships.forms import ResourceFilterForm, ResourceForm, ResourceImportForm
from partnerships.models import FIRST_HOURS, Resource
from partnerships.services.inventory import RESOURCE_FIELDS
from partnerships.views.common import visible_partnership, workspace_context
from verification import policy
from verification.gate import signed_in_member
from verification.models import Member


def _filters(request: HttpRequest) -> tuple[ResourceFilterForm, selectors.ResourceFilters]:
    form = ResourceFilterForm(request.GET or None)
    if form.is_valid():
        data = form.cleaned_data
        return form, selectors.ResourceFilters(
            q=data["q"] or "",
            category=data["category"] or "",
            kind=data["kind"] or "",
            availability=data["availability"] or "",
            within_hours=data["within_hours"],
        )
    return form, selectors.ResourceFilters()


@require_GET
def resource_list(request: HttpRequest, pk: int) -> HttpResponse:
    member, partnership = visible_partnership(request, pk)
    filter_form, filters = _filters(request)
    resources = list(selectors.resources_of(member, partnership, filters))
    policy.record_views(member, resources, request)
    context = workspace_context(
        member,
        partnership,
        resources=resources,
        filter_form=filter_form,
        marking=selectors.banner_for(partnership, resources),
        filtered=any((filters.q, filters.category, filters.kind, filters.availability, filters.within_hours)),
    )
    return render(request, "partnerships/resources.html", context)


@require_GET
def within_72_hours(request: HttpRequest, pk: int) -> HttpResponse:
    member, partnership = visible_partnership(request, pk)
    groups = selectors.within_72_hours(member, partnership)
    records = [resource for group in groups for resource in group.resources]
    policy.record_views(member, records, request)
    context = workspace_context(
        member, partnership, groups=groups, hours=FIRST_HOURS, marking=selectors.banner_for(partnership, records)
    )
    return render(request, "partnerships/within_72_hours.html", context)


def _visible_resource(member: Member, pk: int) -> Resource:
    try:
        return selectors.resource_visible_to(member, pk)
    except Resource.DoesNotExist:
        raise Http404("No such resource.") from None


@require_GET
def resource_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = signed_in_member(request)
    resource = _visible_resource(member, pk)
    policy.record_view(member, resource, request)
    partnership = resource.partnership
    context = workspace_context(
        member,
        partnership,
        resource=resource,
        changes=list(selectors.resource_changes(resource)),
        marking=selectors.banner_for(partnership, [resource]),
        can_restore=policy.can_moderate(member, partnership.community),
    )
    return render(request, "partnerships/resource.html", context)


@require_http_methods(["GET", "POST"])
def resource_add(request: HttpRequest, pk: int) -> HttpResponse:
    member, partnership = visible_partnership(request, pk)
    check_contribute_permission(member, partnership, request)
    markings = selectors.markings_for(member, policy.effective_marking(partnership))
    form = ResourceForm(request.POST or None, markings=markings, initial={"marking": partnership.marking})
    if request.method == "POST" and form.is_valid():
        data = {field: form.cleaned_data[field] for field in RESOURCE_FIELDS}
        try:
            resource = services.resource_add(
                partnership=partnership, author=member, marking=form.cleaned_data["marking"], data=data
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"{resource.name} is in the inventory.")
            return redirect(resource_url(resource))
    context = workspace_context(member, partnership, form=form, resource=None)
    return render(request, "partnerships/resource_form.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def resource_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = signed_in_member(request)
    resource = _visible_resource(member, pk)
    partnership = resource.partnership
    check_contribute_permission(member, partnership, request)
    markings = selectors.markings_for(member, policy.effective_marking(partnership))
    form = ResourceForm(
        request.POST or None, instance=resource, markings=markings, initial={"marking": resource.marking}
    )
    if request.method == "POST" and form.is_valid():
        data = {field: form.cleaned_data[field] for field in RESOURCE_FIELDS}
        try:
            resource = services.resource_update(
                resource=resource, actor=member, marking=form.cleaned_data["marking"], data=data
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "The resource is saved; the change is in its history.")
            return redirect(resource_url(resource))
    context = workspace_context(
        member, partnership, form=form, resource=resource, marking=selectors.banner_for(partnership, [resource])
    )
    return render(request, "partnerships/resource_form.html", context, status=400 if form.errors else 200)


@require_POST
def resource_remove(request: HttpRequest, pk: int) -> HttpResponse:
    member = signed_in_member(request)
    resource = _visible_resource(member, pk)
    services.resource_remove(resource=resource, actor=member)
    messages.success(request, f"{resource.name} is removed from the inventory.")
    return redirect("partnerships:resources", pk=resource.partnership_id)


@require_http_methods(["GET", "POST"])
def resource_import(request: HttpRequest, pk: int) -> HttpResponse:
    member, partnership = visible_partnership(request, pk)
    check_contribute_permission(member, partnership, request)
    form = ResourceImportForm(request.POST or None, request.FILES or None)
    row_errors: list[tuple[int, str]] = []
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["text"]
        rows, row_errors = read_rows(text, default_marking=partnership.marking)
        if not row_errors:
            try:
                created = services.resources_import(partnership=partnership, author=member, rows=rows)
            except services.ImportRefusedError as refused:
                row_errors = refused.errors
            else:
                messages.success(request, f"{len(created)} resources imported.")
                return redirect("partnerships:resources", pk=partnership.pk)
        # Nothing imported: the text stays on the page, whether it was pasted or uploaded.
        form = ResourceImportForm(initial={"text": text})
    context = workspace_context(member, partnership, form=form, row_errors=row_errors, columns=COLUMNS)
    status = 400 if (row_errors or form.errors) else 200
    return render(request, "partnerships/resource_import.html", context, status=status)


@require_GET
def resource_export(request: HttpRequest, pk: int) -> HttpResponse:
    member, partnership = visible_partnership(request, pk)
    _, filters = _filters(request)
    resources = list(selectors.resources_of(member, partnership, filters))
    marking = selectors.banner_for(partnership, resources)
    policy.record_views(member, resources, request, download=True)
    body = write_resources(resources, marking=marking, title=f"Resource inventory of {partnership.title}")
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    name = slugify(partnership.title) or "partnership"
    response["Content-Disposition"] = f'attachment; filename="{name}-resources.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
