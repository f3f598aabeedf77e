"""Demo chat for ``seed_demo``: history in the communities' default rooms, direct messages and one
small group conversation among the demo members, on the source documents' topics. Idempotent.

Messages go through ``services.message_send`` so sequences, versions, read
positions and notifications are what real use would leave. Seeding sends far
faster than a person types, so the chat rate limit is lifted while it runs
(``override_settings``); then each conversation's history is spread over the
past hours, as a real one would be.
"""

from datetime import timedelta

from django.test import override_settings
from django.utils import timezone

from communities.models import Community
from messaging import services
from messaging.models import Conversation, Message
from verification.models import Member

DANA = "dana.reyes@galvestoncounty.gov"
MARCUS = "marcus.bell@charlestonfire.gov"
SAM = "sam.ortiz@portlogistics.example.com"
AVERY = "admin@muster.test"

# Each community's default room: (author, message), oldest first.
ROOM_HISTORY: dict[str, tuple[tuple[str, str], ...]] = {
    "gulf-coast-hurricane-response": (
        (DANA, "Morning all. NHC has the system at 60% for the next five days; cone still includes Galveston Bay."),
        (MARCUS, "Thanks Dana. Charleston is outside the cone for now; we are pre-positioning two swift-water teams."),
        (SAM, "Port Logistics has three flatbeds and a forklift crew on standby if anyone needs supplies moved."),
        (DANA, "Appreciated. First ask: sandbags to the **Bolivar Peninsula** fire station, probably Thursday."),
        (AVERY, "Reminder: unit locations and shelter capacity figures belong in the FOUO pilot room, not here."),
        (MARCUS, "Copy. What's your trigger for the special-needs evacuation? We use tropical-storm winds minus 48 h."),
        (DANA, "Same, minus 60 h for the island. The 211 registry list goes to the transport contractor at H-72."),
        (SAM, "We can take the registry pickups for the west end if your buses are short again like in 2017."),
        (DANA, "That would help a lot. I'll put it on the agenda for the partnership call."),
        (MARCUS, "Lesson from Hugo we still repeat: fuel the generators at the shelters *before* the bridges close."),
        (SAM, "Fuel is our bottleneck too. Two tankers are contracted; a third is on a handshake."),
        (DANA, "Let's get the third one in writing this week. Updates here at 1800 daily once we hit H-96."),
    ),
    "galveston-pilot": (
        (DANA, "Pilot check-in: the stakeholder list is at 31 organisations, 9 of them private sector."),
        (AVERY, "Good spread. Did the two hospitals confirm their co-lead contacts?"),
        (DANA, "UTMB yes, the county hospital district still pending."),
        (AVERY, "I'll chase them. Is the fuel priority draft ready for comments?"),
        (DANA, "Draft is in the pilot board thread. Causeway generators first, then water plants, then shelters."),
        (AVERY, "Water plants before shelters makes sense: no pressure, no sanitation at the shelters either."),
        (DANA, "Exactly the argument the utility made. I'll note it in the rationale column."),
        (AVERY, "Thanks. Next pilot meeting Tuesday 1000 at the EOC."),
    ),
    "charleston-port-partnership": (
        (MARCUS, "Welcome to the port partnership room. Continuity of operations is this quarter's focus."),
        (SAM, "Thanks Marcus. Our COOP plan assumes 72 hours without the container terminal's power."),
        (MARCUS, "Is backup power for the reefer containers in that plan? That's what hurt after Matthew."),
        (SAM, "Partly. Gensets for 40 reefers; the terminal has 300 plugs. We need a priority list."),
        (MARCUS, "Medical supplies and food for shelters first. I'll ask the county EM for the list they used."),
        (SAM, "Good. The supply chain mapping exercise is scheduled for next month, by the way."),
        (MARCUS, "Put me down for it. Fire marshal's office wants in too, for the hazmat storage review."),
        (SAM, "Will do. I'll share the invite here once the date is final."),
    ),
    "ems-practice": (
        (MARCUS, "Question for the group: who's using SALT triage versus START for mass-casualty incidents?"),
        (DANA, "Galveston County EMS moved to SALT in 2022. The lifesaving interventions step is the big difference."),
        (MARCUS, "We're still START. Did the switch need much retraining?"),
        (DANA, "Two-hour module plus a tabletop. The harder part was updating the triage tags with the vendor."),
        (MARCUS, "Makes sense. Any numbers from your last full-scale exercise?"),
        (DANA, "Median triage time per patient went from 38 to 31 seconds. Small sample, but encouraging."),
        (MARCUS, "That's worth sharing. Could you post it to the library?"),
        (DANA, "Sure, I'll upload the after-action summary this week."),
    ),
    "public-private-partnerships": (
        (SAM, "Kicking off: we're on step 3 of the partnership model — finding the common issues."),
        (DANA, "Our top three from the stakeholder survey: fuel, communications, and re-entry credentials."),
        (MARCUS, "Re-entry credentials come up everywhere. Businesses can't reopen if staff can't pass checkpoints."),
        (SAM, "That's our number one too. A credentialing program is on Galveston's task list, right?"),
        (DANA, "Yes, task 3 in the needs assessment. We'd love a private-sector partner to help design it."),
        (SAM, "Count Port Logistics in. We run badge systems for three terminals already."),
        (MARCUS, "Loop in the sheriff's office early. They own the checkpoints on our side."),
        (DANA, "Good call. I'll draft a one-pager and share it here before the next call."),
        (SAM, "Thanks both. Step 4, the central resource database, is next after that."),
    ),
    "galveston-bay-partnership-pilot": (
        (DANA, "Welcome to the Galveston Bay pilot. The checklist is on the pilot page; co-leads first."),
        (SAM, "Happy to co-lead for the private side. I took the role on the pilot page."),
        (AVERY, "The charter page is a good place to write down who sits at the table."),
        (DANA, "Step two done: the Chamber, the port, the hospital district and the Red Cross chapter said yes."),
        (SAM, "The port's three largest employers are in. Warehousing is their first offer."),
        (DANA, "Then common issues: fuel, special-needs transport and donated goods, in that order?"),
        (AVERY, "Add the May hurricane drill to the Gulf Coast steps; it's in the customised template."),
        (SAM, "Ticked the common issues. Next call Thursday at 10."),
    ),
    "lowcountry-partnership-pilot": (
        (MARCUS, "Lowcountry pilot is open. Keeping it private until the co-leads are named."),
        (AVERY, "Good call. Who do you have in mind for the private-sector co-lead?"),
        (MARCUS, "The port authority's continuity manager. Meeting her next week."),
        (AVERY, "Bring the partnership model page; the six steps make the ask concrete."),
        (MARCUS, "Will do. First step ticked: our fire chief co-leads for the public side."),
        (AVERY, "The charter page is started from the template; edit it after the meeting."),
        (MARCUS, "I'll invite the county EM and the Red Cross chapter once the co-lead says yes."),
        (AVERY, "Sounds right. Shout here if you need the template's tools for the inventory."),
    ),
    "national-blueprint": (
        (DANA, "Welcome to the Blueprint room. Propose entries from /blueprint/; editors review them there."),
        (MARCUS, "I proposed a solution for the special-needs challenge: a registry kept with community partners."),
        (DANA, "Saw it in the queue. I'll review it this week; Avery may take it if I can't."),
        (SAM, "Our warehouse write-up is in as a tool under the volunteer and donations reception centre."),
        (DANA, "Published it. Evidence level 'anecdote' for now; a report from the next exercise would raise it."),
        (MARCUS, "The gap view shows the special-needs challenge with no validated solution yet, as it should."),
        (DANA, "Galveston's co-lead story is in as a case; Charleston's port logistics case too."),
        (SAM, "The contact roster is marked FOUO, so it only shows to those cleared."),
        (AVERY, "Right. And only unmarked summaries can be made public for visitors."),
    ),
}  # fmt: skip

