"""What communities announce to the layers above them, which connect in their ``AppConfig.ready()``.

``community_created`` is sent inside the creating transaction (``community``):
a receiver's writes (chat's default room) commit or roll back with it.

``starter_content_requested`` is sent by a feature that sets a community up from a template (a Blueprint
pilot), inside its transaction, so the features that own the content make it without being imported:
``community``, ``owner`` (the member the content is written by), ``pages`` (``StarterPage`` rows: the wiki
makes them, in order, under the community's marking) and ``board_name`` (discussions opens a board by that
name; blank for none). A receiver that refuses (``ValidationError``) rolls the whole set-up back.

``content_removed`` and ``content_restored`` are sent by the shared remove and restore
(``communities.services.content_remove``, ``content_restore``) inside their transaction, with ``sender`` the
item's model, ``item`` and ``actor``: a feature that keeps its own history of an item (a partnership
resource's changes) writes it there.
"""

from typing import NamedTuple

from django.dispatch import Signal

community_created = Signal()
starter_content_requested = Signal()
content_removed = Signal()
content_restored = Signal()


class StarterPage(NamedTuple):
    title: str
    body: str  # Markdown
