"""The site's name and address, read from settings: what every e-mail greets with and what every link in it
starts with (``MUSTER_SITE_URL``). ``django.contrib.sites``' row is not read for either: it says example.com
until someone edits it, and would go stale whenever ``MUSTER_SITE_URL`` changes."""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

SITE_NAME = "Muster"


@dataclass(frozen=True)
class SiteIdentity:
    """Shaped like ``django.contrib.sites``' ``Site`` (``name``, ``domain``), for templates that expect one."""

    name: str
    domain: str

    def __str__(self) -> str:
        return self.domain


def site_url() -> str:
    """``MUSTER_SITE_URL`` without a trailing slash: templates write ``{{ site_url }}/path``."""
    return str(settings.SITE_URL).rstrip("/")


def site_identity() -> SiteIdentity:
    return SiteIdentity(name=SITE_NAME, domain=urlsplit(site_url()).netloc)


def on_site(url: str) -> str:
    """The same path, query and fragment at ``MUSTER_SITE_URL``: for a link built from whatever host a
    request arrived on (allauth builds its links from the request)."""
    parts = urlsplit(url)
    query = f"?{parts.query}" if parts.query else ""
    fragment = f"#{parts.fragment}" if parts.fragment else ""
    return f"{site_url()}{parts.path or '/'}{query}{fragment}"
