"""Pilot-community templates (issue 14, point 6): editors write them and customise them for a locale; a member
starts a pilot from one and gets a community of their own with its wiki pages, a board and the checklist as
tasks; the pilot's members tick the tasks; the template's page shows each pilot's progress to those who may
see the pilot's community, and to no one else."""

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from blueprint import services
from blueprint.models import Entry, Kind, Pilot, PilotTask, PilotTemplate
from communities.models import Community, Membership, Role
from communities.selectors import community_feed, with_targets
from communities.services import membership_set_role
from communities.signals import StarterPage
from discussions.models import Board
from tests.blueprint.conftest import Propose, Publish, fresh, joined, make_editor, marking
from tests.blueprint.test_queries import counts_at_one_and_many
from tests.search.conftest import Searcher
from tests.verification.factories import make_verified_member
from verification.models import AuditEvent, Member
from wiki.models import WikiPage

pytestmark = pytest.mark.django_db

STEPS = ("Name a public and a private co-lead", "Invite stakeholders to the table", "Agree on common issues")


@pytest.fixture
def template_editor(blueprint_community: Community) -> Member:
    """A Blueprint editor cleared for FOUO who belongs to the National Blueprint community."""
    editor = make_editor(markings=("fouo",), first_name="Tess", last_name="Templater")
    membership_set_role(community=blueprint_community, member=editor, role=Role.MEMBER)
    return fresh(editor)


@pytest.fixture
def solution(propose: Propose, publish: Publish) -> Entry:
    return publish(propose(Kind.SOLUTION, "Public-private partnerships"))


@pytest.fixture
def template(template_editor: Member, blueprint_community: Community, solution: Entry) -> PilotTemplate:
    return services.template_create(
        editor=template_editor,
        community=blueprint_community,
        marking=marking(),
        content=services.TemplateContent(
            title="Partnership pilot",
            summary="A standing public-private partnership for the first 72 hours.",
            checklist=STEPS,
            roles=[("Public co-lead", "chairs with the private co-lead"), ("Private co-lead", "")],
            pages=[StarterPage("Partnership charter", "# Charter\n\nWho we are.")],
            entries=[solution],
            board_name="Partnership planning",
        ),
    )


def start(template: PilotTemplate, member: Member, name: str = "Galveston pilot", **fields: Any) -> Pilot:
    fields.setdefault("marking", marking())
    fields.setdefault("visibility", Community.Visibility.OPEN)
    return services.pilot_start(template=template, member=member, name=name, slug="", **fields)


def signed_in(member: Member) -> Client:
    client = Client()
    client.force_login(member)
    return client


def page_of(client: Client, address: str) -> str:
    response = client.get(address)
    assert response.status_code == 200, address
    return response.content.decode()


def template_page(client: Client, template: PilotTemplate) -> str:
    return page_of(client, reverse("blueprint:template", kwargs={"slug": template.slug}))


# --- Writing and customising templates ------------------------------------------------------------------


def template_post(**fields: str) -> dict[str, str]:
    data = {
        "title": "Volunteer reception pilot",
        "summary": "One reception centre for spontaneous volunteers.",
        "locale": "",
        "checklist": "Find a site\nRecruit intake volunteers\n",
        "roles": "Centre manager: runs the centre",
        "board_name": "Reception planning",
        "pages-TOTAL_FORMS": "1",
        "pages-INITIAL_FORMS": "0",
        "pages-MIN_NUM_FORMS": "0",
        "pages-MAX_NUM_FORMS": "10",
        "pages-0-title": "Intake procedure",
        "pages-0-body": "1. Sign in every volunteer.",
        "marking": str(marking().pk),
    }
    return data | fields


def test_an_editor_writes_a_template_from_its_page_and_readers_see_its_checklist_roles_and_pages(
    template_editor: Member, blueprint_community: Community, solution: Entry
) -> None:
    client = signed_in(template_editor)
    data = template_post(community=str(blueprint_community.pk), entries=str(solution.pk))

    response = client.post(reverse("blueprint:template_create"), data)

    template = PilotTemplate.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("blueprint:template", kwargs={"slug": template.slug})
    page = template_page(signed_in(make_verified_member()), template)
    assert "Find a site" in page
    assert "Recruit intake volunteers" in page
    assert "Centre manager" in page
    assert "runs the centre" in page
    assert "Intake procedure" in page
    assert "Reception planning" in page
    assert "Public-private partnerships" in page
    assert "Start a pilot from this template" in page


