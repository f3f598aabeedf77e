"""The Blueprint in the browser's shape: indexes and filters, a challenge's solutions with their tools and
cases, the gap view, proposing and editing (conflicts keep what was typed), the editors' queue and
decisions, history, links, print and PDF; and, on every page, the access rule: a member not cleared for
FOUO, or outside a private community, sees nothing of what they may not, while the allowed path works."""

import html
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from blueprint import services
from blueprint.models import EditProposal, Entry, EntryLink, Kind, Relation, Status
from communities.models import Community
from communities.services import community_create
from library.models import Document
from notices.models import Subscription
from tests.blueprint.conftest import SENTINEL, Propose, Publish, fresh, joined, make_editor, marking
from tests.verification.factories import make_verified_member
from verification.models import AuditEvent, Member

pytestmark = pytest.mark.django_db

STEPS = "1. Co-leads\n2. Stakeholders\n3. Common issues\n4. Resources\n5. Challenges\n6. Sustainability\n"


def url(name: str, entry: Entry) -> str:
    return reverse(f"blueprint:{name}", kwargs={"slug": entry.slug})


def text_of(response: Any) -> str:
    return html.unescape(str(response.content.decode()))


def signed_in(client: Client, member: Member) -> Client:
    client.force_login(member)
    return client


@pytest.fixture
def world(propose: Propose, publish: Publish, fouo_author: Member) -> dict[str, Entry]:
    """A challenge with two solutions, a tool and a case for one, an FOUO tool for the other, and a gap."""
    challenge = publish(propose(Kind.CHALLENGE, "Resources stretched beyond capacity"))
    gap = publish(propose(Kind.CHALLENGE, "Special-needs residents"))
    partnership = publish(propose(Kind.SOLUTION, "Public-private partnership", links=[challenge]))
    mutual_aid = publish(propose(Kind.SOLUTION, "Mutual aid agreements", links=[challenge]))
    inventory = publish(propose(Kind.TOOL, "Community resource inventory", links=[partnership]))
    case = publish(propose(Kind.CASE, "Galveston co-leads", links=[partnership]))
    roster = publish(
        propose(
            Kind.TOOL, f"Contact roster {SENTINEL}", author=fouo_author, marking_slug="fouo", links=[mutual_aid],
            summary=f"Private numbers {SENTINEL}.",
        )
    )  # fmt: skip
    return {
        "challenge": challenge,
        "gap": gap,
        "partnership": partnership,
        "mutual_aid": mutual_aid,
        "inventory": inventory,
        "case": case,
        "roster": roster,
    }


# --- Indexes and filters -------------------------------------------------------------------------------


def test_the_index_lists_published_challenges_by_heading_and_leaves_proposals_out(
    client: Client, world: dict[str, Entry], propose: Propose, reader: Member
) -> None:
    propose(Kind.CHALLENGE, "A waiting proposal")

    body = text_of(signed_in(client, reader).get(reverse("blueprint:index")))

    assert body.index("Resources stretched beyond capacity") < body.index("Special-needs residents")
    assert "A waiting proposal" not in body
    assert "Public-private partnership" not in body  # a solution: on the Solutions index


def test_the_solutions_tools_and_reports_indexes_list_their_kind(client: Client, world: dict[str, Entry]) -> None:
    signed_in(client, make_verified_member())

    solutions = text_of(client.get(reverse("blueprint:solutions")))
    tools = text_of(client.get(reverse("blueprint:tools")))
    cases = text_of(client.get(reverse("blueprint:cases")))

    assert "Public-private partnership" in solutions
    assert "Mutual aid agreements" in solutions
    assert "Community resource inventory" in tools
    assert "Galveston co-leads" in cases
    assert client.get(reverse("blueprint:reports")).status_code == 200


