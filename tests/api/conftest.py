"""Members with tokens, and clients that call the API as a partner's tool would (a bearer token, no session)."""

from collections.abc import Iterable
from typing import Any

import pytest
from django.test import Client

from api.models import AccessToken
from api.tokens import token_create
from verification.models import Marking, Member


class ApiClient:
    """Calls the API with ``Authorization: Bearer <token>`` and JSON bodies."""

    def __init__(self, secret: str) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {secret}"}

    def get(self, path: str, data: dict[str, Any] | None = None, **headers: str) -> Any:
        return self.client.get(path, data or {}, headers={**self.headers, **headers})

    def post(self, path: str, data: Any = None, **headers: str) -> Any:
        return self.client.post(path, data or {}, content_type="application/json", headers={**self.headers, **headers})

    def patch(self, path: str, data: Any = None, **headers: str) -> Any:
        return self.client.patch(path, data or {}, content_type="application/json", headers={**self.headers, **headers})

    def delete(self, path: str, **headers: str) -> Any:
        return self.client.delete(path, headers={**self.headers, **headers})


def make_token(
    member: Member, scopes: Iterable[str] = ("read", "write", "chat"), *, days: int = 90, ceiling: str | None = None
) -> tuple[AccessToken, str]:
    marking = Marking.objects.get(slug=ceiling) if ceiling else None
    return token_create(member=member, name="EOC board", scopes=scopes, days=days, ceiling=marking)


def api_as(member: Member, scopes: Iterable[str] = ("read", "write", "chat"), **options: Any) -> ApiClient:
    _token, secret = make_token(member, scopes, **options)
    return ApiClient(secret)


@pytest.fixture
def api_client_for() -> Any:
    return api_as
