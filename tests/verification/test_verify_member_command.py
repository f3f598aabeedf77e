from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.verification.factories import MemberFactory
from verification import policy
from verification.models import AuditEvent, Member

pytestmark = pytest.mark.django_db


def test_the_operator_verifies_the_first_administrator_and_the_log_says_so() -> None:
    admin = MemberFactory.create(email="ops@example.org", is_staff=True, is_superuser=True)

    call_command("verify_member", "ops@example.org", "--markings", "fouo", "--note", "First admin", stdout=StringIO())

    admin = Member.objects.get(pk=admin.pk)
    assert admin.is_verified
    assert policy.member_access(admin).barrier is policy.Barrier.RULES  # next: accept the rules, then set up MFA
    event = AuditEvent.objects.get(action=AuditEvent.Action.APPLICATION_APPROVED)
    assert event.actor_email == "operator (manage.py verify_member)"
    assert event.detail == {"note": "First admin", "markings": ["fouo"]}


def test_the_command_refuses_unknown_members_markings_and_a_missing_reason() -> None:
    MemberFactory.create(email="ops@example.org")

    with pytest.raises(CommandError, match="No account"):
        call_command("verify_member", "nobody@example.org", "--note", "x")
    with pytest.raises(CommandError, match="Unknown marking"):
        call_command("verify_member", "ops@example.org", "--markings", "secret", "--note", "x")
    with pytest.raises(CommandError, match="Say why"):
        call_command("verify_member", "ops@example.org", "--note", "  ")
    assert not Member.objects.get(email="ops@example.org").is_verified
