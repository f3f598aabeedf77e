"""The access policy: the one place that decides who may see and do what.

A member may see a content item only when all hold (DESIGN.md, "Access"):

1. signed in, active, verified (approved, not expired, not suspended), has
   accepted the current Rules of Behavior, and has MFA when they are staff, a
   verifier, or cleared for any marking;
2. may view its community: open communities admit every verified member,
   restricted and private ones only their members (a guardian object
   permission on the community, held through the community's role groups);
3. is authorised for its marking (and the community's marking);
4. no per-item restriction leaves them out (guardian object permissions on the
   item, to the member or to one of their groups);
5. it is published (drafts and scheduled items are their author's alone);
6. it is not removed, unless they moderate its community.

Content types are learnt from the content registry (``verification.registry``),
never by name. ``filter_*`` functions narrow a queryset in SQL (a constant
number of queries, whatever the rows); ``can_*`` answer for one object;
``check_*`` raise ``PermissionDenied`` and write the denial to the audit log.
Guardian is used here and nowhere else. One module per concern:

- ``standing``: who the member is (vetting, rules, MFA, clearances, communities);
- ``communities``: knowing, seeing, joining, moderating communities;
- ``content``: items of every registered type, and references to them;
- ``members``: the rule read from the other side (who may see an item);
- ``live``: item scopes that sockets check in memory;
- ``audit``: denials, views of marked items, markings;
- ``grants``: guardian writes.
"""

from verification.policy.audit import (
    can_read_audit_log,
    check_read_audit_log_permission,
    check_review_permission,
    deny,
    effective_marking,
    highest_marking,
    record_search,
    record_view,
    record_views,
)
from verification.policy.communities import (
    can_invite,
    can_know_community,
    can_manage_community,
    can_moderate,
    can_post,
    can_view_community_content,
    check_moderate_permission,
    check_post_permission,
    content_communities_q,
    filter_content_communities,
    filter_known_communities,
    filter_member_communities,
    is_cleared_for,
    is_community_member,
)
from verification.policy.content import (
    can_download,
    can_edit,
    can_moderate_item,
    can_view,
    check_download_permission,
    check_edit_permission,
    check_view_permission,
    community_of,
    filter_listed,
    filter_visible,
    filter_visible_references,
    is_removed,
    listed_references_q,
    resolve_reference,
    visible_references_q,
)
from verification.policy.grants import (
    COMMUNITY_ROLE_PERMISSIONS,
    grant_community_role_permissions,
    grant_item_access,
    revoke_all_item_access,
    revoke_item_access,
)
from verification.policy.keys import access_keys, filter_visible_by_keys, key_fields, visible_by_keys_q
from verification.policy.live import ItemScope, item_scope, scope_refusal
from verification.policy.members import (
    can_view_member,
    filter_members_who_may_view,
    filter_visible_members,
    members_cleared_for,
    members_cleared_to_see_content,
    members_in_role_groups,
    readers_of,
    verified_now,
)
from verification.policy.public import filter_public, filter_readable, is_public, reads_public_tier
from verification.policy.standing import (
    ACCESS_CACHE_ATTRIBUTE,
    BARRIER_REASONS,
    AnyUser,
    Barrier,
    MemberAccess,
    forget_member_access,
    limit_member_access,
    member_access,
    member_accesses,
)

__all__ = [
    "ACCESS_CACHE_ATTRIBUTE",
    "BARRIER_REASONS",
    "COMMUNITY_ROLE_PERMISSIONS",
    "AnyUser",
    "Barrier",
    "ItemScope",
    "MemberAccess",
    "access_keys",
    "can_download",
    "can_edit",
    "can_invite",
    "can_know_community",
    "can_manage_community",
    "can_moderate",
    "can_moderate_item",
    "can_post",
    "can_read_audit_log",
    "can_view",
    "can_view_community_content",
    "can_view_member",
    "check_download_permission",
    "check_edit_permission",
    "check_moderate_permission",
    "check_post_permission",
    "check_read_audit_log_permission",
    "check_review_permission",
    "check_view_permission",
    "community_of",
    "content_communities_q",
    "deny",
    "effective_marking",
    "filter_content_communities",
    "filter_known_communities",
    "filter_listed",
    "filter_member_communities",
    "filter_members_who_may_view",
    "filter_public",
    "filter_readable",
    "filter_visible",
    "filter_visible_by_keys",
    "filter_visible_members",
    "filter_visible_references",
    "forget_member_access",
    "grant_community_role_permissions",
    "grant_item_access",
    "highest_marking",
    "is_cleared_for",
    "is_community_member",
    "is_public",
    "is_removed",
    "item_scope",
    "key_fields",
    "limit_member_access",
    "listed_references_q",
    "member_access",
    "member_accesses",
    "members_cleared_for",
    "members_cleared_to_see_content",
    "members_in_role_groups",
    "readers_of",
    "reads_public_tier",
    "record_search",
    "record_view",
    "record_views",
    "resolve_reference",
    "revoke_all_item_access",
    "revoke_item_access",
    "scope_refusal",
    "verified_now",
    "visible_by_keys_q",
    "visible_references_q",
]
