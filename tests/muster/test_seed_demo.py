from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def test_seed_demo_prints_the_demo_sign_ins_and_their_password() -> None:
    out = StringIO()

    call_command("seed_demo", stdout=out)

    printed = out.getvalue()
    assert "admin@muster.test" in printed
    assert "muster-demo-2026" in printed


def test_seed_demo_run_twice_changes_nothing_the_second_time() -> None:
    call_command("seed_demo", stdout=StringIO())
    first = row_counts()

    call_command("seed_demo", stdout=StringIO())

    assert row_counts() == first
    assert first["verification.Member"] >= 2
