"""A replica's short-lived memory of company documents for the Twilio hot path.

Every webhook of a call needs the company (its Twilio token to check the signature,
its state): reading, validating and decrypting it from Redis on each turn is work
the caller waits for. A company edited through the admin API is seen by calls after
at most `ttl_s`; the admin API itself always reads fresh.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

from tenancy.errors import NotFound
from tenancy.models import Company, is_object_id
from tenancy.registry import CompanyRegistry

DEFAULT_TTL_S = 2.0
MAX_COMPANIES = 10_000


class CompanyCache:
    def __init__(
        self,
        registry: CompanyRegistry,
        ttl_s: float = DEFAULT_TTL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._registry = registry
        self._ttl_s = ttl_s
        self._clock = clock
        self._entries: OrderedDict[str, tuple[float, Company | None]] = OrderedDict()

    async def get(self, company_id: str) -> Company | None:
        """The company (active or not), or None when there is no such company."""
        if not is_object_id(company_id):
            return None
        now = self._clock()
        cached = self._entries.get(company_id)
        if cached is not None and now - cached[0] < self._ttl_s:
            return cached[1]
        try:
            company: Company | None = await self._registry.get(company_id, include_inactive=True)
        except NotFound:
            company = None
        self._entries[company_id] = (now, company)
        self._entries.move_to_end(company_id)
        while len(self._entries) > MAX_COMPANIES:
            self._entries.popitem(last=False)
        return company
