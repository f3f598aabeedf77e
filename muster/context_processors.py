from django.conf import settings
from django.http import HttpRequest

from verification import policy


def site(request: HttpRequest) -> dict[str, object]:
    """Site name and which role links the navigation offers (the member's standing is cached per request)."""
    access = policy.member_access(getattr(request, "user", None))
    return {
        "SITE_NAME": "Muster",
        "SITE_URL": settings.SITE_URL,
        "can_review": access.may_see_content and access.is_verifier,
        "can_read_audit_log": policy.can_read_audit_log(getattr(request, "user", None)),
    }
