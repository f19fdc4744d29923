"""The analytics page: the API's two dashboard reports drawn as charts with their tables.

Both reports are read through `call_log_query` (what /analytics and /agent-performance
run); `analytics_panels` is pure, so every number on the page is tested without a browser.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from analytics.metrics import LATENCY_QUANTILES
from runtime.serve.console.data.call_pages import OUTCOME_LABELS
from runtime.serve.console.data.charts import (
    Bar,
    bar_list_chart,
    column_chart,
    format_number,
    grouped_column_chart,
    share_meter,
)
from runtime.serve.routers.call_logs import call_log_query
from runtime.serve.services import Services

TIER_LABELS = {
    "greeting": "Greeting", "knowledge": "Company knowledge", "trade_knowledge": "Trade knowledge",
    "llm": "AI model", "booking": "Booking", "fallback": "Did not understand",
    "emergency": "Emergency", "transfer": "Transfer", "escalation": "Escalation",
    "message": "Message", "goodbye": "Goodbye",
}
STAGE_LABELS = {"total": "Whole turn", "match": "Knowledge match",
                "llmFirstToken": "AI first token", "llmTotal": "AI answer",
                "ttsFirstByte": "Voice first byte"}


@dataclass(frozen=True)
class ChartPanel:
    """One chart and the table of the numbers it draws."""

    panel_id: str
    title: str
    svg: Markup
    columns: tuple[str, ...]
    rows: list[tuple[str, ...]]


@dataclass(frozen=True)
class AnalyticsView:
    date_from: str
    date_to: str
    total_calls: int
    total_turns: int
    panels: list[ChartPanel]


async def analytics_view(services: Services, company_id: str, date_from: str | None,
                         date_to: str | None) -> AnalyticsView:
    """Both reports for the range, as /analytics and /agent-performance compute them (the
    API's defaults and 400s for bad dates), from one query session."""
    both = await call_log_query(services, company_id, "dashboard", date_from, date_to)
    report, performance = both["analytics"], both["agentPerformance"]
    return AnalyticsView(date_from=report["dateFrom"], date_to=report["dateTo"],
                         total_calls=report["totalCalls"], total_turns=performance["totalTurns"],
                         panels=analytics_panels(report, performance))


def analytics_panels(report: dict[str, Any], performance: dict[str, Any]) -> list[ChartPanel]:
    """Calls per day, outcomes, containment, answer tiers and latency percentiles."""
    days = [Bar(day["date"][5:], day["calls"]) for day in report["callVolume"]["byDay"]]
    outcomes = [Bar(OUTCOME_LABELS.get(name, name), count)
                for name, count in report["outcomes"].items()]
    tiers = [Bar(TIER_LABELS.get(name, name), count)
             for name, count in performance["tierUsage"].items()]
    rate = report["containmentRate"]
    latency = performance["latencyMs"]
    stages = [STAGE_LABELS.get(stage, stage) for stage in latency]
    quantiles = {name: [latency[stage][name] for stage in latency] for name in LATENCY_QUANTILES}
    return [
        ChartPanel("calls-per-day", "Calls per day",
                   column_chart("chart-calls-per-day", "Calls per day", days),
                   ("Day", "Calls"),
                   [(day["date"], format_number(day["calls"]))
                    for day in report["callVolume"]["byDay"]]),
        ChartPanel("outcomes", "Outcomes", bar_list_chart("chart-outcomes", "Outcomes", outcomes),
                   ("Outcome", "Calls"), _bar_rows(outcomes)),
        ChartPanel("containment", "Containment (answered without staff)",
                   share_meter("chart-containment", "Containment rate", rate),
                   ("Calls", "Contained share"),
                   [(format_number(report["totalCalls"]), f"{rate * 100:.1f}%")]),
        ChartPanel("answer-tiers", "Who answered each turn",
                   bar_list_chart("chart-answer-tiers", "Answer tiers", tiers),
                   ("Tier", "Turns"), _bar_rows(tiers)),
        ChartPanel("latency", "Turn latency percentiles (ms)",
                   grouped_column_chart("chart-latency", "Latency percentiles", stages, quantiles,
                                        unit=" ms"),
                   ("Stage", *LATENCY_QUANTILES),
                   [(STAGE_LABELS.get(stage, stage),
                     *(format_number(latency[stage][q]) for q in LATENCY_QUANTILES))
                    for stage in latency]),
    ]


def _bar_rows(bars: list[Bar]) -> list[tuple[str, ...]]:
    return [(bar.label, format_number(bar.value)) for bar in bars]
