"""Google Calendar through Google's own clients: free/busy, event insert and delete.

`googleapiclient` is synchronous (httplib2, not thread-safe), so every request runs in a
worker thread on a service object of its own. Requests are shaped by small functions that
return the library's `HttpRequest`, which tests inspect without any network.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import Any

from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError
from googleapiclient.http import HttpRequest

from tenancy.external_calendar import CalendarEvent, CalendarUnavailable, Span

TOKEN_URI = "https://oauth2.googleapis.com/token"
SCOPES = (
    "https://www.googleapis.com/auth/calendar.events",
    "https://www.googleapis.com/auth/calendar.freebusy",
)
NUM_RETRIES = 1  # googleapiclient retries 5xx, 429 and rate-limit 403s this many times
ALREADY_THERE, ALREADY_GONE = 409, (404, 410)


def calendar_service(credentials: Credentials, http: Any = None) -> Any:
    """A Calendar v3 service from the bundled discovery document (no fetch)."""
    if http is not None:
        return build("calendar", "v3", http=http, static_discovery=True, cache_discovery=False)
    return build("calendar", "v3", credentials=credentials, static_discovery=True,
                 cache_discovery=False)


def freebusy_request(service: Any, calendar_id: str, start: datetime, end: datetime,
                     timezone: str) -> HttpRequest:
    body = {"timeMin": start.isoformat(), "timeMax": end.isoformat(), "timeZone": timezone,
            "items": [{"id": calendar_id}]}
    return service.freebusy().query(body=body)


def insert_request(service: Any, calendar_id: str, event: CalendarEvent) -> HttpRequest:
    body = {
        "id": event.id, "summary": event.summary, "location": event.location,
        "description": event.description,
        "start": {"dateTime": event.start.isoformat(), "timeZone": event.timezone},
        "end": {"dateTime": event.end.isoformat(), "timeZone": event.timezone},
        # "Show me as available": free/busy leaves the event out, so a booking the desk
        # already counts against its crews is not counted a second time as calendar busy.
        "transparency": "transparent",
    }
    return service.events().insert(calendarId=calendar_id, body=body, sendUpdates="none")


def delete_request(service: Any, calendar_id: str, event_id: str) -> HttpRequest:
    return service.events().delete(calendarId=calendar_id, eventId=event_id, sendUpdates="none")


def busy_spans(response: dict[str, Any], calendar_id: str) -> list[Span]:
    """The busy spans of one calendar in a free/busy answer; its `errors` are failures."""
    calendar = response.get("calendars", {}).get(calendar_id)
    if calendar is None or calendar.get("errors"):
        reasons = [error.get("reason") for error in (calendar or {}).get("errors", [])]
        raise CalendarUnavailable(f"free/busy failed for the calendar: {reasons or 'missing'}")
    return [(datetime.fromisoformat(item["start"]), datetime.fromisoformat(item["end"]))
            for item in calendar.get("busy", [])]


class GoogleCalendar:
    """One company's calendar, authorised by its stored refresh token."""

    def __init__(self, refresh_token: str, client_id: str, client_secret: str,
                 calendar_id: str = "primary",
                 service_factory: Callable[[], Any] | None = None) -> None:
        self._calendar_id = calendar_id
        self._credentials = Credentials(None, refresh_token=refresh_token, token_uri=TOKEN_URI,
                                        client_id=client_id, client_secret=client_secret,
                                        scopes=list(SCOPES))
        self._service_factory = service_factory or (
            lambda: calendar_service(self._credentials))

    async def busy(self, start: datetime, end: datetime, timezone: str) -> list[Span]:
        response = await self._execute(
            lambda service: freebusy_request(service, self._calendar_id, start, end, timezone))
        return busy_spans(response, self._calendar_id)

    async def add_event(self, event: CalendarEvent) -> str:
        await self._execute(lambda service: insert_request(service, self._calendar_id, event),
                            tolerated=(ALREADY_THERE,))
        return event.id

    async def remove_event(self, event_id: str) -> None:
        await self._execute(lambda service: delete_request(service, self._calendar_id, event_id),
                            tolerated=ALREADY_GONE)

    async def _execute(self, shape: Callable[[Any], HttpRequest],
                       tolerated: tuple[int, ...] = ()) -> dict[str, Any]:
        def run() -> dict[str, Any]:
            try:
                result = shape(self._service_factory()).execute(num_retries=NUM_RETRIES)
            except HttpError as exc:
                if exc.status_code in tolerated:  # a retried insert or delete already landed
                    return {}
                raise CalendarUnavailable(f"Google Calendar answered {exc.status_code}") from exc
            except Exception as exc:  # refresh failures, network errors: all "unavailable"
                raise CalendarUnavailable(type(exc).__name__) from exc
            return result or {}

        return await asyncio.to_thread(run)
