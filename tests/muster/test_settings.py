import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from django.test import Client

from tests.verification.factories import make_verified_member

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "x9!production-like-secret-key-for-check-deploy-0123456789abcdefghijkl",
    "DJANGO_ALLOWED_HOSTS": "muster.example.org",
    "DJANGO_HTTPS": "",
}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))}
    full_env.update({k: v for k, v in env.items() if v})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120
    )


def test_import_platform_gives_pythons_own_module_in_a_project_process() -> None:
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "import platform; print(platform.__file__); print(platform.system())",
        env=PRODUCTION_ENV,
    )

    assert result.returncode == 0, result.stderr
    module_file, system = result.stdout.split()[-2:]
    assert Path(module_file).parent == Path(sysconfig.get_paths()["stdlib"])
    assert system == "Linux"


def test_production_settings_pass_check_deploy_at_warning_level() -> None:
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key() -> None:
    env = {**PRODUCTION_ENV, "DJANGO_SECRET_KEY": ""}

    result = run_manage("check", env=env)

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_development_settings_fail_check_deploy_so_the_check_means_something() -> None:
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env={"DJANGO_DEBUG": "true"})

    assert result.returncode != 0
    assert "SECURE_SSL_REDIRECT" in result.stdout + result.stderr


@pytest.mark.django_db
def test_signed_in_pages_are_never_stored_by_browsers_or_proxies(client: Client) -> None:
    client.force_login(make_verified_member())

    response = client.get("/home/")

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


@pytest.mark.django_db
def test_public_pages_carry_a_content_security_policy_without_inline_script(client: Client) -> None:
    response = client.get("/")

    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "no-store" not in response.get("Cache-Control", "")