DIRECT_MESSAGES: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        DANA, MARCUS,
        (
            (DANA, "Marcus, could your swift-water team brief ours before the season? 30 minutes on a call."),
            (MARCUS, "Happy to. Thursday afternoon works; I'll bring the lessons from the 2015 floods."),
            (DANA, "Thursday 1500 then. I'll send the invite."),
            (MARCUS, "Got it, see you then."),
        ),
    ),
    (
        SAM, DANA,
        (
            (SAM, "Dana, the third fuel tanker contract is signed. Sending the details by e-mail."),
            (DANA, "Fantastic news, thank you Sam."),
            (SAM, "Delivery point is the county yard on 61st Street unless you say otherwise."),
        ),
    ),
)  # fmt: skip

GROUP_TITLE = "Fuel and generators"
GROUP = (
    DANA,
    (MARCUS, SAM),
    (
        (DANA, "Starting a small group for fuel and generator logistics before landfall."),
        (SAM, "Three tankers confirmed. Each carries 9,000 gallons of diesel."),
        (MARCUS, "Generators at our shelters draw about 15 gallons an hour at full load."),
        (DANA, "So one tanker covers the Galveston shelters for roughly four days. Good margin."),
        (SAM, "I'll map the refuelling route and share it here tomorrow."),
    ),
)  # fmt: skip

MINUTES_BETWEEN_MESSAGES = 7


def _member(email: str) -> Member:
    return Member.objects.get(email=email)


def _fill(conversation: Conversation, history: tuple[tuple[str, str], ...]) -> None:
    """Send ``history`` into an empty conversation, then spread it over the past hours."""
    if conversation.last_sequence:
        return
    sent = [
        services.message_send(conversation=conversation, author=_member(email), body=body) for email, body in history
    ]
    now = timezone.now()
    for position, message in enumerate(sent):
        minutes_ago = (len(sent) - position) * MINUTES_BETWEEN_MESSAGES
        Message.objects.filter(pk=message.pk).update(created_at=now - timedelta(minutes=minutes_ago))
    Conversation.objects.filter(pk=conversation.pk).update(
        last_message_at=now - timedelta(minutes=MINUTES_BETWEEN_MESSAGES)
    )


def seed() -> None:
    # Seeding sends dozens of messages a second; the per-member chat rate limit is for people.
    with override_settings(MUSTER_CHAT_RATE=(10_000, 1)):
        for slug, history in ROOM_HISTORY.items():
            room = services.room_ensure_default(community=Community.objects.get(slug=slug))
            _fill(room, history)
        for first, second, history in DIRECT_MESSAGES:
            conversation = services.direct_conversation_open(member=_member(first), other=_member(second))
            _fill(conversation, history)
        creator_email, others, history = GROUP
        creator = _member(creator_email)
        group = Conversation.objects.filter(
            kind=Conversation.Kind.GROUP, title=GROUP_TITLE, created_by=creator
        ).first() or services.group_conversation_create(
            creator=creator, title=GROUP_TITLE, participants=[_member(email) for email in others]
        )
        _fill(group, history)