def test_the_indexes_filter_by_time_window_sector_hazard_and_tag(
    client: Client, propose: Propose, publish: Publish, reader: Member
) -> None:
    facets = services.facets_from
    publish(propose(Kind.TOOL, "Night generator", facets=facets(windows=["0-12"], sectors=["private"])))
    publish(propose(Kind.TOOL, "Day warehouse", facets=facets(windows=["24-72"], hazards=["flood"], tags=["depots"])))
    signed_in(client, reader)
    tools = reverse("blueprint:tools")

    def headings(query: dict[str, str]) -> list[str]:
        body = text_of(client.get(tools, query))
        return [title for title in ("Night generator", "Day warehouse") if title in body]

    assert headings({}) == ["Night generator", "Day warehouse"]
    assert headings({"window": "0-12"}) == ["Night generator"]
    assert headings({"sector": "private"}) == ["Night generator"]
    assert headings({"hazard": "flood"}) == ["Day warehouse"]
    assert headings({"tag": "depots"}) == ["Day warehouse"]
    assert headings({"window": "nonsense"}) == ["Night generator", "Day warehouse"]  # ignored, not an error


def test_an_fouo_entry_is_left_out_of_the_index_for_an_uncleared_member_and_listed_under_a_banner_for_a_cleared_one(
    client: Client, world: dict[str, Entry], reader: Member
) -> None:
    uncleared = text_of(signed_in(client, reader).get(reverse("blueprint:tools")))
    cleared = text_of(signed_in(client, make_verified_member(markings=["fouo"])).get(reverse("blueprint:tools")))

    assert SENTINEL not in uncleared
    assert "For Official Use Only (FOUO)" not in uncleared
    assert f"Contact roster {SENTINEL}" in cleared
    assert cleared.count('class="marking-banner marking-fouo"') == 2


# --- A challenge's page and the gap view ---------------------------------------------------------------


def test_a_challenge_lists_its_solutions_their_tools_and_the_cases_that_show_them(
    client: Client, world: dict[str, Entry]
) -> None:
    body = text_of(signed_in(client, make_verified_member()).get(url("entry", world["challenge"])))

    solutions = body.split('id="solutions-heading"', 1)[1].split("</section>", 1)[0]
    partnership = solutions.split("Public-private partnership", 1)[1].split("Mutual aid agreements", 1)[0]
    assert "Tool: " in partnership
    assert "Community resource inventory" in partnership
    assert "Case: " in partnership
    assert "Galveston co-leads" in partnership
    assert "Mutual aid agreements" in solutions
    assert SENTINEL not in body  # the FOUO tool of mutual aid is not named to this member


def test_a_cleared_member_sees_the_fouo_tool_under_its_solution_and_the_page_carries_its_banner(
    client: Client, world: dict[str, Entry]
) -> None:
    body = text_of(signed_in(client, make_verified_member(markings=["fouo"])).get(url("entry", world["challenge"])))

    assert f"Contact roster {SENTINEL}" in body
    assert body.count('class="marking-banner marking-fouo"') == 2


def test_links_show_on_both_entries_in_the_words_of_each_side(client: Client, world: dict[str, Entry]) -> None:
    signed_in(client, make_verified_member())

    tool = text_of(client.get(url("entry", world["inventory"])))
    solution = text_of(client.get(url("entry", world["partnership"])))

    assert "Tool implements" in tool
    assert "Public-private partnership" in tool
    assert "Solution implemented by" in solution
    assert "Community resource inventory" in solution
    assert "Solution addresses" in solution
    assert "Resources stretched beyond capacity" in solution


def test_the_gap_view_lists_challenges_without_a_validated_solution_and_solutions_without_a_tool(
    client: Client, world: dict[str, Entry], reader: Member
) -> None:
    body = text_of(signed_in(client, reader).get(reverse("blueprint:gaps")))

    challenges = body.split('id="open-challenges"', 1)[1].split("</section>", 1)[0]
    solutions = body.split('id="solutions-without-tools"', 1)[1].split("</section>", 1)[0]
    assert "Special-needs residents" in challenges
    assert "Resources stretched beyond capacity" not in challenges
    assert "Mutual aid agreements" in solutions  # its only tool is FOUO: no tool this member may see
    assert "Public-private partnership" not in solutions
    assert SENTINEL not in body
    cleared = text_of(signed_in(client, make_verified_member(markings=["fouo"])).get(reverse("blueprint:gaps")))
    assert "Mutual aid agreements" not in cleared.split('id="solutions-without-tools"', 1)[1]


# --- One entry and who may see it -----------------------------------------------------------------------


