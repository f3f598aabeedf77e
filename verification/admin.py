from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from verification import services
from verification.models import AuditEvent, DomainRule, Marking, Member, RulesOfBehavior, VerificationApplication


@admin.register(Member)
class MemberAdmin(UserAdmin[Member]):
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "is_staff", "is_active")
    search_fields = ("email", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Name", {"fields": ("first_name", "last_name")}),
        ("Status", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(Marking)
class MarkingAdmin(admin.ModelAdmin[Marking]):
    """Markings are configuration. The slug is referenced by code and the audit log, so it is fixed once
    created, and a marking is never deleted here (that would drop every authorisation for it)."""

    list_display = ("slug", "name", "rank", "banner_text", "colour", "text_colour")
    ordering = ("rank", "slug")

    def get_readonly_fields(self, request: HttpRequest, obj: Marking | None = None) -> tuple[str, ...]:
        return ("slug",) if obj is not None else ()

    def has_delete_permission(self, request: HttpRequest, obj: Marking | None = None) -> bool:
        return False


@admin.register(DomainRule)
class DomainRuleAdmin(admin.ModelAdmin[DomainRule]):
    list_display = ("domain", "action", "is_active", "note")
    list_filter = ("action", "is_active")
    search_fields = ("domain", "note")


@admin.register(RulesOfBehavior)
class RulesOfBehaviorAdmin(admin.ModelAdmin[RulesOfBehavior]):
    """A published version is what members accepted: new text is a new version, published through the service."""

    list_display = ("version", "published_at")
    fields = ("text", "version", "published_at")

    def get_readonly_fields(self, request: HttpRequest, obj: RulesOfBehavior | None = None) -> tuple[str, ...]:
        return ("text", "version", "published_at") if obj is not None else ("version", "published_at")

    def save_model(self, request: HttpRequest, obj: RulesOfBehavior, form: Any, change: bool) -> None:
        if change:
            raise PermissionDenied("A published version of the Rules of Behavior cannot be changed.")
        published = services.rules_publish(text=obj.text)
        obj.pk, obj.version, obj.published_at = published.pk, published.version, published.published_at

    def has_change_permission(self, request: HttpRequest, obj: RulesOfBehavior | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: RulesOfBehavior | None = None) -> bool:
        return False


@admin.register(VerificationApplication)
class VerificationApplicationAdmin(admin.ModelAdmin[VerificationApplication]):
    """Read here; decide in the vetting queue, which goes through the services and the audit log."""

    list_display = ("member", "status", "sponsor_answer", "domain_rule", "submitted_at", "decided_by")
    list_filter = ("status", "sponsor_answer", "is_renewal")
    list_select_related = ("member", "domain_rule", "decided_by")
    search_fields = ("member__email", "member__first_name", "member__last_name", "sponsor_email")
    date_hierarchy = "submitted_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: VerificationApplication | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: VerificationApplication | None = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    """Append-only: the admin can read and search the log, never add, change or delete an entry."""

    list_display = ("at", "action", "actor_email", "target_type", "target_id", "target_label", "marking", "ip_address")
    list_filter = ("action", "marking")
    search_fields = ("actor_email", "target_label", "target_id")
    date_hierarchy = "at"
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False
