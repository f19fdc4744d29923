"""Staff book, move and cancel visits over the API; bad input is a 4xx that writes nothing."""

from datetime import timedelta

import pytest

from tests.serve_fixtures import new_company_body, next_weekday_at, unique_number

pytestmark = pytest.mark.ray

MONDAY_TO_FRIDAY_10 = next_weekday_at(10)


@pytest.fixture
def company(admin):
    body = new_company_body(numbers=(unique_number(),)) | {"bookingSettings": {
        "services": [{"name": "Repair", "durationMinutes": 60},
                     {"name": "Install", "durationMinutes": 180}],
        "crews": 1, "bufferMinutes": 30,
    }}
    return admin.post("/api/company", json=body).json()


def booking_body(**changes):
    return {"start": MONDAY_TO_FRIDAY_10.isoformat(), "service": "Repair",
            "customerName": "Pat Doe", "customerPhone": "+1 (239) 555-0100",
            "address": "12 Palm Ave, Fort Myers", "source": "console"} | changes


def test_a_visit_is_booked_listed_moved_and_cancelled(admin, company):
    base = f"/api/company/{company['_id']}"
    day = MONDAY_TO_FRIDAY_10.date().isoformat()
    before = admin.get(f"{base}/availability", params={"date": day, "service": "Repair"}).json()
    assert before["timezone"] == "America/New_York"
    assert MONDAY_TO_FRIDAY_10.isoformat() in before["slots"]

    created = admin.post(f"{base}/bookings", json=booking_body())
    assert created.status_code == 201, created.text
    booking = created.json()
    assert booking["status"] == "confirmed" and booking["customerPhone"] == "+12395550100"
    assert booking["start"] == MONDAY_TO_FRIDAY_10.isoformat()  # company offset kept
    assert booking["end"] == (MONDAY_TO_FRIDAY_10 + timedelta(hours=1)).isoformat()
    after = admin.get(f"{base}/availability", params={"date": day, "service": "Repair"}).json()
    assert MONDAY_TO_FRIDAY_10.isoformat() not in after["slots"]

    listed = admin.get(f"{base}/bookings", params={"from": day, "to": day}).json()
    assert [b["_id"] for b in listed] == [booking["_id"]]
    assert admin.post(f"{base}/bookings", json=booking_body()).status_code == 409

    later = MONDAY_TO_FRIDAY_10 + timedelta(hours=4)
    moved = admin.patch(f"{base}/bookings/{booking['_id']}", json={"start": later.isoformat()})
    assert moved.status_code == 200, moved.text
    assert moved.json()["start"] == later.isoformat()
    assert admin.post(f"{base}/bookings", json=booking_body()).status_code == 201

    cancelled = admin.delete(f"{base}/bookings/{booking['_id']}").json()
    assert cancelled["status"] == "cancelled"
    assert admin.get(f"{base}/bookings/{booking['_id']}").json()["status"] == "cancelled"


@pytest.mark.parametrize("changes, status, words", [
    ({"start": "2026-02-30T10:00:00-05:00"}, 422, "start"),
    ({"start": "2020-01-06T10:00:00-05:00"}, 422, "past"),
    ({"start": MONDAY_TO_FRIDAY_10.replace(hour=20).isoformat()}, 422, "outside"),
    ({"start": MONDAY_TO_FRIDAY_10.replace(tzinfo=None).isoformat()}, 422, "UTC offset"),
    ({"customerPhone": "555-CALL-NOW"}, 422, "E.164"),
    ({"address": "somewhere"}, 422, "street address"),
    ({"service": "Roofing"}, 422, "unknown service"),
    ({"source": "fax"}, 422, "source"),
])
def test_bad_bookings_are_4xx_and_write_nothing(admin, company, changes, status, words):
    base = f"/api/company/{company['_id']}"
    response = admin.post(f"{base}/bookings", json=booking_body(**changes))
    assert response.status_code == status, response.text
    assert words in response.text
    assert admin.get(f"{base}/bookings", params={"from": "2020-01-01", "to": "2020-12-31"}
                     ).json() == []
    day = MONDAY_TO_FRIDAY_10.date().isoformat()
    assert admin.get(f"{base}/bookings", params={"from": day, "to": day}).json() == []