def test_a_member_who_is_not_an_editor_may_not_write_a_template(author: Member, blueprint_community: Community) -> None:
    client = signed_in(author)

    assert client.get(reverse("blueprint:template_create")).status_code == 403
    response = client.post(reverse("blueprint:template_create"), template_post(community=str(blueprint_community.pk)))

    assert response.status_code == 403
    assert not PilotTemplate.objects.exists()


def test_a_template_customised_to_an_empty_checklist_is_refused_and_keeps_what_was_typed(
    template: PilotTemplate, template_editor: Member, blueprint_community: Community
) -> None:
    client = signed_in(template_editor)
    data = template_post(
        title="Partnership pilot",
        locale="Gulf Coast, Texas",
        checklist="  \n\n",
        community=str(blueprint_community.pk),
        **{"pages-0-title": "Hurricane season calendar", "pages-0-body": "June to November."},
    )

    response = client.post(reverse("blueprint:template_customise", kwargs={"slug": template.slug}), data)

    page = response.content.decode()
    assert response.status_code == 400
    assert "A template needs a checklist: write at least one step, one a line." in page
    assert 'value="Gulf Coast, Texas"' in page
    assert "Hurricane season calendar" in page
    assert "June to November." in page
    assert PilotTemplate.objects.count() == 1


def test_a_template_customised_for_a_locale_is_a_copy_with_its_own_checklist_linked_both_ways(
    template: PilotTemplate, template_editor: Member, blueprint_community: Community
) -> None:
    client = signed_in(template_editor)
    form = page_of(client, reverse("blueprint:template_customise", kwargs={"slug": template.slug}))
    assert STEPS[0] in form  # the original's checklist, ready to change

    data = template_post(
        title="Partnership pilot",
        locale="Gulf Coast, Texas",
        checklist="\n".join((*STEPS, "Agree on hurricane season drills")),
        community=str(blueprint_community.pk),
    )
    response = client.post(reverse("blueprint:template_customise", kwargs={"slug": template.slug}), data)

    variant = PilotTemplate.objects.get(locale="Gulf Coast, Texas")
    assert response.status_code == 302
    assert variant.based_on == template
    assert [step.text for step in variant.steps.all()] == [*STEPS, "Agree on hurricane season drills"]
    assert [step.text for step in template.steps.all()] == list(STEPS)
    assert "Gulf Coast, Texas" in template_page(client, template)
    assert "Customised for <strong>Gulf Coast, Texas</strong>" in template_page(client, variant)


# --- Starting a pilot -------------------------------------------------------------------------------------


def test_starting_a_pilot_gives_the_member_a_community_with_the_pages_the_board_and_the_checklist(
    template: PilotTemplate,
) -> None:
    starter = make_verified_member(first_name="Pat", last_name="Pilot")
    client = signed_in(starter)
    data = {"name": "Galveston partnership pilot", "slug": "", "description": "", "visibility": "private"}
    data |= {"join_policy": "request", "marking": str(marking().pk)}

    response = client.post(reverse("blueprint:pilot_start", kwargs={"slug": template.slug}), data)

    pilot = Pilot.objects.get()
    community = pilot.community
    assert response.status_code == 302
    assert response["Location"] == reverse("blueprint:pilot", kwargs={"pk": pilot.pk})
    assert community.name == "Galveston partnership pilot"
    assert community.visibility == Community.Visibility.PRIVATE
    assert Membership.objects.get(community=community, member=starter).role == Role.OWNER
    pages = WikiPage.objects.filter(community=community).order_by("pk")
    assert [page.title for page in pages] == ["About this pilot", "Partnership charter"]
    about = pages[0]
    assert reverse("blueprint:template", kwargs={"slug": template.slug}) in about.body_html
    assert reverse("blueprint:pilot", kwargs={"pk": pilot.pk}) in about.body_html
    assert list(Board.objects.filter(community=community).values_list("name", flat=True)) == ["Partnership planning"]
    assert [task.text for task in pilot.tasks.all()] == list(STEPS)
    assert [role.name for role in pilot.roles.all()] == ["Public co-lead", "Private co-lead"]
    page = page_of(client, reverse("blueprint:pilot", kwargs={"pk": pilot.pk}))
    assert "0 of 3 steps done" in page
    assert "Public-private partnerships" in page


