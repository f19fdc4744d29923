"""A replica's short-lived memory of company documents for the Twilio hot path.

Every webhook of a call needs the company (its Twilio token to check the signature,
its state): reading, validating and decrypting it from Redis on each turn is work
the caller waits for. A company edited through the admin API is seen by calls after
at most `ttl_s`; the admin API itself always reads fresh. After `ttl_s` the stored text
is read again, and decrypted and validated again only when it differs from the text
the cached company was made from (most reads of a company find it unedited).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

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
        # company id -> (when read, the stored text, the company made from it)
        self._entries: OrderedDict[str, tuple[float, str | None, Company | None]] = (
            OrderedDict())

    async def get(self, company_id: str) -> Company | None:
        """The company (active or not), or None when there is no such company."""
        if not is_object_id(company_id):
            return None
        now = self._clock()
        cached = self._entries.get(company_id)
        if cached is not None and now - cached[0] < self._ttl_s:
            return cached[2]
        store = self._registry.tenant(company_id)
        text = await store.company_text()
        if cached is not None and text is not None and text == cached[1]:
            company = cached[2]  # unedited: the company made from this very text
        else:
            company = None if text is None else store.load_sealed(text)
        self._entries[company_id] = (now, text, company)
        self._entries.move_to_end(company_id)
        while len(self._entries) > MAX_COMPANIES:
            self._entries.popitem(last=False)
        return company
