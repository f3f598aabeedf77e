"""Pages as PDF, through WeasyPrint, with the marking on every printed page (the template's ``@page`` rules)."""

import logging
from typing import Any

from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """Nothing is fetched while rendering: the PDF holds only what the page itself carries."""
    raise ValueError(f"PDF rendering fetches nothing ({url})")


def render_pdf(template_name: str, context: dict[str, Any]) -> bytes | None:
    """The template rendered as a PDF, or ``None`` where WeasyPrint's system libraries (Pango) are missing."""
    try:
        from weasyprint import HTML  # type: ignore[import-untyped]
    except OSError:
        logger.warning("WeasyPrint cannot load its system libraries (Pango); PDF export is off.")
        return None
    html = render_to_string(template_name, context)
    return bytes(HTML(string=html, url_fetcher=_refuse_fetch).write_pdf())
