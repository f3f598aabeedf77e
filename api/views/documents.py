"""Documents of a community's library: one document's facts and versions, and a version's file.

Exactly the checks of the library's pages (``library.views.documents``): a document the member may not
see is "not found", whatever the reason, and the refusal is audited; viewing and downloading a marked
document are audited (with the token that did it). Only versions that passed the upload checks exist:
a file the virus scanner flagged is kept in quarantine and never becomes a version.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from api.serializers import CommunityRefSerializer, MarkingSerializer, MemberRefSerializer
from api.views.base import ApiView
from library import selectors
from library.models import Document, DocumentVersion
from library.services import document_url
from verification import policy
from verification.models import Member


class VersionSerializer(serializers.Serializer[DocumentVersion]):
    number = serializers.IntegerField()
    file_name = serializers.CharField(source="original_name")
    size = serializers.IntegerField(help_text="In bytes.")
    content_type = serializers.CharField()
    type_name = serializers.CharField(help_text="What a member calls the type (PDF, Word document …).")
    uploaded_at = serializers.DateTimeField(source="created_at")
    uploaded_by = MemberRefSerializer(allow_null=True)
    comment = serializers.CharField()
    sha256 = serializers.CharField()
    scan_status = serializers.CharField(help_text="clean, or not_scanned when no virus scanner is configured.")
    download_url = serializers.SerializerMethodField()

    def get_download_url(self, version: DocumentVersion) -> str:
        path = reverse("api:document_download", kwargs={"pk": version.document_id, "number": version.number})
        return str(self.context["request"].build_absolute_uri(path))


class DocumentSerializer(serializers.Serializer[Document]):
    id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField()
    community = CommunityRefSerializer()
    marking = serializers.SerializerMethodField(help_text="The marking that governs it (its own or higher).")
    author = MemberRefSerializer(allow_null=True)
    tags = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    url = serializers.SerializerMethodField(help_text="Its page on the site.")
    versions = serializers.SerializerMethodField(help_text="Newest first.")

    @extend_schema_field(MarkingSerializer)
    def get_marking(self, document: Document) -> dict[str, Any]:
        return dict(MarkingSerializer(policy.effective_marking(document)).data)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_tags(self, document: Document) -> list[str]:
        return sorted(tag.name for tag in document.tags.all())

    def get_url(self, document: Document) -> str:
        return str(self.context["request"].build_absolute_uri(document_url(document)))

    @extend_schema_field(VersionSerializer(many=True))
    def get_versions(self, document: Document) -> Any:
        return VersionSerializer(selectors.document_versions(document), many=True, context=self.context).data  # type: ignore[arg-type]


def document_for(member: Member, pk: int, request: Request, *, download: bool = False) -> Document:
    """The document when the member may see (or download) it; 404 otherwise, the refusal audited."""
    try:
        found = Document.objects.select_related("community").get(pk=pk)
        document = selectors.document_at(found.community, pk)
        if download:
            policy.check_download_permission(member, document, request)
        else:
            policy.check_view_permission(member, document, request)
    except (Document.DoesNotExist, PermissionDenied):
        raise NotFound("No such document.") from None
    return document


class AnyAccept(BaseContentNegotiation):
    """A download answers with the file whatever the client accepts; refusals are JSON."""

    def select_parser(self, request: Request, parsers: Iterable[BaseParser]) -> BaseParser | None:
        return next(iter(parsers), None)

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, str(renderer.media_type)


class DocumentDetailView(ApiView):
    @extend_schema(responses=DocumentSerializer, summary="Read a document's facts", tags=["documents"])
    def get(self, request: Request, pk: int) -> Response:
        """A document's title, description, marking and versions, each with its download address.

        The view of a marked document is written to the audit log.
        """
        document = document_for(self.member, pk, request)
        policy.record_view(self.member, document, request)
        return Response(DocumentSerializer(document, context={"request": request}).data)


class DocumentDownloadView(ApiView):
    content_negotiation_class = AnyAccept

    @extend_schema(
        responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="The file.")},
        summary="Download a version's file",
        tags=["documents"],
    )
    def get(self, request: Request, pk: int, number: int) -> FileResponse:
        """The version's file as an attachment under its original name and type, exactly as the site's
        download serves it. The download of a marked document is written to the audit log, with the token."""
        document = document_for(self.member, pk, request, download=True)
        try:
            version = selectors.version_of(document, number)
            stream = version.file.open("rb")
        except (DocumentVersion.DoesNotExist, FileNotFoundError):
            raise NotFound("No such file.") from None
        try:
            policy.record_view(self.member, document, request, download=True)
        except PermissionDenied:
            stream.close()
            raise
        response = FileResponse(
            stream, as_attachment=True, filename=version.original_name, content_type=version.content_type
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response
