"""Rate limits per token and per member, announced on every answer.

A token has its own budget, and all of a member's tokens and their session
share a larger one, so one runaway integration cannot starve the member's
others. Every answer carries ``RateLimit-Policy`` and ``RateLimit`` (the IETF
httpapi draft's structured fields) for the tightest of the two; a refusal is
429 with ``Retry-After``. Counts live in the cache (Redis in production, so
every web process shares them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from api.models import AccessToken

STATE_ATTRIBUTE = "muster_rate_limits"


@dataclass(frozen=True)
class Budget:
    name: str
    limit: int
    window: int
    remaining: int
    reset: int


class _AnnouncedThrottle(SimpleRateThrottle):
    def allow_request(self, request: Request, view: Any) -> bool:
        allowed = super().allow_request(request, view)
        limit: int | None = getattr(self, "num_requests", None)
        window: int | None = getattr(self, "duration", None)
        if self.key is not None and limit is not None and window is not None:
            reset = math.ceil(window - (self.now - self.history[-1])) if self.history else window
            budget = Budget(self.scope or "", limit, window, limit - len(self.history), max(reset, 1))
            budgets = getattr(request._request, STATE_ATTRIBUTE, None)
            if budgets is None:
                budgets = []
                setattr(request._request, STATE_ATTRIBUTE, budgets)
            budgets.append(budget)
        return allowed

    def get_rate(self) -> str | None:
        """The rate from the settings as they are now (DRF copies them onto the class once, at import, so a
        deployment's or a test's change would otherwise never apply)."""
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope or "")
        return str(rate) if rate is not None else None

    def parse_rate(self, rate: str | None) -> tuple[int | None, int | None]:
        """``600/60`` (requests per seconds) as well as DRF's ``600/min``."""
        if rate is None:
            return None, None
        count, _, period = rate.partition("/")
        if period.isdigit():
            return int(count), int(period)
        return super().parse_rate(rate)


class TokenRateThrottle(_AnnouncedThrottle):
    scope = "token"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if not isinstance(request.auth, AccessToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class MemberRateThrottle(_AnnouncedThrottle):
    scope = "member"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if request.user and request.user.is_authenticated:
            ident: Any = request.user.pk
        else:
            ident = f"address-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


def tightest(request: Request) -> Budget | None:
    budgets: list[Budget] = getattr(request._request, STATE_ATTRIBUTE, [])
    return min(budgets, key=lambda budget: budget.remaining, default=None)


def rate_limit_headers(budget: Budget) -> dict[str, str]:
    return {
        "RateLimit-Policy": f'"{budget.name}";q={budget.limit};w={budget.window}',
        "RateLimit": f'"{budget.name}";r={max(budget.remaining, 0)};t={budget.reset}',
    }
