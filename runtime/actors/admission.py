"""Fair admission of new calls to the shared call pool.

Every tenant's calls share one node's call slots. Without a rule, one company's flood (a
robocall burst, or an admin signing fake calls) takes every slot and every other
company's callers hear "all lines busy". Two rules keep room for the others: each company
has a ceiling on its concurrent calls (the platform's, or a lower one the company sets),
and the last `reserved` free slots go only to companies holding less than their fair
share of the rest.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class TenantAdmission:
    capacity: int  # calls the pool holds at once
    per_company: int  # one company's ceiling
    reserved: int  # the last free slots, only for companies under their fair share
    _held: Counter[str] = field(default_factory=Counter)

    @property
    def active(self) -> int:
        return sum(self._held.values())

    def held(self, company_id: str) -> int:
        return self._held[company_id]

    def refusal(self, company_id: str, company_limit: int | None = None) -> str | None:
        """Why a new call of `company_id` cannot be admitted now; None when it can."""
        active = self.active
        if active >= self.capacity:
            return "at_capacity"
        held = self._held[company_id]
        limit = self.per_company if company_limit is None else min(self.per_company,
                                                                   company_limit)
        if held >= limit:
            return "company_at_capacity"
        if self.reserved and self.capacity - active <= self.reserved:
            companies = len(self._held) + (0 if held else 1)
            fair_share = max(1, (self.capacity - self.reserved) // companies)
            if held >= fair_share:
                return "company_over_share"
        return None

    def add(self, company_id: str) -> None:
        self._held[company_id] += 1

    def remove(self, company_id: str) -> None:
        self._held[company_id] -= 1
        if self._held[company_id] <= 0:
            del self._held[company_id]

    def clear(self) -> None:
        self._held.clear()