def test_an_fouo_entry_is_not_found_by_an_uncleared_member_on_any_of_its_pages(
    client: Client, world: dict[str, Entry], reader: Member
) -> None:
    roster = world["roster"]
    signed_in(client, reader)

    for name in ("entry", "history", "compare", "print", "edit"):
        response = client.get(url(name, roster))
        assert response.status_code == 404, name
        assert SENTINEL not in text_of(response)


def test_an_fouo_entry_shows_a_cleared_member_its_banner_top_and_bottom_and_the_view_is_audited(
    client: Client, world: dict[str, Entry]
) -> None:
    cleared = make_verified_member(markings=["fouo"])

    body = text_of(signed_in(client, cleared).get(url("entry", world["roster"])))

    assert f"Private numbers {SENTINEL}." in body
    assert body.count('class="marking-banner marking-fouo"') == 2
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.VIEWED_MARKED, actor=cleared, target_id=str(world["roster"].pk)
    ).exists()


def test_an_entry_of_a_private_community_is_not_found_for_outsiders_and_open_to_its_members(client: Client) -> None:
    owner = make_verified_member()
    private = community_create(
        creator=owner, name="Port", slug="port", marking=marking(), visibility=Community.Visibility.PRIVATE
    )
    entry = services.entry_propose(
        author=fresh(owner), community=private, kind=Kind.CHALLENGE, title=f"Crane outage {SENTINEL}",
        summary="Cranes stop.", marking=marking(),
    )  # fmt: skip

    outsider = signed_in(client, make_verified_member())
    for name in ("entry", "history", "print"):
        assert outsider.get(url(name, entry)).status_code == 404, name
    assert SENTINEL not in text_of(outsider.get(reverse("blueprint:index")))
    signed_in(client, fresh(owner))
    for name in ("entry", "history", "print"):
        assert client.get(url(name, entry)).status_code == 200, name


def test_a_proposal_is_not_found_by_other_members_and_shown_to_its_author_with_its_state(
    client: Client, propose: Propose, author: Member, reader: Member
) -> None:
    entry = propose(Kind.CHALLENGE, f"Draft {SENTINEL}")

    assert signed_in(client, reader).get(url("entry", entry)).status_code == 404
    body = text_of(signed_in(client, author).get(url("entry", entry)))
    assert "Waiting for an editor" in body
    assert "Revise your proposal" in body


# --- Proposing and editing --------------------------------------------------------------------------------


def test_a_member_proposes_a_solution_linked_to_a_challenge_from_the_form(
    client: Client, world: dict[str, Entry], author: Member, blueprint_community: Community
) -> None:
    signed_in(client, author)
    form = text_of(client.get(reverse("blueprint:propose", kwargs={"kind": "solution"})))

    response = client.post(
        reverse("blueprint:propose", kwargs={"kind": "solution"}),
        {
            "title": "Volunteer reception centre",
            "summary": "One place receives volunteers.",
            "purpose": "Keeps responders on response.",
            "body": "## How\nA church hall.",
            "links": [world["challenge"].pk],
            "windows": ["12-24", "24-72"],
            "sectors": ["community"],
            "hazards": ["hurricane"],
            "tags": "volunteers, donations",
            "community": blueprint_community.pk,
            "marking": marking().pk,
        },
    )

    assert "Purpose and need met" in form
    assert "Challenges it addresses" in form
    entry = Entry.objects.get(title="Volunteer reception centre")
    assert response.status_code == 302
    assert response["Location"] == url("entry", entry)
    assert entry.status == Status.PROPOSED
    assert entry.windows == ["12-24", "24-72"]
    assert sorted(tag.name for tag in entry.tags.all()) == ["donations", "volunteers"]
    assert EntryLink.objects.filter(source=entry, target=world["challenge"], relation=Relation.ADDRESSES).exists()


def test_a_refused_proposal_comes_back_with_everything_typed(
    client: Client, author: Member, blueprint_community: Community
) -> None:
    signed_in(client, author)

    response = client.post(
        reverse("blueprint:propose", kwargs={"kind": "challenge"}),
        {
            "title": "Generators fail",
            "summary": "",
            "body": "My long careful text",
            "community": blueprint_community.pk,
            "marking": marking().pk,
        },
    )

    body = text_of(response)
    assert response.status_code == 200
    assert "This field is required." in body
    assert "My long careful text</textarea>" in body
    assert 'value="Generators fail"' in body
    assert not Entry.objects.exists()


