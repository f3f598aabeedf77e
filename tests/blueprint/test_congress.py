"""The National Congress: editions with delegates and alternates, delegates' ideas through their states,
endorsements, editors' private notes, an accepted idea drafted into the Blueprint, and the access rule on
every page that shows ideas."""

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from blueprint import services
from blueprint.models import Congress, CongressRole, Entry, EntryLink, Idea, IdeaStatus, Kind, Relation, Status
from communities.models import ActivityEvent, Community
from communities.services import community_create
from muster.avatars import member_initials
from notices.follow import events_q, follow
from notices.models import Delivery, Level, Subscription
from tests.blueprint.conftest import SENTINEL, Propose, Publish, fresh, joined, make_editor, marking
from tests.verification.factories import make_verified_member
from verification.models import AuditEvent, Member

pytestmark = pytest.mark.django_db

Submit = Callable[..., Idea]


@pytest.fixture
def congress(editor: Member) -> Congress:
    starts = timezone.localdate() + timedelta(days=60)
    return services.congress_create(
        actor=editor,
        year=starts.year + 1,
        title="National Congress for Secure Communities",
        starts_on=starts,
        ends_on=starts + timedelta(days=1),
        place="Washington, DC",
    )


def appoint(congress: Congress, member: Member, editor: Member, role: str = CongressRole.DELEGATE) -> Member:
    services.delegate_appoint(congress=congress, member=member, role=role, actor=editor)
    return fresh(member)


@pytest.fixture
def delegate(congress: Congress, author: Member, editor: Member) -> Member:
    return appoint(congress, author, editor)


@pytest.fixture
def fouo_delegate(congress: Congress, fouo_author: Member, editor: Member) -> Member:
    return appoint(congress, fouo_author, editor, CongressRole.ALTERNATE)


@pytest.fixture
def other_delegate(congress: Congress, blueprint_community: Community, editor: Member) -> Member:
    return appoint(congress, joined(blueprint_community, first_name="Olga", last_name="Other"), editor)


@pytest.fixture
def challenge(propose: Propose, publish: Publish) -> Entry:
    return publish(propose(Kind.CHALLENGE, "Spontaneous volunteers"))


@pytest.fixture
def submit(congress: Congress, blueprint_community: Community, delegate: Member) -> Submit:
    def make(title: str = "Volunteer reception run by the Red Cross chapter", **fields: Any) -> Idea:
        fields.setdefault("author", delegate)
        fields.setdefault("community", blueprint_community)
        fields.setdefault("marking", marking(fields.pop("marking_slug", "unmarked")))
        fields.setdefault("problem", "Volunteers arrive unasked and pull responders away.")
        fields.setdefault("proposal", "A community partner runs the reception centre.")
        fields.setdefault("congress", congress)
        return services.idea_submit(title=title, **fields)

    return make


# --- Editions and roles --------------------------------------------------------------------------


def test_only_editors_and_staff_set_up_a_congress_and_name_delegates(
    congress: Congress, author: Member, reader: Member
) -> None:
    with pytest.raises(PermissionDenied):
        services.delegate_appoint(congress=congress, member=reader, role=CongressRole.DELEGATE, actor=author)
    staff = make_verified_member(is_staff=True, mfa=True)

    delegate = services.delegate_appoint(congress=congress, member=reader, role=CongressRole.ALTERNATE, actor=staff)

    assert delegate.role == CongressRole.ALTERNATE


def test_a_congress_cannot_end_before_it_starts(editor: Member) -> None:
    with pytest.raises(ValidationError) as refused:
        services.congress_create(
            actor=editor, year=2031, title="C", starts_on=date(2031, 5, 2), ends_on=date(2031, 5, 1), place="DC"
        )
    assert "ends_on" in refused.value.error_dict


def test_the_congress_pages_show_delegates_and_alternates_to_verified_members(
    client: Client, congress: Congress, delegate: Member, fouo_delegate: Member, reader: Member
) -> None:
    client.force_login(reader)

    listing = client.get(reverse("blueprint:congresses"))
    page = client.get(reverse("blueprint:congress", kwargs={"year": congress.year}))

    assert congress.title in listing.content.decode()
    text = page.content.decode()
    assert delegate.display_name in text
    assert fouo_delegate.display_name in text
    assert "Alternates (1)" in text
    assert "Delegates (1)" in text
    for person in (delegate, fouo_delegate):  # each with their face beside their name
        assert f'data-initials="{member_initials(person)}" aria-hidden="true"></span>{person.display_name}' in text


