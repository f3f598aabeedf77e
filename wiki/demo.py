"""Demo wiki pages for ``seed_demo``: the partnership model's six steps. Idempotent."""

from communities.models import Community
from verification.models import Marking, Member
from wiki import services
from wiki.models import WikiPage

PAGES = (
    (
        "Partnership model",
        None,
        "The six-step model for public-private partnerships for joint crisis management.\n\n"
        "## The steps\n\n"
        "1. [[Co-leads]]: identify public and private sector stakeholders to co-share leadership.\n"
        "2. Ask leaders to bring others to the table.\n"
        "3. Identify common issues on emergency preparedness for collaboration.\n"
        "4. [[Resource inventory|Identify new resources]] in the community to mitigate critical incidents.\n"
        "5. Determine the challenges that participating organizations encounter.\n"
        "6. Create sustainability: a needs assessment, goals, and task performance.\n\n"
        "## Why co-leads from both sectors\n\n"
        "A co-leader from the private sector tells the business community it will have a voice. "
        "Partnerships run by the public sector alone can look like *another government organization*.\n",
    ),
    (
        "Co-leads",
        "Partnership model",
        "Co-sponsors should represent the public and private sectors, and be well known in the community.\n\n"
        "## Who has co-led here\n\n- Galveston: the county emergency manager and the Chamber of Commerce\n"
        "- Charleston: the fire department and the largest employer at the port\n",
    ),
)


def seed() -> None:
    community = Community.objects.get(slug="public-private-partnerships")
    author = Member.objects.get(email="sam.ortiz@portlogistics.example.com")
    unmarked = Marking.objects.get(slug="unmarked")
    for title, parent_title, body in PAGES:
        if WikiPage.objects.filter(community=community, title=title).exists():
            continue
        parent = WikiPage.objects.get(community=community, title=parent_title) if parent_title else None
        services.page_create(
            author=author, community=community, title=title, body=body, marking=unmarked, parent=parent
        )
