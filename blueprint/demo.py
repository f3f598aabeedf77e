"""The demo National Blueprint and National Congress for ``seed_demo``, drawn from the seed texts: the
challenges of the first 72 hours they name, solutions grounded on public/private partnerships and mutual aid
agreements, tools and a report linked to them, a Galveston and a Charleston case, one FOUO entry, a proposal
and an edit waiting for an editor; next year's Congress with delegates and alternates and ideas at each
state, endorsed; last year's Congress with its published report on barriers to preparedness; the six-step
partnership model as a pilot-community template, customised for the Gulf Coast, with running pilots.
Idempotent: an entry, idea, report, template or pilot already there is left as it is."""

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import Group
from django.utils import timezone

from blueprint import services
from blueprint.access import EDITORS_GROUP
from blueprint.models import (
    BLUEPRINT_COMMUNITY_SLUG,
    BarriersReport,
    Congress,
    CongressRole,
    Entry,
    Evidence,
    Idea,
    IdeaStatus,
    Kind,
    PilotTemplate,
    SectionKind,
    Status,
)
from communities.models import Community, Role
from communities.services import membership_set_role
from communities.signals import StarterPage
from verification.models import Marking, Member

ADMIN = "admin@muster.test"
DANA = "dana.reyes@galvestoncounty.gov"
MARCUS = "marcus.bell@charlestonfire.gov"
SAM = "sam.ortiz@portlogistics.example.com"
EDITORS = (ADMIN, DANA)


@dataclass(frozen=True)
class DemoEntry:
    kind: str
    title: str
    summary: str
    author: str
    editor: str | None  # None: left waiting for an editor
    body: str = ""
    purpose: str = ""
    links: tuple[str, ...] = ()  # headings of the entries it links to (its kind's relation)
    sectors: tuple[str, ...] = ()
    windows: tuple[str, ...] = ("0-12", "12-24", "24-72")
    hazards: tuple[str, ...] = ("all-hazards",)
    tags: tuple[str, ...] = ()
    place: str = ""
    occurred_on: date | None = None
    marking: str = "unmarked"
    evidence: str = Evidence.ANECDOTE
    public: bool = False


STRETCHED = "Public sector resources stretched beyond capacity"
ALL_HAZARDS = "All-hazards preparedness communities cannot afford"
SPECIAL_NEEDS = "Working with special-needs individuals"
VOLUNTEERS = "Managing spontaneous volunteers and donated materiel"
DIVERTED = "Responders diverted to mitigation and law enforcement"
PARTNERSHIP = "Public-private partnerships with co-leads from both sectors"
MUTUAL_AID = "Mutual aid agreements between jurisdictions and organisations"
RECEPTION = "A volunteer and donations reception centre run by community partners"
INVENTORY = "Community resource inventory"
ROSTER = "Partner emergency contact roster"
LOGISTICS = "Private-sector logistics and warehousing for donated goods"
BEST_PRACTICES = "2010 Best Practices: cross-sector collaborations"

