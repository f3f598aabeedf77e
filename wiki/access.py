"""Who may edit a wiki page: the wiki's own rule, on top of the access rule every content type shares."""

from verification import policy
from wiki.models import WikiPage


def can_edit_wiki_page(user: policy.AnyUser | None, page: WikiPage) -> bool:
    """Members of the community edit its wiki pages, unless a page is for moderators only."""
    if not policy.can_view(user, page) or not policy.is_community_member(user, page.community):
        return False
    if page.deleted_at is not None:
        return False  # restored by a moderator first
    return page.edit_policy == page.EditPolicy.MEMBERS or policy.can_moderate(user, page.community)
