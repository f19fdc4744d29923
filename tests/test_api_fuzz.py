"""Schemathesis over the OpenAPI document: no generated request gets a 5xx.

Every operation of the app's schema is called on the session Serve app with inputs
Schemathesis generates from it, valid ones and invalid ones, holding a platform admin's
token. Most requests on company routes go to real companies, so the fuzzer gets past the
id check into the handlers. Generation is derandomized (seeded by the test) and bounded by
`MAX_EXAMPLES` per operation and mode, which keeps the run around a minute.
"""

from __future__ import annotations

import itertools

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from runtime.serve.app import create_api
from tests.serve_fixtures import new_company_body, unique_number

pytestmark = pytest.mark.ray

MAX_EXAMPLES = 12
SCHEMA = schemathesis.openapi.from_dict(create_api().openapi())
OPERATIONS = {op.label: op for op in (result.ok() for result in SCHEMA.get_all_operations())}
# Invalid inputs exist only where an operation takes some.
CASES = [(label, mode) for label, op in sorted(OPERATIONS.items())
         for mode in schemathesis.GenerationMode
         if mode is schemathesis.GenerationMode.POSITIVE or list(op.iter_parameters()) or op.body]


@pytest.fixture(scope="module")
def fuzz_admin(api_server):  # noqa: ANN201
    with api_server.client(api_server.admin_token) as client:
        yield client


@pytest.fixture(scope="module")
def fuzz_companies(fuzz_admin) -> itertools.cycle:
    ids = []
    for i in range(4):
        created = fuzz_admin.post("/api/company", json=new_company_body(
            f"Fuzz Target {i}", numbers=(unique_number(),)))
        assert created.status_code == 201, created.text
        ids.append(created.json()["_id"])
    return itertools.cycle([*ids[:3], None, ids[3]])  # None: keep the generated id


def test_the_schema_has_operations_to_fuzz():
    assert "PATCH /api/company/{company_id}" in OPERATIONS and len(OPERATIONS) > 30


@pytest.mark.parametrize(("label", "mode"), CASES, ids=[f"{lb} {m.value}" for lb, m in CASES])
def test_no_generated_request_is_a_server_error(api_server, fuzz_admin, fuzz_companies,
                                                label, mode):
    operation = OPERATIONS[label]
    headers = {"Authorization": f"Bearer {api_server.admin_token}",
               "X-Forwarded-For": "203.0.113.250"}  # its own address for the login throttle

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def call(case: schemathesis.Case) -> None:
        company_id = next(fuzz_companies)
        if case.path_parameters and "company_id" in case.path_parameters and company_id:
            case.path_parameters["company_id"] = company_id
        response = case.call(base_url=api_server.base_url, headers=headers)
        assert response.status_code < 500, (case.method, case.formatted_path, case.query,
                                            case.body, response.text[:300])
        if label == "DELETE /api/company/{company_id}" and company_id:
            fuzz_admin.post(f"/api/admin/companies/{company_id}/reactivate")

    call()