def test_an_editor_names_a_delegate_from_the_congress_page(
    client: Client, congress: Congress, editor: Member, reader: Member
) -> None:
    client.force_login(editor)

    response = client.post(
        reverse("blueprint:delegate_appoint", kwargs={"year": congress.year}),
        {"member": reader.pk, "role": CongressRole.DELEGATE},
    )

    assert response.status_code == 302
    assert congress.delegates.get(member=reader).role == CongressRole.DELEGATE


def test_a_member_who_is_not_an_editor_cannot_name_delegates(
    client: Client, congress: Congress, reader: Member
) -> None:
    client.force_login(reader)

    response = client.post(
        reverse("blueprint:delegate_appoint", kwargs={"year": congress.year}),
        {"member": reader.pk, "role": CongressRole.DELEGATE},
    )

    assert response.status_code == 403
    assert not congress.delegates.exists()


# --- Ideas ------------------------------------------------------------------------------------------


def test_a_delegate_submits_an_idea_addressing_a_challenge(submit: Submit, challenge: Entry) -> None:
    idea = submit(challenges=[challenge])

    assert idea.status == IdeaStatus.SUBMITTED
    assert list(idea.challenges.all()) == [challenge]


def test_a_member_who_is_not_a_delegate_cannot_submit_an_idea(submit: Submit, reader: Member) -> None:
    with pytest.raises(PermissionDenied):
        submit(author=reader)


def test_ideas_are_not_taken_once_the_congress_has_opened(submit: Submit, congress: Congress) -> None:
    Congress.objects.filter(pk=congress.pk).update(starts_on=timezone.localdate())

    with pytest.raises(ValidationError, match="before the Congress opens"):
        submit(congress=Congress.objects.get(pk=congress.pk))


def test_the_submit_page_keeps_what_was_typed_when_refused(
    client: Client, congress: Congress, delegate: Member, blueprint_community: Community
) -> None:
    client.force_login(delegate)

    response = client.post(
        reverse("blueprint:idea_submit", kwargs={"year": congress.year}),
        {
            "title": "Keep this title",
            "problem": "",
            "proposal": "Keep this proposal",
            "community": blueprint_community.pk,
            "marking": marking().pk,
        },
    )

    assert response.status_code == 400
    text = response.content.decode()
    assert "Keep this title" in text
    assert "Keep this proposal" in text


def test_a_delegate_submits_an_idea_from_the_page(
    client: Client, congress: Congress, delegate: Member, blueprint_community: Community, challenge: Entry
) -> None:
    client.force_login(delegate)

    response = client.post(
        reverse("blueprint:idea_submit", kwargs={"year": congress.year}),
        {
            "title": "Port warehouses for donations",
            "problem": "Donated goods pile up.",
            "proposal": "Port employers store and sort them.",
            "challenges": [challenge.pk],
            "community": blueprint_community.pk,
            "marking": marking().pk,
            "tags": "logistics",
        },
    )

    idea = Idea.objects.get()
    assert response.status_code == 302
    assert response["Location"] == services.idea_url(idea)
    assert list(idea.tags.names()) == ["logistics"]


# --- Endorsements --------------------------------------------------------------------------------


def test_another_delegate_endorses_once_and_a_second_time_is_refused_clearly(
    client: Client, submit: Submit, other_delegate: Member
) -> None:
    idea = submit()
    client.force_login(other_delegate)
    address = reverse("blueprint:idea_endorse", kwargs={"pk": idea.pk})

    first = client.post(address, follow=True)
    second = client.post(address, follow=True)

    assert first.status_code == 200
    assert second.status_code == 200
    assert "already endorsed" in second.content.decode()
    assert idea.endorsements.count() == 1
    endorser = (
        f'data-initials="{member_initials(other_delegate)}" aria-hidden="true"></span>{other_delegate.display_name}'
    )
    assert endorser in second.content.decode()


def test_the_author_cannot_endorse_their_own_idea(submit: Submit, delegate: Member) -> None:
    with pytest.raises(ValidationError, match="your own"):
        services.idea_endorse(idea=submit(), member=delegate)


def test_a_member_who_is_not_a_delegate_cannot_endorse(submit: Submit, blueprint_community: Community) -> None:
    outsider = joined(blueprint_community)

    with pytest.raises(ValidationError, match="Only delegates"):
        services.idea_endorse(idea=submit(), member=outsider)


# --- The editors' decisions ---------------------------------------------------------------------