def test_a_member_outside_every_community_is_told_to_join_the_national_blueprint(
    client: Client, blueprint_community: Community, reader: Member
) -> None:
    body = text_of(signed_in(client, reader).get(reverse("blueprint:propose", kwargs={"kind": "challenge"})))

    assert "Join the National Blueprint community" in body
    assert reverse("communities:detail", kwargs={"slug": blueprint_community.slug}) in body


def test_an_edit_over_a_newer_revision_that_overlaps_keeps_the_members_text_and_shows_both_versions(
    client: Client, published: Callable[..., Entry], editor: Member
) -> None:
    entry = published(body=STEPS)
    alice, bob = make_verified_member(), make_verified_member()
    first = services.entry_edit_propose(
        entry=entry, proposer=alice, title=entry.title, summary=entry.summary,
        body=STEPS.replace("3. Common", "3. Shared"), purpose="", facets=services.Facets.of(entry), base_number=1,
    )  # fmt: skip
    services.edit_proposal_review(proposal=first, editor=editor, decision="publish", evidence="case")
    signed_in(client, bob)

    response = client.post(
        url("edit", entry),
        {
            "title": entry.title,
            "summary": entry.summary,
            "body": STEPS.replace("3. Common", "3. Joint"),
            "comment": "Mine",
            "base_number": 1,
        },
    )

    body = text_of(response)
    assert response.status_code == 409
    assert "Someone else changed this entry while you were editing" in body
    assert "nothing you typed is lost" in body
    textarea = body.split('name="body"', 1)[1].split("</textarea>", 1)[0]
    assert "3. Joint issues" in textarea
    assert "3. Shared issues" in textarea
    assert "<<<<<<< your version" in textarea
    assert 'name="base_number" value="2"' in body
    assert 'value="Mine"' in body
    assert EditProposal.objects.filter(proposer=bob).count() == 0


def test_a_member_proposes_an_edit_and_the_entry_stays_as_it_was_until_an_editor_decides(
    client: Client, published: Callable[..., Entry], reader: Member
) -> None:
    entry = published(body=STEPS)
    signed_in(client, reader)

    response = client.post(
        url("edit", entry),
        {"title": entry.title, "summary": entry.summary, "body": STEPS + "7. Review\n", "base_number": 1},
        follow=True,
    )

    assert "Your edit is proposed" in text_of(response)
    entry.refresh_from_db()
    assert entry.body == STEPS
    assert EditProposal.objects.get().status == Status.PROPOSED


# --- The editors' queue and decisions ------------------------------------------------------------------------


def test_the_review_queue_is_for_editors_and_lists_only_what_each_may_see(
    client: Client, propose: Propose, fouo_author: Member, editor: Member, reader: Member
) -> None:
    propose(Kind.CHALLENGE, "Open proposal")
    propose(Kind.TOOL, f"Roster {SENTINEL}", author=fouo_author, marking_slug="fouo")

    assert signed_in(client, reader).get(reverse("blueprint:review")).status_code == 403
    uncleared = text_of(signed_in(client, make_editor()).get(reverse("blueprint:review")))
    cleared = text_of(signed_in(client, editor).get(reverse("blueprint:review")))

    assert "Open proposal" in uncleared
    assert SENTINEL not in uncleared
    assert "Open proposal" in cleared
    assert f"Roster {SENTINEL}" in cleared
    assert cleared.count('class="marking-banner marking-fouo"') == 2


def test_an_editor_sends_a_proposal_back_only_with_notes_and_what_was_typed_is_kept(
    client: Client, propose: Propose, editor: Member
) -> None:
    entry = propose(Kind.CHALLENGE, "Unclear")
    signed_in(client, editor)

    refused = client.post(url("review_entry", entry), {"decision": "return", "note": "", "evidence": "case"})
    done = client.post(url("review_entry", entry), {"decision": "return", "note": "Say who is affected."})

    assert refused.status_code == 400
    assert "Say what should change" in text_of(refused)
    assert re.search(r'<input[^>]*value="return"[^>]*checked', text_of(refused))  # the choice is kept
    assert done.status_code == 302
    entry.refresh_from_db()
    assert (entry.status, entry.status_note) == (Status.RETURNED, "Say who is affected.")


