"""Every change to documents, versions and bookmarks.

Uploads are checked by content, scanned when ClamAV is configured, and written
so that a failure at any point leaves neither a record nor a stray file.
"""

import uuid
from collections.abc import Iterable
from functools import partial
from urllib.parse import urlsplit, urlunsplit

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Max, OuterRef, Subquery
from django.urls import reverse

from communities.models import ActivityEvent, Community
from communities.services import activity_record
from library import scanning, tasks
from library.models import Bookmark, Document, DocumentVersion, QuarantinedUpload
from library.uploads import check_upload
from verification import policy
from verification.audit import audit_record
from verification.models import AuditEvent, Marking, Member


def document_url(document: Document) -> str:
    return reverse("library:document", kwargs={"slug": document.community.slug, "pk": document.pk})


def bookmark_url(bookmark: Bookmark) -> str:
    return reverse("library:bookmarks", kwargs={"slug": bookmark.community.slug}) + f"#bookmark-{bookmark.pk}"


def latest_file_text() -> dict[str, Subquery]:
    """What search reads of a document's file: the text of its newest version."""
    newest = DocumentVersion.objects.filter(document=OuterRef("pk")).order_by("-number").values("text")[:1]
    return {"file_text": Subquery(newest)}


def _store_checked(upload: UploadedFile, *, community: Community, uploader: Member) -> tuple[str, dict[str, object]]:
    """Check and scan the upload, then write it under a random name. Infected files go to quarantine."""
    checked = check_upload(upload)
    result = scanning.scan(upload)
    if result.infected:
        stored = default_storage.save(f"quarantine/{uuid.uuid4().hex}", upload)
        QuarantinedUpload.objects.create(
            community=community,
            uploaded_by=uploader,
            original_name=checked.name,
            stored_name=stored,
            sha256=checked.sha256,
            detail=result.detail,
        )
        audit_record(AuditEvent.Action.UPLOAD_QUARANTINED, actor=uploader, target=community, detail=result.detail)
        raise ValidationError(
            {"file": f"The virus scanner found {result.detail} in this file. It has been quarantined, not shared."}
        )
    stored = default_storage.save(f"documents/{uuid.uuid4().hex}", upload)
    fields: dict[str, object] = {
        "file": stored,
        "original_name": checked.name,
        "content_type": checked.content_type,
        "size": checked.size,
        "sha256": checked.sha256,
        "scan_status": DocumentVersion.ScanStatus.CLEAN if result.scanned else DocumentVersion.ScanStatus.NOT_SCANNED,
    }
    return stored, fields


def document_upload(
    *,
    author: Member,
    community: Community,
    title: str,
    file: UploadedFile,
    marking: Marking,
    description: str = "",
    tags: Iterable[str] = (),
) -> Document:
    if not title.strip():
        raise ValidationError({"title": "Give the document a title."})
    policy.check_post_permission(author, community, marking)
    stored, fields = _store_checked(file, community=community, uploader=author)
    try:
        with transaction.atomic():
            document = Document.objects.create(
                community=community, author=author, marking=marking, title=title.strip(), description=description
            )
            document.tags.set(list(tags))
            version = DocumentVersion.objects.create(document=document, number=1, uploaded_by=author, **fields)
            transaction.on_commit(partial(tasks.extract_version_text.delay, version.pk))
            activity_record(
                community=community,
                actor=author,
                verb=ActivityEvent.Verb.ADDED,
                target=document,
            )
    except BaseException:
        default_storage.delete(stored)
        raise
    return document


def document_add_version(
    *, document: Document, author: Member, file: UploadedFile, comment: str = ""
) -> DocumentVersion:
    """A new version keeps the old ones. The author and the community's moderators add versions."""
    if not (policy.can_edit(author, document)):
        raise PermissionDenied("Only the document's author or a moderator adds versions.")
    stored, fields = _store_checked(file, community=document.community, uploader=author)
    try:
        with transaction.atomic():
            locked = Document.objects.select_for_update().get(pk=document.pk)
            number = (locked.versions.aggregate(highest=Max("number"))["highest"] or 0) + 1
            version = DocumentVersion.objects.create(
                document=locked, number=number, uploaded_by=author, comment=comment[:300], **fields
            )
            Document.objects.filter(pk=locked.pk).update(updated_at=version.created_at)
            transaction.on_commit(partial(tasks.extract_version_text.delay, version.pk))
            activity_record(
                community=locked.community,
                actor=author,
                verb=ActivityEvent.Verb.EDITED,
                target=locked,
            )
    except BaseException:
        default_storage.delete(stored)
        raise
    return version


@transaction.atomic
def document_restrict(
    *, document: Document, actor: Member, members: Iterable[Member] = (), groups: Iterable[Group] = ()
) -> Document:
    """Limit the document to exactly these members and groups, on top of the community rule.

    The list replaces any earlier one; the author always keeps access."""
    if not policy.can_edit(actor, document):
        raise PermissionDenied("Only the document's author or a moderator limits who sees it.")
    members, groups = list(members), list(groups)
    if not members and not groups:
        raise ValidationError("Name at least one member or group, or lift the limit instead.")
    document.is_restricted = True
    document.save(update_fields=["is_restricted", "updated_at"])
    policy.revoke_all_item_access(document)
    if document.author_id is not None:
        policy.grant_item_access(document, Member.objects.get(pk=document.author_id))
    for member in members:
        policy.grant_item_access(document, member)
    for group in groups:
        policy.grant_item_access(document, group)
    return document


@transaction.atomic
def document_unrestrict(*, document: Document, actor: Member) -> Document:
    if not policy.can_edit(actor, document):
        raise PermissionDenied("Only the document's author or a moderator changes who sees it.")
    document.is_restricted = False
    document.save(update_fields=["is_restricted", "updated_at"])
    return document


# --- Bookmarks ------------------------------------------------------------------


def normalize_url(url: str) -> str:
    """The same address written two ways is one bookmark: lower-case scheme and host, no fragment."""
    parts = urlsplit(url.strip())
    path = parts.path or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))


@transaction.atomic
def bookmark_share(
    *,
    author: Member,
    community: Community,
    url: str,
    title: str,
    marking: Marking,
    description: str = "",
    tags: Iterable[str] = (),
) -> tuple[Bookmark, bool]:
    """Share a link with the community. Returns the bookmark and whether it is new: a link
    already shared there is not shared twice (the member is sent to the existing one)."""
    errors = {}
    try:
        URLValidator(schemes=["http", "https"])(url.strip())
    except ValidationError:
        errors["url"] = "Enter a full web address starting with http:// or https://."
    if len(url) > 2000:
        errors["url"] = "Keep the address under 2,000 characters."
    if not title.strip():
        errors["title"] = "Give the link a title."
    if errors:
        raise ValidationError(errors)
    policy.check_post_permission(author, community, marking)
    normalized = normalize_url(url)
    existing = Bookmark.objects.filter(community=community, normalized_url=normalized).first()
    if existing is not None:
        return existing, False
    bookmark = Bookmark.objects.create(
        community=community,
        author=author,
        marking=marking,
        url=url.strip(),
        normalized_url=normalized,
        title=title.strip(),
        description=description,
    )
    bookmark.tags.set(list(tags))
    activity_record(
        community=community,
        actor=author,
        verb=ActivityEvent.Verb.SHARED,
        target=bookmark,
    )
    return bookmark, True
