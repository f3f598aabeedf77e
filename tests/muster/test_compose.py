"""docker-compose.yml and the Dockerfile must agree with the code.

No Docker engine runs where the suite runs, so these tests read the files and
check every name, path, port and variable they mention against the code itself.
"""

import ast
import importlib
import importlib.util
import re
import shlex
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from celery import Celery
from django.urls import resolve

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("migrate", "web", "worker", "beat")
# Read by Django and by asgi.py / celery_app.py themselves, or by uvicorn, not by the settings module.
VARIABLES_READ_OUTSIDE_SETTINGS = {"DJANGO_SETTINGS_MODULE", "WEB_CONCURRENCY", "FORWARDED_ALLOW_IPS"}
# How long Docker waits after SIGTERM before it kills a container, unless a service sets stop_grace_period.
DOCKER_STOP_SECONDS = 10


def load_compose() -> dict[str, Any]:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert isinstance(compose, dict)
    return compose


def service(name: str) -> dict[str, Any]:
    services = load_compose()["services"]
    assert name in services, f"docker-compose.yml has no {name!r} service"
    return dict(services[name])


def command(name: str) -> list[str]:
    raw = service(name)["command"]
    return shlex.split(raw) if isinstance(raw, str) else [str(part) for part in raw]


def environment(name: str) -> dict[str, str]:
    env = service(name).get("environment", {})
    assert isinstance(env, dict), f"{name}: write environment as a mapping"
    return {str(key): str(value) for key, value in env.items()}


def option(argv: list[str], *names: str) -> str:
    for index, arg in enumerate(argv):
        if arg in names:
            return argv[index + 1]
    raise AssertionError(f"none of {names} in {argv}")


def compose_default(value: str) -> str:
    """``${NAME:-default}`` → ``default``; a plain value is returned as it is."""
    match = re.fullmatch(r"\$\{\w+:?-(.*)\}", value)
    return match.group(1) if match else value


def dockerfile_lines() -> list[str]:
    return [line.strip() for line in (ROOT / "Dockerfile").read_text().splitlines()]


def dockerfile_instruction(keyword: str) -> list[str]:
    return [line.split(None, 1)[1] for line in dockerfile_lines() if line.upper().startswith(keyword + " ")]