def test_an_editor_publishes_a_proposed_edit_from_its_page_and_the_proposer_sees_the_outcome(
    client: Client, published: Callable[..., Entry], editor: Member, reader: Member
) -> None:
    entry = published(body=STEPS)
    proposal = services.entry_edit_propose(
        entry=entry, proposer=reader, title=entry.title, summary=entry.summary, body=STEPS + "7. Review\n",
        purpose="", facets=services.Facets.of(entry), base_number=1,
    )  # fmt: skip
    page = reverse("blueprint:edit_proposal", kwargs={"pk": proposal.pk})

    assert signed_in(client, make_verified_member()).get(page).status_code == 404  # neither proposer nor editor
    shown = text_of(signed_in(client, editor).get(page))
    decided = client.post(page, {"decision": "publish", "evidence": "evaluated"})

    assert "<ins>7. Review</ins>" in shown
    assert decided.status_code == 302
    entry.refresh_from_db()
    assert entry.revision_number == 2
    assert "Published" in text_of(signed_in(client, reader).get(page))


# --- History, compare, revert ----------------------------------------------------------------------------------


def test_history_compare_and_revert_work_from_the_pages(
    client: Client, published: Callable[..., Entry], editor: Member, reader: Member
) -> None:
    entry = published(body=STEPS)
    proposal = services.entry_edit_propose(
        entry=entry, proposer=reader, title=entry.title, summary="A new summary.", body="Vandalised",
        purpose="", facets=services.Facets.of(entry), base_number=1, comment="Rewrote it",
    )  # fmt: skip
    services.edit_proposal_review(proposal=proposal, editor=editor, decision="publish", evidence="case")

    history = text_of(signed_in(client, reader).get(url("history", entry)))
    compare = text_of(client.get(url("compare", entry), {"old": 2, "new": 1}))
    refused = client.post(url("revert", entry), {"revision": 1})
    reverted = signed_in(client, editor).post(url("revert", entry), {"revision": 1})

    assert "Rewrote it" in history
    assert "Proposed the entry" in history
    assert "Bring back revision" not in history  # only editors revert
    assert "Changes from revision 1 to revision 2" in compare
    assert "<del>1. Co-leads</del>" in compare
    assert "<ins>Vandalised</ins>" in compare
    assert "<ins>A new summary.</ins>" in compare
    assert refused.status_code == 403
    assert reverted.status_code == 302
    entry.refresh_from_db()
    assert (entry.body, entry.revision_number) == (STEPS, 3)


# --- Links from the page ------------------------------------------------------------------------------------------


def test_a_link_that_would_make_a_cycle_comes_back_on_the_page_with_the_reason_and_the_choice_kept(
    client: Client, propose: Propose, publish: Publish, editor: Member
) -> None:
    first, second = publish(propose(Kind.REPORT, "Report one")), publish(propose(Kind.REPORT, "Report two"))
    services.link_create(source=first, target=second, relation=Relation.EVALUATES, actor=editor)
    signed_in(client, editor)

    response = client.post(url("link_add", second), {"relation": "evaluates", "target": first.pk})

    body = text_of(response)
    assert response.status_code == 400
    assert "would make a cycle" in body
    assert f'<option value="{first.pk}" selected>' in body
    assert EntryLink.objects.count() == 1


# --- Print and PDF ----------------------------------------------------------------------------------------------


def test_the_printable_page_carries_the_marking_top_and_bottom_and_is_audited(
    client: Client, world: dict[str, Entry]
) -> None:
    cleared = make_verified_member(markings=["fouo"])

    body = text_of(signed_in(client, cleared).get(url("print", world["roster"])))

    assert body.count("For Official Use Only (FOUO)") == 2
    assert f"Private numbers {SENTINEL}." in body
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOADED_MARKED, actor=cleared).exists()


