"""Reads of documents, versions and links, already narrowed by the access policy.

Every list starts from ``policy.filter_visible`` and runs a fixed number of
queries however many rows it shows: markings and authors are joined, the
latest version's facts are subqueries, tags are prefetched.
"""

from collections.abc import Iterable
from functools import reduce
from operator import or_

from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone
from taggit.models import Tag

from communities.models import Community
from library.models import Bookmark, Document, DocumentVersion
from verification import policy
from verification.models import Marking, Member

LIBRARY_TAG_LIMIT = 30
ACCESS_LIST_LIMIT = 100

# What a member calls each allowed type (library.uploads.ALLOWED_TYPES).
TYPE_NAMES: dict[str, str] = {
    "application/pdf": "PDF",
    "application/msword": "Word document",
    "application/vnd.ms-excel": "Excel spreadsheet",
    "application/vnd.ms-powerpoint": "PowerPoint presentation",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel spreadsheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PowerPoint presentation",
    "application/vnd.oasis.opendocument.text": "OpenDocument text",
    "application/vnd.oasis.opendocument.spreadsheet": "OpenDocument spreadsheet",
    "application/vnd.oasis.opendocument.presentation": "OpenDocument presentation",
    "image/png": "PNG image",
    "image/jpeg": "JPEG image",
    "image/gif": "GIF image",
    "image/webp": "WebP image",
    "text/plain": "Plain text",
    "text/csv": "CSV table",
}


def type_name(field: str) -> Case:
    """The member's name for the content type held in ``field`` (the type itself when not listed)."""
    return Case(
        *(When(**{field: content_type}, then=Value(name)) for content_type, name in TYPE_NAMES.items()),
        default=F(field),
        output_field=CharField(),
    )


def markings_for_sharing(member: Member, community: Community) -> QuerySet[Marking]:
    """The markings the member may give a document or link here: those they are cleared for, never below
    the community's own (so a page's banner is never lower than the community's)."""
    cleared = policy.member_access(member).visible_marking_ids
    return Marking.objects.filter(pk__in=cleared, rank__gte=community.marking.rank).order_by("rank", "slug")


# --- Documents ---------------------------------------------------------------------


def _visible_documents(member: Member, community: Community) -> QuerySet[Document]:
    published = Document.objects.filter(community=community, published_at__lte=timezone.now())
    return policy.filter_visible(member, published)


def library_documents(member: Member, community: Community, *, tag: str = "") -> QuerySet[Document]:
    """The community's documents the member may see, newest first, with the latest version's facts
    (``latest_number``, ``latest_size``, ``latest_type_name``) and ``version_count``."""
    documents = _visible_documents(member, community)
    if tag:
        documents = documents.filter(tags__slug=tag)
    latest = DocumentVersion.objects.filter(document=OuterRef("pk")).order_by("-number")
    counted = (
        DocumentVersion.objects.filter(document=OuterRef("pk"))
        .order_by()
        .values("document")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return (
        documents.select_related("marking", "author")
        .prefetch_related("tags")  # type: ignore[misc]  # taggit managers prefetch; the stubs cannot tell
        .annotate(
            latest_number=Subquery(latest.values("number")[:1]),
            latest_size=Subquery(latest.values("size")[:1]),
            latest_type_name=Subquery(latest.annotate(type_name=type_name("content_type")).values("type_name")[:1]),
            version_count=Subquery(counted, output_field=IntegerField()),
        )
        .order_by("-created_at", "-pk")
    )


def library_tags(member: Member, community: Community) -> QuerySet[Tag]:
    """The tags most used by the community's documents the member may see, to filter the library by."""
    tags: QuerySet[Tag] = (
        Tag.objects.filter(
            taggit_taggeditem_items__content_type=ContentType.objects.get_for_model(Document),
            taggit_taggeditem_items__object_id__in=_visible_documents(member, community).values("pk"),
        )
        .annotate(uses=Count("taggit_taggeditem_items"))
        .order_by("-uses", "name")[:LIBRARY_TAG_LIMIT]
    )
    return tags


def document_at(community: Community, pk: int) -> Document:
    """The document at this address, whoever asks: only for a policy check that audits a refusal
    (``check_view_permission``, ``check_download_permission``) before anything is shown."""
    return Document.objects.select_related("marking", "author", "community__marking").get(community=community, pk=pk)


def document_versions(document: Document) -> QuerySet[DocumentVersion]:
    """A visible document's versions, newest first, with who uploaded each."""
    return (
        document.versions.select_related("uploaded_by")
        .annotate(type_name=type_name("content_type"))
        .order_by("-number")
    )


def version_of(document: Document, number: int) -> DocumentVersion:
    """One version of a visible document; ``DocumentVersion.DoesNotExist`` otherwise."""
    return document.versions.get(number=number)


# --- Who may see a limited document -----------------------------------------------------


def access_member_choices(member: Member, community: Community) -> QuerySet[Member]:
    """The community's members the reader may see, to name on a document's limit."""
    members = Member.objects.filter(memberships__community=community).distinct()
    return policy.filter_visible_members(member, members).order_by("last_name", "first_name", "pk")


def members_with_emails(member: Member, emails: Iterable[str]) -> QuerySet[Member]:
    """Members the reader may see whose e-mail is one of ``emails`` (in any letter case)."""
    wanted = [Q(email__iexact=email) for email in emails]
    if not wanted:
        return Member.objects.none()
    return policy.filter_visible_members(member, Member.objects.filter(reduce(or_, wanted)))


def access_group_choices(community: Community) -> QuerySet[Group]:
    """The groups a document can be limited to: the community's members, moderators and owners."""
    role_groups = (community.member_group_id, community.moderator_group_id, community.owner_group_id)
    return Group.objects.filter(pk__in=role_groups).order_by("pk")


def members_who_may_view(member: Member, document: Document) -> QuerySet[Member]:
    """Who may see a document now (its limit, the community rule and markings together), as far as the
    reader may see members; at most ``ACCESS_LIST_LIMIT`` of them."""
    readers = policy.filter_members_who_may_view(document, Member.objects.all())
    visible = policy.filter_visible_members(member, Member.objects.filter(pk__in=readers.values("pk")))
    return visible.order_by("last_name", "first_name", "pk")[:ACCESS_LIST_LIMIT]


# --- Links ---------------------------------------------------------------------------


def _visible_bookmarks(member: Member, community: Community) -> QuerySet[Bookmark]:
    published = Bookmark.objects.filter(community=community, published_at__lte=timezone.now())
    return policy.filter_visible(member, published)


def community_bookmarks(member: Member, community: Community) -> QuerySet[Bookmark]:
    """The links shared in the community that the member may see, newest first."""
    return (
        _visible_bookmarks(member, community)
        .select_related("marking", "author", "deleted_by")
        .prefetch_related("tags")  # type: ignore[misc]  # taggit managers prefetch; the stubs cannot tell
        .order_by("-created_at", "-pk")
    )


def bookmark_page_number(member: Member, bookmark: Bookmark, page_size: int) -> int:
    """Which page of the community's links (newest first) shows ``bookmark``."""
    newer = Q(created_at__gt=bookmark.created_at) | Q(created_at=bookmark.created_at, pk__gt=bookmark.pk)
    before = _visible_bookmarks(member, bookmark.community).filter(newer).count()
    return before // page_size + 1
