"""Boards, threads and posts. A question is a thread with an accepted answer; a
blog post is a thread with one author and no board, whose replies are its comments."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from communities.models import Community, CommunityContent

TITLE_MAX = 200
BODY_MAX = 20_000


class Board(models.Model):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="boards")
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60)
    description = models.TextField(max_length=1000, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("position", "name")
        constraints = [models.UniqueConstraint(fields=["community", "slug"], name="board_slug_unique_in_community")]

    def __str__(self) -> str:
        return self.name


class Thread(CommunityContent):
    class Kind(models.TextChoices):
        DISCUSSION = "discussion", "Discussion"
        QUESTION = "question", "Question"
        BLOG = "blog", "Blog post"

    board = models.ForeignKey(Board, null=True, blank=True, on_delete=models.PROTECT, related_name="threads")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.DISCUSSION)
    title = models.CharField(max_length=TITLE_MAX)
    is_pinned = models.BooleanField(default=False)
    is_locked = models.BooleanField(default=False)
    accepted_post = models.ForeignKey("Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Kept by the post services (recounted, never incremented) for the lists.
    reply_count = models.PositiveIntegerField(default=0)
    last_post_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ("-is_pinned", "-last_post_at")
        indexes = [
            models.Index(fields=["board", "-last_post_at"]),
            models.Index(fields=["community", "kind", "-published_at"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_question(self) -> bool:
        return self.kind == self.Kind.QUESTION

    @property
    def is_blog_post(self) -> bool:
        return self.kind == self.Kind.BLOG

    @property
    def is_published(self) -> bool:
        return self.published_at is not None and self.published_at <= timezone.now()


class ThreadUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Thread, on_delete=models.CASCADE)


class ThreadGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Thread, on_delete=models.CASCADE)


class Post(models.Model):
    """One message in a thread. Its marking and visibility are its thread's."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    is_opening = models.BooleanField(default=False)
    body = models.TextField(max_length=BODY_MAX)
    body_html = models.TextField()
    quote_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hidden_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ("created_at", "id")
        indexes = [models.Index(fields=["thread", "created_at", "id"])]

    def __str__(self) -> str:
        return f"Post {self.pk} in {self.thread_id}"

    @property
    def is_removed(self) -> bool:
        return self.deleted_at is not None or self.hidden_at is not None


class PostRevision(models.Model):
    """The text of a post before an edit: every edit is kept, who and when."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    editor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(max_length=TITLE_MAX, blank=True)
    body = models.TextField(max_length=BODY_MAX)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("created_at", "id")

    def __str__(self) -> str:
        return f"Revision of post {self.post_id} at {self.created_at:%Y-%m-%d %H:%M}"


class Mention(models.Model):
    """A member mentioned in a post who may see it; later read by notifications and e-mail."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="mentions")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentions")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "member"], name="mention_once_per_post")]

    def __str__(self) -> str:
        return f"{self.member} mentioned in post {self.post_id}"


class Flag(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Waiting for a moderator"
        HIDDEN = "hidden", "Post hidden"
        DISMISSED = "dismissed", "Dismissed"

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="flags")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(max_length=500)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("created_at",)
        constraints = [
            models.UniqueConstraint(
                fields=["post", "reporter"], condition=models.Q(status="open"), name="one_open_flag_per_reporter"
            )
        ]

    def __str__(self) -> str:
        return f"Flag on post {self.post_id}"


class ReadState(models.Model):
    """How far a member has read a thread: posts after ``last_read_at`` are new to them."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="read_states")
    last_read_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "thread"], name="one_read_state_per_thread")]

    def __str__(self) -> str:
        return f"{self.member} read {self.thread_id} up to {self.last_read_at}"
