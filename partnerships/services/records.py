"""What the records of steps 5 and 6 share: each is community content of the partnership's community, marked
no lower than the partnership, written by a participant, and in the community's feed."""

from typing import TypeVar

from communities.models import ActivityEvent, CommunityContent
from communities.services import activity_record
from partnerships.access import check_contribute_permission, check_record_marking
from partnerships.models import Partnership
from verification import policy
from verification.models import Marking, Member

RecordT = TypeVar("RecordT", bound=CommunityContent)


def check_new_record(author: Member, partnership: Partnership, marking: Marking) -> None:
    check_contribute_permission(author, partnership)
    check_record_marking(author, partnership, marking)


def announce(record: CommunityContent, author: Member) -> None:
    activity_record(community=record.community, actor=author, verb=ActivityEvent.Verb.ADDED, target=record)


def check_edit_record(member: Member, partnership: Partnership, record: CommunityContent) -> None:
    """Participants who may see a record change it (the partnership works together)."""
    check_contribute_permission(member, partnership)
    if not policy.can_view(member, record):
        raise policy.deny(member, "change", record, None)
