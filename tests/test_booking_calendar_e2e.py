"""A company's Google Calendar fails while callers book, end to end: signed Twilio webhooks
from the simulator, the real Serve app and call actors, the calendar connected through the
OAuth flow (its offline double in doubles mode) and made to fail, then to recover."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest

from tests.serve_fixtures import unique_number
from tests.test_api_inbox import store_of
from tests.test_booking_calls_e2e import agent_lines, bookings_on, local_day, new_company
from tests.test_calls_e2e import call

pytestmark = pytest.mark.ray

BOOK_TOMORROW_MORNING = ("I'd like to book a repair", "my AC is blowing warm air",
                         "tomorrow morning")
DETAILS = ("Pat Doe", "12 Palm Avenue, Fort Myers", "yes", "yes", "no that's all, bye")


def connect_calendar(admin, company: dict) -> None:
    """The admin's round trip through the (offline) Google consent screen."""
    base = f"/api/company/{company['_id']}/integrations/google-calendar"
    consent = admin.get(f"{base}/connect")
    assert consent.status_code == 200, consent.text
    state = parse_qs(urlparse(consent.json()["authorizationUrl"]).query)["state"][0]
    back = admin.get("/api/integrations/google-calendar/callback",
                     params={"state": state, "code": "granted"})
    assert back.status_code == 200, back.text
    assert admin.get(base).json()["connected"] is True


@pytest.mark.parametrize("failure", ["error", "hang"])
async def test_a_failing_calendar_never_stops_a_phone_booking_and_catches_up(
    api_server, admin, call_pool, failure
):
    company = new_company(admin)
    connect_calendar(admin, company)
    redis, store = await store_of(api_server, company["_id"])
    try:
        await store.offline_calendar.set_failure(failure)
        first = await call(api_server, company, *BOOK_TOMORROW_MORNING, "the first one",
                           *DETAILS, caller=unique_number())
        assert first.ok, first.errors
        assert any(line.startswith("You're all set!")
                   for line in await agent_lines(api_server, first))
        tomorrow = local_day(company, 1)
        [booked] = bookings_on(admin, company, tomorrow)  # on the company's own rules
        assert booked["start"] == (tomorrow + timedelta(hours=8)).isoformat()
        assert booked["callSid"] == first.call_sid and booked["calendarEventId"] is None
        assert await store.offline_calendar.events() == {}
        assert await store.calendar_pending.take(10) == [booked["_id"]]

        await store.offline_calendar.set_failure("none")  # the calendar is back
        second = await call(api_server, company, *BOOK_TOMORROW_MORNING, "the second one",
                            *DETAILS, caller=unique_number())
        assert second.ok, second.errors
        both = bookings_on(admin, company, tomorrow)
        assert len(both) == 2 and all(b["calendarEventId"] for b in both)
        events = await store.offline_calendar.events()
        assert set(events) == {b["calendarEventId"] for b in both}
        assert {e["start"] for e in events.values()} == {b["start"] for b in both}
        assert await store.calendar_pending.take(10) == []
    finally:
        await redis.aclose()
