"""Library work done after the request: reading the text inside an uploaded version."""

from django.core.files.storage import default_storage
from django.utils import timezone

from library.extract import extract_text
from library.models import Document, DocumentVersion
from muster.celery_app import app
from verification.registry import content_changed


@app.task
def extract_version_text(version_id: int) -> None:
    """Read the version's text once (a retried or repeated task finds it read and does nothing)."""
    version = DocumentVersion.objects.filter(pk=version_id, text_extracted_at=None).first()
    if version is None:
        return
    with default_storage.open(version.file.name, "rb") as file:
        text = extract_text(file, version.content_type)
    read = DocumentVersion.objects.filter(pk=version.pk, text_extracted_at=None).update(
        text=text, text_extracted_at=timezone.now()
    )
    if read:
        content_changed.send(sender=Document, pks=[version.document_id])
