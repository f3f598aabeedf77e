"""The words inside a document version, read once after it is uploaded, for search to find.

PDF (pypdf), Word (python-docx), plain text and Markdown. A document that
cannot be read (damaged, encrypted, hostile) gives no text and never fails
its upload; what is read is bounded (pages and characters), so a crafted file
costs the worker little.
"""

import logging
import re
from typing import IO

from docx import Document as WordDocument
from pypdf import PdfReader

logger = logging.getLogger(__name__)

TEXT_LIMIT = 500_000  # characters kept per version
PDF_PAGE_LIMIT = 300
WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def _pdf(file: IO[bytes]) -> str:
    reader = PdfReader(file)
    if reader.is_encrypted:
        return ""
    return "\n".join(page.extract_text() or "" for page in reader.pages[:PDF_PAGE_LIMIT])


def _word(file: IO[bytes]) -> str:
    document = WordDocument(file)
    paragraphs = [paragraph.text for paragraph in document.paragraphs]
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([*paragraphs, *cells])


def _plain(file: IO[bytes]) -> str:
    return file.read(TEXT_LIMIT * 4).decode("utf-8", "replace")


READERS = {"application/pdf": _pdf, WORD: _word, "text/plain": _plain, "text/csv": _plain}


def extract_text(file: IO[bytes], content_type: str) -> str:
    """The version's text, whitespace tidied and cut to ``TEXT_LIMIT``; "" for types with no reader."""
    reader = READERS.get(content_type)
    if reader is None:
        return ""
    try:
        text = reader(file)
    except Exception:
        logger.warning("Could not read the text of a %s upload.", content_type, exc_info=True)
        return ""
    text = _BLANK_LINES.sub("\n\n", _SPACES.sub(" ", text.replace("\x00", "")))
    return text.strip()[:TEXT_LIMIT]
