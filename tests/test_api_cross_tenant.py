"""Every company route, taken from the app's own route table, probed by the wrong people.

A route added later joins this suite automatically: anything under a path with
`{company_id}` must refuse an anonymous caller, another company's token and a
viewer who tries to write.
"""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute

from runtime.serve.app import create_api
from tenancy.users import Role
from tests.serve_fixtures import new_company_body, next_weekday_at, unique_number

pytestmark = pytest.mark.ray

READ_METHODS = {"GET", "HEAD"}


def api_routes(routes: list) -> list[APIRoute]:
    """Every APIRoute, descending into included routers (FastAPI nests them)."""
    found = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "original_router"):
            found.extend(api_routes(route.original_router.routes))
    return found


TWILIO_PREFIX = "/api/twilio/"  # Twilio's audience: signatures, not tokens (own suite)


def company_routes() -> list[tuple[str, str]]:
    app = create_api()
    routes = [r for r in api_routes(app.routes)
              if "{company_id}" in r.path and not r.path.startswith(TWILIO_PREFIX)]
    documented = {p for p in app.openapi()["paths"]
                  if "{company_id}" in p and not p.startswith(TWILIO_PREFIX)}
    assert {r.path for r in routes} == documented, "route walk and OpenAPI disagree"
    return sorted((method, r.path) for r in routes for method in r.methods)


COMPANY_ROUTES = company_routes()


def test_the_route_table_has_company_routes_to_probe():
    paths = {path for _, path in COMPANY_ROUTES}
    assert "/api/company/{company_id}" in paths
    assert "/api/company/{company_id}/knowledge/{record_id}" in paths
    assert "/api/company/{company_id}/bookings/{booking_id}" in paths
    assert "/api/company/{company_id}/availability" in paths
    assert all(re.search(r"\{company_id\}", path) for path in paths)


@pytest.fixture(scope="module")
def target(api_server):
    """A company with one record of each kind, plus a second company to attack from."""
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
        }
        attacker = admin.post("/api/company", json=new_company_body("Attacker Plumbing")).json()
    return {"company": company, "records": records, "attacker": attacker}


def concrete_path(path: str, target: dict) -> str:
    segment = path.split("/")[4] if path.count("/") >= 4 else ""
    record = target["records"].get(segment, target["records"]["knowledge"])
    return (path.replace("{company_id}", target["company"]["_id"])
            .replace("{record_id}", record["_id"])
            .replace("{booking_id}", record["_id"])
            .replace("{call_sid}", "CA" + "0" * 32))


def forbidden_fragments(target: dict) -> list[str]:
    company = target["company"]
    return [company["_id"], company["companyName"], "TARGET-ONLY-ANSWER", "Target Tech",
            "Target Customer", "Target Booker", *[r["_id"] for r in target["records"].values()]]


@pytest.mark.parametrize("method, path", COMPANY_ROUTES)
def test_no_token_is_401(api_server, target, method, path):
    with api_server.client() as anonymous:
        response = anonymous.request(method, concrete_path(path, target), json={})
    assert response.status_code == 401, response.text
    assert response.json()["error"] == "UNAUTHORIZED"


@pytest.mark.parametrize("method, path", COMPANY_ROUTES)
def test_a_forged_token_is_401(api_server, target, method, path):
    with api_server.client("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.bad") as forger:
        response = forger.request(method, concrete_path(path, target), json={})
    assert response.status_code == 401


@pytest.mark.parametrize("role", [Role.COMPANY_ADMIN, Role.COMPANY_VIEWER])
@pytest.mark.parametrize("method, path", COMPANY_ROUTES)
def test_another_company_token_sees_nothing(api_server, target, method, path, role):
    token = api_server.token(role, target["attacker"]["_id"])
    with api_server.client(token) as attacker:
        response = attacker.request(method, concrete_path(path, target), json={})
    assert response.status_code in (403, 404), response.text
    for fragment in forbidden_fragments(target):
        assert fragment not in response.text


@pytest.mark.parametrize(
    "method, path", [(m, p) for m, p in COMPANY_ROUTES if m not in READ_METHODS]
)
def test_a_viewer_cannot_write(api_server, target, method, path):
    token = api_server.token(Role.COMPANY_VIEWER, target["company"]["_id"])
    with api_server.client(token) as viewer:
        response = viewer.request(method, concrete_path(path, target), json={})
        assert response.status_code == 403, response.text
        assert viewer.get(f"/api/company/{target['company']['_id']}").status_code == 200