def test_a_taken_address_keeps_what_was_typed_and_starts_nothing(template: PilotTemplate) -> None:
    start(template, make_verified_member(), name="Galveston pilot")
    client = signed_in(make_verified_member())
    data = {"name": "Second pilot", "slug": "galveston-pilot", "description": "Ours", "visibility": "open"}
    data |= {"join_policy": "open", "marking": str(marking().pk)}

    response = client.post(reverse("blueprint:pilot_start", kwargs={"slug": template.slug}), data)

    page = response.content.decode()
    assert response.status_code == 400
    assert "That address is taken. Choose another." in page
    assert 'value="Second pilot"' in page
    assert "Ours" in page
    assert Pilot.objects.count() == 1
    assert not Community.objects.filter(name="Second pilot").exists()


def test_a_pilot_cannot_be_marked_below_its_template(template_editor: Member, blueprint_community: Community) -> None:
    fouo = services.template_create(
        editor=template_editor,
        community=blueprint_community,
        marking=marking("fouo"),
        content=services.TemplateContent(title="Staging sites", summary="Where partners stage.", checklist=["Map"]),
    )
    starter = make_verified_member(markings=["fouo"])

    with pytest.raises(ValidationError, match="the pilot's community must be too"):
        start(fouo, starter, marking=marking())

    assert not Pilot.objects.exists()
    assert start(fouo, starter, marking=marking("fouo")).community.marking.slug == "fouo"


# --- Progress -----------------------------------------------------------------------------------------------


def test_members_of_the_pilot_tick_steps_and_the_template_page_shows_the_progress(template: PilotTemplate) -> None:
    owner = make_verified_member(first_name="Olga", last_name="Owner")
    pilot = start(template, owner)
    first = pilot.tasks.get(text=STEPS[0])
    client = signed_in(owner)

    response = client.post(reverse("blueprint:pilot_task", kwargs={"pk": first.pk}), {"done": "on"})

    first.refresh_from_db()
    assert response.status_code == 302
    assert first.done_by == owner
    assert first.done_at is not None
    assert "1 of 3 steps done" in template_page(signed_in(make_verified_member()), template)
    assert "done by Olga Owner" in page_of(client, reverse("blueprint:pilot", kwargs={"pk": pilot.pk}))

    client.post(reverse("blueprint:pilot_task", kwargs={"pk": first.pk}), {})

    reopened = PilotTask.objects.get(pk=first.pk)
    assert reopened.done_at is None
    assert reopened.done_by is None
    assert "0 of 3 steps done" in template_page(signed_in(make_verified_member()), template)


def test_a_member_outside_the_pilot_cannot_tick_its_steps(template: PilotTemplate) -> None:
    pilot = start(template, make_verified_member())
    task = pilot.tasks.first()
    assert task is not None
    outsider = make_verified_member()

    response = signed_in(outsider).post(reverse("blueprint:pilot_task", kwargs={"pk": task.pk}), {"done": "on"})

    task.refresh_from_db()
    assert response.status_code == 403
    assert task.done_at is None
    joiner = joined(pilot.community)
    signed_in(joiner).post(reverse("blueprint:pilot_task", kwargs={"pk": task.pk}), {"done": "on"})
    task.refresh_from_db()
    assert task.done_by == joiner


def test_a_private_pilot_and_its_progress_are_hidden_from_members_outside_it(template: PilotTemplate) -> None:
    owner = make_verified_member()
    pilot = start(template, owner, name="Quiet harbour pilot", visibility=Community.Visibility.PRIVATE)
    services.pilot_task_set(task=pilot.tasks.get(position=1), member=fresh(owner), done=True)
    outsider = signed_in(make_verified_member())
    member = signed_in(joined(pilot.community))

    assert "Quiet harbour pilot" not in template_page(outsider, template)
    assert "No pilots you can see yet." in template_page(outsider, template)
    assert outsider.get(reverse("blueprint:pilot", kwargs={"pk": pilot.pk})).status_code == 404
    assert "Quiet harbour pilot" in template_page(member, template)
    assert "1 of 3 steps done" in template_page(member, template)
    assert member.get(reverse("blueprint:pilot", kwargs={"pk": pilot.pk})).status_code == 200


