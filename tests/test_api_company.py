"""A company edited through the admin API, over real HTTP to the Serve app."""

import pytest

from tenancy.users import Role
from tests.serve_fixtures import new_company_body, next_weekday_at, unique_number
from tests.test_api_cross_tenant import (
    TENANT_ROUTES,
    concrete_path,
    hostile_body,
    learned_suggestion,
    leave_message,
    leave_text_thread,
)

pytestmark = pytest.mark.ray


@pytest.fixture
def company(admin):
    response = admin.post("/api/company", json=new_company_body(numbers=(unique_number(),)))
    assert response.status_code == 201, response.text
    return response.json()


def test_company_admin_logs_in_reads_and_updates_their_company(api_server, admin, company):
    created = admin.post(
        "/api/admin/users",
        json={
            "email": f"owner-{company['_id']}@atlasair.example",
            "password": "correct-horse-battery",
            "role": "company_admin",
            "companyId": company["_id"],
        },
    )
    assert created.status_code == 201, created.text
    with api_server.client() as anonymous:
        wrong = anonymous.post(
            "/api/auth/login",
            json={"email": created.json()["email"], "password": "wrong-password-123"},
        )
        assert wrong.status_code == 401
        login = anonymous.post(
            "/api/auth/login",
            json={"email": created.json()["email"], "password": "correct-horse-battery"},
        )
    assert login.status_code == 200, login.text
    assert login.json()["companyId"] == company["_id"]
    with api_server.client(login.json()["token"]) as owner:
        patched = owner.patch(
            f"/api/company/{company['_id']}",
            json={
                "description": "Family-run HVAC since 1998",
                "aiSettings": {"personality": "professional"},
            },
        )
        assert patched.status_code == 200, patched.text
        body = owner.get(f"/api/company/{company['_id']}").json()
    assert body["description"] == "Family-run HVAC since 1998"
    assert body["aiSettings"]["personality"] == "professional"
    assert body["aiSettings"]["responseLength"] == "concise"  # untouched by the merge


ROUTE_ORDER = {"GET": 0, "POST": 1, "PATCH": 2, "PUT": 3, "DELETE": 4}


def test_secrets_are_masked_in_every_response(api_server, admin):
    """Every company route, answered for the company's own admin, with the secrets set at
    creation and changed later: no response carries a secret in clear."""
    body = new_company_body(numbers=(unique_number(),))
    created = admin.post("/api/company", json=body)
    company = created.json()
    base = f"/api/company/{company['_id']}"
    new_token, new_key = "rotated-auth-" + "9" * 20, "rotated-el-key-" + "8" * 20
    responses = [
        created,
        admin.patch(base, json={"twilioConfig": {"authToken": new_token}}),
        admin.patch(f"{base}/ai-settings", json={"elevenLabs": {"apiKey": new_key}}),
        admin.get("/api/admin/companies"),
    ]
    records = {kind: admin.post(f"{base}/{kind}", json=hostile_body("POST", kind)).json()
               for kind in ("knowledge", "employees", "contacts")}
    records["bookings"] = admin.post(f"{base}/bookings", json={  # not the probe's time
        **hostile_body("POST", "bookings"), "start": next_weekday_at(14).isoformat()}).json()
    records["messages"] = leave_message(api_server, company["_id"], "Scratch message")
    records["sms-conversations"] = leave_text_thread(api_server, company["_id"], "Scratch text")
    records["suggestions"] = learned_suggestion(api_server, company["_id"], "CA" + "6" * 32)
    scratch = {"company": company, "records": records, "call_sid": "CA" + "5" * 32}
    routes = sorted(TENANT_ROUTES, key=lambda r: (ROUTE_ORDER[r[0]], -len(r[1])))
    for method, path in routes:  # the company itself is deleted last
        response = admin.request(method, concrete_path(path, scratch),
                                 json=hostile_body(method, path) if method != "GET" else None)
        expected_404 = path.endswith("{call_sid}")  # the scratch company has no such call
        # The walk approves the one suggestion before it tries to reject it.
        expected_409 = path.endswith("{suggestion_id}/reject")
        if expected_404 or expected_409:
            assert response.status_code == (404 if expected_404 else 409), (
                method, path, response.text)
        else:
            assert response.is_success, (method, path, response.text)
        responses.append(response)
    secrets = [body["twilioConfig"]["authToken"], body["twilioConfig"]["apiSecret"],
               body["aiSettings"]["elevenLabs"]["apiKey"], new_token, new_key]
    for response in responses:
        assert not [secret for secret in secrets if secret in response.text], response.url
    assert created.json()["twilioConfig"]["authToken"].startswith("••••")
    assert responses[1].json()["twilioConfig"]["authToken"] == "••••" + new_token[-4:]
    assert responses[2].json()["elevenLabs"]["apiKey"] == "••••" + new_key[-4:]


def test_ai_settings_route_merges_into_ai_settings(admin, company):
    response = admin.patch(
        f"/api/company/{company['_id']}/ai-settings",
        json={"semanticKnowledge": {"confidenceThreshold": 0.85}},
    )
    assert response.status_code == 200, response.text
    assert response.json()["semanticKnowledge"]["confidenceThreshold"] == 0.85
    assert response.json()["elevenLabs"]["voiceId"] == "21m00Tcm4TlvDq8ikWAM"