def test_a_marked_entry_exports_as_a_pdf_with_the_marking_on_every_page(
    client: Client, propose: Propose, publish: Publish, fouo_author: Member
) -> None:
    entry = publish(propose(Kind.TOOL, "Fuel plan", author=fouo_author, marking_slug="fouo", body="Line\n\n" * 200))
    signed_in(client, make_verified_member(markings=["fouo"]))

    response = client.get(url("print", entry), {"format": "pdf"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) > 1
    for printed in reader.pages:
        assert printed.extract_text().count("For Official Use Only (FOUO)") == 2
    signed_in(client, make_verified_member())
    assert client.get(url("print", entry), {"format": "pdf"}).status_code == 404


# --- On the common paths: the feed, tags, saved items, search ---------------------------------------------------


def test_a_published_entry_is_in_the_feed_on_its_tag_page_and_can_be_saved(
    client: Client, published: Callable[..., Entry], blueprint_community: Community
) -> None:
    entry = published(Kind.CHALLENGE, "Shelter staffing", facets=services.facets_from(tags=["sheltering"]))
    member = joined(blueprint_community)
    signed_in(client, member)

    feed = text_of(client.get(reverse("communities:detail", kwargs={"slug": blueprint_community.slug})))
    tag_page = text_of(client.get(reverse("tags:tag", kwargs={"tag": "sheltering"})))
    saved = client.post(
        reverse("saved:save"), {"item_type": "blueprint.entry", "item_id": entry.pk, "next": url("entry", entry)}
    )

    assert "Shelter staffing" in feed
    assert "Shelter staffing" in tag_page
    assert saved.status_code == 302
    assert "Shelter staffing" in text_of(client.get(reverse("saved:list")))


def test_search_finds_entries_by_type_and_never_an_fouo_one_for_an_uncleared_member(
    client: Client, propose: Propose, publish: Publish, fouo_author: Member, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        publish(propose(Kind.SOLUTION, "Levee patrols", summary="Zanzibarish levee patrols."))
        publish(
            propose(Kind.TOOL, "Levee roster", author=fouo_author, marking_slug="fouo", summary="Zanzibarish roster.")
        )

    uncleared = text_of(signed_in(client, make_verified_member()).get(reverse("search:search"), {"q": "zanzibarish"}))
    typed = text_of(client.get(reverse("search:search"), {"q": "zanzibarish type:entry"}))
    cleared = text_of(
        signed_in(client, make_verified_member(markings=["fouo"])).get(reverse("search:search"), {"q": "zanzibarish"})
    )

    assert "Levee patrols" in uncleared
    assert "Levee roster" not in uncleared
    assert "Levee patrols" in typed
    assert "Levee patrols" in cleared
    assert "Levee roster" in cleared


def test_a_member_follows_a_published_entry_from_its_page(
    client: Client, published: Callable[..., Entry], reader: Member
) -> None:
    entry = published()
    signed_in(client, reader)

    page = text_of(client.get(url("entry", entry)))
    followed = client.post(
        reverse("subscriptions:follow"),
        {
            "target_type": "blueprint.entry",
            "target_id": entry.pk,
            "level": "watching",
            "delivery": "daily",
            "next": url("entry", entry),
        },
    )

    assert "Follow<span" in page
    assert followed.status_code == 302
    assert Subscription.objects.filter(member=reader, target_id=entry.pk).exists()


def test_an_attached_document_shows_only_to_readers_who_may_see_it_and_never_on_the_public_page(
    client: Client,
    published: Callable[..., Entry],
    editor: Member,
    fouo_author: Member,
    blueprint_community: Community,
) -> None:
    entry = published(public=True)
    checklist = Document.objects.create(
        community=blueprint_community, author=fouo_author, marking=marking(), title="Shelter checklist"
    )
    roster = Document.objects.create(
        community=blueprint_community, author=fouo_author, marking=marking("fouo"), title=f"Roster {SENTINEL}"
    )
    signed_in(client, editor)
    for document, role in ((checklist, "white_paper"), (roster, "attachment")):
        added = client.post(url("attachment_add", entry), {"item": f"library.document:{document.pk}", "role": role})
        assert added.status_code == 302

    uncleared = text_of(signed_in(client, make_verified_member()).get(url("entry", entry)))
    cleared = text_of(signed_in(client, make_verified_member(markings=["fouo"])).get(url("entry", entry)))
    client.logout()
    public = text_of(client.get(url("entry", entry)))

    assert "White paper: " in uncleared
    assert "Shelter checklist" in uncleared
    assert SENTINEL not in uncleared
    assert f"Roster {SENTINEL}" in cleared
    assert cleared.count('class="marking-banner marking-fouo"') == 2  # the page names an FOUO document
    assert "Shelter checklist" not in public
    assert SENTINEL not in public
