"""The demo partnership for ``seed_demo``: the Charleston Port Partnership builds its public-private
partnership — a public co-lead (Charleston Fire) and a private one (Port Logistics Partners), steps in several
states, an invitation list, common issues with votes, a few dozen resources (one FOUO: the location of a
critical asset), a hazard register and a plan with goals and tasks. Idempotent: when the partnership exists,
nothing is added."""

from datetime import timedelta

from django.utils import timezone

from communities.models import Community, Membership, Role
from communities.services import membership_set_role
from partnerships import services
from partnerships.guidance import EXAMPLE_TASKS
from partnerships.models import Goal, Partnership, StepState
from verification.models import Marking, Member

COMMUNITY_SLUG = "charleston-port-partnership"
TITLE = "Charleston Port Public-Private Partnership"
PUBLIC_LEAD = "marcus.bell@charlestonfire.gov"
PRIVATE_LEAD = "sam.ortiz@portlogistics.example.com"
# Cleared for FOUO, and so the one who records the marked resource; joins the community as a member.
CLEARED_PARTICIPANT = "admin@muster.test"

# name, category, kind, NIMS type, capacity, unit, quantity, location, owner, hours to deploy, availability
RESOURCES: tuple[tuple[str, str, str, str, str, str, int, str, str, int, str], ...] = (
    ("Engine company", "fire", "team", "1", "1500", "gallons per minute",
     4, "Stations 2, 4, 9, 11", "Charleston Fire Department", 1, "available"),
    ("Hazmat response team", "fire", "team", "1", "", "",
     1, "Station 11", "Charleston Fire Department", 2, "available"),
    ("Fireboat", "fire", "vehicle", "2", "3000", "gallons per minute",
     1, "Columbus Street Terminal", "Charleston Fire Department", 1, "available"),
    ("Ambulance strike team", "ems", "team", "1", "5", "ambulances",
     2, "Charleston County EMS headquarters", "Charleston County EMS", 2, "available"),
    ("Mass-casualty trailer", "ems", "equipment", "2", "100", "patients",
     1, "North Charleston", "Charleston County EMS", 3, "limited"),
    ("Incident management team", "management", "team", "3", "", "",
     1, "County EOC", "Charleston County Emergency Management", 6, "available"),
    ("Mobile command post", "management", "vehicle", "2", "", "",
     1, "County EOC", "Charleston County Emergency Management", 2, "available"),
    ("Satellite phones", "communications", "equipment", "untyped", "", "",
     20, "Port operations centre", "Port Logistics Partners", 1, "available"),
    ("Portable radio cache", "communications", "equipment", "2", "60", "radios",
     1, "County EOC", "Charleston County Emergency Management", 4, "available"),
    ("Mobile cell tower", "communications", "equipment", "untyped", "", "",
     1, "Mount Pleasant yard", "Lowcountry Wireless", 24, "limited"),
    ("Generators 500 kW", "infrastructure", "equipment", "1", "500", "kW",
     6, "Wando Welch Terminal", "Port Logistics Partners", 12, "available"),
    ("Fuel tanker", "logistics", "vehicle", "2", "9000", "gallons",
     3, "North Charleston fuel farm", "Palmetto Fuel Co.", 8, "available"),
    ("Reach stackers", "logistics", "equipment", "untyped", "45", "tonnes",
     4, "Wando Welch Terminal", "Port Logistics Partners", 6, "available"),
    ("Forklifts", "logistics", "equipment", "untyped", "5", "tonnes",
     12, "Distribution centre, Ladson", "Port Logistics Partners", 4, "available"),
    ("Refrigerated trailers", "logistics", "vehicle", "untyped", "53", "feet",
     8, "Distribution centre, Ladson", "Lowcountry Cold Chain", 12, "limited"),
    ("Warehouse space", "logistics", "facility", "untyped", "200000", "square feet",
     1, "Ladson", "Port Logistics Partners", 24, "available"),
    ("Box trucks with drivers", "transportation", "vehicle", "untyped", "26", "feet",
     10, "Summerville", "Palmetto Freight", 6, "available"),
    ("Transit buses", "transportation", "vehicle", "untyped", "40", "seats",
     25, "CARTA depot", "CARTA", 4, "available"),
    ("Shelter cots and blankets", "mass_care", "supplies", "untyped", "500", "people",
     1, "Red Cross warehouse", "American Red Cross Lowcountry", 12, "available"),
    ("Feeding kitchen", "mass_care", "facility", "2", "5000", "meals a day",
     1, "Trident Tech campus", "Trident Technical College", 48, "limited"),
    ("Bottled water", "mass_care", "supplies", "untyped", "40000", "litres",
     1, "Distribution centre, Ladson", "Lowcountry Grocers", 12, "available"),
    ("Pharmacy stock", "health", "supplies", "untyped", "", "",
     1, "Regional distribution centre", "Lowcountry Pharmacies", 24, "available"),
    ("Hospital surge beds", "health", "facility", "2", "60", "beds",
     1, "Roper St. Francis", "Roper St. Francis Healthcare", 12, "limited"),
    ("Debris crews", "public_works", "team", "2", "", "",
     6, "City yards", "City of Charleston Public Works", 24, "available"),
    ("Pumps 6-inch", "public_works", "equipment", "untyped", "1500", "gallons per minute",
     10, "City yards", "City of Charleston Public Works", 6, "available"),
    ("Swift-water rescue team", "search_rescue", "team", "2", "", "",
     2, "Station 9", "Charleston Fire Department", 3, "available"),
    ("Security officers", "law", "personnel", "untyped", "", "",
     40, "Port gates", "Harbor Security Services", 6, "available"),
    ("Cranes, mobile harbour", "infrastructure", "equipment", "untyped", "100", "tonnes",
     2, "Columbus Street Terminal", "Port Logistics Partners", 24, "committed"),
    ("Animal shelter space", "animal", "facility", "untyped", "150", "animals",
     1, "Charleston Animal Society", "Charleston Animal Society", 12, "available"),
    ("Tugboats", "transportation", "vehicle", "untyped", "", "", 3, "Harbour", "Lowcountry Towing", 96, "available"),
)  # fmt: skip
MARKED_RESOURCE = (
    "Spare substation transformer", "infrastructure", "equipment", "1", "50", "MVA", 1,
    "Fenced yard behind Substation 14, gate code with the duty officer", "Lowcountry Power", 48, "available",
)  # fmt: skip