def test_a_member_of_the_pilot_takes_a_free_role(template: PilotTemplate) -> None:
    owner = make_verified_member(first_name="Rita", last_name="Role")
    pilot = start(template, owner)
    role = pilot.roles.get(name="Public co-lead")

    signed_in(owner).post(reverse("blueprint:pilot_role", kwargs={"pk": role.pk}), {"take": "1"})
    other = joined(pilot.community)
    response = signed_in(other).post(
        reverse("blueprint:pilot_role", kwargs={"pk": role.pk}), {"take": "1"}, follow=True
    )

    role.refresh_from_db()
    assert role.member == owner
    assert "Someone already fills the role of Public co-lead." in response.content.decode()


def test_a_marked_template_is_hidden_from_members_not_cleared_for_it(
    template_editor: Member, blueprint_community: Community
) -> None:
    fouo = services.template_create(
        editor=template_editor,
        community=blueprint_community,
        marking=marking("fouo"),
        content=services.TemplateContent(title="Staging sites", summary="Where partners stage.", checklist=["Map"]),
    )
    uncleared = signed_in(make_verified_member())
    cleared = signed_in(make_verified_member(markings=["fouo"]))

    assert uncleared.get(reverse("blueprint:template", kwargs={"slug": fouo.slug})).status_code == 404
    assert "Staging sites" not in page_of(uncleared, reverse("blueprint:templates"))
    assert "Staging sites" in template_page(cleared, fouo)
    assert "Staging sites" in page_of(cleared, reverse("blueprint:templates"))
    viewed = AuditEvent.objects.filter(action=AuditEvent.Action.VIEWED_MARKED, target_id=str(fouo.pk))
    assert list(viewed.values_list("target_type", "marking")) == [("blueprint.PilotTemplate", "fouo")]