def variables_read_by_settings() -> set[str]:
    """Every ``env("NAME" …)`` and ``env.<cast>("NAME" …)`` call in muster/settings.py."""
    tree = ast.parse((ROOT / "muster" / "settings.py").read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        calls_env = (isinstance(func, ast.Name) and func.id == "env") or (
            isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "env"
        )
        first = node.args[0]
        if calls_env and isinstance(first, ast.Constant) and isinstance(first.value, str):
            names.add(first.value)
    return names


def test_compose_defines_the_services_of_the_production_shape() -> None:
    services = set(load_compose()["services"])

    assert {"postgres", "redis", "mailpit", "migrate", "web", "worker", "beat"} <= services


def test_every_app_service_runs_the_image_built_from_this_repository() -> None:
    for name in APP_SERVICES:
        assert service(name).get("build") == ".", name
        assert service(name).get("image") == service("web")["image"], name


def test_every_app_service_shares_one_environment() -> None:
    web = environment("web")

    for name in APP_SERVICES:
        assert environment(name) == web, f"{name} environment differs from web's"


def test_the_settings_parser_finds_the_variables_the_services_need() -> None:
    # Guards the test below: an empty or broken parse would let any variable through.
    assert {"DATABASE_URL", "REDIS_URL", "EMAIL_URL", "DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS"} <= (
        variables_read_by_settings()
    )


def test_every_variable_compose_sets_is_read_by_the_settings_module() -> None:
    known = variables_read_by_settings() | VARIABLES_READ_OUTSIDE_SETTINGS

    unread = set(environment("web")) - known

    assert not unread, f"docker-compose.yml sets variables muster/settings.py never reads: {sorted(unread)}"


def test_settings_module_named_by_compose_exists() -> None:
    module = environment("web")["DJANGO_SETTINGS_MODULE"]

    assert importlib.util.find_spec(module) is not None, module


def test_secret_key_must_be_given_and_has_no_default_in_compose() -> None:
    value = environment("web")["DJANGO_SECRET_KEY"]

    assert re.fullmatch(r"\$\{DJANGO_SECRET_KEY:\?[^}]+\}", value), value


def test_web_runs_uvicorn_on_an_asgi_application_that_exists() -> None:
    argv = command("web")
    assert argv[0] == "uvicorn"
    module_name, _, attribute = argv[-1].partition(":")

    module = importlib.import_module(module_name)

    assert callable(getattr(module, attribute, None)), argv[-1]


def test_web_listens_on_the_port_the_dockerfile_exposes_and_compose_publishes() -> None:
    argv = command("web")
    port = option(argv, "--port")
    published = [str(mapping).rsplit(":", 1)[-1] for mapping in service("web").get("ports", [])]

    assert option(argv, "--host") == "0.0.0.0"  # noqa: S104 - other containers and the proxy must reach it
    assert dockerfile_instruction("EXPOSE") == [port]
    assert published == [port]


def test_web_shuts_down_gracefully_before_docker_would_kill_it() -> None:
    """Requests in flight get uvicorn's graceful-shutdown time, and all of it: Docker kills what is left after
    its stop timeout."""
    graceful = int(option(command("web"), "--timeout-graceful-shutdown"))
    stop = str(service("web").get("stop_grace_period", f"{DOCKER_STOP_SECONDS}s"))

    assert re.fullmatch(r"\d+s", stop), f"write web's stop_grace_period in seconds, not {stop!r}"
    assert 0 < graceful < int(stop[:-1])


def test_web_healthcheck_asks_healthz_on_the_port_web_listens_on() -> None:
    probe = " ".join(str(part) for part in service("web")["healthcheck"]["test"])
    port = option(command("web"), "--port")

    assert f"http://127.0.0.1:{port}/healthz" in probe


def test_healthz_is_a_route_of_the_site() -> None:
    assert resolve("/healthz").url_name == "healthz"


@pytest.mark.parametrize("name", ["worker", "beat"])
def test_celery_services_name_a_module_that_exposes_the_celery_app(name: str) -> None:
    argv = command(name)
    assert argv[:1] == ["celery"]
    module = importlib.import_module(option(argv, "-A", "--app"))

    assert isinstance(getattr(module, "app", None), Celery)


def test_worker_and_beat_run_their_own_celery_subcommand() -> None:
    assert "worker" in command("worker")
    assert "beat" in command("beat")


def test_migrate_runs_before_web_worker_and_beat_start() -> None:
    assert command("migrate")[-3:] == ["manage.py", "migrate", "--noinput"]
    for name in ("web", "worker", "beat"):
        depends_on = service(name)["depends_on"]
        assert depends_on["migrate"]["condition"] == "service_completed_successfully", name


def test_database_url_points_at_the_postgres_service_and_its_credentials() -> None:
    url = urlsplit(environment("web")["DATABASE_URL"])
    postgres = environment("postgres")

    assert url.scheme in {"postgres", "postgresql"}
    assert url.hostname == "postgres"
    assert url.port == 5432
    assert url.username == postgres["POSTGRES_USER"]
    assert url.password == postgres["POSTGRES_PASSWORD"]
    assert url.path.lstrip("/") == postgres["POSTGRES_DB"]


def test_redis_url_points_at_the_redis_service() -> None:
    url = urlsplit(environment("web")["REDIS_URL"])

    assert url.scheme == "redis"
    assert url.hostname == "redis"
    assert url.port == 6379


def test_email_url_points_at_the_port_mailpit_accepts_smtp_on() -> None:
    url = urlsplit(compose_default(environment("web")["EMAIL_URL"]))
    smtp_bind = environment("mailpit")["MP_SMTP_BIND_ADDR"]

    assert url.scheme == "smtp"
    assert url.hostname == "mailpit"
    assert str(url.port) == smtp_bind.rsplit(":", 1)[-1]


def test_mailpit_publishes_the_port_its_web_interface_listens_on() -> None:
    ui_port = environment("mailpit")["MP_UI_BIND_ADDR"].rsplit(":", 1)[-1]
    published = [str(mapping).split(":")[-2:] for mapping in service("mailpit")["ports"]]

    assert [ui_port, ui_port] in published


@pytest.mark.parametrize("name", ["web", "mailpit"])
def test_published_ports_listen_on_loopback_only(name: str) -> None:
    # Plain HTTP and the mail catcher (which shows every sign-in link) stay behind the proxy.
    for mapping in service(name)["ports"]:
        assert str(mapping).startswith("127.0.0.1:"), mapping


def test_services_wait_for_the_postgres_and_redis_they_need_to_be_healthy() -> None:
    assert "healthcheck" in service("postgres")
    assert "healthcheck" in service("redis")
    assert service("migrate")["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in ("web", "worker", "beat"):
        assert service(name)["depends_on"]["redis"]["condition"] == "service_healthy", name


def test_dockerfile_base_image_is_the_python_the_project_requires() -> None:
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]

    assert dockerfile_instruction("FROM") == ["python:3.11-slim"]
    assert ">=3.11" in requires.replace(" ", "")
    assert "<3.12" in requires.replace(" ", "")


def test_dockerfile_runs_as_a_user_other_than_root() -> None:
    users = dockerfile_instruction("USER")

    assert users, "the Dockerfile never switches user"
    assert users[-1] not in {"root", "0", "0:0"}


def test_dockerfile_default_command_is_the_web_command() -> None:
    cmd = dockerfile_instruction("CMD")

    assert len(cmd) == 1
    assert yaml.safe_load(cmd[0]) == command("web")


def test_dockerfile_collects_static_files_with_production_storage() -> None:
    source = (ROOT / "Dockerfile").read_text()

    assert "collectstatic --noinput" in source
    assert "DJANGO_DEBUG=false" in source
