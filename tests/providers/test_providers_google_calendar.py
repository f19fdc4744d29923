"""Google Calendar and OAuth requests, shaped and answered by Google's own library objects
(`HttpRequest`, `HttpMockSequence`): no network anywhere."""

import json
from datetime import datetime
from urllib.parse import parse_qs, urlparse
from zoneinfo import ZoneInfo

import pytest
from googleapiclient.http import HttpMockSequence

from runtime.providers.google_calendar import (
    GoogleCalendar,
    busy_spans,
    calendar_service,
    delete_request,
    freebusy_request,
    insert_request,
)
from runtime.providers.google_oauth import GoogleOAuth
from tenancy.external_calendar import CalendarEvent, CalendarUnavailable

NY = ZoneInfo("America/New_York")
START, END = datetime(2026, 12, 8, 10, tzinfo=NY), datetime(2026, 12, 8, 11, tzinfo=NY)
EVENT = CalendarEvent("a1b2c3d4e5f6a1b2c3d4e5f6", "Repair: Pat Doe", START, END,
                      "America/New_York", "12 Palm Ave", "AC blowing warm")


def service(*responses):
    return calendar_service(None, http=HttpMockSequence(list(responses)))


def test_free_busy_asks_for_one_calendar_in_the_company_zone():
    request = freebusy_request(service(), "primary", START, END, "America/New_York")
    assert request.method == "POST"
    assert request.uri.startswith("https://www.googleapis.com/calendar/v3/freeBusy")
    assert json.loads(request.body) == {
        "timeMin": "2026-12-08T10:00:00-05:00", "timeMax": "2026-12-08T11:00:00-05:00",
        "timeZone": "America/New_York", "items": [{"id": "primary"}]}


def test_an_event_carries_our_id_and_zone_shows_available_and_invites_nobody():
    request = insert_request(service(), "primary", EVENT)
    url = urlparse(request.uri)
    assert request.method == "POST" and url.path == "/calendar/v3/calendars/primary/events"
    assert parse_qs(url.query)["sendUpdates"] == ["none"]
    body = json.loads(request.body)
    assert body["id"] == EVENT.id and body["summary"] == "Repair: Pat Doe"
    assert body["start"] == {"dateTime": "2026-12-08T10:00:00-05:00",
                             "timeZone": "America/New_York"}
    assert body["location"] == "12 Palm Ave"
    assert body["transparency"] == "transparent"  # our own bookings stay out of free/busy
    deleted = delete_request(service(), "primary", EVENT.id)
    assert deleted.method == "DELETE"
    assert urlparse(deleted.uri).path == f"/calendar/v3/calendars/primary/events/{EVENT.id}"


def test_busy_spans_are_read_and_calendar_errors_are_failures():
    answer = {"calendars": {"primary": {"busy": [
        {"start": "2026-12-08T15:00:00Z", "end": "2026-12-08T16:00:00Z"}]}}}
    assert busy_spans(answer, "primary") == [(START, END)]
    with pytest.raises(CalendarUnavailable, match="notFound"):
        busy_spans({"calendars": {"primary": {"errors": [{"reason": "notFound"}]}}}, "primary")


def calendar_answering(*responses) -> GoogleCalendar:
    http = HttpMockSequence(list(responses))
    return GoogleCalendar("refresh", "client", "secret",
                          service_factory=lambda: calendar_service(None, http=http))


async def test_the_client_reads_free_busy_and_tolerates_a_repeated_insert_or_delete():
    answer = json.dumps({"calendars": {"primary": {"busy": [
        {"start": "2026-12-08T15:00:00Z", "end": "2026-12-08T16:00:00Z"}]}}})
    calendar = calendar_answering(({"status": "200"}, answer),
                                  ({"status": "409"}, '{"error": {"code": 409}}'),
                                  ({"status": "410"}, '{"error": {"code": 410}}'))
    assert await calendar.busy(START, END, "America/New_York") == [(START, END)]
    assert await calendar.add_event(EVENT) == EVENT.id  # created before a retry: fine
    await calendar.remove_event(EVENT.id)  # already gone: fine


async def test_a_server_error_is_calendar_unavailable():
    calendar = calendar_answering(({"status": "500"}, "oops"), ({"status": "500"}, "oops"))
    with pytest.raises(CalendarUnavailable, match="500"):
        await calendar.add_event(EVENT)


def test_the_consent_url_asks_offline_access_with_our_state_and_pkce():
    oauth = GoogleOAuth("client-123.apps.googleusercontent.com", "secret",
                        "https://agent.example.com/api/integrations/google-calendar/callback")
    url, verifier = oauth.consent_url("state-abc")
    query = parse_qs(urlparse(url).query)
    assert url.startswith("https://accounts.google.com/o/oauth2/v2/auth?")
    assert query["state"] == ["state-abc"] and query["access_type"] == ["offline"]
    assert query["prompt"] == ["consent"] and query["code_challenge_method"] == ["S256"]
    assert query["redirect_uri"] == [
        "https://agent.example.com/api/integrations/google-calendar/callback"]
    assert "https://www.googleapis.com/auth/calendar.events" in query["scope"][0]
    assert verifier and len(verifier) >= 43
    assert oauth.flow("state-abc", verifier).code_verifier == verifier
