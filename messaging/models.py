from django.conf import settings
from django.db import models
from django.utils import timezone


class Conversation(models.Model):
    """Where chat messages live: a community's room, a direct message between two members, or a small group.

    Rooms belong to a community and are open to its members; direct messages
    and groups are open to their participants. Either way the access rule
    in ``messaging.access`` decides, through the content registry.
    """

    class Kind(models.TextChoices):
        ROOM = "room", "Community room"
        DIRECT = "direct", "Direct message"
        GROUP = "group", "Group conversation"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    community = models.ForeignKey(
        "communities.Community", null=True, blank=True, on_delete=models.CASCADE, related_name="rooms"
    )
    title = models.CharField(max_length=80, blank=True)
    topic = models.CharField(max_length=200, blank=True)
    marking = models.ForeignKey("verification.Marking", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # "min-max" of the two members' ids, so a pair has exactly one direct conversation.
    direct_key = models.CharField(max_length=40, null=True, blank=True, unique=True)
    # The id of the newest message, and the newest change (send, edit or delete).
    last_sequence = models.PositiveBigIntegerField(default=0)
    last_version = models.PositiveBigIntegerField(default=0)
    last_message = models.ForeignKey(
        "messaging.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_message_at = models.DateTimeField(null=True, blank=True, db_index=True)
    is_default_room = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-last_message_at", "-pk")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="room", community__isnull=False)
                | models.Q(~models.Q(kind="room"), community__isnull=True),
                name="rooms_and_only_rooms_belong_to_a_community",
            ),
            models.UniqueConstraint(
                fields=["community"], condition=models.Q(is_default_room=True), name="one_default_room_per_community"
            ),
        ]

    def __str__(self) -> str:
        return self.title or f"{self.get_kind_display()} {self.pk}"

    @property
    def is_room(self) -> bool:
        return self.kind == self.Kind.ROOM

    @property
    def group_name(self) -> str:
        """The channel-layer group its live events go to."""
        return f"conversation.{self.pk}"


class Participant(models.Model):
    """A member in a direct or group conversation, and every member's read position in any conversation.

    Rooms admit by community membership, so a room's participant row only keeps
    the member's read position; for direct and group conversations an active
    row (``left_at`` empty) is what admits the member.
    """

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="participants")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="participations")
    joined_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)
    last_read_sequence = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "member"], name="one_participant_row_per_member"),
        ]
        indexes = [models.Index(fields=["member", "left_at"])]

    def __str__(self) -> str:
        return f"{self.member} in {self.conversation}"


class Message(models.Model):
    """One chat message. ``sequence`` is its id within the conversation (1, 2, 3 ...);
    ``version`` is the conversation's change counter at its latest send, edit or delete,
    which is what a reconnecting client asks to be brought up to."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    sequence = models.PositiveBigIntegerField()
    version = models.PositiveBigIntegerField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField()
    body_html = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    # The message this one answers, always in the same conversation (``services.message_send`` checks).
    reply_to = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The sending browser's own id for it: a resend after a lost acknowledgement finds the first copy.
    client_id = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ("conversation", "sequence")
        constraints = [
            models.UniqueConstraint(fields=["conversation", "sequence"], name="message_sequence_unique"),
            models.UniqueConstraint(fields=["conversation", "version"], name="message_version_unique"),
            models.UniqueConstraint(
                fields=["author", "client_id"], condition=~models.Q(client_id=""), name="message_client_id_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"message {self.sequence} in {self.conversation_id}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


# The fixed set of reactions, with the words a screen reader says for each.
REACTIONS: dict[str, str] = {
    "👍": "thumbs up",
    "❤️": "heart",
    "😂": "laughter",
    "🎉": "celebration",
    "😮": "surprise",
    "🙏": "thanks",
}


class Reaction(models.Model):
    """One member's emoji on one message; toggled on and off, at most once per emoji."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reactions")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    emoji = models.CharField(max_length=16, choices=list(REACTIONS.items()))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("message", "created_at", "pk")
        constraints = [
            models.UniqueConstraint(fields=["message", "member", "emoji"], name="one_reaction_per_member_and_emoji"),
        ]

    def __str__(self) -> str:
        return f"{self.emoji} on {self.message}"
