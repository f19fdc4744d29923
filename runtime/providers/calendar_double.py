"""Offline stand-ins for a company's Google Calendar.

`OfflineCalendar` keeps busy spans and events in memory (unit tests). `SharedOfflineCalendar`
is what doubles mode connects a company to: its events and injected fault are the
company's, in Redis, so every process (API replicas, call actors) sees one calendar, and a
test can make it fail and recover while calls go on.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime

from tenancy.external_calendar import CalendarEvent, CalendarUnavailable, Span
from tenancy.offline_calendar import CalendarFailure, OfflineCalendarRecord


@dataclass
class OfflineCalendar:
    busy_spans: list[Span] = field(default_factory=list)
    events: dict[str, CalendarEvent] = field(default_factory=dict)
    failure: CalendarFailure = "none"  # how every request fails, if it does
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
        await _fail_as(self.failure)


async def _fail_as(failure: CalendarFailure) -> None:
    if failure == "error":
        raise CalendarUnavailable("the calendar double is set to fail")
    if failure == "hang":
        await asyncio.Event().wait()


@dataclass
class SharedOfflineCalendar:
    """The company's offline calendar: no outside appointments, events kept in Redis."""

    record: OfflineCalendarRecord
    default_failure: CalendarFailure = "none"  # when the company has none set

    async def busy(self, start: datetime, end: datetime, timezone: str) -> list[Span]:
        await self._maybe_fail()
        return []

    async def add_event(self, event: CalendarEvent) -> str:
        await self._maybe_fail()
        await self.record.add(event.id, event.start, event.end, event.summary)
        return event.id

    async def remove_event(self, event_id: str) -> None:
        await self._maybe_fail()
        await self.record.remove(event_id)

    async def _maybe_fail(self) -> None:
        await _fail_as(await self.record.failure() or self.default_failure)
