"""Wiki pages as PDF (``muster.pdf``), with the marking on every printed page."""

from typing import Any

from muster.pdf import render_pdf


def render_page_pdf(context: dict[str, Any]) -> bytes | None:
    """The PDF, or ``None`` where WeasyPrint's system libraries (Pango) are missing."""
    return render_pdf("wiki/print_pdf.html", context)
