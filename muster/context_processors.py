from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from muster.site_identity import SITE_NAME
from notices.notifications import unread_notification_count
from verification import policy
from verification.models import Member

LIVE_SOCKET_PATH = "/ws/live/"


def site(request: HttpRequest) -> dict[str, object]:
    """Site name and which role links the navigation offers (the member's standing is cached per request)."""
    access = policy.member_access(getattr(request, "user", None))
    return {
        "SITE_NAME": SITE_NAME,
        "SITE_URL": settings.SITE_URL,
        "can_review": access.may_see_content and access.is_verifier,
        "can_read_audit_log": policy.can_read_audit_log(getattr(request, "user", None)),
        "can_search": access.may_see_content,
    }


def notifications(request: HttpRequest) -> dict[str, object]:
    """The bell's unread count, for cleared members, and the live socket's address.

    The count is read when a page shows it (one query), not for fragments that never do. The socket
    is offered only on pages served over ASGI (uvicorn or Daphne), the only servers that also serve ``/ws/live/``;
    a page served over WSGI would open a socket that cannot connect.
    """
    user = getattr(request, "user", None)
    if not isinstance(user, Member) or not policy.member_access(user).may_see_content:
        return {"unread_notifications": None, "live_url": ""}
    return {
        "unread_notifications": SimpleLazyObject(lambda: unread_notification_count(user)),
        "live_url": LIVE_SOCKET_PATH if isinstance(request, ASGIRequest) else "",
    }
