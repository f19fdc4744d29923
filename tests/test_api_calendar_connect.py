"""Connecting Google Calendar over the API (offline OAuth double): the state is one-time and
bound to the company, the refresh token is encrypted at rest and never shown."""

from urllib.parse import parse_qs, urlparse

import pytest
import redis

from tenancy.users import Role
from tests.serve_fixtures import new_company_body

pytestmark = pytest.mark.ray

CALLBACK = "/api/integrations/google-calendar/callback"


@pytest.fixture
def two_companies(admin):
    return [admin.post("/api/company", json=new_company_body(name)).json()
            for name in ("Atlas Air", "Bayside Plumbing")]


def consent_state(client, company) -> str:
    response = client.get(f"/api/company/{company['_id']}/integrations/google-calendar/connect")
    assert response.status_code == 200, response.text
    return parse_qs(urlparse(response.json()["authorizationUrl"]).query)["state"][0]


def status(client, company) -> dict:
    return client.get(f"/api/company/{company['_id']}/integrations/google-calendar").json()


def test_a_company_connects_its_calendar_once_per_state(api_server, admin, two_companies):
    atlas, bayside = two_companies
    state = consent_state(admin, atlas)
    with api_server.client() as browser:  # Google sends the admin's browser, no token
        done = browser.get(CALLBACK, params={"state": state, "code": "code-123"})
        assert done.status_code == 200, done.text
        assert done.json() == {"connected": True, "companyId": atlas["_id"]}
        again = browser.get(CALLBACK, params={"state": state, "code": "code-123"})
        assert again.status_code == 400 and again.json()["error"] == "INVALID_STATE"
    shown = status(admin, atlas)
    assert shown["connected"] is True and shown["calendarId"] == "primary"
    assert "refresh" not in str(shown).lower()
    assert status(admin, bayside) == {"connected": False}
    raw = redis.Redis.from_url(api_server.settings["redis_url"], decode_responses=True).get(
        f"t:{atlas['_id']}:integrations:google-calendar")
    assert raw and "offline-refresh-token-code-123" not in raw and "enc:v1:" in raw
    assert admin.delete(f"/api/company/{atlas['_id']}/integrations/google-calendar"
                        ).json() == {"connected": False}
    assert status(admin, atlas) == {"connected": False}


@pytest.mark.parametrize("params, code", [
    ({"state": "made-up", "code": "x"}, "INVALID_STATE"),
    ({"code": "x"}, "INVALID_STATE"),
    ({"state": None, "error": "access_denied"}, "CONSENT_DENIED"),
    ({"state": None, "code": "denied"}, "OAUTH_FAILED"),
])
def test_bad_callbacks_are_400_and_connect_nothing(api_server, admin, two_companies, params,
                                                   code):
    atlas = two_companies[0]
    if "state" in params and params["state"] is None:
        params = {**params, "state": consent_state(admin, atlas)}
    with api_server.client() as browser:
        response = browser.get(CALLBACK, params=params)
    assert response.status_code == 400 and response.json()["error"] == code
    assert status(admin, atlas) == {"connected": False}


def test_viewers_cannot_start_a_connection(api_server, two_companies):
    atlas = two_companies[0]
    with api_server.client(api_server.token(Role.COMPANY_VIEWER, atlas["_id"])) as viewer:
        response = viewer.get(f"/api/company/{atlas['_id']}/integrations/google-calendar/connect")
        assert response.status_code == 403
        assert viewer.get(f"/api/company/{atlas['_id']}/integrations/google-calendar"
                          ).json() == {"connected": False}
