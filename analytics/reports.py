"""Shape metric rows into the JSON documents the dashboard endpoints return.

Pure functions over the rows of `analytics.metrics`: they fill the zeros an empty range
needs (every day, hour, outcome, tier and bucket is present) and name fields in the API's
camelCase, so both engines' rows turn into byte-identical documents.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from analytics.events import OUTCOMES, TIERS
from analytics.knowledge_gaps import cluster_questions
from analytics.metrics import (
    CONFIDENCE_BUCKETS,
    LATENCY_QUANTILES,
    LATENCY_STAGES,
    SENTIMENT_BUCKETS,
)
from analytics.sources import FLOAT_DIGITS

Rows = list[dict[str, Any]]
PEAK_HOURS = 3


def call_analytics(metrics: dict[str, Rows], days: list[date]) -> dict[str, Any]:
    by_day = _counts(metrics["call_volume_by_day"], "day", "calls")
    by_hour = _counts(metrics["call_volume_by_hour"], "hour", "calls")
    hours = [{"hour": hour, "calls": by_hour.get(hour, 0)} for hour in range(24)]
    busiest = sorted((h for h in hours if h["calls"]), key=lambda h: (-h["calls"], h["hour"]))
    outcomes = _counts(metrics["outcomes"], "outcome", "calls")
    containment = metrics["containment"][0]
    duration = metrics["duration"][0]
    callers = metrics["callers"][0]
    sentiment = _counts(metrics["sentiment"], "bucket", "calls")
    return {
        "totalCalls": containment["calls"],
        "callVolume": {
            "byDay": [{"date": day.isoformat(), "calls": by_day.get(day, 0)} for day in days],
            "byHour": hours,
            "peakHours": [h["hour"] for h in busiest[:PEAK_HOURS]],
        },
        "outcomes": {outcome: outcomes.get(outcome, 0) for outcome in OUTCOMES},
        "containmentRate": _ratio(containment["contained"], containment["calls"]),
        "durationSeconds": {
            "mean": duration["mean_s"] or 0.0,
            "median": duration["median_s"] or 0.0,
            "p90": duration["p90_s"] or 0.0,
        },
        "callers": {"new": callers["new_callers"], "returning": callers["returning_callers"]},
        "sentiment": {bucket: sentiment.get(bucket, 0) for bucket in SENTIMENT_BUCKETS},
    }


def agent_performance(metrics: dict[str, Rows]) -> dict[str, Any]:
    tiers = _counts(metrics["tier_usage"], "tier", "turns")
    confidence = _counts(metrics["confidence"], "bucket", "turns")
    latency = metrics["latency"][0]
    return {
        "totalTurns": latency["turns"],
        "tierUsage": {tier: tiers.get(tier, 0) for tier in TIERS},
        "confidence": {bucket: confidence.get(bucket, 0) for bucket in CONFIDENCE_BUCKETS},
        "latencyMs": {
            _camel(stage): {
                name: latency[f"{stage}_{name}"] or 0.0 for name in LATENCY_QUANTILES
            }
            for stage in LATENCY_STAGES
        },
    }


def learning(gap_rows: Rows, limit: int) -> dict[str, Any]:
    """The range's unanswered questions, near-duplicates together (the reviewable
    suggestions made of them are persisted: `runtime.learning.suggestions`)."""
    clusters = cluster_questions((row["question"], row["asked"]) for row in gap_rows)[:limit]
    return {
        "unansweredQuestions": sum(row["asked"] for row in gap_rows),
        "knowledgeGaps": [
            {"question": c.question, "askedCount": c.asked, "variants": c.variants[:10]}
            for c in clusters
        ],
    }


def call_record(row: dict[str, Any]) -> dict[str, Any]:
    """A `calls` or `turns` row as API JSON: camelCase keys, ISO-8601 UTC timestamps."""
    return {_camel(name): _json_value(value) for name, value in row.items()}


def _counts(rows: Rows, key: str, value: str) -> dict[Any, int]:
    return {row[key]: row[value] for row in rows}


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, FLOAT_DIGITS) if whole else 0.0


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word.capitalize() for word in rest)


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat() + "Z"
    if isinstance(value, date):
        return value.isoformat()
    return value
