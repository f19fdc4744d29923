"""Call logs and analytics through the admin API: scoped to one company, filters as data."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from analytics.events import OUTCOMES, CallEnded, CallStarted
from analytics.generator import CallLogGenerator, GeneratorConfig
from tenancy.users import Role
from tests.serve_fixtures import new_company_body, seed_call_logs

pytestmark = pytest.mark.ray

START = date(2026, 3, 2)
STREAM = "g:stream:test-api-call-logs"


@pytest.fixture(scope="module")
def logged(api_server):
    """Two companies made through the API, each with two weeks of generated calls on disk."""
    with api_server.client(api_server.admin_token) as admin:
        made = [admin.post("/api/company", json=new_company_body(name)).json()
                for name in ("Atlas Air", "Bayside Plumbing")]
    ids = [company["_id"] for company in made]
    zones = {company["_id"]: ZoneInfo(company["timezone"]) for company in made}
    generator = CallLogGenerator(GeneratorConfig(seed=11, companies=2, days=14, start=START,
                                                 calls_per_day=6))
    remap = {c.company_id: ids[i] for i, c in enumerate(generator.companies)}
    events = [e.model_copy(update={"company_id": remap[e.company_id]}) for e in generator.events()]

    seed_call_logs(api_server, events, STREAM)
    # The API reads a company's own days: RANGE keeps the calls started on those local days.
    first, last = (date.fromisoformat(RANGE[bound]) for bound in ("from", "to"))
    ended = [e for e in events if isinstance(e, CallEnded)
             and first <= e.started_at.astimezone(zones[e.company_id]).date() <= last]
    started = {e.call_sid: e for e in events if isinstance(e, CallStarted)}
    return {"ids": ids, "ended": ended, "started": started, "zones": zones}


def client_for(api_server, company_id):
    return api_server.client(api_server.token(Role.COMPANY_VIEWER, company_id))


RANGE = {"from": "2026-03-02", "to": "2026-03-15"}


def test_call_logs_page_through_one_company_only(api_server, logged):
    atlas, bayside = logged["ids"]
    expected = {e.call_sid for e in logged["ended"] if e.company_id == atlas}
    seen = set()
    with client_for(api_server, atlas) as client:
        page = 1
        while True:
            body = client.get(f"/api/company/{atlas}/call-logs",
                              params={**RANGE, "page": page, "pageSize": 25}).json()
            seen |= {item["callSid"] for item in body["items"]}
            if page * 25 >= body["total"]:
                break
            page += 1
    assert body["total"] == len(expected) and seen == expected


def test_one_call_with_its_transcript(api_server, logged):
    atlas, _ = logged["ids"]
    call = next(e for e in logged["ended"] if e.company_id == atlas and e.turn_count > 1)
    with client_for(api_server, atlas) as client:
        body = client.get(f"/api/company/{atlas}/call-logs/{call.call_sid}").json()
        assert len(body["transcript"]) == call.turn_count
        assert body["outcome"] == call.outcome
        other = next(e for e in logged["ended"] if e.company_id != atlas)
        assert client.get(f"/api/company/{atlas}/call-logs/{other.call_sid}").status_code == 404


def test_filters_by_outcome_and_caller(api_server, logged):
    atlas, _ = logged["ids"]
    mine = [e for e in logged["ended"] if e.company_id == atlas]
    transferred = [e for e in mine if e.outcome == "transferred"]
    caller = logged["started"][mine[0].call_sid].caller_number
    with client_for(api_server, atlas) as client:
        by_outcome = client.get(f"/api/company/{atlas}/call-logs",
                                params={**RANGE, "outcome": "transferred"}).json()
        by_caller = client.get(f"/api/company/{atlas}/call-logs",
                               params={**RANGE, "callerNumber": caller}).json()
    assert by_outcome["total"] == len(transferred)
    assert {item["callSid"] for item in by_outcome["items"]} == {e.call_sid for e in transferred}
    theirs = {e.call_sid for e in mine if logged["started"][e.call_sid].caller_number == caller}
    assert by_caller["total"] == len(theirs)
    assert {item["callSid"] for item in by_caller["items"]} == theirs


def test_analytics_endpoints_agree_across_engines(api_server, logged):
    atlas, _ = logged["ids"]
    with client_for(api_server, atlas) as client:
        for path in (f"/api/company/{atlas}/analytics", f"/api/company/{atlas}/agent-performance",
                     f"/api/learning/analytics/{atlas}"):
            duck = client.get(path, params={**RANGE, "engine": "duckdb"})
            polars = client.get(path, params={**RANGE, "engine": "polars"})
            assert duck.status_code == 200, duck.text
            strip = lambda body: {k: v for k, v in body.items() if k != "engine"}  # noqa: E731
            assert strip(duck.json()) == strip(polars.json())
        volume = client.get(f"/api/company/{atlas}/analytics", params=RANGE).json()
    mine = [e for e in logged["ended"] if e.company_id == atlas]
    zone = logged["zones"][atlas]
    assert volume["totalCalls"] == len(mine)
    assert volume["timezone"] == str(zone)  # the company's days
    assert volume["outcomes"] == {outcome: sum(e.outcome == outcome for e in mine)
                                  for outcome in OUTCOMES}
    per_day = Counter(e.started_at.astimezone(zone).date().isoformat() for e in mine)
    assert {d["date"]: d["calls"] for d in volume["callVolume"]["byDay"]} == {
        (START + timedelta(days=n)).isoformat(): per_day.get(
            (START + timedelta(days=n)).isoformat(), 0) for n in range(14)}


@pytest.mark.parametrize(
    "params",
    [
        {"outcome": "transferred' OR 1=1 --"},
        {"callerNumber": "+1' OR '1'='1"},
        {"from": "2026-03-02'; DROP TABLE calls; --"},
        {"to": "../../company_id=*"},
        {"page": "1; SELECT 1"},
        {"pageSize": "10000"},
        {"from": "2026-03-10", "to": "2026-03-01"},
        {"from": "2020-01-01", "to": "2026-03-01"},
        {"engine": "sqlite"},
    ],
)
def test_crafted_or_malformed_filters_are_400_and_leak_nothing(api_server, logged, params):
    atlas, bayside = logged["ids"]
    paths = [f"/api/company/{atlas}/call-logs", f"/api/company/{atlas}/analytics"]
    if "engine" in params:
        paths = paths[1:]  # only the analytics routes choose an engine
    elif not ({"from", "to"} & set(params)):
        paths = paths[:1]  # outcome, caller and paging filter the call list
    with client_for(api_server, atlas) as client:
        for path in paths:
            response = client.get(path, params={**RANGE, **params})
            assert response.status_code in (400, 422), response.text  # 422: too long to parse
            assert response.json()["error"] in ("INVALID_QUERY", "VALIDATION_ERROR")
            assert bayside not in response.text
