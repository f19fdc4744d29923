"""Every tenant route, taken from the app's own route table, probed by the wrong people.

A route joins this suite by where it lives (anything under `/api/company/` or
`/api/learning/`) or by carrying the company guard, whatever its path parameter is called.
Each is probed with a real record of the target company behind it (a knowledge entry,
an employee, a contact, a call on disk), so a route that forgot its tenant check would
answer 200 with the target's data instead of the 403 it must give; after every write the
target's stored data is compared with what it was before.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import jwt
import pytest
import redis
import redis.asyncio as aioredis
from fastapi.routing import APIRoute, APIWebSocketRoute

from analytics.events import CallEnded, CallStarted, TurnRecorded
from runtime.serve.app import create_api
from runtime.serve.auth import company_access
from tenancy.models.messages import MessageFields
from tenancy.models.sms import SmsThread, ThreadText
from tenancy.secrets import SecretBox
from tenancy.store import TenantStore, tenant_key
from tenancy.users import Role
from tests.serve_fixtures import (
    JWT_SECRET,
    SECRET_KEY,
    new_company_body,
    next_weekday_at,
    seed_call_logs,
    unique_number,
)

pytestmark = pytest.mark.ray

READ_METHODS = {"GET", "HEAD"}
TENANT_PREFIXES = ("/api/company/", "/api/learning/")
TWILIO_PREFIX = "/api/twilio/"  # Twilio's audience: signatures, not tokens (own suite)
CALL_LOG_STREAM = "g:stream:test-cross-tenant"


def api_routes(routes: list) -> list[APIRoute | APIWebSocketRoute]:
    """Every HTTP and WebSocket route, descending into included routers."""
    found: list[APIRoute | APIWebSocketRoute] = []
    for route in routes:
        if isinstance(route, APIRoute | APIWebSocketRoute):
            found.append(route)
        elif hasattr(route, "original_router"):
            found.extend(api_routes(route.original_router.routes))
    return found


def carries(route: APIRoute | APIWebSocketRoute, guard: object) -> bool:
    """Whether `guard` is among the route's dependencies, however deep."""
    pending = list(route.dependant.dependencies)
    while pending:
        dependency = pending.pop()
        if dependency.call is guard:
            return True
        pending.extend(dependency.dependencies)
    return False


def has_company_guard(route: APIRoute | APIWebSocketRoute) -> bool:
    return carries(route, company_access)


def is_tenant_route(route: APIRoute | APIWebSocketRoute) -> bool:
    if route.path.startswith(TWILIO_PREFIX):
        return False
    return route.path.startswith(TENANT_PREFIXES) or has_company_guard(route)


def tenant_routes() -> list[tuple[str, str]]:
    app = create_api()
    routes = [r for r in api_routes(app.routes) if is_tenant_route(r)]
    sockets = [r.path for r in routes if isinstance(r, APIWebSocketRoute)]
    assert not sockets, f"give {sockets} a WebSocket probe in this suite"
    documented = {p for p in app.openapi()["paths"] if p.startswith(TENANT_PREFIXES)}
    assert {r.path for r in routes} == documented, "route walk and OpenAPI disagree"
    return sorted((m, r.path) for r in routes if isinstance(r, APIRoute) for m in r.methods)


TENANT_ROUTES = tenant_routes()
WRITE_ROUTES = [(m, p) for m, p in TENANT_ROUTES if m not in READ_METHODS]


def test_every_tenant_route_carries_the_company_guard():
    paths = {path for _, path in TENANT_ROUTES}
    assert {"/api/company/{company_id}", "/api/company/{company_id}/call-logs/{call_sid}",
            "/api/learning/analytics/{company_id}"} <= paths
    unguarded = [r.path for r in api_routes(create_api().routes)
                 if r.path in paths and not has_company_guard(r)]
    assert not unguarded


