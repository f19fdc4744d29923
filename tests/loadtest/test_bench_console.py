"""The console bench's history: exactly the calls asked for, one company, the right days."""

from __future__ import annotations

from datetime import date, timedelta

from analytics.events import CallEnded
from loadtest.bench_console import HISTORY_DAYS, SeededCompany, history_calls, page_paths

COMPANY = "a" * 24


def test_history_is_exactly_the_calls_asked_for_within_the_days():
    last = date(2026, 11, 27)
    calls = list(history_calls(COMPANY, 1500, last))
    assert len(calls) == 1500
    ended = [e for call in calls for e in call if isinstance(e, CallEnded)]
    assert len(ended) == 1500 and {e.company_id for e in ended} == {COMPANY}
    days = {e.started_at.date() for e in ended}
    assert min(days) >= last - timedelta(days=HISTORY_DAYS - 1) and max(days) <= last


def test_every_console_page_of_the_company_is_timed():
    from runtime.serve.console.nav import company_nav

    seeded = SeededCompany(COMPANY, 10, date(2026, 8, 29), date(2026, 11, 27), "CA1", "2026-10-01")
    paths = set(page_paths(seeded).values())
    assert {str(link["href"]) for link in company_nav(COMPANY, "")} <= paths
    assert f"/console/company/{COMPANY}/analytics?from=2026-08-29&to=2026-11-27" in paths