@pytest.mark.parametrize("path, params, status", [
    ("availability", {"date": "2026-13-01"}, 400),
    ("availability", {}, 422),
    ("availability", {"date": "2026-12-07", "service": "Roofing"}, 422),
    ("bookings", {"from": "yesterday"}, 400),
    ("bookings", {"from": "2026-12-10", "to": "2026-12-01"}, 400),
    ("bookings/not-an-id", {}, 400),
    ("bookings/" + "a" * 24, {}, 404),
])
def test_bad_queries_are_clear_4xx(admin, company, path, params, status):
    response = admin.get(f"/api/company/{company['_id']}/{path}", params=params)
    assert response.status_code == status, response.text
    assert response.json()["message"]


def test_booking_settings_are_validated(admin, company):
    path = f"/api/company/{company['_id']}"
    before = admin.get(path).json()
    for patch in ({"bookingSettings": {"crews": 0}},
                  {"bookingSettings": {"windows": [{"day": "monday", "start": "17:00",
                                                    "end": "09:00"}]}},
                  {"bookingSettings": {"closedDates": ["2026-02-30"]}}):
        response = admin.patch(path, json=patch)
        assert response.status_code == 422, (patch, response.text)
        assert response.json()["error"] == "VALIDATION_ERROR"
    assert admin.get(path).json() == before


def assert_unknown_template(response) -> None:
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["error"] == "UNKNOWN_BOOKING_TEMPLATE"
    assert "/api/booking-scripts/templates" in body["message"]
    [detail] = [d for d in body["details"] if d["field"].endswith("bookingScriptTemplate")]
    assert "no-such-script" in detail["message"] and "hvac-service-call" in detail["message"]


def test_an_unknown_script_template_is_a_400_on_patch_and_nothing_is_stored(admin, company):
    path = f"/api/company/{company['_id']}"
    before = admin.get(path).json()
    unknown = {"agentSetup": {"bookingScriptTemplate": "no-such-script"}}
    assert_unknown_template(admin.patch(path, json=unknown))
    # with another bad field too: still the 400, and each problem listed
    response = admin.patch(path, json=unknown | {"bookingSettings": {"crews": 0}})
    assert_unknown_template(response)
    assert any(d["field"] == "bookingSettings.crews" for d in response.json()["details"])
    assert admin.get(path).json() == before
    ok = admin.patch(path, json={"agentSetup": {"bookingScriptTemplate": "hvac-service-call"}})
    assert ok.status_code == 200
    assert ok.json()["agentSetup"]["bookingScriptTemplate"] == "hvac-service-call"


def test_an_unknown_script_template_is_a_400_on_create_and_no_company_is_made(admin):
    number = unique_number()
    body = new_company_body(name="Template Air", numbers=(number,)) | {
        "agentSetup": {"bookingScriptTemplate": "no-such-script"}}
    before = {c["_id"] for c in admin.get("/api/admin/companies").json()}
    assert_unknown_template(admin.post("/api/company", json=body))
    assert {c["_id"] for c in admin.get("/api/admin/companies").json()} == before
    body["agentSetup"]["bookingScriptTemplate"] = "hvac-service-call"
    assert admin.post("/api/company", json=body).status_code == 201  # the number was not kept


def test_a_bad_reschedule_leaves_the_booking_alone(admin, company):
    base = f"/api/company/{company['_id']}"
    booking = admin.post(f"{base}/bookings", json=booking_body()).json()
    for change in ({"start": "2020-01-06T10:00:00-05:00"}, {"customerPhone": "12"},
                   {"status": "maybe"}):
        response = admin.patch(f"{base}/bookings/{booking['_id']}", json=change)
        assert 400 <= response.status_code < 500, response.text
    assert admin.get(f"{base}/bookings/{booking['_id']}").json() == booking