def seeded_call(company_id: str, call_sid: str = "CA" + "7" * 32) -> list:
    started = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)
    base = {"company_id": company_id, "call_sid": call_sid, "started_at": started}
    return [
        CallStarted(**base, caller_number="+12395550123", called_number="+12395550100"),
        TurnRecorded(**base, turn_index=0, at=started + timedelta(seconds=2),
                     caller_text="TARGET-CALLER-WORDS", agent_text="TARGET-AGENT-WORDS",
                     tier="knowledge", confidence=0.9, total_ms=120.0, match_ms=3.0),
        # A question the agent could not answer: the company's one learning suggestion.
        TurnRecorded(**base, turn_index=1, at=started + timedelta(seconds=9),
                     caller_text="TARGET-GAP-QUESTION about boilers", agent_text="Not sure.",
                     tier="fallback", confidence=0.1, total_ms=90.0, match_ms=3.0),
        CallEnded(**base, outcome="answered_knowledge", turn_count=2,
                  ended_at=started + timedelta(seconds=30), duration_s=30.0),
    ]


def learned_suggestion(api_server, company_id: str, call_sid: str) -> dict:
    """The suggestion a logged call with an unanswered question leaves (read as its owner)."""
    seed_call_logs(api_server, seeded_call(company_id, call_sid), CALL_LOG_STREAM)
    with api_server.client(api_server.admin_token) as admin:
        [suggestion] = admin.get(f"/api/company/{company_id}/suggestions").json()
    return suggestion


def leave_text_thread(api_server, company_id: str, text: str) -> dict:
    """A customer's text thread with the company, as an inbound text leaves one."""
    number = unique_number()

    async def keep() -> None:
        redis = aioredis.Redis.from_url(api_server.settings["redis_url"])
        try:
            store = TenantStore(redis, company_id, SecretBox(SECRET_KEY))
            thread = SmsThread(number=number)
            thread.add(ThreadText(role="customer", text=text))
            await store.sms.save(thread)
        finally:
            await redis.aclose()

    asyncio.run(keep())
    return {"_id": number}


def leave_message(api_server, company_id: str, text: str) -> dict:
    """A message in the company's inbox, as a call leaves one (there is no API to post it)."""
    async def keep() -> dict:
        redis = aioredis.Redis.from_url(api_server.settings["redis_url"])
        try:
            store = TenantStore(redis, company_id, SecretBox(SECRET_KEY))
            message = await store.messages.add(MessageFields(
                callSid="CA" + "6" * 32, callerNumber="+12395550123", text=text))
        finally:
            await redis.aclose()
        return message.model_dump(by_alias=True, mode="json")

    return asyncio.run(keep())


@pytest.fixture(scope="module")
def target(api_server):
    """A company with one record of each kind and a call on disk, plus an attacker."""
    with api_server.client(api_server.admin_token) as admin:
        company = admin.post(
            "/api/company", json=new_company_body("Target HVAC", numbers=(unique_number(),))
        ).json()
        base = f"/api/company/{company['_id']}"
        records = {
            "knowledge": admin.post(f"{base}/knowledge", json={
                "question": "Secret pricing question?", "answer": "TARGET-ONLY-ANSWER"}).json(),
            "employees": admin.post(f"{base}/employees", json={
                "name": "Target Tech", "phone": unique_number(), "isOnCall": True}).json(),
            "contacts": admin.post(f"{base}/contacts", json={
                "name": "Target Customer", "phone": unique_number()}).json(),
            "bookings": admin.post(f"{base}/bookings", json={
                "start": next_weekday_at(10).isoformat(), "service": "Service visit",
                "customerName": "Target Booker", "customerPhone": unique_number(),
                "address": "1 Target Way, Naples"}).json(),
            "messages": leave_message(api_server, company["_id"], "TARGET-MESSAGE"),
            "sms-conversations": leave_text_thread(api_server, company["_id"], "TARGET-TEXT"),
        }
        call = seeded_call(company["_id"])
        seed_call_logs(api_server, call, CALL_LOG_STREAM)
        records["suggestions"] = learned_suggestion(api_server, company["_id"], "CA" + "5" * 32)
        # Positive control: the call is really there for its own company.
        own = admin.get(f"{base}/call-logs/{call[0].call_sid}")
        assert own.status_code == 200 and "TARGET-CALLER-WORDS" in own.text, own.text
        thread = admin.get(f"{base}/sms-conversations/{records['sms-conversations']['_id']}")
        assert thread.status_code == 200 and "TARGET-TEXT" in thread.text, thread.text
        attacker = admin.post("/api/company", json=new_company_body("Attacker Plumbing")).json()
    return {"company": company, "records": records, "call_sid": call[0].call_sid,
            "attacker": attacker}


