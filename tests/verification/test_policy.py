import pytest
from django.core.exceptions import PermissionDenied

from communities.services import community_create
from library.models import Document
from tests.verification.factories import make_verified_member
from verification import policy
from verification.models import AuditEvent, Marking

pytestmark = pytest.mark.django_db


@pytest.fixture
def documents() -> dict[str, Document]:
    owner = make_verified_member(markings=["fouo"])
    unmarked = Marking.objects.get(slug="unmarked")
    community = community_create(creator=owner, name="Gulf Coast", slug="gulf", marking=unmarked)
    return {
        slug: Document.objects.create(
            community=community, author=owner, marking=Marking.objects.get(slug=slug), title=f"{slug} plan"
        )
        for slug in ("unmarked", "fouo")
    }


def test_viewing_and_downloading_a_marked_item_is_audited_and_an_unmarked_one_is_not(documents) -> None:
    reader = make_verified_member(markings=["fouo"])

    policy.record_view(reader, documents["unmarked"])
    policy.record_view(reader, documents["fouo"])
    policy.record_view(reader, documents["fouo"], download=True)

    events = list(AuditEvent.objects.order_by("id").values_list("action", "marking", "target_id"))
    assert events == [
        (AuditEvent.Action.VIEWED_MARKED, "fouo", str(documents["fouo"].pk)),
        (AuditEvent.Action.DOWNLOADED_MARKED, "fouo", str(documents["fouo"].pk)),
    ]


def test_the_marked_items_a_list_shows_are_audited_in_one_write_and_unmarked_ones_are_not(
    documents, django_assert_num_queries
) -> None:
    reader = make_verified_member(markings=["fouo"])
    items = [documents["unmarked"], documents["fouo"]]
    for item in items:  # the rows a list fetched, with what the banner needs
        item.community.marking  # noqa: B018

    with django_assert_num_queries(1):
        policy.record_views(reader, items, download=True)

    events = list(AuditEvent.objects.values_list("action", "marking", "target_id"))
    assert events == [(AuditEvent.Action.DOWNLOADED_MARKED, "fouo", str(documents["fouo"].pk))]


def test_views_are_not_audited_for_a_marked_list_another_site_embedded(documents, rf) -> None:
    reader = make_verified_member(markings=["fouo"])
    embedded = rf.get("/", HTTP_SEC_FETCH_SITE="cross-site")

    with pytest.raises(PermissionDenied):
        policy.record_views(reader, [documents["fouo"]], embedded)
    assert not AuditEvent.objects.exists()


def test_check_view_permission_denies_and_audits_a_member_without_fouo(documents) -> None:
    uncleared = make_verified_member()
    cleared = make_verified_member(markings=["fouo"])

    with pytest.raises(PermissionDenied):
        policy.check_view_permission(uncleared, documents["fouo"])
    policy.check_view_permission(cleared, documents["fouo"])

    denial = AuditEvent.objects.get(action=AuditEvent.Action.PERMISSION_DENIED)
    assert denial.actor_id == uncleared.pk
    assert denial.target_id == str(documents["fouo"].pk)
    assert denial.detail == {"verb": "view"}


def test_losing_a_marking_hides_marked_items_on_the_next_request(documents) -> None:
    reader = make_verified_member(markings=["fouo"])
    assert policy.can_view(reader, documents["fouo"]) is True

    reader.marking_authorisations.all().delete()
    policy.forget_member_access(reader)

    assert policy.can_view(reader, documents["fouo"]) is False
    assert policy.can_view(reader, documents["unmarked"]) is True


def test_an_unmarked_item_in_a_fouo_community_is_audited_under_the_community_marking() -> None:
    owner = make_verified_member(markings=["fouo"])
    community = community_create(creator=owner, name="Pilot", slug="pilot", marking=Marking.objects.get(slug="fouo"))
    item = Document.objects.create(
        community=community, author=owner, marking=Marking.objects.get(slug="unmarked"), title="Agenda"
    )

    policy.record_view(owner, item)

    assert policy.effective_marking(item).slug == "fouo"
    assert AuditEvent.objects.get(action=AuditEvent.Action.VIEWED_MARKED).marking == "fouo"
