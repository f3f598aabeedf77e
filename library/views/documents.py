"""A community's library: the document list, uploads, the document page, new versions, limits and downloads.

Views parse input, read through ``library.selectors`` (already narrowed by the
access policy) and call one service. A document the member may not see is
"not found", whatever the reason, and the refusal is audited.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods

from communities.models import Community
from communities.views.access import known_community
from library import selectors, services
from library.forms import DocumentAccessForm, DocumentUploadForm, VersionUploadForm
from library.models import Document, DocumentVersion
from library.uploads import upload_body_limit
from muster.forms import add_service_error
from muster.request_limits import accepts_body
from verification import policy
from verification.models import Member

PAGE_SIZE = 25


# --- Finding things ------------------------------------------------------------------


def readable_community(request: HttpRequest, slug: str) -> tuple[Member, Community]:
    """The member and a community whose library and links they may read: 404 when they may not know
    it exists, 403 when its content is for its members only."""
    member, community = known_community(request, slug)
    if not policy.can_view_community_content(member, community):
        raise PermissionDenied("The library and links of this community are for its members.")
    return member, community


def visible_document(request: HttpRequest, member: Member, community: Community, pk: int) -> Document:
    """The document when the member may see it; 404 otherwise (the refusal is written to the audit log)."""
    try:
        document = selectors.document_at(community, pk)
        policy.check_view_permission(member, document, request)
    except (Document.DoesNotExist, PermissionDenied):
        raise Http404("No such document.") from None
    return document


def denial_message(community: Community) -> str:
    return f"Only members of {community.name} who are cleared for this marking may add documents here."


# --- The library -----------------------------------------------------------------------


@require_GET
def library_index(request: HttpRequest, slug: str) -> HttpResponse:
    """The documents the member may see, newest first, paged by 25; ``?tag=`` narrows to one tag."""
    member, community = readable_community(request, slug)
    tag = slugify(request.GET.get("tag", ""))[:100]
    documents = selectors.library_documents(member, community, tag=tag)
    page = Paginator(documents, PAGE_SIZE).get_page(request.GET.get("page"))
    tags = list(selectors.library_tags(member, community))
    context = {
        "community": community,
        "page": page,
        "tags": tags,
        "tag": next((found for found in tags if found.slug == tag), None),
        "tag_slug": tag,
        "may_upload": policy.can_post(member, community, community.marking),
        "marking": policy.highest_marking([community.marking, *(document.marking for document in page.object_list)]),
    }
    return render(request, "library/index.html", context)


@accepts_body(upload_body_limit)
@require_http_methods(["GET", "POST"])
def document_upload(request: HttpRequest, slug: str) -> HttpResponse:
    member, community = readable_community(request, slug)
    markings = selectors.markings_for_sharing(member, community)
    form = DocumentUploadForm(request.POST or None, request.FILES or None, markings=markings)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            document = services.document_upload(
                author=member,
                community=community,
                title=data["title"],
                description=data["description"],
                tags=data["tags"],
                marking=data["marking"],
                file=data["file"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        except PermissionDenied:
            form.add_error(None, denial_message(community))
        else:
            messages.success(request, f"“{document.title}” is in the library.")
            return redirect(services.document_url(document))
    context = {
        "community": community,
        "form": form,
        "may_upload": policy.can_post(member, community, community.marking),
        "marking": community.marking,
    }
    return render(request, "library/upload.html", context)


# --- One document ------------------------------------------------------------------------


@require_GET
def document_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Its facts, versions and downloads; the view of a marked document is audited."""
    member, community = known_community(request, slug)
    document = visible_document(request, member, community, pk)
    can_edit = policy.can_edit(member, document)
    policy.record_view(member, document, request)
    context = {
        "community": community,
        "document": document,
        "tags": list(document.tags.all()),
        "versions": list(selectors.document_versions(document)),
        "can_edit": can_edit,
        "can_moderate": policy.can_moderate(member, community),
        "marking": policy.effective_marking(document),
    }
    return render(request, "library/document.html", context)


@accepts_body(upload_body_limit)
@require_http_methods(["GET", "POST"])
def version_upload(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The author and the community's moderators add a version; the old ones stay."""
    member, community = known_community(request, slug)
    document = visible_document(request, member, community, pk)
    policy.check_edit_permission(member, document, request)
    form = VersionUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.document_add_version(
                document=document, author=member, file=form.cleaned_data["file"], comment=form.cleaned_data["comment"]
            )
        except (ValidationError, PermissionDenied) as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"Version {version.number} added; the earlier versions are kept.")
            return redirect(services.document_url(document))
    policy.record_view(member, document, request)
    context = {
        "community": community,
        "document": document,
        "form": form,
        "marking": policy.effective_marking(document),
    }
    return render(request, "library/version_upload.html", context)


@require_http_methods(["GET", "POST"])
def document_access(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The author and moderators limit a document to named members and groups, or lift the limit."""
    member, community = known_community(request, slug)
    document = visible_document(request, member, community, pk)
    policy.check_edit_permission(member, document, request)
    if request.method == "POST" and request.POST.get("action") == "lift":
        services.document_unrestrict(document=document, actor=member)
        messages.success(request, "The limit is lifted: everyone who may see the community's documents sees it.")
        return redirect(services.document_url(document))
    form = DocumentAccessForm(
        request.POST if request.method == "POST" else None,
        community=community,
        members=selectors.access_member_choices(member, community),
        groups=selectors.access_group_choices(community),
        find_members=lambda emails: selectors.members_with_emails(member, emails),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.document_restrict(
                document=document,
                actor=member,
                members=form.cleaned_data["named_members"],
                groups=form.cleaned_data["groups"],
            )
        except (ValidationError, PermissionDenied) as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Access is limited to the members and groups you named (and the author).")
            return redirect("library:access", slug=community.slug, pk=document.pk)
    policy.record_view(member, document, request)
    context = {
        "community": community,
        "document": document,
        "form": form,
        "readers": list(selectors.members_who_may_view(member, document)) if document.is_restricted else [],
        "readers_limit": selectors.ACCESS_LIST_LIMIT,
        "marking": policy.effective_marking(document),
    }
    return render(request, "library/access.html", context)


@require_GET
def version_download(request: HttpRequest, slug: str, pk: int, number: int) -> FileResponse:
    """The file as an attachment under its original name, never rendered by the browser; the download
    of a marked document is audited. 404 for anyone who may not see the document."""
    member, community = known_community(request, slug)
    try:
        document = selectors.document_at(community, pk)
        policy.check_download_permission(member, document, request)
        version = selectors.version_of(document, number)
        stream = version.file.open("rb")
    except (Document.DoesNotExist, DocumentVersion.DoesNotExist, PermissionDenied, FileNotFoundError):
        raise Http404("No such file.") from None
    policy.record_view(member, document, request, download=True)
    response = FileResponse(
        stream, as_attachment=True, filename=version.original_name, content_type=version.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