def test_an_idea_not_accepted_needs_a_reason(submit: Submit, editor: Member) -> None:
    idea = submit()

    with pytest.raises(ValidationError) as refused:
        services.idea_review(idea=idea, editor=editor, decision=services.IdeaDecision.NOT_ACCEPT)
    decided = services.idea_review(
        idea=idea, editor=editor, decision=services.IdeaDecision.NOT_ACCEPT, reason="Already in the Blueprint."
    )

    assert "reason" in refused.value.error_dict
    assert decided.status == IdeaStatus.NOT_ACCEPTED
    assert decided.status_reason == "Already in the Blueprint."


def test_the_review_form_keeps_the_decision_when_the_reason_is_missing(
    client: Client, submit: Submit, editor: Member
) -> None:
    idea = submit()
    client.force_login(editor)

    response = client.post(
        reverse("blueprint:idea_review", kwargs={"pk": idea.pk}), {"decision": "not_accept", "reason": ""}
    )

    assert response.status_code == 400
    assert "Give the reason" in response.content.decode()
    assert Idea.objects.get(pk=idea.pk).status == IdeaStatus.SUBMITTED


def test_a_delegate_cannot_move_an_idea(submit: Submit, other_delegate: Member) -> None:
    with pytest.raises(PermissionDenied):
        services.idea_review(idea=submit(), editor=other_delegate, decision=services.IdeaDecision.ACCEPT)


def test_editors_private_notes_are_hidden_from_delegates(
    client: Client, submit: Submit, editor: Member, delegate: Member
) -> None:
    idea = submit()
    services.idea_note_add(idea=idea, editor=editor, text=f"Private: {SENTINEL}")
    address = reverse("blueprint:idea", kwargs={"pk": idea.pk})

    client.force_login(delegate)
    as_delegate = client.get(address).content.decode()
    client.force_login(editor)
    as_editor = client.get(address).content.decode()

    assert SENTINEL not in as_delegate
    assert SENTINEL in as_editor


def test_a_delegate_cannot_post_an_editors_note(client: Client, submit: Submit, delegate: Member) -> None:
    idea = submit()
    client.force_login(delegate)

    response = client.post(reverse("blueprint:idea_note", kwargs={"pk": idea.pk}), {"text": "sneaky"})

    assert response.status_code == 403
    assert not idea.editor_notes.exists()


def test_an_accepted_idea_becomes_a_proposed_solution_addressing_its_challenges(
    client: Client, submit: Submit, editor: Member, challenge: Entry, delegate: Member
) -> None:
    idea = submit(challenges=[challenge])
    services.idea_review(idea=idea, editor=editor, decision=services.IdeaDecision.REVIEW)
    services.idea_review(idea=idea, editor=editor, decision=services.IdeaDecision.ACCEPT)
    client.force_login(editor)

    response = client.post(reverse("blueprint:idea_to_blueprint", kwargs={"pk": idea.pk}))

    idea.refresh_from_db()
    solution = idea.solution
    assert response.status_code == 302
    assert idea.status == IdeaStatus.IN_BLUEPRINT
    assert solution is not None
    assert (solution.kind, solution.status, solution.author_id) == (Kind.SOLUTION, Status.PROPOSED, delegate.pk)
    assert EntryLink.objects.filter(source=solution, target=challenge, relation=Relation.ADDRESSES).exists()
    first = solution.revisions.get(number=1)
    assert idea.problem in first.body
    assert idea.proposal in first.body
    client.force_login(delegate)
    page = client.get(reverse("blueprint:idea", kwargs={"pk": idea.pk})).content.decode()
    assert "In the Blueprint" in page
    entry_page = client.get(reverse("blueprint:entry", kwargs={"slug": solution.slug})).content.decode()
    assert reverse("blueprint:idea", kwargs={"pk": idea.pk}) in entry_page
    assert reverse("blueprint:entry", kwargs={"slug": solution.slug}) in page


def test_only_an_accepted_idea_goes_into_the_blueprint(submit: Submit, editor: Member) -> None:
    with pytest.raises(ValidationError, match="accepted"):
        services.idea_to_blueprint(idea=submit(), editor=editor)


# --- The access rule on every page that shows ideas --------------------------------------------------


def idea_pages(idea: Idea) -> list[str]:
    year = idea.congress.year
    return [
        reverse("blueprint:congress", kwargs={"year": year}),
        reverse("blueprint:congress_review", kwargs={"year": year}),
    ]


