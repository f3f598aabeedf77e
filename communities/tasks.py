"""Community e-mail. Each task loads rows by id and is safe to retry: ``deliver_once`` keys every message."""

from communities.models import Invitation, JoinRequest
from muster.celery_app import app
from notices.mail import RETRYABLE_MAIL_ERRORS, deliver_once


@app.task(autoretry_for=RETRYABLE_MAIL_ERRORS, retry_backoff=True, max_retries=6)
def send_join_request_decision(join_request_id: int) -> None:
    """Tell the member whether a moderator let them in. Idempotent per request."""
    join_request = JoinRequest.objects.select_related("community", "member").get(pk=join_request_id)
    deliver_once(
        key=f"join-request-decision:{join_request.pk}",
        to=join_request.member.email,
        template="email/communities/join_request_decision.txt",
        context={"join_request": join_request, "community": join_request.community},
    )


@app.task(autoretry_for=RETRYABLE_MAIL_ERRORS, retry_backoff=True, max_retries=6)
def send_invitation(invitation_id: int) -> None:
    """Invite a member or an address to a community. Idempotent per invitation."""
    invitation = Invitation.objects.select_related("community", "invited_by").get(pk=invitation_id)
    deliver_once(
        key=f"invitation:{invitation.pk}",
        to=invitation.email,
        template="email/communities/invitation.txt",
        context={"invitation": invitation, "community": invitation.community},
    )
