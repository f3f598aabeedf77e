"""Demo documents and links for ``seed_demo``. Idempotent."""

from django.core.files.uploadedfile import SimpleUploadedFile

from communities.models import Community
from library import services
from library.models import Bookmark, Document
from verification.models import Marking, Member

CHECKLIST = (
    "First 72 hours checklist (Gulf Coast Hurricane Response)\n"
    "Hour 0-12: shelters open, special-needs registry checked, fuel priorities confirmed\n"
    "Hour 12-24: donations warehouse staffed by partners, volunteer intake at one site\n"
    "Hour 24-72: road clearance with public works, utility restoration priorities, daily partner call\n"
)
CONTACTS = "organisation,role,phone\nGalveston County OEM,Co-lead,555-0100\nChamber of Commerce,Co-lead,555-0101\n"
LINKS = (
    ("gulf-coast-hurricane-response", "https://www.ready.gov/hurricanes", "Ready.gov: hurricanes"),
    (
        "public-private-partnerships",
        "https://www.fema.gov/emergency-managers/national-preparedness",
        "FEMA: preparedness",
    ),
)


def seed() -> None:
    author = Member.objects.get(email="dana.reyes@galvestoncounty.gov")
    documents = (
        ("gulf-coast-hurricane-response", "First 72 hours checklist", "checklist.txt", CHECKLIST, "unmarked"),
        ("galveston-pilot", "Partner contact list", "contacts.csv", CONTACTS, "fouo"),
    )
    for slug, title, name, text, marking in documents:
        community = Community.objects.get(slug=slug)
        if Document.objects.filter(community=community, title=title).exists():
            continue
        services.document_upload(
            author=author,
            community=community,
            title=title,
            file=SimpleUploadedFile(name, text.encode()),
            marking=Marking.objects.get(slug=marking),
        )
    for slug, url, title in LINKS:
        community = Community.objects.get(slug=slug)
        if not Bookmark.objects.filter(community=community, url=url).exists():
            services.bookmark_share(
                author=author, community=community, url=url, title=title, marking=Marking.objects.get(slug="unmarked")
            )
