"""What an upload really is, judged by its content, not its name."""

import hashlib
from dataclasses import dataclass

import filetype  # type: ignore[import-untyped]
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

# What may be uploaded, by the type its content shows, with the endings that type may carry.
ALLOWED_TYPES: dict[str, tuple[str, ...]] = {
    "application/pdf": (".pdf",),
    "application/msword": (".doc", ".dot"),
    "application/vnd.ms-excel": (".xls",),
    "application/vnd.ms-powerpoint": (".ppt",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (".xlsx",),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": (".pptx",),
    "application/vnd.oasis.opendocument.text": (".odt",),
    "application/vnd.oasis.opendocument.spreadsheet": (".ods",),
    "application/vnd.oasis.opendocument.presentation": (".odp",),
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/gif": (".gif",),
    "image/webp": (".webp",),
    "text/plain": (".txt", ".md", ".log"),
    "text/csv": (".csv",),
}
SNIFF_BYTES = 64 * 1024


@dataclass(frozen=True)
class CheckedUpload:
    name: str
    content_type: str
    size: int
    sha256: str


# What a form sends besides its file (title, description, marking, tags, token).
FORM_ALLOWANCE = 1024 * 1024


def _extension(name: str) -> str:
    return "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _text_type(head: bytes, extension: str) -> str | None:
    """Plain text or CSV: UTF-8 with no NUL bytes (a cut multi-byte character at the end is fine)."""
    if b"\x00" in head:
        return None
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(head) - 4:
            return None
    return "text/csv" if extension == ".csv" else "text/plain"


def check_upload(upload: UploadedFile) -> CheckedUpload:
    """Refuse, with a message for the member, anything that is not an allowed document."""
    name = upload.name or ""
    if not name or "/" in name or "\\" in name or name.startswith(".") or ".." in name:
        raise ValidationError({"file": "The file name must be a plain name, without folders or a path."})
    if len(name) > 255:
        raise ValidationError({"file": "The file name is too long (255 characters at most)."})
    size = upload.size or 0
    if size == 0:
        raise ValidationError({"file": "The file is empty."})
    if size > settings.MUSTER_UPLOAD_MAX_BYTES:
        limit = settings.MUSTER_UPLOAD_MAX_BYTES // (1024 * 1024)
        raise ValidationError({"file": f"The file is larger than the {limit} MB limit."})
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    extension = _extension(name)
    kind = filetype.guess(head)
    content_type = kind.mime if kind is not None else _text_type(head, extension)
    if content_type not in ALLOWED_TYPES:
        shown = f" ({content_type})" if content_type else ""
        raise ValidationError(
            {"file": f"This file's content is not an allowed type{shown}. Upload a PDF, an Office document, "
             "an image, plain text or CSV."}
        )  # fmt: skip
    if extension not in ALLOWED_TYPES[content_type]:
        raise ValidationError(
            {"file": f"The file's name says {extension or 'no type'} but its content is {content_type}. "
             "Rename it to match what it is."}
        )  # fmt: skip
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(name=name, content_type=content_type, size=size, sha256=digest.hexdigest())


def upload_body_limit() -> int:
    """The largest body an upload page accepts: the file and its form's fields."""
    return int(settings.MUSTER_UPLOAD_MAX_BYTES) + FORM_ALLOWANCE
