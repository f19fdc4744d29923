"""What the call-log pages show: a page of calls and one call with what it produced.

Reads go through `call_log_query`, the code the API's /call-logs routes run (validated
filters, the analytics threads); a call's booking and message come from the company's
booking desk and inbox, the stores the bookings and inbox routes use.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from runtime.serve.routers.bookings import company_desk
from runtime.serve.routers.call_logs import call_log_query
from runtime.serve.routers.inbox import company_store
from runtime.serve.services import Services
from tenancy.models.booking import Booking
from tenancy.models.messages import TakenMessage

PAGE_SIZE = 25
OUTCOME_LABELS = {
    "answered_knowledge": "Answered from knowledge",
    "answered_llm": "Answered by the AI",
    "transferred": "Transferred",
    "message_taken": "Message taken",
    "abandoned": "Caller hung up",
    "booked": "Booked",
    "not_taken": "Not taken (no agent free)",
}


@dataclass(frozen=True)
class CallRow:
    call_sid: str
    day: str  # the company-local day it started: the detail link's `date` hint
    started: str
    caller: str
    outcome: str
    outcome_label: str
    duration: str
    turns: int


@dataclass(frozen=True)
class Pager:
    page: int
    pages: int
    total: int

    @property
    def previous(self) -> int | None:
        return self.page - 1 if self.page > 1 else None

    @property
    def next(self) -> int | None:
        return self.page + 1 if self.page < self.pages else None


@dataclass(frozen=True)
class CallDetail:
    call: dict[str, Any]  # the call-log record, as the API returns it
    row: CallRow
    transcript: list[dict[str, Any]]
    booking: Booking | None
    message: TakenMessage | None


def duration_label(seconds: float | None) -> str:
    """65.4 → '1:05'; None (never answered) → '—'."""
    if seconds is None:
        return "—"
    whole = int(round(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


def parse_utc(value: str) -> datetime:
    """The API's '2026-03-02T14:05:00Z' as an aware datetime."""
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def call_row(call: dict[str, Any], zone: ZoneInfo) -> CallRow:
    started = parse_utc(call["startedAt"]).astimezone(zone)
    outcome = call.get("outcome") or ""
    return CallRow(
        call_sid=call["callSid"], day=started.date().isoformat(),
        started=started.strftime("%Y-%m-%d %H:%M"), caller=call.get("callerNumber") or "",
        outcome=outcome, outcome_label=OUTCOME_LABELS.get(outcome, outcome),
        duration=duration_label(call.get("durationSeconds")), turns=call.get("turnCount") or 0,
    )


def pager(total: int, page: int, page_size: int) -> Pager:
    return Pager(page=page, pages=max(1, math.ceil(total / page_size)), total=total)


async def call_list(services: Services, company_id: str, zone: ZoneInfo,
                    filters: dict[str, Any]) -> tuple[list[CallRow], Pager]:
    """A page of calls, newest first; `filters` are the API's (dateFrom, dateTo, outcome,
    callerNumber, page); bad values raise the API's 400 `ApiError`."""
    query = {**{k: v for k, v in filters.items() if v not in (None, "")}, "pageSize": PAGE_SIZE}
    result = await call_log_query(services, company_id, "list_calls", query)
    rows = [call_row(item, zone) for item in result["items"]]
    return rows, pager(result["total"], result["page"], result["pageSize"])


async def call_detail(services: Services, company_id: str, zone: ZoneInfo, call_sid: str,
                      day: str | None) -> CallDetail | None:
    call = await call_log_query(services, company_id, "get_call", call_sid, day,
                                local_days=False)
    if call is None:
        return None
    transcript = call.pop("transcript")
    for turn in transcript:
        turn["at"] = parse_utc(turn["recordedAt"]).astimezone(zone).strftime("%H:%M:%S")
    return CallDetail(call=call, row=call_row(call, zone), transcript=transcript,
                      booking=await _booking_of(services, company_id, call),
                      message=await _message_of(services, company_id, call["callSid"]))


async def _booking_of(services: Services, company_id: str, call: dict[str, Any]
                      ) -> Booking | None:
    """The booking the call made: on the day it was booked for, carrying the call's sid."""
    if not call.get("bookedFor"):
        return None
    desk = await company_desk(services, company_id)
    day: date = parse_utc(call["bookedFor"]).astimezone(desk.schedule.tz).date()
    return next((b for b in await desk.listing(day, day) if b.callSid == call["callSid"]), None)


async def _message_of(services: Services, company_id: str, call_sid: str
                      ) -> TakenMessage | None:
    store = await company_store(services, company_id)
    return next((m for m in await store.messages.list() if m.callSid == call_sid), None)
