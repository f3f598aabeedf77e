"""Sign-in events come from Django's auth signals (allauth sends them too); these receivers write them to the
audit log. A change of primary e-mail address clears a relay's refusal of the old one."""

from typing import Any

from allauth.account.models import EmailAddress
from allauth.account.signals import email_changed
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from verification.audit import audit_record
from verification.models import AuditEvent, Member


@receiver(user_logged_in, dispatch_uid="audit_sign_in")
def audit_sign_in(sender: Any, request: HttpRequest | None, user: Member, **kwargs: Any) -> None:
    audit_record(AuditEvent.Action.SIGN_IN, actor=user, target=user, request=request)


@receiver(user_logged_out, dispatch_uid="audit_sign_out")
def audit_sign_out(sender: Any, request: HttpRequest | None, user: Member | None, **kwargs: Any) -> None:
    if user is not None:
        audit_record(AuditEvent.Action.SIGN_OUT, actor=user, target=user, request=request)


@receiver(user_login_failed, dispatch_uid="audit_sign_in_failure")
def audit_sign_in_failure(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    attempted = str(credentials.get("email") or credentials.get("username") or credentials.get("login") or "")
    audit_record(AuditEvent.Action.SIGN_IN_FAILED, actor=None, actor_email=attempted[:254], request=request)


@receiver(email_changed, dispatch_uid="new_address_clears_mail_failure")
def new_address_clears_mail_failure(
    sender: Any, request: HttpRequest | None, user: Member, to_email_address: EmailAddress, **kwargs: Any
) -> None:
    """A new primary address is tried again: the old one's refusal no longer stops e-mail."""
    Member.objects.filter(pk=user.pk).update(mail_failed_at=None, mail_failure="")