def test_knowledge_base_lifecycle(admin, company):
    base = f"/api/company/{company['_id']}"
    entry = admin.post(
        f"{base}/knowledge",
        json={
            "question": "Do you service heat pumps?",
            "answer": "Yes, every major brand.",
            "keywords": ["heat pump"],
        },
    )
    assert entry.status_code == 201, entry.text
    alias = admin.post(f"{base}/qna", json={"question": "Are you licensed?", "answer": "Yes."})
    assert alias.status_code == 201
    entry_id = entry.json()["_id"]
    updated = admin.put(f"{base}/knowledge/{entry_id}", json={"answer": "Yes, all brands."})
    assert updated.json()["answer"] == "Yes, all brands."
    assert updated.json()["question"] == "Do you service heat pumps?"
    listed = admin.get(f"{base}/knowledge").json()
    assert [e["_id"] for e in listed] == [entry_id, alias.json()["_id"]]
    assert admin.delete(f"{base}/knowledge/{entry_id}").status_code == 200
    assert admin.delete(f"{base}/knowledge/{entry_id}").status_code == 404


def test_employees_and_contacts(admin, company):
    base = f"/api/company/{company['_id']}"
    tech = admin.post(
        f"{base}/employees",
        json={
            "name": "Maria Lopez",
            "role": "Lead Technician",
            "phone": "+1 239 555 0111",
            "email": "maria@atlasair.example",
            "isOnCall": True,
        },
    )
    assert tech.status_code == 201, tech.text
    assert tech.json()["phone"] == "+12395550111"
    off = admin.put(f"{base}/employees/{tech.json()['_id']}", json={"isOnCall": False})
    assert off.json()["isOnCall"] is False
    contact = admin.post(f"{base}/contacts", json={"name": "Pat Doe", "phone": unique_number()})
    assert contact.status_code == 201
    duplicate = admin.post(
        f"{base}/contacts", json={"name": "Pat", "phone": contact.json()["phone"]}
    )
    assert duplicate.status_code == 409
    assert len(admin.get(f"{base}/contacts").json()) == 1


def test_phone_numbers_are_claimed_once(admin, company):
    base = f"/api/company/{company['_id']}"
    number = unique_number()
    added = admin.post(f"{base}/phone-numbers", json={"phoneNumber": number})
    assert added.status_code == 201, added.text
    other = admin.post("/api/company", json=new_company_body("Bayside Plumbing")).json()
    taken = admin.post(f"/api/company/{other['_id']}/phone-numbers", json={"phoneNumber": number})
    assert taken.status_code == 409
    assert number in taken.json()["message"]
    listed = admin.get(f"{base}/phone-numbers").json()
    assert number in [entry["phoneNumber"] for entry in listed]


def test_delete_deactivates_and_releases_numbers(admin, company):
    number = company["twilioConfig"]["phoneNumbers"][0]["phoneNumber"]
    assert admin.delete(f"/api/company/{company['_id']}").json()["isActive"] is False
    assert admin.get(f"/api/company/{company['_id']}").status_code == 404
    reuse = admin.post("/api/company", json=new_company_body("New Owner", numbers=(number,)))
    assert reuse.status_code == 201


def test_platform_admin_lists_companies_and_others_cannot(api_server, admin, company):
    listed = admin.get("/api/admin/companies")
    assert company["_id"] in [c["_id"] for c in listed.json()]
    with api_server.client(api_server.token(Role.COMPANY_ADMIN, company["_id"])) as owner:
        assert owner.get("/api/admin/companies").status_code == 403
        assert owner.post("/api/company", json=new_company_body()).status_code == 403


@pytest.mark.parametrize("path", ["/api/companies", "/api/alerts", "/api/suggestions"])
def test_aggregate_endpoints_are_disabled(api_server, admin, path):
    for client in (admin, api_server.client()):
        response = client.get(path)
        assert response.status_code == 403
        body = response.json()
        assert body["error"] == "ENDPOINT_DISABLED_FOR_SECURITY"
        assert body["message"] and body["remediation"]


def test_public_catalogs_and_docs(api_server):
    with api_server.client() as anonymous:
        trades = anonymous.get("/api/trade-categories").json()
        assert {t["name"] for t in trades} >= {"HVAC", "Plumbing", "Electrical"}
        assert anonymous.get("/api/booking-scripts/templates").status_code == 200
        models = anonymous.post("/api/ai/models").json()
        assert models["llm"][0]["id"].startswith("gemini")
        assert anonymous.get("/docs").status_code == 200
        assert "/api/company/{company_id}" in anonymous.get("/openapi.json").json()["paths"]


def test_voice_picker_and_sample(api_server, admin, company):
    base = f"/api/company/{company['_id']}/elevenlabs"
    voices = admin.get(f"{base}/voices")
    assert voices.status_code == 200, voices.text
    assert voices.json() and {"voice_id", "name"} <= set(voices.json()[0])
    sample = admin.post(f"{base}/test", json={"text": "Hello from Atlas Air."})
    assert sample.status_code == 200, sample.text
    with api_server.client() as anyone:
        audio = anyone.get(api_server.server_url(sample.json()["audioUrl"]))
    assert audio.headers["content-type"] == "audio/wav" and audio.content[:4] == b"RIFF"
    assert admin.post(f"{base}/test", json={"text": ""}).status_code == 422
