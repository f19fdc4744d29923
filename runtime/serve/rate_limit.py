"""Per-tenant request limits, kept in the replica's memory.

A fixed one-minute window per (scope, company) costs no I/O on the hot path. With
several replicas each enforces its own share, which is what a per-tenant guard
against a runaway client needs; it is not a billing meter.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from runtime.serve.errors import ApiError

_WINDOW_S = 60.0


class TenantRateLimiter:
    def __init__(
        self, limits_per_minute: dict[str, int], clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._limits = limits_per_minute
        self._clock = clock
        self._windows: dict[tuple[str, str], tuple[int, int]] = {}

    def check(self, scope: str, company_id: str) -> None:
        """Count one request; raise 429 once the company's window is full."""
        window = int(self._clock() // _WINDOW_S)
        key = (scope, company_id)
        current_window, count = self._windows.get(key, (window, 0))
        if current_window != window:
            count = 0
            if len(self._windows) > 100_000:
                self._windows.clear()
        count += 1
        self._windows[key] = (window, count)
        if count > self._limits[scope]:
            raise ApiError(429, "RATE_LIMITED", f"too many {scope} requests, slow down")
