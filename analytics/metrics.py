"""Every dashboard metric, written once as SQL that DuckDB and Polars both execute.

The texts use only what both dialects share (CASE, COALESCE, EXTRACT, MEDIAN,
QUANTILE_CONT, positional GROUP BY) and read the deduplicated `calls` / `turns` views of
`analytics.sources`. They hold no caller input: scoping (company, dates) is done by which
files the views open, and request filters are bound parameters elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from analytics.events import Outcome
from analytics.tables import TableName

CONTAINED_OUTCOMES: tuple[Outcome, ...] = ("answered_knowledge", "answered_llm", "booked")
LOW_CONFIDENCE = 0.5
SENTIMENT_BUCKETS = ("very_negative", "negative", "neutral", "positive", "very_positive")
CONFIDENCE_BUCKETS = ("0.00-0.50", "0.50-0.75", "0.75-0.90", "0.90-1.00", "none")
LATENCY_STAGES = ("total", "match", "llm_first_token", "llm_total", "tts_first_byte")
LATENCY_QUANTILES = {"p50": 0.5, "p90": 0.9, "p99": 0.99}
GAP_QUESTION_LIMIT = 5000


@dataclass(frozen=True)
class Metric:
    name: str
    sql: str
    table: TableName = "calls"  # the one table its SQL reads (a range read loads no other)


# Days and hours are the company's own (`local_time`, see `analytics.sources`).
CALL_VOLUME_BY_DAY = Metric(
    "call_volume_by_day",
    "SELECT CAST(local_time AS DATE) AS day, COUNT(*) AS calls FROM calls GROUP BY 1 ORDER BY 1",
)
CALL_VOLUME_BY_HOUR = Metric(
    "call_volume_by_hour",
    "SELECT EXTRACT(HOUR FROM local_time) AS hour, COUNT(*) AS calls"
    " FROM calls GROUP BY 1 ORDER BY 1",
)
OUTCOMES = Metric(
    "outcomes",
    "SELECT outcome, COUNT(*) AS calls FROM calls GROUP BY 1 ORDER BY 1",
)
_contained = ", ".join(f"'{outcome}'" for outcome in CONTAINED_OUTCOMES)
CONTAINMENT = Metric(
    "containment",
    "SELECT COUNT(*) AS calls,"
    f" COALESCE(SUM(CASE WHEN outcome IN ({_contained}) THEN 1 ELSE 0 END), 0) AS contained"
    " FROM calls",
)
DURATION = Metric(
    "duration",
    "SELECT AVG(duration_s) AS mean_s, MEDIAN(duration_s) AS median_s,"
    " QUANTILE_CONT(duration_s, 0.9) AS p90_s FROM calls",
)
CALLERS = Metric(
    "callers",
    "SELECT COALESCE(SUM(CASE WHEN returning_caller THEN 1 ELSE 0 END), 0) AS returning_callers,"
    " COALESCE(SUM(CASE WHEN returning_caller THEN 0 ELSE 1 END), 0) AS new_callers FROM calls",
)
SENTIMENT = Metric(
    "sentiment",
    "SELECT CASE WHEN final_sentiment < -0.5 THEN 'very_negative'"
    " WHEN final_sentiment < -0.1 THEN 'negative'"
    " WHEN final_sentiment <= 0.1 THEN 'neutral'"
    " WHEN final_sentiment <= 0.5 THEN 'positive'"
    " ELSE 'very_positive' END AS bucket, COUNT(*) AS calls FROM calls"
    " WHERE final_sentiment IS NOT NULL GROUP BY 1 ORDER BY 1",  # a call no agent took: none
)
TIER_USAGE = Metric(
    "tier_usage",
    "SELECT tier, COUNT(*) AS turns FROM turns GROUP BY 1 ORDER BY 1",
    "turns",
)
CONFIDENCE = Metric(
    "confidence",
    "SELECT CASE WHEN confidence IS NULL THEN 'none'"
    " WHEN confidence < 0.5 THEN '0.00-0.50'"
    " WHEN confidence < 0.75 THEN '0.50-0.75'"
    " WHEN confidence < 0.9 THEN '0.75-0.90'"
    " ELSE '0.90-1.00' END AS bucket, COUNT(*) AS turns FROM turns GROUP BY 1 ORDER BY 1",
    "turns",
)
_latency_columns = ", ".join(
    f"QUANTILE_CONT({stage}_ms, {q}) AS {stage}_{name}"
    for stage in LATENCY_STAGES
    for name, q in LATENCY_QUANTILES.items()
)
LATENCY = Metric("latency", f"SELECT COUNT(*) AS turns, {_latency_columns} FROM turns", "turns")
# A turn the knowledge base did not answer well: the learning loop's raw material.
GAP_TURN = (
    "caller_text <> '' AND (tier = 'fallback'"
    # An LLM turn's confidence is how well the best knowledge entry covered the question:
    # low means the model answered without a fitting entry, a gap as much as a fallback.
    f" OR (tier IN ('knowledge', 'trade_knowledge', 'llm') AND confidence < {LOW_CONFIDENCE}))"
)
KNOWLEDGE_GAPS = Metric(
    "knowledge_gaps",
    f"SELECT caller_text AS question, COUNT(*) AS asked FROM turns WHERE {GAP_TURN}"
    f" GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT {GAP_QUESTION_LIMIT}",
    "turns",
)

CALL_METRICS = (
    CALL_VOLUME_BY_DAY,
    CALL_VOLUME_BY_HOUR,
    OUTCOMES,
    CONTAINMENT,
    DURATION,
    CALLERS,
    SENTIMENT,
)
AGENT_METRICS = (TIER_USAGE, CONFIDENCE, LATENCY)
ALL_METRICS = (*CALL_METRICS, *AGENT_METRICS, KNOWLEDGE_GAPS)