ENTRIES = (
    DemoEntry(
        Kind.CHALLENGE, STRETCHED,
        "Many communities must stretch public sector resources and responders beyond capacity during the first "
        "72 hours of a crisis, while they wait for state and federal reinforcements.",
        DANA, ADMIN, sectors=("public",), tags=("capacity", "first 72 hours"), public=True,
        body="## Why it matters\n\nEvery responder and resource should be focused on response and containment. "
        "Whatever else falls to the public sector in those hours is capacity taken from the response.\n",
    ),
    DemoEntry(
        Kind.CHALLENGE, ALL_HAZARDS,
        "Many American communities simply cannot afford to be prepared for all hazards.",
        DANA, ADMIN, sectors=("public",), tags=("all hazards", "funding"), public=True,
    ),
    DemoEntry(
        Kind.CHALLENGE, SPECIAL_NEEDS,
        "Working with special-needs individuals during a crisis takes precious assets and personnel away from "
        "response.",
        MARCUS, ADMIN, sectors=("public", "community"), windows=("0-12", "12-24"), hazards=("hurricane", "flood"),
        tags=("special needs", "sheltering"), public=True,
    ),
    DemoEntry(
        Kind.CHALLENGE, VOLUNTEERS,
        "Volunteers and materiel that arrive unasked during a crisis must be received, sorted and managed, which "
        "diverts responders to other tasks.",
        MARCUS, ADMIN, sectors=("public", "community"), windows=("12-24", "24-72"), hazards=("hurricane",),
        tags=("volunteers", "donations"), public=True,
    ),
    DemoEntry(
        Kind.CHALLENGE, DIVERTED,
        "Responders are diverted from response and containment to mitigation and law enforcement.",
        MARCUS, ADMIN, sectors=("public",), tags=("responders",), public=True,
    ),
    DemoEntry(
        Kind.SOLUTION, PARTNERSHIP,
        "A standing partnership co-led by a public and a private sector leader brings the private and community "
        "sectors' assets to the table before the crisis, not during it.",
        SAM, DANA, purpose="Augments public sector capability with private and community sector assets so that "
        "responders stay on response; gives the business community a voice from the start.",
        links=(STRETCHED, ALL_HAZARDS), sectors=("public", "private", "community"),
        tags=("partnership", "private sector"), evidence=Evidence.CASE, public=True,
        body="## How\n\n1. Identify public and private co-leads.\n2. Ask them to bring others to the table.\n"
        "3. Agree on common issues.\n4. Keep a shared inventory of resources.\n",
    ),
    DemoEntry(
        Kind.SOLUTION, MUTUAL_AID,
        "Jurisdictions and organisations that support each other during crisis through mutual aid agreements "
        "extend each other's capacity.",
        DANA, ADMIN, purpose="Lets a stretched jurisdiction call on its neighbours' people and equipment on terms "
        "agreed in advance, so responders are not diverted to find them during the crisis.",
        links=(STRETCHED, DIVERTED), sectors=("public", "private"), tags=("mutual aid",), public=True,
    ),
    DemoEntry(
        Kind.SOLUTION, RECEPTION,
        "Community organisations run one reception centre for spontaneous volunteers and donated goods, so "
        "responders never have to.",
        MARCUS, DANA, purpose="Takes the receiving, sorting and placing of volunteers and donations off "
        "responders' hands in the first 72 hours.",
        links=(VOLUNTEERS,), sectors=("community", "private"), windows=("12-24", "24-72"),
        hazards=("hurricane", "flood"), tags=("volunteers", "donations"), public=True,
    ),
    DemoEntry(
        Kind.TOOL, INVENTORY,
        "A central database of community resources, hazards and challenges that partners keep current together.",
        SAM, DANA, links=(PARTNERSHIP,), sectors=("private", "community"), tags=("inventory", "partnership"),
    ),
    DemoEntry(
        Kind.TOOL, ROSTER,
        "Round-the-clock contacts of the partner organisations who have signed mutual aid agreements, with "
        "what each can send.",
        DANA, ADMIN, links=(MUTUAL_AID,), sectors=("public", "private"), marking="fouo", tags=("mutual aid",),
        body="Kept for members cleared for FOUO: names, private numbers and staging sites of partners.\n",
    ),
    DemoEntry(
        Kind.TOOL, LOGISTICS,
        "Private-sector warehouses, trucks and staff receive, sort and store donated materiel for the reception "
        "centre.",
        SAM, DANA, links=(RECEPTION,), sectors=("private",), windows=("12-24", "24-72"), hazards=("hurricane",),
        tags=("logistics", "donations"),
    ),
    DemoEntry(
        Kind.REPORT, BEST_PRACTICES,
        "Best practices identified with communities such as Galveston and Charleston: cross-sector collaborations "
        "other communities can follow when forging new partnerships.",
        DANA, ADMIN, links=(INVENTORY,), sectors=("public", "private", "community"), tags=("best practices",),
        evidence=Evidence.EVALUATED,
    ),
    DemoEntry(
        Kind.CASE, "Galveston: the county and the Chamber of Commerce co-lead",
        "Galveston County's emergency manager and the Chamber of Commerce co-lead a partnership that brings "
        "local businesses' assets into the response.",
        DANA, ADMIN, links=(PARTNERSHIP,), sectors=("public", "private"), hazards=("hurricane",),
        tags=("partnership", "galveston"), place="Galveston County, Texas", occurred_on=date(2010, 3, 1),
        evidence=Evidence.CASE,
    ),
    DemoEntry(
        Kind.CASE, "Charleston: the fire department and port employers share logistics",
        "Charleston's fire department and the largest employers at the port agreed how port warehouses and "
        "trucks support the response after a hurricane.",
        MARCUS, DANA, links=(RECEPTION,), sectors=("public", "private"), hazards=("hurricane",),
        tags=("logistics", "charleston"), place="Charleston, South Carolina", occurred_on=date(2010, 4, 1),
        evidence=Evidence.CASE,
    ),
    DemoEntry(
        Kind.SOLUTION, "A shared special-needs registry kept with community partners",
        "Community organisations that already serve special-needs residents keep a registry with the public "
        "sector, so people are reached without pulling responders from the response.",
        MARCUS, None, purpose="Reaches special-needs residents early through those who know them.",
        links=(SPECIAL_NEEDS,), sectors=("public", "community"), windows=("0-12",), tags=("special needs",),
    ),
)  # fmt: skip