def test_a_fouo_idea_is_hidden_from_a_member_not_cleared_for_fouo(
    client: Client, submit: Submit, fouo_delegate: Member, delegate: Member
) -> None:
    idea = submit(f"Marked {SENTINEL}", author=fouo_delegate, marking_slug="fouo")
    uncleared_editor = make_editor()
    idea_page = reverse("blueprint:idea", kwargs={"pk": idea.pk})

    client.force_login(delegate)
    assert client.get(idea_page).status_code == 404
    assert SENTINEL not in client.get(idea_pages(idea)[0]).content.decode()
    client.force_login(uncleared_editor)
    assert all(SENTINEL not in client.get(page).content.decode() for page in idea_pages(idea))
    assert client.get(idea_page).status_code == 404

    cleared = make_editor(markings=("fouo",))
    client.force_login(cleared)
    pages = [client.get(page) for page in [*idea_pages(idea), idea_page]]
    assert all(SENTINEL in page.content.decode() for page in pages)
    assert all("FOUO" in page.content.decode() for page in pages)


def test_an_idea_of_a_private_community_is_hidden_from_non_members(
    client: Client, congress: Congress, delegate: Member, editor: Member, submit: Submit
) -> None:
    private = community_create(
        creator=delegate,
        name="Galveston pilot",
        slug="galveston-pilot-x",
        marking=marking(),
        visibility=Community.Visibility.PRIVATE,
    )
    idea = submit(f"Private {SENTINEL}", author=fresh(delegate), community=private)
    outsider = appoint(congress, make_verified_member(), editor)

    client.force_login(outsider)
    assert SENTINEL not in client.get(idea_pages(idea)[0]).content.decode()
    assert client.get(reverse("blueprint:idea", kwargs={"pk": idea.pk})).status_code == 404
    with pytest.raises(PermissionDenied):
        services.idea_endorse(idea=idea, member=outsider)

    client.force_login(fresh(delegate))
    assert SENTINEL in client.get(idea_pages(idea)[0]).content.decode()
    assert client.get(reverse("blueprint:idea", kwargs={"pk": idea.pk})).status_code == 200


def test_the_congress_pages_are_closed_to_members_not_yet_verified(client: Client, congress: Congress) -> None:
    unverified = make_verified_member(verified_until=timezone.now() - timedelta(days=1))
    client.force_login(unverified)

    response = client.get(reverse("blueprint:congress", kwargs={"year": congress.year}))

    assert response.status_code in (302, 403, 404)


# --- The common paths: search and the feed -------------------------------------------------------------


