import pytest

from tests.serve_fixtures import new_company_body, unique_number

pytestmark = pytest.mark.ray


def test_health_and_company_round_trip(api_server, admin):
    response = admin.get("/health")
    health = response.json()
    assert health.get("status") == "ok", response.text
    assert health["callEvents"]["lagging"] is False, response.text  # the sink keeps up
    created = admin.post("/api/company", json=new_company_body(numbers=(unique_number(),)))
    assert created.status_code == 201, created.text
    company = created.json()
    fetched = admin.get(f"/api/company/{company['_id']}").json()
    assert fetched["companyName"] == "Atlas Air"
    assert fetched["twilioConfig"]["authToken"].startswith("••••")
