"""Bad input gets a clear 4xx JSON error and leaves the stored company exactly as it was."""

import pytest

from tests.serve_fixtures import new_company_body, unique_number

pytestmark = pytest.mark.ray


@pytest.fixture
def company(admin):
    return admin.post("/api/company", json=new_company_body(numbers=(unique_number(),))).json()


def assert_json_error(response, status):
    assert response.status_code == status, response.text
    body = response.json()
    assert body["message"] and body["error"]
    return body


@pytest.mark.parametrize(
    "bad_id", ["123", "zzzzzzzzzzzzzzzzzzzzzzzz", "g:phone:+12395550100", "0" * 25, "A" * 24]
)
def test_malformed_company_ids_are_400(admin, bad_id):
    assert_json_error(admin.get(f"/api/company/{bad_id}"), 400)


def test_unknown_company_is_404(admin):
    assert_json_error(admin.get(f"/api/company/{'a' * 24}"), 404)


@pytest.mark.parametrize(
    "patch, field",
    [
        ({"timezone": "Eastern Time"}, "timezone"),
        ({"companyPhone": "555-CALL-NOW"}, "companyPhone"),
        (
            {"aiSettings": {"semanticKnowledge": {"confidenceThreshold": 7}}},
            "aiSettings.semanticKnowledge.confidenceThreshold",
        ),
        ({"aiSettings": {"temperature": "warm"}}, "aiSettings.temperature"),
        ({"tradeCategories": ["Roofing"]}, "tradeCategories.0"),
        ({"companyName": ""}, "companyName"),
        ({"unknownField": 1}, "unknownField"),
        (
            {"twilioConfig": {"phoneNumbers": [{"phoneNumber": "12"}]}},
            "twilioConfig.phoneNumbers.0.phoneNumber",
        ),
    ],
)
def test_invalid_patches_name_the_field_and_change_nothing(admin, company, patch, field):
    path = f"/api/company/{company['_id']}"
    before = admin.get(path).json()
    body = assert_json_error(admin.patch(path, json=patch), 422)
    assert field in [detail["field"] for detail in body["details"]], body
    assert admin.get(path).json() == before


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b'"a string"', b""])
def test_bodies_that_are_not_json_objects_are_4xx(admin, company, raw):
    path = f"/api/company/{company['_id']}"
    before = admin.get(path).json()
    response = admin.patch(path, content=raw, headers={"Content-Type": "application/json"})
    assert 400 <= response.status_code < 500
    assert response.json()["message"]
    assert admin.get(path).json() == before


def test_oversized_bodies_are_413(admin, company):
    path = f"/api/company/{company['_id']}"
    before = admin.get(path).json()
    huge = {"description": "x" * 200_000}
    assert admin.patch(path, json=huge).status_code == 413
    assert admin.get(path).json() == before


def test_duplicate_phone_claim_is_409_and_changes_nothing(admin, company):
    number = company["twilioConfig"]["phoneNumbers"][0]["phoneNumber"]
    other = admin.post("/api/company", json=new_company_body("Bayside")).json()
    before = admin.get(f"/api/company/{other['_id']}").json()
    patch = {"twilioConfig": {"phoneNumbers": [{"phoneNumber": number}]}}
    body = assert_json_error(admin.patch(f"/api/company/{other['_id']}", json=patch), 409)
    assert number in body["message"]
    assert admin.get(f"/api/company/{other['_id']}").json() == before
    duplicate = admin.post("/api/company", json=new_company_body("Copycat", numbers=(number,)))
    assert_json_error(duplicate, 409)


def test_invalid_records_and_ids(admin, company):
    base = f"/api/company/{company['_id']}"
    assert_json_error(admin.post(f"{base}/employees", json={"name": "Sam", "phone": "nope"}), 422)
    assert_json_error(admin.post(f"{base}/knowledge", json={"question": "Hi?"}), 422)
    assert_json_error(
        admin.post(
            f"{base}/knowledge",
            json={"question": "Valid question?", "answer": "ok", "isActive": "maybe"},
        ),
        422,
    )
    assert_json_error(admin.put(f"{base}/knowledge/not-an-id", json={"answer": "x"}), 400)
    assert_json_error(admin.delete(f"{base}/employees/{'b' * 24}"), 404)
    assert admin.get(f"{base}/employees").json() == []


def test_immutable_fields_cannot_be_patched(admin, company):
    path = f"/api/company/{company['_id']}"
    assert_json_error(admin.patch(path, json={"_id": "c" * 24}), 422)
    assert_json_error(admin.patch(path, json={"isActive": False}), 422)
    assert admin.get(path).json()["_id"] == company["_id"]


def test_bad_login_requests(api_server):
    with api_server.client() as anonymous:
        assert_json_error(anonymous.post("/api/auth/login", json={"email": "x"}), 422)
        assert_json_error(
            anonymous.post(
                "/api/auth/login", json={"email": "nobody@example.com", "password": "whatever-123"}
            ),
            401,
        )
