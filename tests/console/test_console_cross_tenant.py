"""Every console route, taken from the app's route table, probed by the wrong people.

A route under /console/company/{company_id}/ must carry the company guard
(`company_console`); any other console route the platform-admin guard or, for the few
pages every signed-in user has, the session guard; only sign-in itself is open. Each
company route is then requested as another company's admin and viewer, as the
company's own viewer (for changes), anonymously, and without the CSRF token; every
refusal must leave the target's stored data byte for byte as it was and show none of it.
A control shows each change would have gone through for the company's own admin.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute

from runtime.serve.app import create_api
from runtime.serve.console.access import company_console, platform_admin, signed_in
from tenancy.users import Role
from tests.console.conftest import new_user
from tests.console.data_routes import DATA_FORMS, PLACES_A_CALL, data_records, with_data_ids
from tests.console.http_session import Session
from tests.serve_fixtures import new_company_body, unique_number
from tests.test_api_cross_tenant import api_routes, stored_state

pytestmark = pytest.mark.ray

COMPANY_PREFIX = "/console/company/{company_id}"
OPEN_ROUTES = {("GET", "/console/login"), ("POST", "/console/login")}
SIGNED_IN_ROUTES = {("GET", "/console"), ("POST", "/console/logout")}


def guards_of(route: APIRoute) -> set[Any]:
    found, pending = set(), list(route.dependant.dependencies)
    while pending:
        dependency = pending.pop()
        found.add(dependency.call)
        pending.extend(dependency.dependencies)
    return found


def console_routes() -> list[tuple[str, str, APIRoute]]:
    routes = [r for r in api_routes(create_api().routes)
              if isinstance(r, APIRoute) and r.path.startswith("/console")]
    return sorted(((m, r.path, r) for r in routes for m in r.methods if m != "HEAD"),
                  key=lambda item: item[:2])


ROUTES = console_routes()
COMPANY_ROUTES = [(m, p) for m, p, _ in ROUTES if p.startswith(COMPANY_PREFIX)]
COMPANY_WRITES = [(m, p) for m, p in COMPANY_ROUTES if m == "POST"]
PLATFORM_ROUTES = [(m, p) for m, p, r in ROUTES if platform_admin in guards_of(r)]


def test_every_console_route_has_the_guard_for_its_audience():
    assert ("GET", COMPANY_PREFIX + "/profile") in COMPANY_ROUTES
    for method, path, route in ROUTES:
        guards = guards_of(route)
        if path.startswith(COMPANY_PREFIX):
            assert company_console in guards, f"{method} {path} lacks the company guard"
        elif (method, path) in OPEN_ROUTES:
            assert signed_in not in guards
        elif (method, path) not in SIGNED_IN_ROUTES:
            assert platform_admin in guards, f"{method} {path}: say who may open it"
        else:
            assert signed_in in guards, f"{method} {path} is open to anyone"


WEEK = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
HOURS_FORM = {"timezone": "America/Chicago", "agentSetup.agentGreeting": "PWNED hello",
              "agentSetup.afterHoursGreeting": "PWNED closed"} | {
    f"agentSetup.operatingHours.{i}.{part}": value for i, day in enumerate(WEEK)
    for part, value in (("day", day), ("enabled", "on"), ("start", "07:00"), ("end", "19:00"))}
AI_FORM = {"aiSettings." + name: value for name, value in {
    "model": "gemini-2.5-pro", "personality": "casual", "responseLength": "detailed",
    "language": "en-US", "temperature": "0.9", "semanticKnowledge.confidenceThreshold": "0.5",
    "smartEscalation.sentimentThreshold": "0.9", "smartEscalation.maxMissesBeforeOffer": "5",
    "contextualMemory.personalizationLevel": "low",
    "contextualMemory.memoryRetentionHours": "1"}.items()}
VOICE_FORM = {"aiSettings.elevenLabs." + name: value for name, value in {
    "voiceId": "SyntheticAvery01", "modelId": "eleven_turbo_v2_5", "stability": "0.1",
    "similarityBoost": "0.1", "style": "0", "speed": "1.1"}.items()}
RECORD_FORMS = {
    "knowledge": {"question": "Planted question?", "answer": "PLANTED", "isActive": "on"},
    "employees": {"name": "Planted Tech", "role": "Tech", "phone": "+12395550142"},
    "contacts": {"name": "Planted Customer", "phone": "+12395550143"},
}
# Posts that answer without storing anything (a voice sample lives in the audio cache).
NO_STORED_EFFECT = {COMPANY_PREFIX + "/voice/sample", COMPANY_PREFIX + "/knowledge/try"}
# Claiming a number needs a Twilio account of the company's own or a platform admin.
PLATFORM_ADMIN_WRITES = {COMPANY_PREFIX + "/phone-numbers"}


def hostile_form(path: str) -> dict[str, Any]:
    """A valid form for the route that would change the target if it were let through."""
    parts = path.removeprefix(COMPANY_PREFIX + "/").split("/")
    if parts[-1] == "delete":
        return {}
    forms = {
        "profile": {"companyName": "PWNED by another tenant", "address.country": "US"},
        "hours": HOURS_FORM, "ai": AI_FORM, "voice": VOICE_FORM,
        "voice/sample": {"sample_text": "Planted sample"},
        "phone-numbers": {"phoneNumber": unique_number()},
        "knowledge/try": {"question": "Planted?"},
        **RECORD_FORMS,
        **{f"{segment}/{{record_id}}": form for segment, form in RECORD_FORMS.items()},
        **DATA_FORMS,
    }
    return forms["/".join(parts)]


def concrete(path: str, target: dict) -> str:
    segment = path.removeprefix(COMPANY_PREFIX + "/").split("/")[0]
    record = target.get("records", {}).get(segment, {"_id": "0" * 24})
    path = (path.replace("{company_id}", target["company"]["_id"])
            .replace("{record_id}", record["_id"]))
    return with_data_ids(path, target.get("data_ids", {}))


def seed_records(admin, company_id: str) -> dict[str, dict]:
    base = f"/api/company/{company_id}"
    return {kind: admin.post(f"{base}/{kind}", json=body).json() for kind, body in {
        "knowledge": {"question": "Secret pricing question?", "answer": "TARGET-ONLY-ANSWER"},
        "employees": {"name": "Target Tech", "phone": unique_number()},
        "contacts": {"name": "Target Customer", "phone": unique_number()},
    }.items()}


@pytest.fixture(scope="module")
def target(api_server) -> dict[str, Any]:
    with api_server.client(api_server.admin_token) as admin:
        company = admin.post("/api/company", json=new_company_body(
            "Target Console HVAC", numbers=(unique_number(),))).json()
        attacker = admin.post("/api/company", json=new_company_body("Attacker Air")).json()
        records = seed_records(admin, company["_id"])
        users = {
            "attacker-admin": new_user(admin, Role.COMPANY_ADMIN, attacker["_id"]),
            "attacker-viewer": new_user(admin, Role.COMPANY_VIEWER, attacker["_id"]),
            "own-viewer": new_user(admin, Role.COMPANY_VIEWER, company["_id"]),
            "own-admin": new_user(admin, Role.COMPANY_ADMIN, company["_id"]),
        }
        data_ids = data_records(api_server, admin, company["_id"])
    sessions = {name: Session(api_server, user) for name, user in users.items()}
    return {"company": company, "records": records, "data_ids": data_ids, "sessions": sessions}


def probe(api_server, target, session: Session | None, method: str, path: str,
          csrf: bool = True) -> httpx.Response:
    redis_url, company_id = api_server.settings["redis_url"], target["company"]["_id"]
    before = stored_state(redis_url, company_id)
    url = concrete(path, target)
    if session is None:
        with httpx.Client(base_url=api_server.base_url) as anonymous:
            response = anonymous.request(method, url, data=hostile_form(path)
                                         if method == "POST" else None)
    elif method == "POST":
        form = {**hostile_form(path), **({"csrf_token": session.csrf} if csrf else {})}
        response = session.http.post(url, data=form)
    else:
        response = session.http.get(url)
    assert stored_state(redis_url, company_id) == before, f"{method} {path} changed data"
    for fragment in (target["company"]["companyName"], "TARGET-ONLY-ANSWER", "Target Tech",
                     "Target Customer", "TARGET-CALLER-WORDS", "TARGET-MESSAGE", "Target Booker",
                     "TARGET-TEXT", "TARGET-GAP-QUESTION"):
        assert fragment not in response.text
    return response


@pytest.mark.parametrize("who", ["attacker-admin", "attacker-viewer"])
@pytest.mark.parametrize("method, path", COMPANY_ROUTES)
def test_another_company_sees_nothing(api_server, target, method, path, who):
    response = probe(api_server, target, target["sessions"][who], method, path)
    assert response.status_code == 404, response.text


@pytest.mark.parametrize("method, path", COMPANY_ROUTES)
def test_anonymous_is_sent_to_sign_in(api_server, target, method, path):
    response = probe(api_server, target, None, method, path)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/console/login")


@pytest.mark.parametrize("method, path", COMPANY_WRITES)
def test_a_viewer_cannot_change_anything(api_server, target, method, path):
    response = probe(api_server, target, target["sessions"]["own-viewer"], method, path)
    assert response.status_code == 403, response.text


@pytest.mark.parametrize("method, path", COMPANY_WRITES)
def test_a_change_without_the_csrf_token_is_refused(api_server, target, method, path):
    response = probe(api_server, target, target["sessions"]["own-admin"], method, path,
                     csrf=False)
    assert response.status_code == 403 and "security token" in response.text


@pytest.mark.parametrize("method, path", PLATFORM_ROUTES)
def test_platform_pages_refuse_company_users(api_server, target, method, path):
    session = target["sessions"]["own-admin"]
    data = {"csrf_token": session.csrf} if method == "POST" else None
    response = session.http.request(method, path, data=data)
    assert response.status_code == 403, response.text


@pytest.mark.parametrize("method, path", COMPANY_WRITES)
def test_the_probes_would_change_data_if_let_through(api_server, method, path):
    """Control: the same form from a scratch company's own admin goes through and (but for
    the sample and the tryout) changes what is stored; so "unchanged" above means refused."""
    with api_server.client(api_server.admin_token) as admin:
        scratch = admin.post("/api/company", json=new_company_body(
            "Scratch Console", numbers=(unique_number(),))).json()  # a test call rings it
        records = seed_records(admin, scratch["_id"])
        data_ids = data_records(api_server, admin, scratch["_id"])
        role = Role.PLATFORM_ADMIN if path in PLATFORM_ADMIN_WRITES else Role.COMPANY_ADMIN
        owner = Session(api_server, new_user(
            admin, role, None if role is Role.PLATFORM_ADMIN else scratch["_id"]))
    redis_url = api_server.settings["redis_url"]
    before = stored_state(redis_url, scratch["_id"])
    response = owner.http.post(concrete(path, {"company": scratch, "records": records,
                                               "data_ids": data_ids}),
                               data={**hostile_form(path), "csrf_token": owner.csrf})
    if path in PLACES_A_CALL:  # its effect is a call, whose log lands later (or, every line
        # busy, never): being sent on to the placed call's page shows it went through
        assert response.status_code == 303, response.text
        assert "/test-call/CA" in response.headers["location"]
        return
    stores = path not in NO_STORED_EFFECT
    assert response.status_code == (303 if stores else 200), response.text
    assert (stored_state(redis_url, scratch["_id"]) != before) == stores
