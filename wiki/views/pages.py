"""A community's wiki: the index, pages, editing (with conflicts handed back), history, compare, revert,
settings, watching, and exports (Markdown and a printable page).

Views parse input and call one service; reads go through ``wiki.selectors``, which the access policy has
already narrowed. A page the member may not see is a 404; an action they may not take is a 403.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from communities.models import Community
from communities.views.access import known_community
from muster.revisions import CompareForm, EditConflictError, RevertForm, text_diff
from verification import policy
from verification.models import Marking, Member
from wiki import selectors, services
from wiki.access import can_edit_wiki_page
from wiki.forms import PageCreateForm, PageEditForm, PageSettingsForm
from wiki.models import Revision, WikiPage
from wiki.pdf import render_page_pdf

INDEX_PAGE_SIZE = 50
HISTORY_PAGE_SIZE = 50


def _wiki_of(request: HttpRequest, slug: str) -> tuple[Member, Community]:
    """The member and the community whose wiki they may read; 404 for a community they may not know."""
    member, community = known_community(request, slug)
    if not policy.can_view_community_content(member, community):
        raise PermissionDenied("The wiki is for members of this community.")
    return member, community


def _visible_page(request: HttpRequest, slug: str, page_slug: str) -> tuple[Member, WikiPage]:
    member, community = _wiki_of(request, slug)
    try:
        return member, selectors.page_visible_to(member, community, page_slug)
    except WikiPage.DoesNotExist:
        raise Http404("No such page.") from None


def _revision(page: WikiPage, number: int) -> Revision:
    try:
        return selectors.revision_of(page, number)
    except Revision.DoesNotExist:
        raise Http404("No such revision.") from None


def _refuse_on_form(form: Form, error: ValidationError) -> None:
    """Show a service's refusal on the form: under the field it names when the form has it, else on top."""
    if hasattr(error, "error_dict"):
        for field, field_errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, field_errors)
    else:
        form.add_error(None, error)


def _tell(request: HttpRequest, form: Form) -> None:
    for field_errors in form.errors.values():
        for message in field_errors:
            messages.error(request, str(message))


@require_GET
def wiki_index(request: HttpRequest, slug: str) -> HttpResponse:
    member, community = _wiki_of(request, slug)
    pages = Paginator(selectors.wiki_index(member, community), INDEX_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "community": community,
        "marking": community.marking,
        "page": pages,
        "may_write": policy.is_community_member(member, community),
    }
    return render(request, "wiki/index.html", context)


@require_http_methods(["GET", "POST"])
def page_create(request: HttpRequest, slug: str) -> HttpResponse:
    """A new page; ``?title=`` (from a link to a missing page) fills in the title."""
    member, community = _wiki_of(request, slug)
    if not policy.is_community_member(member, community):
        raise PermissionDenied("Join the community to write in its wiki.")
    form = PageCreateForm(
        request.POST or None,
        initial={"title": request.GET.get("title", "")[:200], "marking": community.marking},
        parents=selectors.parent_choices(member, community),
        markings=selectors.markings_for_page(member, community),
        may_limit_editing=policy.can_moderate(member, community),
    )
    if request.method == "POST" and form.is_valid():
        try:
            page = services.page_create(author=member, community=community, **form.service_arguments())
        except ValidationError as error:
            _refuse_on_form(form, error)
        else:
            messages.success(request, f"Created “{page.title}”. You are watching it.")
            return redirect(services.page_url(page))
    return render(request, "wiki/create.html", {"community": community, "marking": community.marking, "form": form})


@require_GET
def page_detail(request: HttpRequest, slug: str, page: str) -> HttpResponse:
    member, wiki_page = _visible_page(request, slug, page)
    context = {
        "community": wiki_page.community,
        "wiki_page": wiki_page,
        "marking": policy.effective_marking(wiki_page),
        "breadcrumbs": selectors.breadcrumbs(member, wiki_page),
        "children": list(selectors.child_pages(member, wiki_page)),
        "can_edit": can_edit_wiki_page(member, wiki_page),
        "can_moderate": policy.can_moderate_item(member, wiki_page),
        "can_remove": policy.can_edit(member, wiki_page),
    }
    policy.record_view(member, wiki_page, request)
    return render(request, "wiki/page.html", context)


@require_http_methods(["GET", "POST"])
def page_edit(request: HttpRequest, slug: str, page: str) -> HttpResponse:
    """Edit on top of the revision the member opened. A stale save merges, or comes back as a conflict
    with the member's text kept: the merge (with markers) in the text box, both versions beside it."""
    member, wiki_page = _visible_page(request, slug, page)
    if not can_edit_wiki_page(member, wiki_page):
        raise PermissionDenied(
            "Only moderators edit this page."
            if wiki_page.edit_policy == WikiPage.EditPolicy.MODERATORS
            else "Join the community to edit its wiki."
        )
    form = PageEditForm(
        request.POST or None,
        initial={"title": wiki_page.title, "body": wiki_page.body, "base_number": wiki_page.revision_number},
    )
    context: dict[str, Any] = {
        "community": wiki_page.community,
        "wiki_page": wiki_page,
        "marking": policy.effective_marking(wiki_page),
    }
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            revision = services.page_save(
                page=wiki_page,
                editor=member,
                title=data["title"],
                body=data["body"],
                base_number=data["base_number"],
                comment=data["comment"],
            )
        except EditConflictError as conflict:
            resolve = PageEditForm(
                initial={
                    "title": data["title"],
                    "body": conflict.merged_with_markers,
                    "comment": data["comment"],
                    "base_number": conflict.current.number,
                }
            )
            context |= {
                "form": resolve,
                "conflict": conflict.current,
                "yours": data["body"],
                "hunks": text_diff(conflict.current.body, data["body"]),
            }
            return render(request, "wiki/edit.html", context, status=409)
        except ValidationError as error:
            _refuse_on_form(form, error)
        else:
            if revision.number > data["base_number"] + 1:
                messages.success(
                    request, f"Saved as revision {revision.number}, merged with the changes others saved meanwhile."
                )
            else:
                messages.success(request, f"Saved as revision {revision.number}.")
            return redirect(services.page_url(wiki_page))
    return render(request, "wiki/edit.html", context | {"form": form})


