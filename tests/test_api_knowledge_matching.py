"""The knowledge API with meaning: entries embedded when written, and the match tester."""

from __future__ import annotations

import pytest
import redis

from tenancy.store import tenant_key
from tests.serve_fixtures import new_company_body

pytestmark = pytest.mark.ray


@pytest.fixture
def company(admin) -> str:
    created = admin.post("/api/company", json=new_company_body("Meaning HVAC")).json()
    base = f"/api/company/{created['_id']}"
    for question, answer in [
        ("What areas do you serve?", "We serve Naples and Fort Myers."),
        ("Do you service Trane units?", "Yes, we service Trane, Carrier and Lennox."),
        ("How much is a service call?", "Our service call is $89."),
    ]:
        assert admin.post(f"{base}/knowledge", json={"question": question,
                                                     "answer": answer}).status_code == 201
    return str(created["_id"])


def ask(admin, company: str, question: str):
    return admin.post(f"/api/company/{company}/knowledge/test", json={"question": question})


def test_a_paraphrase_is_answered_from_its_entry_with_the_runner_up_shown(admin, company):
    response = ask(admin, company, "which towns do you cover")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["tier"] == "knowledge" and "Naples" in body["reply"]
    best, runner_up = body["company"]["best"], body["company"]["runnerUp"]
    assert best["question"] == "What areas do you serve?" and best["entryId"] == body["knowledgeId"]
    assert best["score"] >= body["threshold"]
    assert runner_up is not None and best["score"] - runner_up["score"] >= body["margin"]
    assert body["trade"]["best"]["source"] == "trade"


def test_an_off_topic_question_is_not_answered_and_says_how_close_it_came(admin, company):
    body = ask(admin, company, "who won the game last night").json()
    assert body["tier"] == "fallback" and body["knowledgeId"] is None
    assert body["company"]["best"]["score"] < body["threshold"]


def test_a_hazard_is_an_emergency_in_the_tester_too(admin, company):
    assert ask(admin, company, "i smell gas in the kitchen").json()["tier"] == "emergency"


def test_a_question_the_tester_cannot_take_is_a_clear_4xx(admin, company):
    for body in ({}, {"question": ""}, {"question": "x" * 501}, {"question": 42}):
        response = admin.post(f"/api/company/{company}/knowledge/test", json=body)
        assert 400 <= response.status_code < 500 and response.json()["error"], body


def test_an_entry_too_long_to_embed_is_saved_with_a_note(admin, company):
    long_question = "Do you service " + ", ".join(f"model {n} units" for n in range(90)) + "?"
    response = admin.post(f"/api/company/{company}/knowledge",
                          json={"question": long_question[:500], "answer": "Yes.",
                                "keywords": [f"brand {n}" for n in range(30)]})
    assert response.status_code == 201, response.text
    assert "128 tokens" in response.json()["notes"][0]
    short = admin.post(f"/api/company/{company}/knowledge",
                       json={"question": "Are you open Sundays?", "answer": "No."}).json()
    assert "notes" not in short
    assert ask(admin, company, "do you work on model 3 units").status_code == 200


def test_vectors_follow_their_entries_through_edit_and_delete(admin, company, api_server):
    base = f"/api/company/{company}/knowledge"
    entry = admin.post(base, json={"question": "Do you sell air filters?",
                                   "answer": "Yes, at the front desk."}).json()
    vectors = redis.Redis.from_url(api_server.settings["redis_url"])
    key = tenant_key(company, "qna-vectors")
    before = vectors.hget(key, entry["_id"])
    assert before is not None
    admin.put(f"{base}/{entry['_id']}", json={"question": "Do you sell humidifiers?"})
    assert vectors.hget(key, entry["_id"]) not in (None, before)
    admin.delete(f"{base}/{entry['_id']}")
    assert vectors.hget(key, entry["_id"]) is None
