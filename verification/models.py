from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models


class MemberManager(BaseUserManager["Member"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **fields: Any) -> "Member":
        if not email:
            raise ValueError("A member needs an e-mail address.")
        member = self.model(email=self.normalize_email(email).lower(), **fields)
        member.set_password(password)
        member.save(using=self._db)
        return member

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> "Member":
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> "Member":
        fields["is_staff"] = True
        fields["is_superuser"] = True
        return self._create(email, password, **fields)


class Member(AbstractUser):
    """A person with an account. Signs in by e-mail; vetting decides what they may see."""

    username = None  # type: ignore[assignment]
    email = models.EmailField("e-mail address", unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[MemberManager] = MemberManager()  # type: ignore[assignment]

    class Meta:
        ordering = ("last_name", "first_name", "email")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.email.split("@", 1)[0]


class Marking(models.Model):
    """A handling marking such as FOUO or SBU. Markings are data: more can be added."""

    slug = models.SlugField(unique=True, max_length=32)
    name = models.CharField(max_length=80)
    banner_text = models.CharField(max_length=200)
    colour = models.CharField(max_length=7, default="#ffffff", help_text="Banner background, #rrggbb.")
    text_colour = models.CharField(max_length=7, default="#000000", help_text="Banner text, #rrggbb.")
    rank = models.PositiveSmallIntegerField(default=0, help_text="Higher is more sensitive; 0 is unmarked.")

    class Meta:
        ordering = ("rank", "slug")
        constraints = [
            models.CheckConstraint(condition=models.Q(colour__regex=r"^#[0-9a-fA-F]{6}$"), name="marking_colour_hex"),
            models.CheckConstraint(
                condition=models.Q(text_colour__regex=r"^#[0-9a-fA-F]{6}$"), name="marking_text_colour_hex"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_unmarked(self) -> bool:
        return self.rank == 0
