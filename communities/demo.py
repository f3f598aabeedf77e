"""Demo communities for ``seed_demo``, drawn from the source documents. Idempotent."""

from communities.models import Community, Role
from communities.services import community_create, membership_set_role
from verification.models import Marking, Member

DEMO_COMMUNITIES: tuple[tuple[str, str, str, str, str, tuple[str, ...], str, dict[str, str]], ...] = (
    (
        "gulf-coast-hurricane-response", "Gulf Coast Hurricane Response", Community.Visibility.OPEN, "unmarked",
        "Responders and partners along the Gulf Coast planning for the first 72 hours after landfall.",
        ("hurricanes", "evacuation", "sheltering"), "dana.reyes@galvestoncounty.gov",
        {"marcus.bell@charlestonfire.gov": Role.MEMBER, "sam.ortiz@portlogistics.example.com": Role.MEMBER},
    ),
    (
        "galveston-pilot", "Galveston Pilot Community", Community.Visibility.PRIVATE, "fouo",
        "A pilot community testing the partnership model in Galveston County: co-leads, stakeholders, "
        "common issues and a shared inventory of resources, hazards and challenges.",
        ("pilot", "partnership"), "dana.reyes@galvestoncounty.gov", {"admin@muster.test": Role.MODERATOR},
    ),
    (
        "charleston-port-partnership", "Charleston Port Partnership", Community.Visibility.RESTRICTED, "unmarked",
        "Public and private partners of the Port of Charleston working on port security and continuity.",
        ("port security", "supply chain"), "marcus.bell@charlestonfire.gov",
        {"sam.ortiz@portlogistics.example.com": Role.MODERATOR},
    ),
    (
        "ems-practice", "EMS Practice", Community.Visibility.OPEN, "unmarked",
        "Emergency medical services practitioners sharing protocols, mass-casualty triage and lessons learned.",
        ("ems", "triage"), "marcus.bell@charlestonfire.gov", {},
    ),
)  # fmt: skip


def seed() -> None:
    for slug, name, visibility, marking, description, tags, owner_email, roles in DEMO_COMMUNITIES:
        if Community.objects.filter(slug=slug).exists():
            continue
        community = community_create(
            creator=Member.objects.get(email=owner_email),
            name=name,
            slug=slug,
            marking=Marking.objects.get(slug=marking),
            description=description,
            visibility=visibility,
            tags=tags,
        )
        for email, role in roles.items():
            membership_set_role(community=community, member=Member.objects.get(email=email), role=role)
