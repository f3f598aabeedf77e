"""The wiki's answers to what lower layers announce."""

from collections.abc import Sequence
from typing import Any

from communities.models import Community
from communities.signals import StarterPage
from verification.models import Member
from wiki.services import page_create


def create_starter_pages(
    sender: Any, community: Community, owner: Member, pages: Sequence[StarterPage] = (), **kwargs: Any
) -> None:
    """A community set up from a template starts with its wiki pages, written by its owner under the
    community's marking (in the sender's transaction)."""
    for page in pages:
        page_create(
            author=owner,
            community=community,
            title=page.title,
            body=page.body,
            marking=community.marking,
            comment="Started from the template",
        )
