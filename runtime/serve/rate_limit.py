"""Per-tenant request limits, counted in Redis so every replica enforces one shared limit.

Scopes: "api" (admin API requests per company per minute) and "new_call" (incoming calls
per company per minute). A live call's turns, redirects and status callbacks are never
limited: cutting a call off mid-sentence protects nobody. A limit is a guard against a
runaway client, not a billing meter. When Redis cannot be reached the request is let
through (and logged): the webhooks that need Redis fail on their own terms anyway.
"""

from __future__ import annotations

import structlog

from runtime.serve.errors import ApiError
from runtime.window_counter import WindowCounter

log = structlog.get_logger(__name__)


class TenantRateLimiter:
    def __init__(self, counter: WindowCounter, limits_per_window: dict[str, int]) -> None:
        self._counter = counter
        self._limits = limits_per_window

    async def allowed(self, scope: str, company_id: str) -> bool:
        """Count one request; False once the company's window is full."""
        try:
            count = await self._counter.hit(scope, company_id)
        except Exception:
            log.warning("rate_limit_unavailable", scope=scope)
            return True
        return count <= self._limits[scope]

    async def check(self, scope: str, company_id: str) -> None:
        """Count one request; raise 429 once the company's window is full."""
        if not await self.allowed(scope, company_id):
            raise ApiError(429, "RATE_LIMITED", f"too many {scope} requests, slow down",
                           headers={"Retry-After": str(self._counter.retry_after_s())})
