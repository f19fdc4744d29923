"""A company's call logs and dashboards count its own days, not UTC's, around midnight.

Kiritimati is UTC+14 and Pago Pago UTC-11: a call placed at 09:30 UTC on 10 March is late
on the 10th in Kiritimati and one at 10:30 UTC is already the 11th there; in Pago Pago an
evening call of the 10th is on the 11th in UTC.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from analytics.errors import InvalidQuery
from analytics.events import TurnRecorded
from analytics.generator import SyntheticCompany, synthetic_call
from analytics.repository import CallLogRepository
from analytics.sources import ENGINES
from tests.analytics.ingest import ingest

KIRITIMATI = SyntheticCompany("0a" * 12, "hvac", "Line Islands Air", "+12395550101")
PAGO_PAGO = SyntheticCompany("0b" * 12, "plumbing", "Tutuila Plumbing", "+12395550102")
CALLS_UTC = {  # call sid suffix -> start (UTC), for both companies
    "late-10th": datetime(2026, 3, 10, 9, 30, tzinfo=UTC),  # Kiritimati 10th 23:30
    "early-11th": datetime(2026, 3, 10, 10, 30, tzinfo=UTC),  # Kiritimati 11th 00:30
    "prev-utc-day": datetime(2026, 3, 9, 23, 30, tzinfo=UTC),  # Kiritimati 10th 13:30
    "next-utc-day": datetime(2026, 3, 11, 5, 0, tzinfo=UTC),  # Pago Pago 10th 18:00
}  # in Pago Pago the first three are all on the 9th (22:30, 23:30, 12:30)


TURNS: dict[str, dict[str, int]] = {}  # company -> call -> turns recorded (set by `repo`)


@pytest.fixture
async def repo(redis_async: aioredis.Redis, tmp_path: Path) -> CallLogRepository:
    rng = random.Random(4)
    events = []
    for company in (KIRITIMATI, PAGO_PAGO):
        for name, started in CALLS_UTC.items():
            call = synthetic_call(rng, company, started, "+14155550123", False)
            sid = f"CA{company.company_id[:4]}{name}"
            events += [event.model_copy(update={"call_sid": sid}) for event in call]
            TURNS.setdefault(company.company_id, {})[name] = sum(
                isinstance(event, TurnRecorded) for event in call)
    await ingest(redis_async, tmp_path, events)
    return CallLogRepository(str(tmp_path))


def _sids(page: dict) -> set[str]:
    return {item["callSid"][6:] for item in page["items"]}


def test_call_logs_list_the_companys_own_day(repo: CallLogRepository) -> None:
    tenth = {"dateFrom": "2026-03-10", "dateTo": "2026-03-10"}
    kiritimati = repo.list_calls(KIRITIMATI.company_id, tenth, "Pacific/Kiritimati")
    assert _sids(kiritimati) == {"late-10th", "prev-utc-day"}
    pago_pago = repo.list_calls(PAGO_PAGO.company_id, tenth, "Pacific/Pago_Pago")
    assert _sids(pago_pago) == {"next-utc-day"}  # the others are still the 9th there
    ninth = {"dateFrom": "2026-03-09", "dateTo": "2026-03-09"}
    assert _sids(repo.list_calls(PAGO_PAGO.company_id, ninth, "Pacific/Pago_Pago")) == {
        "late-10th", "early-11th", "prev-utc-day"}
    in_utc = repo.list_calls(KIRITIMATI.company_id, tenth)
    assert _sids(in_utc) == {"late-10th", "early-11th"}


@pytest.mark.parametrize("engine", ENGINES)
def test_dashboards_bucket_calls_by_local_day_and_hour(
    repo: CallLogRepository, engine: str
) -> None:
    report = repo.analytics(KIRITIMATI.company_id, "2026-03-10", "2026-03-11", engine,
                            timezone="Pacific/Kiritimati")
    assert report["timezone"] == "Pacific/Kiritimati"
    assert report["callVolume"]["byDay"] == [{"date": "2026-03-10", "calls": 2},
                                             {"date": "2026-03-11", "calls": 2}]
    busy = {h["hour"]: h["calls"] for h in report["callVolume"]["byHour"] if h["calls"]}
    assert busy == {23: 1, 0: 1, 13: 1, 19: 1}
    eleventh = repo.agent_performance(KIRITIMATI.company_id, "2026-03-11", "2026-03-11",
                                      engine, timezone="Pacific/Kiritimati")
    assert eleventh["totalTurns"] == TURNS[KIRITIMATI.company_id]["early-11th"] + \
        TURNS[KIRITIMATI.company_id]["next-utc-day"]


def test_an_unknown_timezone_is_a_bad_request(repo: CallLogRepository) -> None:
    with pytest.raises(InvalidQuery, match="timezone"):
        repo.analytics(KIRITIMATI.company_id, "2026-03-10", "2026-03-10",
                       timezone="Mars/Olympus_Mons")
