"""A replica's short-lived memory of company documents for the Twilio hot path.

Every webhook of a call needs the company (its Twilio token to check the signature,
its state): reading, validating and decrypting it from Redis on each turn is work
the caller waits for. A company edited through the admin API is seen by calls after
at most `ttl_s`; the admin API itself always reads fresh. After `ttl_s` the stored text
is read again, and decrypted and validated again only when it differs from the text
the cached company was made from (`TenantStore.company_since`: most reads of a company
find it unedited).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

from tenancy.models import Company, is_object_id
from tenancy.registry import CompanyRegistry
from tenancy.store import KnownCompany

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
        # company id -> (when read, the company as read then; None: no such company)
        self._entries: OrderedDict[str, tuple[float, KnownCompany | None]] = OrderedDict()

    async def get(self, company_id: str) -> Company | None:
        """The company (active or not), or None when there is no such company."""
        if not is_object_id(company_id):
            return None
        now = self._clock()
        cached = self._entries.get(company_id)
        if cached is not None and now - cached[0] < self._ttl_s:
            return None if cached[1] is None else cached[1].company
        known = await self._registry.tenant(company_id).company_since(
            None if cached is None else cached[1])
        self._entries[company_id] = (now, known)
        self._entries.move_to_end(company_id)
        while len(self._entries) > MAX_COMPANIES:
            self._entries.popitem(last=False)
        return None if known is None else known.company
