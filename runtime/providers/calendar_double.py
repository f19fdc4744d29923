"""An offline stand-in for a company's Google Calendar: busy spans you set, events it keeps."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from tenancy.external_calendar import CalendarEvent, CalendarUnavailable, Span


@dataclass
class OfflineCalendar:
    busy_spans: list[Span] = field(default_factory=list)
    events: dict[str, CalendarEvent] = field(default_factory=dict)
    failure: Literal["none", "error", "hang"] = "none"  # how every request fails, if it does
    requests: int = 0  # requests received, failed ones included

    async def busy(self, start: datetime, end: datetime, timezone: str) -> list[Span]:
        await self._maybe_fail()
        return [span for span in self.busy_spans if span[0] < end and span[1] > start]

    async def add_event(self, event: CalendarEvent) -> str:
        await self._maybe_fail()
        self.events[event.id] = event
        return event.id

    async def remove_event(self, event_id: str) -> None:
        await self._maybe_fail()
        self.events.pop(event_id, None)

    async def _maybe_fail(self) -> None:
        self.requests += 1
        if self.failure == "error":
            raise CalendarUnavailable("the calendar double is set to fail")
        if self.failure == "hang":
            await asyncio.Event().wait()