PROPOSED_EDIT = (
    MUTUAL_AID,
    MARCUS,
    "\n## Before the season\n\nReview the agreements with every partner each spring, before hurricane season.\n",
)


def _member(email: str) -> Member:
    return Member.objects.get(email=email)


def seed() -> None:
    community = Community.objects.get(slug=BLUEPRINT_COMMUNITY_SLUG)  # made by communities.demo
    editors = Group.objects.get(name=EDITORS_GROUP)
    for email in EDITORS:
        editors.user_set.add(_member(email))
    for spec in ENTRIES:
        if Entry.objects.filter(title=spec.title).exists():
            continue
        author = _member(spec.author)  # fresh: their permissions as they are now
        entry = services.entry_propose(
            author=author,
            community=community,
            kind=spec.kind,
            title=spec.title,
            summary=spec.summary,
            body=spec.body,
            purpose=spec.purpose,
            marking=Marking.objects.get(slug=spec.marking),
            facets=services.facets_from(
                sectors=spec.sectors,
                windows=spec.windows,
                hazards=spec.hazards,
                place=spec.place,
                occurred_on=spec.occurred_on,
                tags=spec.tags,
            ),
            links=[Entry.objects.get(title=title) for title in spec.links],
        )
        if spec.editor is None:
            continue
        editor = _member(spec.editor)
        services.entry_review(entry=entry, editor=editor, decision=services.Decision.PUBLISH, evidence=spec.evidence)
        if spec.public:
            services.entry_set_public(entry=entry, editor=editor, public=True)
    title, email, addition = PROPOSED_EDIT
    entry = Entry.objects.get(title=title)
    if entry.status == Status.PUBLISHED and not entry.edit_proposals.exists():
        services.entry_edit_propose(
            entry=entry,
            proposer=_member(email),
            title=entry.title,
            summary=entry.summary,
            body=entry.body + addition,
            purpose=entry.purpose,
            facets=services.Facets.of(entry),
            base_number=entry.revision_number,
            comment="Added the yearly review of agreements",
        )
    seed_congress()
    seed_past_congress()
    seed_template()


# --- The National Congress -------------------------------------------------------------------------------

DELEGATES = ((MARCUS, CongressRole.DELEGATE), (SAM, CongressRole.DELEGATE), (ADMIN, CongressRole.ALTERNATE))


@dataclass(frozen=True)
class DemoIdea:
    title: str
    author: str
    problem: str
    proposal: str
    status: str
    challenges: tuple[str, ...] = ()
    endorsed_by: tuple[str, ...] = ()
    reason: str = ""


IDEAS = (
    DemoIdea(
        "Port warehouses as hubs for donated goods", MARCUS,
        "Donated materiel arrives unsorted and unasked, and responders are pulled away to manage it.",
        "Port employers lend warehouse space, forklifts and staff for the first 72 hours; a community "
        "organisation runs intake and sorting.",
        IdeaStatus.SUBMITTED, challenges=(VOLUNTEERS,), endorsed_by=(SAM, ADMIN),
    ),
    DemoIdea(
        "A private-sector logistics desk in the emergency operations centre", SAM,
        "Public sector logisticians do not know what private partners hold or how fast they can move it.",
        "A seat in the EOC for a rotating private-sector logistics lead, with the community resource "
        "inventory at hand.",
        IdeaStatus.UNDER_REVIEW, challenges=(STRETCHED,), endorsed_by=(MARCUS,),
    ),
    DemoIdea(
        "Neighbourhood check-in teams for special-needs residents", MARCUS,
        "Checking on special-needs residents takes responders away from the response.",
        "Faith groups and home-care agencies form neighbourhood teams that check on registered residents "
        "in the first 12 hours and report needs to the EOC.",
        IdeaStatus.IN_BLUEPRINT, challenges=(SPECIAL_NEEDS,), endorsed_by=(SAM,),
    ),
    DemoIdea(
        "A national hotline for spontaneous volunteers", SAM,
        "Volunteers do not know where to go.",
        "One national number that sends volunteers to local reception centres.",
        IdeaStatus.NOT_ACCEPTED, challenges=(VOLUNTEERS,),
        reason="Volunteers are best received locally: the Blueprint already holds a community-run reception "
        "centre. Bring the hotline to your pilot's reception centre instead.",
    ),
)  # fmt: skip


