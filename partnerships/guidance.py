"""What the partnership model itself says: the six steps with their guidance (the seed's text,
``shared/seeds/partnership-model.txt``), what each step asks the partnership for, the stakeholder categories
of step 2 and the example tasks of step 6. Text, not data: the pages read it and nothing stores it."""

from dataclasses import dataclass


@dataclass(frozen=True)
class StepGuide:
    number: int
    title: str
    guidance: tuple[str, ...]  # paragraphs, as the seed gives them
    asks: str  # what the step asks the partnership for
    work_url_name: str = ""  # the page where the step's work is done ("" when it is done on the step page)
    work_label: str = ""


STEPS: tuple[StepGuide, ...] = (
    StepGuide(
        1,
        "Identify public and private sector stakeholders to co-share leadership",
        (
            "When first establishing a partnership, it is important to have co-sponsors that represent the public "
            "and private sectors. This sends a message to the business community that they will have a voice in "
            "the process if there is a co-leader from the private sector. The same applies to the public sector. "
            "Traditionally, many partnership groups are directed by the public sector, which may be perceived as "
            "'another government organization', creating an impression of exclusivity. Generally, the leading "
            "organizations should be well-known in the community.",
        ),
        "Two co-leads among the participants: one from the public sector and one from the private or community "
        "sector (read from their verified affiliation). The step stays open until both are in place.",
    ),
    StepGuide(
        2,
        "Ask leaders to bring others to the table",
        (
            "One of the best methods to maximize participation is for the leaders to contact and invite "
            "prospective members within their own networks. For business participation, invite the largest "
            "employer down to the smallest, including those that work with public sector agencies. Look to the "
            "Chamber of Commerce and related business groups, as well as security, business continuity, police, "
            "fire, emergency management, and risk management associations. Invite hospitals and health care "
            "organizations, airports and railroads, public transportation, utilities, American Red Cross and "
            "similar entities, Citizen Corps Councils and member groups, colleges and secondary schools, and "
            "other stakeholders. From the public sector, invite police, fire, EMS, health, emergency management, "
            "homeland security, public works, public transportation, government administrators, parks/recreation, "
            "economic development, and other stakeholders, including local, state, federal, and tribal entities.",
        ),
        "An invitation list by sector: for each stakeholder category, the organisations to invite, a contact, "
        "who invites them and where each stands (to invite, invited, joined, declined).",
        "partnerships:stakeholders",
        "Open the invitation list",
    ),
    StepGuide(
        3,
        "Identify common issues on emergency preparedness for collaboration",
        (
            "A common issue or major crisis can bring together the public and private sectors for joint "
            "cooperation. Yet, the issue should be specific in nature. Due to the diverse backgrounds of "
            "participants, there may be a potential for discussions to become sidetracked. In order to develop a "
            "lasting relationship or partnership, the issues must affect the group collectively, which leads to "
            "further collaboration, cooperation, and communication.",
        ),
        "Specific issues proposed and discussed by the participants, ranked by their votes (one vote per "
        "participant per issue).",
        "partnerships:issues",
        "Open the common issues",
    ),
    StepGuide(
        4,
        "Identify new resources in the community to mitigate the impact of critical incidents",
        (
            "To further build cohesiveness, identify resources in the community that can mitigate the impact of "
            "critical incidents. The depth of diversity in the partnership can add resources that may not "
            "typically be available. Participants who recognize the availability of resources will feel committed "
            "to the process and problem-solving approaches. Look to integrate resource allocation and management "
            "through a jurisdiction-wide centralized process.",
        ),
        "A central inventory of the resources participating organisations offer, typed the NIMS way (category, "
        "kind, type, capacity), with where they are, who owns them, how fast they deploy and whether they are "
        "available; and who can provide what within 72 hours.",
        "partnerships:resources",
        "Open the resource inventory",
    ),
    StepGuide(
        5,
        "Determine the challenges that participating organizations encounter",
        (
            "An important step in a partnership is to identify which man-made and/or natural disasters have the "
            "potential to damage a community's public and private sectors. Organizations within a community will "
            "face challenges (e.g., threats, risks and vulnerabilities) that affect them individually or "
            "collectively. When partnership groups identify potential crises, such as a loss of power, weather, "
            "and natural disasters that can impact their communities, they establish a common bond for future "
            "cooperation.",
        ),
        "A hazard register (natural, technological, human-caused), each hazard scored for likelihood and impact "
        "from 1 to 5 with the organisations it affects, read together as a risk matrix.",
        "partnerships:hazards",
        "Open the hazard register",
    ),
    StepGuide(
        6,
        "Create sustainability in the partnership through a needs assessment, setting goals, and task performance",
        (
            "This step is composed of three components that create “sustainability” in the partnership.",
            "When partnership groups form, they should first conduct a needs assessment. This systematic process "
            "provides a profile for the areas of improvement for the community in planning, mitigation, response, "
            "and recovery from a crisis or critical incident. The partnership organization identifies the needs "
            "and prioritizes them.",
            "The partnership group subsequently establishes and defines goals, which provide direction for the "
            "partnership.",
            "The final component to create sustainability is task performance. Tasks are specific in nature that "
            "relate to the goals. Examples of tasks include reviewing business emergency response plans, "
            "developing a community-wide pandemic flu plan, creating a credentialing program for businesses, "
            "establishing a centralize database of community resources, and other tasks related to the needs "
            "assessment.",
        ),
        "Needs in planning, mitigation, response and recovery, prioritised; goals that address them; and tasks "
        "under the goals, each with an owner and a co-owner from the other sector, a due date and a checklist.",
        "partnerships:plan",
        "Open the plan",
    ),
)

STEP_NUMBERS = tuple(step.number for step in STEPS)


def step_guide(number: int) -> StepGuide:
    return STEPS[number - 1]


# Step 2: the seed's stakeholder categories, by sector (the private and community sector first, as the seed).
PRIVATE_CATEGORIES: tuple[str, ...] = (
    "Employers, from the largest to the smallest",
    "Chamber of Commerce and business groups",
    "Security associations",
    "Business continuity and risk management associations",
    "Hospitals and health care organisations",
    "Airports and railroads",
    "Public transportation",
    "Utilities",
    "American Red Cross and similar entities",
    "Citizen Corps Councils and member groups",
    "Colleges and secondary schools",
)
PUBLIC_CATEGORIES: tuple[str, ...] = (
    "Police",
    "Fire",
    "EMS",
    "Health",
    "Emergency management",
    "Homeland security",
    "Public works",
    "Government administrators",
    "Parks and recreation",
    "Economic development",
    "Local, state, federal and tribal entities",
)
OTHER_CATEGORY = "Other stakeholders"

# Step 6: the seed's example tasks, offered as starting points.
EXAMPLE_TASKS: tuple[str, ...] = (
    "Review business emergency response plans",
    "Develop a community-wide pandemic plan",
    "Create a credentialing programme for businesses",
    "Establish a central database of community resources",
)