@require_GET
def page_history(request: HttpRequest, slug: str, page: str) -> HttpResponse:
    member, wiki_page = _visible_page(request, slug, page)
    revisions = Paginator(selectors.page_history(wiki_page), HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "community": wiki_page.community,
        "wiki_page": wiki_page,
        "marking": policy.effective_marking(wiki_page),
        "page": revisions,
        "can_edit": can_edit_wiki_page(member, wiki_page),
    }
    policy.record_view(member, wiki_page, request)
    return render(request, "wiki/history.html", context)


@require_GET
def page_compare(request: HttpRequest, slug: str, page: str) -> HttpResponse:
    member, wiki_page = _visible_page(request, slug, page)
    form = CompareForm(request.GET)
    if not form.is_valid():
        _tell(request, form)
        return redirect("wiki:history", slug=slug, page=wiki_page.slug)
    old, new = _revision(wiki_page, form.cleaned_data["old"]), _revision(wiki_page, form.cleaned_data["new"])
    context = {
        "community": wiki_page.community,
        "wiki_page": wiki_page,
        "marking": policy.effective_marking(wiki_page),
        "old": old,
        "new": new,
        "hunks": text_diff(old.body, new.body),
        "can_edit": can_edit_wiki_page(member, wiki_page),
    }
    policy.record_view(member, wiki_page, request)
    return render(request, "wiki/compare.html", context)


@require_POST
def page_revert(request: HttpRequest, slug: str, page: str) -> HttpResponse:
    member, wiki_page = _visible_page(request, slug, page)
    form = RevertForm(request.POST)
    if not form.is_valid():
        _tell(request, form)
        return redirect("wiki:history", slug=slug, page=wiki_page.slug)
    revision = _revision(wiki_page, form.cleaned_data["revision"])
    try:
        new = services.page_revert(page=wiki_page, editor=member, revision=revision)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("wiki:history", slug=slug, page=wiki_page.slug)
    messages.success(request, f"Brought back revision {revision.number} as revision {new.number}.")
    return redirect(services.page_url(wiki_page))


@require_http_methods(["GET", "POST"])
def page_settings(request: HttpRequest, slug: str, page: str) -> HttpResponse:
    """Moderators: the page's marking, who may edit it, and where it sits in the tree."""
    member, wiki_page = _visible_page(request, slug, page)
    if not policy.can_moderate_item(member, wiki_page):
        raise PermissionDenied("Only moderators change a page's settings.")
    community = wiki_page.community
    form = PageSettingsForm(
        request.POST or None,
        initial={"marking": wiki_page.marking, "edit_policy": wiki_page.edit_policy, "parent": wiki_page.parent_id},
        parents=selectors.parent_choices(member, community, excluding=wiki_page),
        markings=selectors.markings_for_page(member, community),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.page_settings(page=wiki_page, actor=member, **form.cleaned_data)
        except ValidationError as error:
            _refuse_on_form(form, error)
        else:
            messages.success(request, "Page settings saved.")
            return redirect(services.page_url(wiki_page))
    context = {"community": community, "wiki_page": wiki_page, "marking": policy.effective_marking(wiki_page)}
    return render(request, "wiki/settings.html", context | {"form": form})


def _markdown_export(wiki_page: WikiPage, marking: Marking) -> str:
    """The page as Markdown; a marked page has its banner as the first and the last line."""
    text = f"# {wiki_page.title}\n\n{wiki_page.body.strip()}\n"
    if marking.is_unmarked:
        return text
    return f"{marking.banner_text}\n\n{text}\n{marking.banner_text}\n"


@require_GET
def page_export_markdown(request: HttpRequest, slug: str, page: str) -> HttpResponse:
    member, wiki_page = _visible_page(request, slug, page)
    marking = policy.effective_marking(wiki_page)
    response = HttpResponse(_markdown_export(wiki_page, marking), content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{wiki_page.slug}.md"'
    response["X-Content-Type-Options"] = "nosniff"
    policy.record_view(member, wiki_page, request, download=True)
    return response


@require_GET
def page_print(request: HttpRequest, slug: str, page: str) -> HttpResponse:
    """A print-friendly page with the marking at top and bottom; ``?format=pdf`` gives it as a PDF
    with the marking at the top and bottom of every page."""
    member, wiki_page = _visible_page(request, slug, page)
    context = {
        "community": wiki_page.community,
        "wiki_page": wiki_page,
        "marking": policy.effective_marking(wiki_page),
        "printed_at": timezone.now(),
    }
    policy.record_view(member, wiki_page, request, download=True)
    if request.GET.get("format") == "pdf":
        pdf = render_page_pdf({**context, "user": member})
        if pdf is None:
            return HttpResponse("PDF export is not available on this server.", status=503, content_type="text/plain")
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{wiki_page.slug}.pdf"'
        response["X-Content-Type-Options"] = "nosniff"
        return response
    return render(request, "wiki/print.html", context)