def concrete_path(path: str, target: dict) -> str:
    segment = path.split("/")[4] if path.count("/") >= 4 else ""
    record = target["records"].get(segment, target["records"]["knowledge"])
    if path == "/api/company/{company_id}":
        path += f"?confirm={target['company']['_id']}"
    if path.endswith("/availability"):
        path += f"?date={next_weekday_at(10).date().isoformat()}"
    return (path.replace("{company_id}", target["company"]["_id"])
            .replace("{record_id}", record["_id"])
            .replace("{booking_id}", record["_id"])
            .replace("{suggestion_id}", record["_id"])
            .replace("{number}", record["_id"])
            .replace("{call_sid}", target["call_sid"]))


def hostile_body(method: str, path: str) -> dict:
    """A valid body that would change the target if the guard let it through."""
    segment = path.rstrip("/").rsplit("/", 1)[-1]
    if path.endswith("{record_id}"):
        segment = path.split("/")[4]
    bodies = {
        "{company_id}": {"companyName": "PWNED by another tenant"},
        "ai-settings": {"personality": "casual", "responseLength": "detailed"},
        "phone-numbers": {"phoneNumber": unique_number()},
        "knowledge": {"question": "Planted?", "answer": "PLANTED"},
        "qna": {"question": "Planted?", "answer": "PLANTED"},
        "employees": {"name": "Planted Tech", "phone": unique_number(), "isOnCall": True},
        "contacts": {"name": "Planted Customer", "phone": unique_number()},
        "test": {"text": "Planted sample."},
        "bookings": {"start": next_weekday_at(11).isoformat(), "service": "Service visit",
                     "customerName": "Planted Booker", "customerPhone": unique_number(),
                     "address": "2 Planted Way, Naples"},
        "{booking_id}": {"notes": "PLANTED"},
        "messages": {"status": "handled"},
        "approve": {"answer": "PLANTED"},
        "reject": {},
    }
    if path.endswith("/knowledge/test"):
        return {"question": "Planted?"}
    return {} if method == "DELETE" else bodies[segment]


def forbidden_fragments(target: dict) -> list[str]:
    company = target["company"]
    return [company["_id"], company["companyName"], "TARGET-ONLY-ANSWER", "Target Tech",
            "Target Customer", "Target Booker", "TARGET-MESSAGE", "TARGET-TEXT",
            "TARGET-CALLER-WORDS", "TARGET-AGENT-WORDS", "TARGET-GAP-QUESTION",
            target["call_sid"], *[r["_id"] for r in target["records"].values()]]


def stored_state(redis_url: str, company_id: str) -> dict[str, bytes | None]:
    """Every key the company owns in Redis, serialized byte for byte."""
    with redis.Redis.from_url(redis_url) as client:
        keys = sorted(client.scan_iter(match=tenant_key(company_id, "*"), count=1000))
        return {key.decode(): client.dump(key) for key in keys}


def probe(api_server, target: dict, token: str | None, method: str, path: str):
    """Send `method path` as `token`; for a write, require the target's data unchanged."""
    redis_url, company_id = api_server.settings["redis_url"], target["company"]["_id"]
    before = stored_state(redis_url, company_id) if method not in READ_METHODS else None
    with api_server.client(token) as client:
        response = client.request(method, concrete_path(path, target),
                                  json=hostile_body(method, path) if before is not None else None)
    if before is not None:
        assert stored_state(redis_url, company_id) == before, f"{method} {path} changed data"
    for fragment in forbidden_fragments(target):
        assert fragment not in response.text
    return response


def bad_token(kind: str, company_id: str) -> str | None:
    now = int(time.time())
    claims = {"sub": "intruder@test", "role": Role.COMPANY_ADMIN.value, "companyId": company_id,
              "iat": now, "exp": now + 3600}
    if kind == "anonymous":
        return None
    if kind == "forged":
        return "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.bad"
    if kind == "expired":
        return jwt.encode({**claims, "iat": now - 7200, "exp": now - 3600}, JWT_SECRET)
    if kind == "wrong-secret":
        return jwt.encode(claims, "not-the-" + JWT_SECRET)
    if kind == "alg-none":
        return jwt.encode(claims, key=None, algorithm="none")
    raise ValueError(kind)


