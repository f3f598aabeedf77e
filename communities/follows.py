"""Members follow communities: every event in one (watching) or its new items (the default on joining)."""

from collections.abc import Collection

from django.db.models import Q
from django.urls import reverse

from communities.models import Community
from notices.follow import register_followable
from verification import policy


def community_url(community: Community) -> str:
    return reverse("communities:detail", kwargs={"slug": community.slug})


def register_followables() -> None:
    def events(ids: Collection[int]) -> Q:
        return Q(community_id__in=ids)

    register_followable(
        Community,
        label="community",
        title=lambda community: community.name,
        url=community_url,
        visible=policy.filter_content_communities,
        events=events,
    )