def test_ideas_are_found_by_search_only_by_members_who_may_see_them(
    client: Client, submit: Submit, fouo_delegate: Member, delegate: Member, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # the index is written after each commit
        submit("Open idea about quokkavolunteers", proposal="quokkavolunteers at the reception")
        submit("Marked idea about quokkavolunteers", author=fouo_delegate, marking_slug="fouo")
    address = reverse("search:search")

    client.force_login(delegate)
    uncleared = client.get(address, {"q": "quokkavolunteers type:idea"}).content.decode()
    client.force_login(fouo_delegate)
    cleared = client.get(address, {"q": "quokkavolunteers type:idea"}).content.decode()

    assert "Open idea about" in uncleared
    assert "Marked idea about" not in uncleared
    assert "Open idea about" in cleared
    assert "Marked idea about" in cleared


def test_a_submitted_idea_lands_in_its_communitys_activity_feed(submit: Submit) -> None:
    from communities.models import ActivityEvent

    idea = submit()

    assert ActivityEvent.objects.filter(target_id=idea.pk, community=idea.community).exists()


# --- Decisions in the audit log; following an idea -----------------------------------------------------


def test_every_decision_on_an_idea_is_written_to_the_audit_log(submit: Submit, editor: Member) -> None:
    accepted, declined = submit("Port warehouses as hubs"), submit("A national hotline")

    services.idea_review(idea=accepted, editor=editor, decision=services.IdeaDecision.REVIEW)
    services.idea_review(idea=accepted, editor=editor, decision=services.IdeaDecision.ACCEPT)
    services.idea_to_blueprint(idea=accepted, editor=editor)
    services.idea_review(idea=declined, editor=editor, decision=services.IdeaDecision.NOT_ACCEPT, reason="Local.")

    rows = AuditEvent.objects.filter(action=AuditEvent.Action.IDEA_DECIDED).order_by("at", "pk")
    assert [(row.target_label, row.detail["status_from"], row.detail["status_to"]) for row in rows] == [
        ("Port warehouses as hubs", "submitted", "under_review"),
        ("Port warehouses as hubs", "under_review", "accepted"),
        ("Port warehouses as hubs", "accepted", "in_blueprint"),
        ("A national hotline", "submitted", "not_accepted"),
    ]
    assert {row.actor_id for row in rows} == {editor.pk}
    assert rows.last().target_id == str(declined.pk)  # type: ignore[union-attr]


def test_a_refused_decision_writes_nothing_to_the_audit_log(submit: Submit, editor: Member) -> None:
    idea = submit()

    with pytest.raises(ValidationError):
        services.idea_review(idea=idea, editor=editor, decision=services.IdeaDecision.NOT_ACCEPT, reason="")

    assert not AuditEvent.objects.filter(action=AuditEvent.Action.IDEA_DECIDED).exists()


def test_members_follow_an_idea_from_its_page_and_its_decisions_reach_them(
    submit: Submit, editor: Member, delegate: Member, other_delegate: Member
) -> None:
    idea = submit()
    client = Client()
    client.force_login(other_delegate)
    page = client.get(reverse("blueprint:idea", kwargs={"pk": idea.pk})).content.decode()
    assert "Follow<span" in page
    assert f'value="{Level.WATCHING}" checked' in page  # the control offers what brings the decisions

    follow(member=other_delegate, target=idea, level=Level.WATCHING, delivery=Delivery.DAILY)
    services.idea_review(idea=idea, editor=editor, decision=services.IdeaDecision.ACCEPT)

    for member in (other_delegate, delegate):  # the follower, and the author who follows their idea
        subscriptions = Subscription.objects.filter(member=member)
        events = ActivityEvent.objects.filter(events_q(subscriptions, levels=[Level.WATCHING]))
        assert (ActivityEvent.Verb.DECIDED, idea.pk) in {(event.verb, event.target_id) for event in events}


# --- Saving and tagging an idea from its page -------------------------------------------------------------


def test_an_idea_is_saved_and_tagged_from_its_page_by_its_author_and_the_editors_only(
    submit: Submit, delegate: Member, other_delegate: Member, editor: Member
) -> None:
    idea = submit(tags=["volunteers"])
    address = reverse("blueprint:idea", kwargs={"pk": idea.pk})
    tags_address = reverse("blueprint:idea_tags", kwargs={"pk": idea.pk})
    client = Client()
    client.force_login(other_delegate)

    others_page = client.get(address).content.decode()
    refused = client.post(tags_address, {"tags": "spam"})
    saved = client.post(reverse("saved:save"), {"item_type": "blueprint.idea", "item_id": idea.pk, "next": address})
    saved_list = client.get(reverse("saved:list")).content.decode()
    client.force_login(delegate)
    own_page = client.get(address).content.decode()
    tagged = client.post(tags_address, {"tags": "volunteers, reception"})
    client.force_login(editor)
    edited = client.post(tags_address, {"tags": "volunteers, reception, donations"})
    client.force_login(other_delegate)
    tag_page = client.get(reverse("tags:tag", kwargs={"tag": "donations"})).content.decode()

    assert reverse("tags:tag", kwargs={"tag": "volunteers"}) in others_page  # its tags, linked to their pages
    assert tags_address not in others_page
    assert refused.status_code == 400
    assert saved.status_code == 302
    assert idea.title in saved_list
    assert tags_address in own_page
    assert (tagged.status_code, edited.status_code) == (302, 302)
    assert sorted(idea.tags.names()) == ["donations", "reception", "volunteers"]
    assert idea.title in tag_page


def test_a_marked_ideas_tags_and_saving_stay_with_members_cleared_for_it(
    client: Client, submit: Submit, fouo_delegate: Member, blueprint_community: Community
) -> None:
    idea = submit(f"Port hubs {SENTINEL}", author=fouo_delegate, marking_slug="fouo", tags=["ports"])
    address = reverse("blueprint:idea", kwargs={"pk": idea.pk})
    client.force_login(joined(blueprint_community))

    saved = client.post(reverse("saved:save"), {"item_type": "blueprint.idea", "item_id": idea.pk, "next": address})
    tags = client.post(reverse("blueprint:idea_tags", kwargs={"pk": idea.pk}), {"tags": "x"})
    tag_page = client.get(reverse("tags:tag", kwargs={"tag": "ports"}))

    assert (saved.status_code, tags.status_code) == (404, 404)
    assert SENTINEL not in tag_page.content.decode()
    client.force_login(joined(blueprint_community, markings=("fouo",)))
    assert SENTINEL in client.get(reverse("tags:tag", kwargs={"tag": "ports"})).content.decode()
