"""How many texts a company may send, counted in Redis across replicas and actors.

Two hourly caps: per (company, number) on every outbound text (notifications, post-call
texts, replies to inbound texts), so a loop or a flood cannot text one phone a thousand
times; and per company on texts to callers, so a runaway tenant cannot text everyone.
Texts to the company's own staff count only per number: a storm's flood of missed-call
text-backs must not use up the budget the on-call technician's emergency alert needs.
"""

from __future__ import annotations

from dataclasses import dataclass

from runtime.window_counter import WindowCounter

TEXT_WINDOW_S = 3600


@dataclass(frozen=True)
class TextCaps:
    per_number_per_hour: int = 30
    per_company_per_hour: int = 500


class TextLimits:
    def __init__(self, counter: WindowCounter, caps: TextCaps) -> None:
        if counter.window_s != TEXT_WINDOW_S:
            raise ValueError("text limits count per hour")
        self._counter = counter
        self.caps = caps

    async def refusal(self, company_id: str, number: str, *, to_staff: bool = False
                      ) -> str | None:
        """Count one text to `number`; why it must not go, or None when it may."""
        caps = self.caps
        if await self._counter.hit("sms-number", f"{company_id}:{number}") \
                > caps.per_number_per_hour:
            return f"rate limited: over {caps.per_number_per_hour} texts to this number this hour"
        if to_staff:
            return None
        if await self._counter.hit("sms-company", company_id) > caps.per_company_per_hour:
            return (f"rate limited: over {caps.per_company_per_hour} texts from this company "
                    "this hour")
        return None
