"""Demo boards, threads, questions and blog posts for ``seed_demo``, drawn from the
source documents (the six partnership steps, the first 72 hours). Idempotent."""

from datetime import timedelta

from django.utils import timezone

from communities.models import Community
from discussions import services
from discussions.models import Board, Thread
from verification.models import Marking, Member

BOARDS = {
    "gulf-coast-hurricane-response": (
        ("The first 72 hours", "Challenges of the first three days after landfall, and what worked."),
        ("Questions", "Ask the community: shelters, evacuation, volunteers, supplies."),
    ),
    "public-private-partnerships": (
        ("Partnership model", "The six steps: co-leads, stakeholders, common issues, resources, challenges, needs."),
    ),
    "galveston-pilot": (("Pilot planning", "Working notes of the Galveston pilot (FOUO)."),),
}

# (community, board, author, kind, marking, title, body, tags, replies [(author, body)], accept first reply)
THREADS = (
    (
        "public-private-partnerships", "Partnership model", "sam.ortiz@portlogistics.example.com",
        Thread.Kind.DISCUSSION, "unmarked", "Step 1: who should co-lead from the private sector?",
        "The model says co-sponsors should come from **both** sectors, and be well known in the community.\n\n"
        "In Charleston we asked the largest employer at the port to co-lead with the county emergency manager. "
        "Who has tried a co-lead from a smaller business? Did it change who came to the table?",
        ("partnership", "co-leads"),
        (
            ("dana.reyes@galvestoncounty.gov", "In Galveston the Chamber of Commerce co-leads. It brings the small "
             "businesses along, which the big employers never managed alone."),
            ("marcus.bell@charlestonfire.gov", "> brings the small businesses along\n\nSame for us with the "
             "restaurant association after the 2015 floods."),
        ),
        False,
    ),
    (
        "public-private-partnerships", "Partnership model", "dana.reyes@galvestoncounty.gov",
        Thread.Kind.DISCUSSION, "unmarked", "Step 6: our needs assessment template",
        "Step 6 asks for a needs assessment, then goals, then tasks. Our template has four columns: "
        "*planning*, *mitigation*, *response*, *recovery*. Tasks so far:\n\n"
        "1. Review business emergency response plans\n2. A community-wide pandemic flu plan\n"
        "3. A credentialing program for businesses\n4. A central database of community resources",
        ("partnership", "needs assessment"), (), False,
    ),
    (
        "gulf-coast-hurricane-response", "The first 72 hours", "dana.reyes@galvestoncounty.gov",
        Thread.Kind.DISCUSSION, "unmarked", "Volunteers and materiel that arrive unasked",
        "Managing spontaneous volunteers and donated goods takes responders away from response. "
        "What has worked to hand this to the community sector in the first 72 hours?",
        ("volunteers", "donations", "first 72 hours"),
        (("sam.ortiz@portlogistics.example.com", "A logistics firm ran our donations warehouse in 2017. "
          "We signed the mutual aid agreement a year before the storm."),),
        False,
    ),
    (
        "gulf-coast-hurricane-response", "Questions", "marcus.bell@charlestonfire.gov",
        Thread.Kind.QUESTION, "unmarked", "How do you register special-needs residents before a storm?",
        "We want a voluntary registry for residents who need help to evacuate. Paper, 211, or an app?",
        ("special needs", "evacuation"),
        (("dana.reyes@galvestoncounty.gov", "We use the state's 211 registry and check it against the "
          "county's home-health agencies every June. One list, owned by one office."),),
        True,
    ),
    (
        "galveston-pilot", "Pilot planning", "dana.reyes@galvestoncounty.gov",
        Thread.Kind.DISCUSSION, "fouo", "Fuel priorities for the causeway generators",
        "Draft fuel priority list for the first 72 hours (FOUO: do not forward). Comments by Friday.",
        ("fuel", "critical infrastructure"), (), False,
    ),
)  # fmt: skip

BLOG_POSTS = (
    (
        "gulf-coast-hurricane-response", "dana.reyes@galvestoncounty.gov",
        "What Ike taught us about the first 72 hours",
        "Every responder and every resource should be focused on response and containment. After Ike we learned "
        "how much of our capacity went to tasks the private and community sectors could have carried: "
        "volunteer intake, donated goods, and checking on neighbours with special needs.",
        ("lessons learned", "hurricanes"), 20,
    ),
    (
        "public-private-partnerships", "sam.ortiz@portlogistics.example.com", "Why a business joins a partnership",
        "A business continuity plan that stops at the fence line is not a plan. Joining the port partnership gave us "
        "a seat when the county set fuel and road priorities, and the county a warehouse and forklifts.",
        ("partnership", "private sector"), 45,
    ),
)  # fmt: skip


def _board(community: Community, owner: Member, name: str, description: str) -> Board:
    board = community.boards.filter(name=name).first()
    return board or services.board_create(community=community, actor=owner, name=name, description=description)


def seed() -> None:
    for slug, boards in BOARDS.items():
        community = Community.objects.get(slug=slug)
        owner = Member.objects.get(memberships__community=community, memberships__role="owner")
        for name, description in boards:
            _board(community, owner, name, description)
    for slug, board_name, author_email, kind, marking, title, body, tags, replies, accept in THREADS:
        community = Community.objects.get(slug=slug)
        if Thread.objects.filter(community=community, title=title).exists():
            continue
        author = Member.objects.get(email=author_email)
        thread = services.thread_start(
            author=author,
            community=community,
            board=community.boards.get(name=board_name),
            kind=kind,
            title=title,
            body=body,
            marking=Marking.objects.get(slug=marking),
            tags=tags,
        )
        posted = [
            services.post_reply(author=Member.objects.get(email=email), thread=thread, body=text)
            for email, text in replies
        ]
        if accept and posted:
            services.answer_accept(thread=thread, post=posted[0], actor=author)
    for slug, author_email, title, body, tags, days_ago in BLOG_POSTS:
        community = Community.objects.get(slug=slug)
        if Thread.objects.filter(community=community, title=title).exists():
            continue
        services.thread_start(
            author=Member.objects.get(email=author_email),
            community=community,
            board=None,
            kind=Thread.Kind.BLOG,
            title=title,
            body=body,
            marking=Marking.objects.get(slug="unmarked"),
            tags=tags,
            publish_at=timezone.now() - timedelta(days=days_ago),
        )
