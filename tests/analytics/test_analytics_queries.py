"""Dashboards over generated call logs: right numbers, same in DuckDB and Polars, one tenant."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio
import redis.asyncio as aioredis

from analytics.drain import CallLogDrain
from analytics.emitter import CallEventEmitter
from analytics.errors import InvalidQuery
from analytics.events import CallEnded, CallEventBase, CallStarted, TurnRecorded
from analytics.generator import CallLogGenerator, GeneratorConfig
from analytics.knowledge_gaps import cluster_questions
from analytics.metrics import ALL_METRICS
from analytics.parquet_store import ParquetStore
from analytics.repository import CallLogRepository
from analytics.sources import company_files

WIDE = ("2025-03-01", "2025-03-31")


@dataclass
class CallLogs:
    repo: CallLogRepository
    events: list[CallEventBase]
    company_a: str
    company_b: str

    def of(self, company: str, kind: type) -> list:
        return [e for e in self.events if isinstance(e, kind) and e.company_id == company]


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def logs(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[CallLogs]:
    generator = CallLogGenerator(GeneratorConfig(seed=21, companies=2, days=9, calls_per_day=12))
    events = list(generator.events())
    root = tmp_path_factory.mktemp("parquet")
    stream = f"test:queries:{uuid.uuid4().hex[:8]}"
    client = aioredis.Redis.from_url(redis_url, decode_responses=True)
    try:
        await CallEventEmitter(client, stream=stream).emit_many(events)
        await CallLogDrain(client, str(root), stream=stream, batch_size=97).drain_until_idle()
    finally:
        await client.aclose()
    a, b = (company.company_id for company in generator.companies)
    yield CallLogs(CallLogRepository(str(root)), events, a, b)


def test_duckdb_and_polars_agree_on_every_metric(logs: CallLogs) -> None:
    for company in (logs.company_a, logs.company_b):
        duck = logs.repo.metric_rows(company, ALL_METRICS, *WIDE, engine="duckdb")
        polars = logs.repo.metric_rows(company, ALL_METRICS, *WIDE, engine="polars")
        for metric in ALL_METRICS:
            assert duck[metric.name] == polars[metric.name], metric.name
        assert duck["containment"][0]["calls"] > 0
        for endpoint in (logs.repo.analytics, logs.repo.agent_performance, logs.repo.learning):
            assert endpoint(company, *WIDE, engine="duckdb") == endpoint(
                company, *WIDE, engine="polars"
            )


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def doubled(logs: CallLogs, redis_url: str, tmp_path_factory: pytest.TempPathFactory
                  ) -> CallLogRepository:
    """The same events drained twice with other batch boundaries: every row twice on disk."""
    root = tmp_path_factory.mktemp("doubled")
    client = aioredis.Redis.from_url(redis_url, decode_responses=True)
    try:
        for batch_size in (97, 41):
            stream = f"test:queries:{uuid.uuid4().hex[:8]}"
            await CallEventEmitter(client, stream=stream).emit_many(logs.events)
            drain = CallLogDrain(client, str(root), stream=stream, batch_size=batch_size)
            await drain.drain_until_idle()
    finally:
        await client.aclose()
    return CallLogRepository(str(root))


NO_CALLS_COMPANY = "0" * 24
RANGES = {"wide": WIDE, "one-day": ("2025-03-04", "2025-03-04"),
          "empty-range": ("2025-04-01", "2025-04-30")}


@pytest.mark.parametrize("date_range", list(RANGES.values()), ids=list(RANGES))
def test_duckdb_and_polars_agree_on_duplicated_rows_and_empty_ranges(
    logs: CallLogs, doubled: CallLogRepository, date_range: tuple[str, str]
) -> None:
    store = doubled.store
    on_disk = [row["event_id"] for company in store.companies("turns")
               for path in store.list_files("turns", company)
               for row in store.read(path).select(["event_id"]).to_pylist()]
    assert len(on_disk) == 2 * len(set(on_disk))
    for company in (logs.company_a, logs.company_b, NO_CALLS_COMPANY):
        duck = doubled.metric_rows(company, ALL_METRICS, *date_range, engine="duckdb")
        polars = doubled.metric_rows(company, ALL_METRICS, *date_range, engine="polars")
        assert duck == polars
        for name in ("analytics", "agent_performance", "learning"):
            answers = [getattr(repo, name)(company, *date_range, engine=engine)
                       for repo in (doubled, logs.repo) for engine in ("duckdb", "polars")]
            assert all(answer == answers[0] for answer in answers), name  # duplicates unseen
    if date_range == RANGES["empty-range"]:
        assert logs.repo.analytics(logs.company_a, *date_range)["totalCalls"] == 0


def test_call_analytics_match_the_events_that_were_emitted(logs: CallLogs) -> None:
    ended: list[CallEnded] = logs.of(logs.company_a, CallEnded)
    started: list[CallStarted] = logs.of(logs.company_a, CallStarted)
    report = logs.repo.analytics(logs.company_a, *WIDE)

    assert report["totalCalls"] == len(ended)
    outcomes = Counter(e.outcome for e in ended)
    assert report["outcomes"] == {k: outcomes.get(k, 0) for k in report["outcomes"]}
    contained = sum(outcomes[k] for k in ("answered_knowledge", "answered_llm", "booked"))
    assert report["containmentRate"] == round(contained / len(ended), 6)
    by_day = Counter(e.started_at.date().isoformat() for e in ended)
    assert {d["date"]: d["calls"] for d in report["callVolume"]["byDay"] if d["calls"]} == by_day
    by_hour = Counter(e.started_at.hour for e in ended)
    assert report["callVolume"]["peakHours"][0] == max(by_hour, key=lambda h: (by_hour[h], -h))
    returning = sum(s.returning_caller for s in started)
    assert report["callers"] == {"new": len(started) - returning, "returning": returning}
    durations = sorted(e.duration_s for e in ended)
    assert report["durationSeconds"]["mean"] == pytest.approx(sum(durations) / len(durations))


def test_agent_performance_matches_the_turns_recorded(logs: CallLogs) -> None:
    turns: list[TurnRecorded] = logs.of(logs.company_b, TurnRecorded)
    perf = logs.repo.agent_performance(logs.company_b, *WIDE, engine="polars")
    assert perf["totalTurns"] == len(turns)
    tiers = Counter(t.tier for t in turns)
    assert perf["tierUsage"] == {tier: tiers.get(tier, 0) for tier in perf["tierUsage"]}
    assert perf["confidence"]["none"] == sum(t.confidence is None for t in turns)
    llm = sorted(t.llm_first_token_ms for t in turns if t.llm_first_token_ms is not None)
    assert llm[0] <= perf["latencyMs"]["llmFirstToken"]["p50"] <= llm[-1]
    total = perf["latencyMs"]["total"]
    assert total["p50"] <= total["p90"] <= total["p99"]


def test_knowledge_gaps_cluster_near_duplicate_questions(logs: CallLogs) -> None:
    gaps = logs.repo.learning(logs.company_a, *WIDE)["knowledgeGaps"]
    asked = sum(g["askedCount"] for g in gaps)
    unanswered = [t for t in logs.of(logs.company_a, TurnRecorded) if t.tier == "fallback"
                  or (t.tier == "llm" and t.confidence is not None and t.confidence < 0.5)]
    assert asked == len(unanswered)
    assert any(t.tier == "llm" for t in unanswered)  # the model answered without an entry
    assert len(gaps) < len({t.caller_text for t in unanswered})  # wordings were merged

    clusters = cluster_questions(
        [("Do you offer financing?", 4), ("do you offer financing", 2),
         ("Do you install solar panels?", 3), ("Can you install solar panels?", 1),
         ("Can I pay by check?", 1)]
    )
    assert [(c.question, c.asked) for c in clusters] == [
        ("Do you offer financing?", 6),
        ("Do you install solar panels?", 4),
        ("Can I pay by check?", 1),
    ]


def test_call_list_pages_filters_and_transcript(logs: CallLogs) -> None:
    ended = logs.of(logs.company_a, CallEnded)
    first = logs.repo.list_calls(logs.company_a, {"dateFrom": WIDE[0], "dateTo": WIDE[1],
                                                  "pageSize": 10})
    assert first["total"] == len(ended) and len(first["items"]) == 10
    starts = [item["startedAt"] for item in first["items"]]
    assert starts == sorted(starts, reverse=True)
    pages = [logs.repo.list_calls(logs.company_a, {"date_from": WIDE[0], "date_to": WIDE[1],
                                                   "page": n, "page_size": 10})
             for n in range(1, len(ended) // 10 + 2)]
    sids = [item["callSid"] for page in pages for item in page["items"]]
    assert sorted(sids) == sorted(e.call_sid for e in ended)

    transferred = logs.repo.list_calls(logs.company_a, {"dateFrom": WIDE[0], "dateTo": WIDE[1],
                                                        "outcome": "transferred"})
    assert transferred["total"] == sum(e.outcome == "transferred" for e in ended)
    assert {item["outcome"] for item in transferred["items"]} <= {"transferred"}

    caller = logs.of(logs.company_a, CallStarted)[0].caller_number
    mine = logs.repo.list_calls(logs.company_a, {"dateFrom": WIDE[0], "dateTo": WIDE[1],
                                                 "callerNumber": caller})
    assert mine["total"] >= 1 and {i["callerNumber"] for i in mine["items"]} == {caller}

    call = logs.repo.get_call(logs.company_a, ended[0].call_sid)
    assert call is not None and call["outcome"] == ended[0].outcome
    expected = [t.caller_text for t in logs.of(logs.company_a, TurnRecorded)
                if t.call_sid == ended[0].call_sid]
    assert [turn["callerText"] for turn in call["transcript"]] == expected


def test_a_company_never_sees_another_companys_calls(logs: CallLogs) -> None:
    repo, a, b = logs.repo, logs.company_a, logs.company_b
    b_call = logs.of(b, CallEnded)[0].call_sid
    assert repo.get_call(a, b_call) is None
    a_sids = {e.call_sid for e in logs.of(a, CallEnded)}
    listed = repo.list_calls(a, {"dateFrom": WIDE[0], "dateTo": WIDE[1], "pageSize": 200})
    assert {item["callSid"] for item in listed["items"]} <= a_sids
    files = company_files(repo.store, a, None, None)
    assert files.calls and all(f"company_id={a}/" in path for path in files.calls + files.turns)

    crafted = [
        lambda: repo.list_calls(a, {"callerNumber": "' OR 1=1 --"}),
        lambda: repo.list_calls(a, {"outcome": "transferred' OR '1'='1"}),
        lambda: repo.list_calls(a, {"outcome": "transferred", "companyId": b}),
        lambda: repo.list_calls("../" + b, None),
        lambda: repo.analytics(f"{a}/../company_id={b}"),
        lambda: repo.analytics(a.upper()),
        lambda: repo.agent_performance(b[:23] + "*"),
        lambda: repo.get_call(a, "x' OR call_sid <> '"),
        lambda: repo.get_call(a, "../../calls"),
        lambda: repo.learning("'; DROP TABLE calls; --"),
    ]
    for attempt in crafted:
        with pytest.raises(InvalidQuery):
            attempt()


@pytest.mark.parametrize(
    "date_from, date_to",
    [("2025-03-10", "2025-03-01"), ("2024-01-01", "2025-03-01"), ("2025-13-01", None),
     ("yesterday", None), (None, "2025-02-30")],
)
def test_malformed_date_ranges_are_invalid_queries(
    logs: CallLogs, date_from: str | None, date_to: str | None
) -> None:
    with pytest.raises(InvalidQuery):
        logs.repo.analytics(logs.company_a, date_from, date_to)
    with pytest.raises(InvalidQuery):
        logs.repo.list_calls(logs.company_a, {"dateFrom": date_from, "dateTo": date_to})


def test_bad_page_engine_and_outcome_are_invalid_queries(logs: CallLogs) -> None:
    for query in ({"pageSize": 201}, {"page": 0}, {"outcome": "won"}, {"sort": "caller"}):
        with pytest.raises(InvalidQuery):
            logs.repo.list_calls(logs.company_a, query)
    with pytest.raises(InvalidQuery):
        logs.repo.analytics(logs.company_a, *WIDE, engine="sqlite")


def test_empty_partitions_give_zeros_not_errors(logs: CallLogs, tmp_path: Path) -> None:
    for repo in (logs.repo, CallLogRepository(str(tmp_path / "nothing-yet"))):
        for engine in ("duckdb", "polars"):
            report = repo.analytics(logs.company_a, "2024-06-01", "2024-06-07", engine)
            assert report["totalCalls"] == 0 and report["containmentRate"] == 0.0
            assert [d["calls"] for d in report["callVolume"]["byDay"]] == [0] * 7
            assert set(report["outcomes"].values()) == {0}
            perf = repo.agent_performance(logs.company_a, "2024-06-01", "2024-06-07", engine)
            assert perf["totalTurns"] == 0 and perf["latencyMs"]["total"]["p99"] == 0.0
            assert repo.learning(logs.company_a, "2024-06-01", "2024-06-07")["knowledgeGaps"] == []
        page = repo.list_calls(logs.company_a, {"dateFrom": "2024-06-01", "dateTo": "2024-06-07"})
        assert page == {"items": [], "total": 0, "page": 1, "pageSize": 50}
    assert ParquetStore(str(tmp_path / "nothing-yet")).companies("calls") == []


def test_repository_answers_many_threads_at_once(logs: CallLogs) -> None:
    from concurrent.futures import ThreadPoolExecutor

    companies = [logs.company_a, logs.company_b] * 6
    engines = ["duckdb", "polars"] * 6
    expected = {c: logs.repo.analytics(c, *WIDE) for c in (logs.company_a, logs.company_b)}
    with ThreadPoolExecutor(max_workers=6) as pool:
        reports = list(pool.map(lambda c, e: logs.repo.analytics(c, *WIDE, engine=e),
                                companies, engines))
    assert [r["companyId"] for r in reports] == companies
    assert all(report == expected[report["companyId"]] for report in reports)
