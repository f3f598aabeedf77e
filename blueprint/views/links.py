"""Typed links between entries, and attachments (documents and links from a community's library).

A refused link (a pair of kinds the relation does not join, a cycle, one that exists) comes back on the
entry's page with the reason and the choice kept."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from blueprint import selectors, services
from blueprint.forms import AttachmentForm, LinkForm, RemoveForm
from blueprint.services import entry_url
from blueprint.views.common import tell_errors, visible_entry
from blueprint.views.entries import render_entry
from muster.forms import add_service_error


@require_POST
def link_add(request: HttpRequest, slug: str) -> HttpResponse:
    member, entry = visible_entry(request, slug)
    relation = services.relation_from(entry.kind)
    form = LinkForm(request.POST, targets=selectors.link_targets(member, entry, relation))
    if form.is_valid():
        try:
            link = services.link_create(
                source=entry, target=form.cleaned_data["target"], relation=form.cleaned_data["relation"], actor=member
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"Linked: “{entry}” {link.relation} “{link.target}”.")
            return redirect(entry_url(entry))
    return render_entry(request, member, entry, status=400, link_form=form)


@require_POST
def link_remove(request: HttpRequest, slug: str) -> HttpResponse:
    member, entry = visible_entry(request, slug)
    form = RemoveForm(request.POST)
    if not form.is_valid():
        tell_errors(request, form)
        return redirect(entry_url(entry))
    link = entry.links_out.filter(pk=form.cleaned_data["id"]).first()
    if link is None:
        raise Http404("No such link.")
    services.link_remove(link=link, actor=member)
    messages.success(request, "Link removed.")
    return redirect(entry_url(entry))


@require_POST
def attachment_add(request: HttpRequest, slug: str) -> HttpResponse:
    member, entry = visible_entry(request, slug)
    form = AttachmentForm(request.POST, items=selectors.attachable_items(member))
    if form.is_valid():
        try:
            services.attachment_add(entry=entry, item=form.chosen(), role=form.cleaned_data["role"], actor=member)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Attached.")
            return redirect(entry_url(entry))
    return render_entry(request, member, entry, status=400, attachment_form=form)


@require_POST
def attachment_remove(request: HttpRequest, slug: str) -> HttpResponse:
    member, entry = visible_entry(request, slug)
    form = RemoveForm(request.POST)
    if not form.is_valid():
        tell_errors(request, form)
        return redirect(entry_url(entry))
    attachment = entry.attachments.filter(pk=form.cleaned_data["id"]).first()
    if attachment is None:
        raise Http404("No such attachment.")
    services.attachment_remove(attachment=attachment, actor=member)
    messages.success(request, "Attachment removed.")
    return redirect(entry_url(entry))
