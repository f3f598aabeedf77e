import json

import pytest
from django.test import Client

CLOSED_PORT_REDIS = "redis://127.0.0.1:1/0"


@pytest.mark.django_db
def test_healthz_answers_200_when_database_channel_layer_and_broker_answer(client: Client) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["status"] == "ok"
    assert body["checks"] == {"database": "ok", "channel_layer": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_healthz_answers_503_naming_the_channel_layer_when_it_is_down(client: Client, settings) -> None:
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [CLOSED_PORT_REDIS]}}
    }

    response = client.get("/healthz")

    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["down"] == ["channel_layer"]
    assert body["checks"]["database"] == "ok"


@pytest.mark.django_db
def test_healthz_answers_503_naming_the_broker_when_it_is_down(client: Client, settings) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = CLOSED_PORT_REDIS

    response = client.get("/healthz")

    assert response.status_code == 503
    assert json.loads(response.content)["down"] == ["broker"]


@pytest.mark.redis
@pytest.mark.django_db
def test_healthz_reaches_real_redis_as_channel_layer_and_broker(client: Client, settings, redis_url: str) -> None:
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [redis_url]}}
    }
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = redis_url

    response = client.get("/healthz")

    assert response.status_code == 200, response.content
    assert json.loads(response.content)["checks"] == {"database": "ok", "channel_layer": "ok", "broker": "ok"}


def test_healthz_is_open_to_anonymous_visitors_but_only_answers_get(client: Client, db) -> None:
    assert client.post("/healthz").status_code == 405
