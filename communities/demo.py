"""Demo communities for ``seed_demo``, drawn from the source documents. Idempotent."""

from communities.models import Community, Invitation, JoinRequest, Role
from communities.services import community_create, invitation_create, join_request_create, membership_set_role
from verification.models import Marking, Member

DEMO_COMMUNITIES: tuple[tuple[str, str, str, str, str, str, tuple[str, ...], str, dict[str, str]], ...] = (
    (
        "gulf-coast-hurricane-response", "Gulf Coast Hurricane Response", Community.Visibility.OPEN,
        Community.JoinPolicy.OPEN, "unmarked",
        "Responders and partners along the Gulf Coast planning for the first 72 hours after landfall: "
        "evacuation, sheltering, communications and restoring critical infrastructure.",
        ("hurricanes", "evacuation", "sheltering"), "dana.reyes@galvestoncounty.gov",
        {
            "marcus.bell@charlestonfire.gov": Role.MEMBER,
            "sam.ortiz@portlogistics.example.com": Role.MEMBER,
            "admin@muster.test": Role.MODERATOR,
        },
    ),
    (
        "galveston-pilot", "Galveston Pilot Community", Community.Visibility.PRIVATE,
        Community.JoinPolicy.INVITATION, "fouo",
        "A pilot community testing the partnership model in Galveston County: co-leads from the public and "
        "private sectors, invited stakeholders, common issues and a shared inventory of resources, hazards "
        "and challenges.",
        ("pilot", "partnership"), "dana.reyes@galvestoncounty.gov", {"admin@muster.test": Role.MODERATOR},
    ),
    (
        "charleston-port-partnership", "Charleston Port Partnership", Community.Visibility.RESTRICTED,
        Community.JoinPolicy.REQUEST, "unmarked",
        "Public and private partners of the Port of Charleston working on port security, continuity of "
        "operations and the supply chain after a disaster.",
        ("port security", "supply chain"), "marcus.bell@charlestonfire.gov",
        {"sam.ortiz@portlogistics.example.com": Role.MODERATOR},
    ),
    (
        "ems-practice", "EMS Practice", Community.Visibility.OPEN, Community.JoinPolicy.OPEN, "unmarked",
        "Emergency medical services practitioners sharing protocols, mass-casualty triage and lessons learned.",
        ("ems", "triage"), "marcus.bell@charlestonfire.gov", {"dana.reyes@galvestoncounty.gov": Role.MEMBER},
    ),
    (
        "public-private-partnerships", "Public-Private Partnerships", Community.Visibility.OPEN,
        Community.JoinPolicy.OPEN, "unmarked",
        "How to build a partnership in six steps: co-leads from both sectors, invited stakeholders, common "
        "issues, a central database of community resources, then needs, goals and tasks.",
        ("partnership", "private sector"), "sam.ortiz@portlogistics.example.com",
        {"dana.reyes@galvestoncounty.gov": Role.MEMBER, "marcus.bell@charlestonfire.gov": Role.MEMBER},
    ),
    (
        "national-blueprint", "National Blueprint", Community.Visibility.OPEN, Community.JoinPolicy.OPEN,
        "unmarked",
        "The National Blueprint for Secure Communities: the challenges of the first 72 hours, and the "
        "solutions, tools, reports and cases that address them. Anyone verified may join and propose entries.",
        ("blueprint", "first 72 hours"), "dana.reyes@galvestoncounty.gov",
        {
            "admin@muster.test": Role.MODERATOR,
            "marcus.bell@charlestonfire.gov": Role.MEMBER,
            "sam.ortiz@portlogistics.example.com": Role.MEMBER,
        },
    ),
)  # fmt: skip

JOIN_REQUESTS = (
    (
        "charleston-port-partnership",
        "dana.reyes@galvestoncounty.gov",
        "Galveston runs a port partnership too; I would like to compare continuity plans.",
    ),
)
ADDRESS_INVITATIONS = (("galveston-pilot", "dana.reyes@galvestoncounty.gov", "harbor.master@galveston.example.gov"),)


def seed() -> None:
    for slug, name, visibility, join_policy, marking, description, tags, owner_email, roles in DEMO_COMMUNITIES:
        community = Community.objects.filter(slug=slug).first()
        if community is None:
            community = community_create(
                creator=Member.objects.get(email=owner_email),
                name=name,
                slug=slug,
                marking=Marking.objects.get(slug=marking),
                description=description,
                visibility=visibility,
                join_policy=join_policy,
                tags=tags,
            )
        for email, role in roles.items():
            membership_set_role(community=community, member=Member.objects.get(email=email), role=role)
    for slug, email, message in JOIN_REQUESTS:
        community = Community.objects.get(slug=slug)
        member = Member.objects.get(email=email)
        if not JoinRequest.objects.filter(community=community, member=member).exists():
            join_request_create(community=community, member=member, message=message)
    for slug, inviter_email, address in ADDRESS_INVITATIONS:
        community = Community.objects.get(slug=slug)
        if not Invitation.objects.filter(community=community, email=address).exists():
            invitation_create(community=community, inviter=Member.objects.get(email=inviter_email), email=address)