def test_the_bad_tokens_are_only_bad_in_one_way(api_server, target):
    """Control: the same claims signed properly open the target; so each 401 below is
    the expiry, the secret or the algorithm being refused, not the claims."""
    good = jwt.encode(jwt.decode(bad_token("wrong-secret", target["company"]["_id"]),
                                 options={"verify_signature": False}), JWT_SECRET)
    with api_server.client(good) as client:
        assert client.get(f"/api/company/{target['company']['_id']}").status_code == 200


@pytest.mark.parametrize("kind", ["anonymous", "forged", "expired", "wrong-secret", "alg-none"])
@pytest.mark.parametrize("method, path", TENANT_ROUTES)
def test_no_valid_token_is_401(api_server, target, method, path, kind):
    token = bad_token(kind, target["company"]["_id"])
    response = probe(api_server, target, token, method, path)
    assert response.status_code == 401, response.text
    assert response.json()["error"] == "UNAUTHORIZED"


@pytest.mark.parametrize("role", [Role.COMPANY_ADMIN, Role.COMPANY_VIEWER])
@pytest.mark.parametrize("method, path", TENANT_ROUTES)
def test_another_company_token_is_403_and_sees_nothing(api_server, target, method, path, role):
    token = api_server.token(role, target["attacker"]["_id"])
    response = probe(api_server, target, token, method, path)
    assert response.status_code == 403, response.text
    assert response.json()["error"] == "FORBIDDEN"


@pytest.mark.parametrize("method, path", WRITE_ROUTES)
def test_a_viewer_cannot_write(api_server, target, method, path):
    token = api_server.token(Role.COMPANY_VIEWER, target["company"]["_id"])
    response = probe(api_server, target, token, method, path)
    assert response.status_code == 403, response.text
    assert response.json()["error"] == "FORBIDDEN"


# Writes that answer without storing anything (a voice sample lives in the audio cache).
NO_STORED_EFFECT = {("POST", "/api/company/{company_id}/elevenlabs/test"),
                    ("POST", "/api/company/{company_id}/knowledge/test"),
                    # the scratch company has no calendar connected: nothing to remove
                    ("DELETE", "/api/company/{company_id}/integrations/google-calendar")}
# Claiming a number needs a Twilio account of the company's own or a platform admin.
PLATFORM_ADMIN_WRITES = {("POST", "/api/company/{company_id}/phone-numbers")}


@pytest.mark.parametrize("method, path", WRITE_ROUTES)
def test_the_probes_would_change_data_if_let_through(api_server, method, path):
    """Control: each hostile write, sent by a scratch company's own admin, succeeds and
    (except the voice sample) changes what is stored; so 'unchanged' above means refused."""
    with api_server.client(api_server.admin_token) as admin:
        company = admin.post("/api/company", json=new_company_body("Scratch HVAC")).json()
        base = f"/api/company/{company['_id']}"
        records = {kind: admin.post(f"{base}/{kind}", json=hostile_body("POST", kind)).json()
                   for kind in ("knowledge", "employees", "contacts")}
        records["bookings"] = admin.post(f"{base}/bookings", json={  # not the probe's time
            **hostile_body("POST", "bookings"), "start": next_weekday_at(14).isoformat()}).json()
    records["messages"] = leave_message(api_server, company["_id"], "Scratch message")
    if "{suggestion_id}" in path:
        records["suggestions"] = learned_suggestion(api_server, company["_id"],
                                                    "CA" + "4" * 32)
    scratch = {"company": company, "records": records, "call_sid": "CA" + "8" * 32}
    redis_url = api_server.settings["redis_url"]
    before = stored_state(redis_url, company["_id"])
    token = (api_server.admin_token if (method, path) in PLATFORM_ADMIN_WRITES
             else api_server.token(Role.COMPANY_ADMIN, company["_id"]))
    with api_server.client(token) as owner:
        response = owner.request(method, concrete_path(path, scratch),
                                 json=hostile_body(method, path))
    assert response.status_code < 300, response.text
    changed = stored_state(redis_url, company["_id"]) != before
    assert changed == ((method, path) not in NO_STORED_EFFECT)