def test_templates_are_found_by_search_by_those_who_may_see_them(
    template_editor: Member, blueprint_community: Community, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        for title, slug in (("Heatwave cooling centres", "unmarked"), ("Heatwave staging sites", "fouo")):
            services.template_create(
                editor=template_editor,
                community=blueprint_community,
                marking=marking(slug),
                content=services.TemplateContent(title=title, summary="Keep people cool.", checklist=["Open"]),
            )

    assert Searcher(make_verified_member()).headings("heatwave type:template") == ["Heatwave cooling centres"]
    assert sorted(Searcher(make_verified_member(markings=["fouo"])).headings("heatwave")) == [
        "Heatwave cooling centres",
        "Heatwave staging sites",
    ]


# --- Constant queries -----------------------------------------------------------------------------------------


def test_the_template_list_runs_the_same_queries_for_one_and_many_templates(
    template: PilotTemplate, template_editor: Member, blueprint_community: Community
) -> None:
    start(template, make_verified_member())
    client = signed_in(make_verified_member(markings=["fouo"]))

    def add(count: int) -> None:
        for n in range(count):
            variant = services.template_create(
                editor=template_editor,
                community=blueprint_community,
                marking=marking("fouo" if n % 2 else "unmarked"),
                content=services.TemplateContent(
                    title=f"Template {n:02d}", summary="S", locale=f"Place {n}", checklist=["One", "Two"]
                ),
                based_on=template,
            )
            start(variant, make_verified_member(markings=["fouo"]), name=f"Pilot {n:02d}", marking=marking("fouo"))

    one, many = counts_at_one_and_many(client, reverse("blueprint:templates"), add)

    assert many == one
    assert "Template 23" in page_of(client, reverse("blueprint:templates"))


def test_a_template_page_runs_the_same_queries_for_one_and_many_pilots(template: PilotTemplate) -> None:
    start(template, make_verified_member())
    client = signed_in(make_verified_member())

    def add(count: int) -> None:
        for n in range(count):
            owner = make_verified_member()
            pilot = start(template, owner, name=f"Pilot {n:02d}")
            services.pilot_task_set(task=pilot.tasks.get(position=1), member=fresh(owner), done=True)

    one, many = counts_at_one_and_many(client, reverse("blueprint:template", kwargs={"slug": template.slug}), add)

    assert many == one
    assert template_page(client, template).count("1 of 3 steps done") == 24


def test_a_pilot_page_runs_the_same_queries_for_few_and_many_steps_done(template: PilotTemplate) -> None:
    owner = make_verified_member()
    pilot = start(template, owner)
    client = signed_in(owner)
    address = reverse("blueprint:pilot", kwargs={"pk": pilot.pk})

    def add(count: int) -> None:
        for task in pilot.tasks.all():
            services.pilot_task_set(task=task, member=fresh(joined(pilot.community)), done=True)

    one, many = counts_at_one_and_many(client, address, add)

    assert many == one
    assert "3 of 3 steps done" in page_of(client, address)


def test_where_staff_approve_new_communities_a_pilot_waits_for_approval_with_its_content_ready(
    template: PilotTemplate, settings: Any
) -> None:
    settings.MUSTER_COMMUNITY_APPROVAL = True
    client = signed_in(make_verified_member())
    data = {"name": "Waiting pilot", "slug": "", "description": "", "visibility": "open"}
    data |= {"join_policy": "open", "marking": str(marking().pk)}

    response = client.post(reverse("blueprint:pilot_start", kwargs={"slug": template.slug}), data, follow=True)

    pilot = Pilot.objects.get()
    assert pilot.community.status == Community.Status.PENDING
    assert "waits for staff approval" in response.content.decode()
    assert WikiPage.objects.filter(community=pilot.community).count() == 2
    assert "Waiting pilot" not in template_page(signed_in(make_verified_member()), template)


@pytest.mark.parametrize(
    ("pages", "board_name", "field", "message"),
    [
        ([("Charter", ""), ("charter!", "")], "Planning", "pages", "Give each wiki page a title of its own"),
        ([("About this pilot", "")], "Planning", "pages", "is every pilot's first page"),
        ([], "!!!", "board_name", "Name the board the pilot plans on"),
    ],
)
def test_a_template_whose_pilots_could_not_be_set_up_is_refused_with_a_reason(
    template_editor: Member,
    blueprint_community: Community,
    pages: list[tuple[str, str]],
    board_name: str,
    field: str,
    message: str,
) -> None:
    content = services.TemplateContent(
        title="T", summary="S", checklist=["One"], pages=[StarterPage(*page) for page in pages], board_name=board_name
    )

    with pytest.raises(ValidationError) as refused:
        services.template_create(
            editor=template_editor, community=blueprint_community, marking=marking(), content=content
        )

    assert message in " ".join(refused.value.message_dict[field])
    assert not PilotTemplate.objects.exists()


def test_its_author_removes_a_template_and_members_no_longer_find_it_but_its_pilots_go_on(
    template: PilotTemplate, template_editor: Member, blueprint_community: Community
) -> None:
    pilot = start(template, make_verified_member())
    address = reverse("blueprint:template", kwargs={"slug": template.slug})
    client = signed_in(template_editor)
    assert "Remove<span" in page_of(client, address)
    assert "Remove<span" not in page_of(signed_in(joined(blueprint_community)), address)  # neither author nor moderator

    response = client.post(
        reverse("communities:item_removal", kwargs={"slug": blueprint_community.slug}),
        {"item_type": "blueprint.pilottemplate", "item_id": str(template.pk), "action": "remove", "next": address},
    )

    reader = signed_in(make_verified_member())
    assert response.status_code == 302
    assert reader.get(address).status_code == 404
    assert "Partnership pilot" not in page_of(reader, reverse("blueprint:templates"))
    assert reader.get(reverse("blueprint:pilot_start", kwargs={"slug": template.slug})).status_code == 404
    assert reader.get(reverse("blueprint:pilot", kwargs={"pk": pilot.pk})).status_code == 200


def test_a_new_template_is_in_its_communitys_feed_for_those_who_may_see_it(
    template: PilotTemplate, template_editor: Member, blueprint_community: Community
) -> None:
    fouo = services.template_create(
        editor=template_editor,
        community=blueprint_community,
        marking=marking("fouo"),
        content=services.TemplateContent(title="Staging sites", summary="Where partners stage.", checklist=["Map"]),
    )

    def feed_of(member: Member) -> list[str]:
        return [event.target_label for event in with_targets(community_feed(member, blueprint_community))]

    assert "Partnership pilot" in feed_of(make_verified_member())
    assert str(fouo) not in feed_of(make_verified_member())
    assert str(fouo) in feed_of(make_verified_member(markings=["fouo"]))
