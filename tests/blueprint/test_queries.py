"""List pages of the Blueprint run the same number of SQL queries for one row as for fifty."""

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from blueprint import services
from blueprint.models import Entry, Kind
from tests.blueprint.conftest import Propose, Publish, make_editor
from tests.verification.factories import make_verified_member
from verification.models import Member

pytestmark = pytest.mark.django_db


def queries_for(client: Client, address: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(address)
    assert response.status_code == 200, address
    return len(context)


def counts_at_one_and_many(client: Client, address: str, add_rows: Callable[[int], None]) -> tuple[int, int]:
    """The page's query count with one row, then after adding 24 more (after a warm-up request)."""
    queries_for(client, address)
    one = queries_for(client, address)
    add_rows(24)
    return one, queries_for(client, address)


def facets(n: int) -> services.Facets:
    return services.facets_from(windows=["0-12"], hazards=["flood", "hurricane"][: 1 + n % 2], tags=[f"t{n % 3}"])


@pytest.fixture
def rows(propose: Propose, publish: Publish, fouo_author: Member) -> Callable[..., Callable[[int], None]]:
    def adder(kind: str, *, linked_to: Entry | None = None, public: bool = False) -> Callable[[int], None]:
        def add(count: int) -> None:
            for n in range(count):
                fields: dict[str, Any] = {"facets": facets(n)}
                if linked_to is not None:
                    fields["links"] = [linked_to]
                if n % 3 == 0 and not public:
                    fields |= {"author": fouo_author, "marking_slug": "fouo"}
                publish(propose(kind, f"{kind} {Entry.objects.count():03d}", **fields), public=public)

        return add

    return adder


def test_the_index_runs_the_same_queries_for_one_and_many_entries(client: Client, rows: Any) -> None:
    add = rows(Kind.TOOL)
    add(1)
    client.force_login(make_verified_member(markings=["fouo"]))

    one, many = counts_at_one_and_many(client, reverse("blueprint:tools") + "?window=0-12", add)

    assert one == many


def test_the_public_index_runs_the_same_queries_for_one_and_many_entries(client: Client, rows: Any) -> None:
    add = rows(Kind.CHALLENGE, public=True)
    add(1)

    one, many = counts_at_one_and_many(client, reverse("blueprint:index"), add)

    assert one == many


def test_a_challenges_page_runs_the_same_queries_for_one_and_many_solutions(
    client: Client, propose: Propose, publish: Publish, rows: Any
) -> None:
    challenge = publish(propose(Kind.CHALLENGE, "Stretched"))
    solution = publish(propose(Kind.SOLUTION, "Mutual aid", links=[challenge]))
    add_solutions = rows(Kind.SOLUTION, linked_to=challenge)
    add_tools = rows(Kind.TOOL, linked_to=solution)

    def add(count: int) -> None:
        add_solutions(count)
        add_tools(count)

    client.force_login(make_verified_member(markings=["fouo"]))

    one, many = counts_at_one_and_many(client, reverse("blueprint:entry", kwargs={"slug": challenge.slug}), add)

    assert one == many


def test_the_gap_view_and_the_review_queue_run_the_same_queries_for_one_and_many_rows(
    client: Client, propose: Propose, rows: Any
) -> None:
    add_gaps = rows(Kind.CHALLENGE)
    add_gaps(1)

    def add_proposals(count: int) -> None:
        for n in range(count):
            propose(Kind.CHALLENGE, f"Waiting {n}")

    client.force_login(make_editor(markings=("fouo",)))

    gaps_one, gaps_many = counts_at_one_and_many(client, reverse("blueprint:gaps"), add_gaps)
    add_proposals(1)
    queue_one, queue_many = counts_at_one_and_many(client, reverse("blueprint:review"), add_proposals)

    assert gaps_one == gaps_many
    assert queue_one == queue_many


def test_the_congress_page_and_the_ideas_review_page_run_the_same_queries_for_one_and_many_ideas(
    client: Client, propose: Propose, publish: Publish, fouo_author: Member
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from blueprint.models import CongressRole
    from tests.blueprint.conftest import joined, marking

    editor = make_editor(markings=("fouo",))
    starts = timezone.localdate() + timedelta(days=30)
    congress = services.congress_create(
        actor=editor, year=2099, title="Congress", starts_on=starts, ends_on=starts, place="Washington, DC"
    )
    challenge = publish(propose(Kind.CHALLENGE, "Stretched"))
    community = challenge.community
    services.delegate_appoint(congress=congress, member=fouo_author, role=CongressRole.DELEGATE, actor=editor)

    def add(count: int) -> None:
        for n in range(count):
            member = joined(community, markings=("fouo",))
            services.delegate_appoint(congress=congress, member=member, role=CongressRole.ALTERNATE, actor=editor)
            idea = services.idea_submit(
                congress=congress,
                author=Member.objects.get(pk=member.pk),
                community=community,
                marking=marking("fouo" if n % 2 else "unmarked"),
                title=f"Idea {n}",
                problem="P",
                proposal="Q",
                challenges=[challenge],
            )
            services.idea_endorse(idea=idea, member=Member.objects.get(pk=fouo_author.pk))

    add(1)
    client.force_login(editor)

    page_one, page_many = counts_at_one_and_many(client, reverse("blueprint:congress", kwargs={"year": 2099}), add)
    review_one, review_many = counts_at_one_and_many(
        client, reverse("blueprint:congress_review", kwargs={"year": 2099}), add
    )

    assert page_one == page_many
    assert review_one == review_many