HAZARDS = (
    ("Hurricane and storm surge", "natural", 4, 5, "Every participant; the port closes for days"),
    ("Loss of power", "technological", 4, 4, "Port cranes, cold chain, hospitals"),
    ("Flooding of low-lying roads", "natural", 5, 3, "Trucking, staff getting to work"),
    ("Hazardous materials release at a terminal", "technological", 2, 4, "Port, neighbouring communities"),
    ("Earthquake", "natural", 1, 5, "Bridges, port, hospitals"),
    ("Cyber attack on terminal systems", "human_caused", 3, 4, "Port Logistics Partners, shipping lines"),
    ("Pandemic", "natural", 2, 4, "Every employer"),
)
STAKEHOLDERS = (
    ("private", "Chamber of Commerce and business groups", "Charleston Metro Chamber of Commerce", "to_invite"),
    ("private", "Utilities", "Lowcountry Power", "joined"),
    ("private", "Hospitals and health care organisations", "Roper St. Francis Healthcare", "invited"),
    ("private", "American Red Cross and similar entities", "American Red Cross Lowcountry", "joined"),
    ("private", "Employers, from the largest to the smallest", "Boeing South Carolina", "declined"),
    ("public", "Police", "Charleston Police Department", "invited"),
    ("public", "Emergency management", "Charleston County Emergency Management", "joined"),
    ("public", "Public works", "City of Charleston Public Works", "to_invite"),
)
ISSUES = (
    ("Fuel for generators after landfall", 3),
    ("Re-entry passes for port and business staff", 2),
    ("Keeping the cold chain running during power cuts", 1),
)