def seed_congress() -> Congress:
    """Next year's Congress (in the future, so it still takes ideas), its delegates and alternates, and one
    idea at each state with endorsements. Idempotent."""
    year = timezone.localdate().year + 1
    editor = _member(DANA)
    congress = Congress.objects.filter(year=year).first() or services.congress_create(
        actor=editor,
        year=year,
        title=f"National Congress for Secure Communities {year}",
        starts_on=date(year, 5, 11),
        ends_on=date(year, 5, 12),
        place="Washington, DC",
    )
    for email, role in DELEGATES:
        services.delegate_appoint(congress=congress, member=_member(email), role=role, actor=editor)
    community = Community.objects.get(slug=BLUEPRINT_COMMUNITY_SLUG)
    for spec in IDEAS:
        if Idea.objects.filter(congress=congress, title=spec.title).exists():
            continue
        idea = services.idea_submit(
            congress=congress,
            author=_member(spec.author),
            community=community,
            marking=Marking.objects.get(slug="unmarked"),
            title=spec.title,
            problem=spec.problem,
            proposal=spec.proposal,
            challenges=list(Entry.objects.filter(title__in=spec.challenges)),
        )
        for email in spec.endorsed_by:
            services.idea_endorse(idea=idea, member=_member(email))
        _decide(idea, spec, _member(DANA))
    return congress


def _decide(idea: Idea, spec: DemoIdea, editor: Member) -> None:
    if spec.status == IdeaStatus.SUBMITTED:
        return
    services.idea_review(idea=idea, editor=editor, decision=services.IdeaDecision.REVIEW)
    if spec.status == IdeaStatus.NOT_ACCEPTED:
        services.idea_review(idea=idea, editor=editor, decision=services.IdeaDecision.NOT_ACCEPT, reason=spec.reason)
        return
    services.idea_note_add(idea=idea, editor=editor, text="Strong endorsements; worth a pilot.")
    if spec.status == IdeaStatus.UNDER_REVIEW:
        return
    services.idea_review(idea=idea, editor=editor, decision=services.IdeaDecision.ACCEPT)
    services.idea_to_blueprint(idea=idea, editor=editor)


# --- Last year's Congress and its barriers report ----------------------------------------------------

REPORT_SECTIONS = (
    (
        SectionKind.BARRIER,
        "Liability keeps private partners' assets out of the first 72 hours",
        "Businesses that lend warehouses, trucks or staff in a crisis fear being sued for what goes wrong "
        "while their assets serve the response. Many decline to sign mutual aid agreements for that reason.",
    ),
    (
        SectionKind.BARRIER,
        "Communities cannot afford to prepare for every hazard",
        "Preparedness grants fund public agencies one hazard at a time; the partnerships that would let a "
        "community share the cost of all-hazards preparedness with its private and community sectors are "
        "not eligible.",
    ),
    (
        SectionKind.RECOMMENDATION,
        "Extend liability protection to partners acting under a mutual aid agreement",
        "Partners who act in good faith under a signed mutual aid agreement during a declared emergency "
        "should carry the same protection as the public agencies they support.",
    ),
    (
        SectionKind.RECOMMENDATION,
        "Make public-private partnerships eligible for preparedness grants",
        "A standing partnership co-led by a public and a private sector leader should be able to apply for "
        "preparedness funding for its shared inventory, exercises and pilots.",
    ),
)


def seed_past_congress() -> Congress:
    """Last year's Congress, held, with its delegates and their published report on barriers to preparedness
    and recommendations for legislation. Idempotent."""
    year = timezone.localdate().year - 1
    editor = _member(DANA)
    congress = Congress.objects.filter(year=year).first() or services.congress_create(
        actor=editor,
        year=year,
        title=f"National Congress for Secure Communities {year}",
        starts_on=date(year, 5, 11),
        ends_on=date(year, 5, 12),
        place="Washington, DC",
    )
    for email, role in DELEGATES:
        services.delegate_appoint(congress=congress, member=_member(email), role=role, actor=editor)
    if BarriersReport.objects.filter(congress=congress).exists():
        return congress
    marcus = _member(MARCUS)
    report = services.report_start(
        congress=congress,
        author=marcus,
        community=Community.objects.get(slug=BLUEPRINT_COMMUNITY_SLUG),
        marking=Marking.objects.get(slug="unmarked"),
        title=f"Barriers to preparedness and recommendations for legislation, {year}",
    )
    for kind, title, body in REPORT_SECTIONS:
        services.section_add(report=report, author=marcus, title=title, body=body, kind=kind)
    services.report_comment(
        report=report,
        author=_member(SAM),
        text="Port employers said the same at our last exercise: liability first, then funding.",
    )
    services.report_publish(report=report, actor=marcus)
    return congress


