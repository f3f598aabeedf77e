"""Communities' answers to what lower layers announce."""

from typing import Any

from communities.services import invitations_accept_for_newly_verified
from verification.models import Member


def accept_invitations_of_verified_member(sender: Any, member: Member, **kwargs: Any) -> None:
    """People invited to a community by address land in it once they are verified."""
    invitations_accept_for_newly_verified(member=member)