def seed() -> Partnership | None:
    community = Community.objects.filter(slug=COMMUNITY_SLUG).first()
    if community is None:
        return None
    existing = Partnership.objects.filter(community=community, title=TITLE).first()
    if existing is not None:
        return existing
    public_lead = Member.objects.get(email=PUBLIC_LEAD)
    private_lead = Member.objects.get(email=PRIVATE_LEAD)
    cleared = Member.objects.get(email=CLEARED_PARTICIPANT)
    if not Membership.objects.filter(community=community, member=cleared).exists():
        membership_set_role(community=community, member=cleared, role=Role.MEMBER)
    unmarked = Marking.objects.get(slug="unmarked")
    fouo = Marking.objects.get(slug="fouo")

    def fresh(member: Member) -> Member:
        return Member.objects.get(pk=member.pk)

    partnership = services.partnership_create(
        author=fresh(public_lead),
        community=community,
        marking=unmarked,
        title=TITLE,
        jurisdiction="Charleston County, South Carolina",
        description="The Port of Charleston's public agencies and private operators, working the six steps of the "
        "partnership model together for the first 72 hours after a hurricane or a port incident.",
    )
    services.co_lead_set(partnership=partnership, member=public_lead, actor=fresh(public_lead))
    services.co_lead_set(partnership=partnership, member=private_lead, actor=fresh(public_lead))
    services.step_set_state(partnership=partnership, number=1, state=StepState.DONE, actor=fresh(private_lead))

    for sector, category, organisation, state in STAKEHOLDERS:
        row = services.stakeholder_add(
            partnership=partnership, actor=fresh(private_lead), sector=sector, category=category,
            organisation=organisation, inviter=public_lead if sector == "public" else private_lead,
        )  # fmt: skip
        services.stakeholder_set_state(stakeholder=row, actor=fresh(private_lead), state=state)
    services.step_set_state(partnership=partnership, number=2, state=StepState.DONE, actor=fresh(public_lead))

    voters = [public_lead, private_lead, cleared]
    issues = []
    for title, votes in ISSUES:
        issue = services.issue_propose(partnership=partnership, author=fresh(private_lead), title=title)
        for voter in voters[:votes]:
            services.issue_vote(issue=issue, member=fresh(voter))
        issues.append(issue)
    services.issue_comment(
        issue=issues[0], author=fresh(public_lead), text="Fire needs fuel for the engines too; can we pool contracts?"
    )

    today = timezone.localdate()
    for name, category, kind, rtype, capacity, unit, quantity, location, owner, hours, availability in RESOURCES:
        author = private_lead if "Port" in owner or "Palmetto" in owner or "Lowcountry" in owner else public_lead
        services.resource_add(
            partnership=partnership, author=fresh(author), marking=unmarked,
            data={"name": name, "category": category, "kind": kind, "resource_type": rtype,
                  "capacity": capacity or None, "capacity_unit": unit, "quantity": quantity, "location": location,
                  "owner_organisation": owner, "contact": "Duty officer", "hours_to_deploy": hours,
                  "availability": availability, "availability_on": today},
        )  # fmt: skip
    name, category, kind, rtype, capacity, unit, quantity, location, owner, hours, availability = MARKED_RESOURCE
    services.resource_add(
        partnership=partnership, author=fresh(cleared), marking=fouo,
        data={"name": name, "category": category, "kind": kind, "resource_type": rtype, "capacity": capacity,
              "capacity_unit": unit, "quantity": quantity, "location": location, "owner_organisation": owner,
              "contact": "Lowcountry Power duty officer", "conditions": "Released only to restore port power",
              "hours_to_deploy": hours, "availability": availability, "availability_on": today},
    )  # fmt: skip

    hazards = [
        services.hazard_add(
            partnership=partnership,
            author=fresh(public_lead),
            marking=unmarked,
            title=title,
            category=category,
            likelihood=likelihood,
            impact=impact,
            organisations_affected=affected,
        )
        for title, category, likelihood, impact, affected in HAZARDS
    ]

    power = services.need_add(
        partnership=partnership, author=fresh(private_lead), marking=unmarked, title="Backup power for the port",
        area="mitigation", priority=1, hazards=[hazards[0], hazards[1]], issues=[issues[0], issues[2]],
    )  # fmt: skip
    plans = services.need_add(
        partnership=partnership, author=fresh(public_lead), marking=unmarked,
        title="Business emergency plans that fit the county's", area="planning", priority=2, hazards=[hazards[0]],
        issues=[issues[1]],
    )  # fmt: skip
    services.need_add(
        partnership=partnership, author=fresh(public_lead), marking=unmarked, title="Faster re-opening of the port",
        area="recovery", priority=2, hazards=[hazards[0], hazards[2]],
    )  # fmt: skip
    ready = services.goal_add(
        partnership=partnership, author=fresh(private_lead), marking=unmarked,
        title="The port keeps power through a hurricane", needs=[power],
    )  # fmt: skip
    aligned = services.goal_add(
        partnership=partnership, author=fresh(public_lead), marking=unmarked,
        title="Every large employer has a plan aligned with the county's", needs=[plans],
    )  # fmt: skip
    tasks: tuple[tuple[Goal, str, Member, Member, int, str, list[str]], ...] = (
        (ready, EXAMPLE_TASKS[3], private_lead, public_lead, 30, "in_progress", ["Agree the CSV columns", "Import"]),
        (ready, "Test generator hand-over at Wando Welch", private_lead, public_lead, 14, "to_do", []),
        (aligned, EXAMPLE_TASKS[0], public_lead, private_lead, 45, "to_do", ["Collect plans", "Review", "Report"]),
        (aligned, EXAMPLE_TASKS[2], public_lead, private_lead, 60, "done", []),
        (aligned, EXAMPLE_TASKS[1], public_lead, private_lead, 2, "to_do", []),
    )
    for goal, task_title, task_owner, co_owner, days, state, checklist in tasks:
        task = services.task_add(
            goal=goal, author=fresh(task_owner), marking=unmarked, title=task_title, owner=task_owner,
            co_owner=co_owner, due_on=today + timedelta(days=days), checklist=checklist,
        )  # fmt: skip
        if state != "to_do":
            services.task_set_state(task=task, actor=fresh(task_owner), state=state)
    # One task already late, so the plan shows what overdue looks like.
    late = partnership.tasks.get(title=EXAMPLE_TASKS[1])
    type(late).objects.filter(pk=late.pk).update(due_on=today - timedelta(days=3))
    return partnership
