"""The analytics page's numbers: the API's reports, each chart beside its table."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter

from analytics.events import OUTCOMES, CallEnded, TurnRecorded
from runtime.serve.console.data.analytics_page import TIER_LABELS, analytics_view
from runtime.serve.console.data.call_pages import OUTCOME_LABELS, parse_utc
from tests.console_data.test_call_pages import NEW_YORK, WEEK, ended_calls

SVG = "{http://www.w3.org/2000/svg}"


def bar_titles(panel) -> list[str]:
    svg = ET.fromstring(str(panel.svg))
    return [r.find(f"{SVG}title").text for r in svg.iter(f"{SVG}rect")
            if r.find(f"{SVG}title") is not None]


async def test_charts_and_tables_hold_the_ranges_numbers(services, company_calls):
    atlas, _, events = company_calls
    ended = ended_calls(events, atlas)
    view = await analytics_view(services, atlas, WEEK["dateFrom"], WEEK["dateTo"])
    panels = {p.panel_id: p for p in view.panels}
    assert list(panels) == ["calls-per-day", "outcomes", "containment", "answer-tiers", "latency"]
    assert view.total_calls == len(ended)

    per_day = Counter(parse_utc(e.started_at.isoformat()).astimezone(NEW_YORK).date().isoformat()
                      for e in ended)
    assert panels["calls-per-day"].rows == [(day, str(per_day.get(day, 0))) for day in
                                            [f"2026-03-0{n}" for n in range(2, 9)]]
    assert len(bar_titles(panels["calls-per-day"])) == 7

    outcomes = Counter(e.outcome for e in ended)
    assert panels["outcomes"].rows == [(OUTCOME_LABELS[o], str(outcomes.get(o, 0)))
                                       for o in OUTCOMES]
    contained = sum(outcomes[o] for o in ("answered_knowledge", "answered_llm", "booked"))
    assert panels["containment"].rows == [(str(len(ended)),
                                           f"{contained / len(ended) * 100:.1f}%")]

    sids = {e.call_sid for e in ended}
    tiers = Counter(e.tier for e in events if isinstance(e, TurnRecorded) and e.call_sid in sids)
    rows = dict(panels["answer-tiers"].rows)
    assert {tier: int(rows[TIER_LABELS[tier]]) for tier in tiers} == dict(tiers)
    assert view.total_turns == sum(tiers.values())


async def test_latency_panel_has_three_percentiles_per_stage_in_order(services, company_calls):
    atlas = company_calls[0]
    view = await analytics_view(services, atlas, WEEK["dateFrom"], WEEK["dateTo"])
    latency = next(p for p in view.panels if p.panel_id == "latency")
    assert latency.columns == ("Stage", "p50", "p90", "p99")
    for _, p50, p90, p99 in latency.rows:
        values = [float(v.replace(",", "")) for v in (p50, p90, p99)]
        assert values == sorted(values)
    assert len(bar_titles(latency)) == 3 * len(latency.rows)


async def test_an_empty_range_draws_zeros(services, company_calls):
    view = await analytics_view(services, company_calls[0], "2025-01-01", "2025-01-03")
    assert view.total_calls == 0
    assert [row[1] for row in view.panels[0].rows] == ["0", "0", "0"]
    assert not [e for e in company_calls[2] if isinstance(e, CallEnded)
                and e.started_at.year == 2025]


async def test_the_one_session_dashboard_answers_as_the_two_reports_do(services, company_calls):
    """The page's single materialised session gives the API's documents, byte for byte."""
    repository, atlas = services.call_logs, company_calls[0]
    args = (atlas, WEEK["dateFrom"], WEEK["dateTo"])
    both = repository.dashboard(*args, timezone="America/New_York")
    assert both["analytics"] == repository.analytics(*args, timezone="America/New_York")
    assert both["agentPerformance"] == repository.agent_performance(
        *args, timezone="America/New_York")
    assert both["analytics"]["totalCalls"] > 0
