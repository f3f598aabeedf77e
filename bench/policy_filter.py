"""The access policy's queryset filter against an unfiltered baseline.

The same list (the newest 25 documents, and a count of all) is read with and
without ``policy.filter_visible``, in the same run, on the same rows. The
ratio says what the access rule costs a list page.
"""

import statistics
import time
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import Group
from django.db import connection

from communities.models import Community, Role
from communities.services import community_create, membership_set_role
from library.models import Document
from verification import policy
from verification.models import Marking, Member

SIZES = (1_000, 10_000)
COMMUNITIES = 40
REPEATS = 30


def timed(read: Callable[[], object]) -> float:
    """Median milliseconds of ``REPEATS`` reads, after one warm-up."""
    read()
    samples = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        read()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def build_world(size: int) -> Member:
    """Communities of every visibility, documents of every marking, some restricted to a group."""
    from tests.verification.factories import make_verified_member

    Document.objects.all().delete()
    owner = make_verified_member(markings=["fouo", "sbu"])
    reader = make_verified_member(markings=["fouo"])
    partners = Group.objects.create(name=f"bench partners {size}")
    reader.groups.add(partners)
    markings = list(Marking.objects.order_by("rank"))
    visibilities = [v for v, _ in Community.Visibility.choices]
    communities = []
    for i in range(COMMUNITIES):
        community = community_create(
            creator=owner,
            name=f"Bench {size} {i}",
            slug=f"bench-{size}-{i}",
            marking=markings[0],
            visibility=visibilities[i % len(visibilities)],
        )
        if i % 2 == 0:
            membership_set_role(community=community, member=reader, role=Role.MEMBER)
        communities.append(community)
    Document.objects.bulk_create(
        Document(
            community=communities[i % COMMUNITIES],
            author=owner,
            marking=markings[i % len(markings)],
            title=f"Document {i}",
            is_restricted=i % 10 == 0,
        )
        for i in range(size)
    )
    for document in Document.objects.filter(is_restricted=True)[: size // 20]:
        policy.grant_item_access(document, partners)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as autovacuum would after a bulk load: the planner needs real row counts
    return Member.objects.get(pk=reader.pk)


def measure(size: int) -> dict[str, Any]:
    reader = build_world(size)
    policy.member_access(reader)
    everything = Document.objects.order_by("-created_at")
    # The filtered reads build the policy filter each time, as a view does once per request.
    page = {
        "baseline": timed(lambda: list(everything[:25])),
        "filtered": timed(lambda: list(policy.filter_visible(reader, everything)[:25])),
    }
    count = {
        "baseline": timed(everything.count),
        "filtered": timed(lambda: policy.filter_visible(reader, everything).count()),
    }
    return {
        "documents": size,
        "visible": policy.filter_visible(reader, everything).count(),
        "page_ms": page,
        "count_ms": count,
        "page_ratio": page["filtered"] / page["baseline"],
        "count_ratio": count["filtered"] / count["baseline"],
    }


def run() -> list[dict[str, Any]]:
    rows = []
    for size in SIZES:
        row = measure(size)
        rows.append(row)
        print(
            f"policy filter, {connection.vendor}, {size:>6} documents ({row['visible']} visible): "
            f"page of 25 {row['page_ms']['filtered']:.2f} ms vs {row['page_ms']['baseline']:.2f} ms unfiltered "
            f"(x{row['page_ratio']:.2f}); count {row['count_ms']['filtered']:.2f} ms vs "
            f"{row['count_ms']['baseline']:.2f} ms (x{row['count_ratio']:.2f})"
        )
    return rows
