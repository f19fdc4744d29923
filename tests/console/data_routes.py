"""What the console cross-tenant suite needs for the data pages' routes: real records of the
company to put in their paths, and for each change a form that would act on one."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tests.serve_fixtures import next_weekday_at, seed_call_logs, unique_number
from tests.test_api_cross_tenant import leave_message, leave_text_thread, seeded_call

CALL_LOG_STREAM = "g:stream:test-console-cross-tenant"

# A change whose effect is a placed call rather than a stored record.
PLACES_A_CALL = {"/console/company/{company_id}/test-call"}
# Keyed by the path under /console/company/{company_id}/.
DATA_FORMS: dict[str, dict[str, str]] = {
    "test-call": {"caller": "+12395550142", "lines": "PLANTED by another tenant"},
    "bookings/{booking_id}/cancel": {},
    "messages/{message_id}/status": {"status": "handled"},
    "suggestions/{suggestion_id}/approve": {"answer": "PLANTED answer by another tenant"},
    "suggestions/{suggestion_id}/reject": {},
}


def data_records(api_server, admin, company_id: str) -> dict[str, str]:
    """A booking, an inbox message, a logged call, the learning suggestion its unanswered
    question leaves and a text thread of the company, by path parameter."""
    booking = admin.post(f"/api/company/{company_id}/bookings", json={
        "start": next_weekday_at(10).isoformat(), "service": "Service visit",
        "customerName": "Target Booker", "customerPhone": unique_number(),
        "address": "1 Target Way, Naples"})
    assert booking.status_code == 201, booking.text
    with ThreadPoolExecutor(1) as thread:  # leave_message runs its own event loop
        message = thread.submit(leave_message, api_server, company_id, "TARGET-MESSAGE").result()
        texts = thread.submit(leave_text_thread, api_server, company_id, "TARGET-TEXT").result()
    call = seeded_call(company_id)
    seed_call_logs(api_server, call, CALL_LOG_STREAM)
    [suggestion] = admin.get(f"/api/company/{company_id}/suggestions").json()
    return {"{booking_id}": booking.json()["_id"], "{message_id}": message["_id"],
            "{call_sid}": call[0].call_sid, "{suggestion_id}": suggestion["_id"],
            "{number}": texts["_id"]}


def with_data_ids(path: str, records: dict[str, str]) -> str:
    for parameter, value in records.items():
        path = path.replace(parameter, value)
    return path
