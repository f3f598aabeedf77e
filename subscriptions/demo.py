"""Demo subscriptions for ``seed_demo``: members following communities, boards, threads, pages, tags and
a blog at several levels and deliveries. Idempotent (``follow`` updates what exists)."""

from django.db.models import Model
from taggit.models import Tag

from communities.models import Community
from discussions.models import Board, Thread
from notices import follow
from notices.models import Delivery, Level
from verification.models import Member
from wiki.models import WikiPage

DANA = "dana.reyes@galvestoncounty.gov"
MARCUS = "marcus.bell@charlestonfire.gov"
SAM = "sam.ortiz@portlogistics.example.com"


def _targets(email: str) -> list[tuple[Model | None, str, str]]:
    gulf = Community.objects.filter(slug="gulf-coast-hurricane-response").first()
    partnerships = Community.objects.filter(slug="public-private-partnerships").first()
    if email == MARCUS:
        return [
            (gulf, Level.WATCHING, Delivery.DAILY),
            (partnerships, Level.NEW_ITEMS, Delivery.WEEKLY),
            (Tag.objects.filter(slug="sheltering").first(), Level.NEW_ITEMS, Delivery.DAILY),
            (Member.objects.filter(email=DANA).first(), Level.WATCHING, Delivery.IMMEDIATE),
        ]
    if email == SAM:
        return [
            (partnerships, Level.WATCHING, Delivery.DAILY),
            (WikiPage.objects.filter(community=partnerships).order_by("pk").first(), Level.WATCHING, Delivery.DAILY),
            (gulf, Level.MUTED, Delivery.SITE),
        ]
    return [
        (Board.objects.filter(community=gulf).order_by("pk").first(), Level.WATCHING, Delivery.DAILY),
        (Thread.objects.filter(community=partnerships).order_by("pk").first(), Level.WATCHING, Delivery.IMMEDIATE),
        (partnerships, Level.NORMAL, Delivery.WEEKLY),
    ]


def seed() -> None:
    for email in (DANA, MARCUS, SAM):
        member = Member.objects.get(email=email)
        for target, level, delivery in _targets(email):
            if target is not None and follow.may_follow(member, target):
                follow.follow(member=member, target=target, level=level, delivery=delivery)
