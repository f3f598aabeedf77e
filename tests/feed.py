"""Feed events about real items: the feed reads an item's title through the content registry."""

from communities.models import ActivityEvent, Community
from communities.services import activity_record
from library.models import Document
from verification.models import Marking, Member


def document_posted(
    community: Community, author: Member | None, title: str, marking: str = "unmarked"
) -> ActivityEvent:
    """A document titled ``title`` and its "posted" event in the community's feed."""
    document = Document.objects.create(
        community=community, author=author, marking=Marking.objects.get(slug=marking), title=title
    )
    return activity_record(community=community, actor=author, verb=ActivityEvent.Verb.POSTED, target=document)