# --- A pilot-community template with running pilots ----------------------------------------------------

TEMPLATE_TITLE = "Public-private partnership pilot"
PARTNERSHIP_STEPS = (
    "Identify public and private sector stakeholders to co-share leadership",
    "Ask the leaders to bring others to the table",
    "Identify common issues on emergency preparedness to work on together",
    "Identify new resources in the community that mitigate the impact of critical incidents",
    "Determine the challenges the participating organisations face",
    "Conduct a needs assessment, set goals and assign tasks",
)
PARTNERSHIP_ROLES = (
    ("Public-sector co-lead", "chairs the partnership with the private-sector co-lead"),
    ("Private-sector co-lead", "gives the business community its voice from the start"),
    ("Community-sector liaison", "brings in the Red Cross chapter, faith groups and Citizen Corps"),
    ("Inventory keeper", "keeps the community resource inventory current"),
)
PARTNERSHIP_PAGES = (
    StarterPage(
        "Partnership charter",
        "# Partnership charter\n\nWho co-leads, who sits at the table, how often we meet and how we decide.\n",
    ),
    StarterPage(
        "Common issues",
        "# Common issues\n\nThe specific issues that affect all of us, in order of priority.\n",
    ),
)
GULF_COAST = "Gulf Coast, Texas"
# (community name, slug, starter, visibility, the template's locale, members who join, steps done (by whom),
# roles taken)
DEMO_PILOTS = (
    (
        "Galveston Bay Partnership Pilot", "galveston-bay-partnership-pilot", DANA, "open", GULF_COAST, (SAM, ADMIN),
        (DANA, DANA, SAM), (("Public-sector co-lead", DANA), ("Private-sector co-lead", SAM)),
    ),
    ("Lowcountry Partnership Pilot", "lowcountry-partnership-pilot", MARCUS, "private", "", (ADMIN,), (MARCUS,), ()),
)  # fmt: skip


def seed_template() -> PilotTemplate:
    """The six-step partnership model as a template, customised for the Gulf Coast, with a running pilot of
    each (one open, one private). Idempotent."""
    community = Community.objects.get(slug=BLUEPRINT_COMMUNITY_SLUG)
    unmarked = Marking.objects.get(slug="unmarked")
    template = PilotTemplate.objects.filter(title=TEMPLATE_TITLE, locale="").first()
    if template is None:
        template = services.template_create(
            editor=_member(DANA),
            community=community,
            marking=unmarked,
            content=services.TemplateContent(
                title=TEMPLATE_TITLE,
                summary="Start a standing partnership co-led by the public and private sectors, following the "
                "six-step partnership model, so the private and community sectors' assets are at the table "
                "before the first 72 hours of a crisis.",
                checklist=PARTNERSHIP_STEPS,
                roles=PARTNERSHIP_ROLES,
                pages=PARTNERSHIP_PAGES,
                entries=list(Entry.objects.filter(title__in=(PARTNERSHIP, MUTUAL_AID, INVENTORY))),
            ),
            tags=("partnership", "pilot"),
        )
    variant = PilotTemplate.objects.filter(based_on=template, locale=GULF_COAST).first()
    if variant is None:
        content = services.template_content(template)
        variant = services.template_create(
            editor=_member(ADMIN),
            community=community,
            marking=unmarked,
            based_on=template,
            content=services.TemplateContent(
                title=content.title,
                summary=content.summary,
                locale=GULF_COAST,
                checklist=[*content.checklist, "Agree on hurricane-season drills with the port's employers"],
                roles=content.roles,
                pages=[*content.pages, StarterPage("Hurricane season", "June to November: drills in May.\n")],
                entries=[*content.entries, *Entry.objects.filter(title=RECEPTION)],
            ),
        )
    for name, slug, email, visibility, locale, joiners, done_by, roles in DEMO_PILOTS:
        if Community.objects.filter(slug=slug).exists():
            continue
        starter = _member(email)
        pilot = services.pilot_start(
            template=variant if locale else template,
            member=starter,
            name=name,
            slug=slug,
            marking=unmarked,
            visibility=visibility,
            join_policy=Community.JoinPolicy.REQUEST,
        )
        for joiner in joiners:
            membership_set_role(community=pilot.community, member=_member(joiner), role=Role.MEMBER)
        for task, doer in zip(pilot.tasks.all(), done_by, strict=False):
            services.pilot_task_set(task=task, member=_member(doer), done=True)  # fresh: their roles as now
        for role_name, holder in roles:
            services.pilot_role_take(role=pilot.roles.get(name=role_name), member=_member(holder))
    return template
