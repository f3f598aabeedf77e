"""Every change to a member's saved items."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Model

from saved.models import SavedItem
from verification import policy
from verification.models import Member


def item_save(*, member: Member, item: Model, url: str, note: str = "") -> SavedItem:
    """Keep a personal bookmark of an item the member can see."""
    policy.check_view_permission(member, item)
    saved, _ = SavedItem.objects.get_or_create(
        member=member,
        item_type=ContentType.objects.get_for_model(item),
        item_id=item.pk,
        defaults={"label": str(item)[:300], "url": url, "note": note[:500]},
    )
    return saved


def item_unsave(*, member: Member, saved: SavedItem) -> None:
    if saved.member_id != member.pk:
        raise PermissionDenied("That is someone else's saved item.")
    saved.delete()
