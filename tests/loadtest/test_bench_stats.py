"""Percentiles, latency summaries and the plan/report pieces of the benchmark (no Ray)."""

from __future__ import annotations

import random

import pytest

from loadtest.bench import BenchPlan, build_parser
from loadtest.bench_calls import (
    BOOKING_SCRIPT,
    BenchTenant,
    CallPlan,
    CallSample,
    TurnSample,
)
from loadtest.bench_report import format_table, run_metadata
from loadtest.bench_stats import latency_ms, percentile, ratio
from loadtest.bench_turns import RoundPlan, calls_per_slot, summarize_round, unpaced_throughput


def test_percentiles_interpolate_between_ranks() -> None:
    values = [4.0, 1.0, 3.0, 2.0]
    assert percentile(values, 0) == 1.0
    assert percentile(values, 100) == 4.0
    assert percentile(values, 50) == pytest.approx(2.5)
    assert percentile(list(range(1, 101)), 99) == pytest.approx(99.01)
    assert percentile([7.0], 99) == 7.0


@pytest.mark.parametrize(("values", "q"), [([], 50), ([1.0], -1), ([1.0], 101)])
def test_percentile_refuses_what_has_no_answer(values: list[float], q: float) -> None:
    with pytest.raises(ValueError):
        percentile(values, q)


def test_latency_summary_is_in_milliseconds() -> None:
    summary = latency_ms([0.010, 0.020, 0.030])
    assert summary["n"] == 3
    assert summary["p50_ms"] == pytest.approx(20.0)
    assert summary["max_ms"] == pytest.approx(30.0)
    assert summary["mean_ms"] == pytest.approx(20.0)
    assert latency_ms([]) == {"n": 0}


def test_ratio_needs_both_sides() -> None:
    assert ratio(30.0, 10.0) == 3.0
    assert ratio(None, 10.0) is None
    assert ratio(30.0, 0.0) is None


def test_every_slot_places_at_least_one_call() -> None:
    assert calls_per_slot(1, 40) == 40
    assert calls_per_slot(50, 100) == 2
    assert calls_per_slot(200, 100) == 1


def test_a_round_counts_failures_and_throughput() -> None:
    turn = TurnSample(at=0.0, webhook_s=0.02, action_s=0.03, redirects=1)
    samples = [
        CallSample(setup_s=0.01, turns=[turn, turn], status_s=0.005),
        CallSample(setup_s=0.02, refused=True),
        CallSample(error="WebhookFailed: 500"),
    ]
    row = summarize_round(RoundPlan(3, 1, 2), samples, wall_s=2.0, load=0.5)
    assert row["calls"] == 3 and row["failed_calls"] == 2 and row["refused_calls"] == 1
    assert row["first_errors"] == ["WebhookFailed: 500"]
    assert row["turn_webhook"]["n"] == 2 and row["redirects"] == 2
    assert row["turns_per_s"] == 1.0
    assert row["setup"]["n"] == 2


def test_quick_and_full_plans_differ_and_flags_override() -> None:
    quick = BenchPlan.for_args(build_parser().parse_args(["--quick"]))
    full = BenchPlan.for_args(build_parser().parse_args([]))
    assert quick.warm_setup_calls == 40 and full.warm_setup_calls == 200
    assert full.concurrency == (1, 4, 8, 50, 200)
    custom = BenchPlan.for_args(build_parser().parse_args(
        ["--concurrency", "1,10", "--skip-capacity"]))
    assert custom.concurrency == (1, 10) and custom.capacity_steps == ()
    assert custom.actors_needed == 10


def test_unpaced_throughput_is_the_fastest_round_within_the_p99_bound():
    def row(concurrency: int, p99: float, turns_per_s: float, failed: int = 0) -> dict:
        return {"runtime": {"concurrency": concurrency, "turns_per_s": turns_per_s,
                            "failed_calls": failed, "turn_webhook": {"p99_ms": p99}}}

    rows = [row(1, 30.0, 25.0), row(4, 80.0, 60.0), row(8, 99.0, 70.0, failed=1),
            row(50, 900.0, 90.0)]
    assert unpaced_throughput(rows) == {"p99_target_ms": 100.0, "turns_per_s": 60.0,
                                        "at_concurrency": 4, "floor_turns_per_s": None,
                                        "ratio_to_floor": None}
    assert unpaced_throughput([row(1, 150.0, 9.0)])["turns_per_s"] is None


def test_unpaced_throughput_is_set_beside_the_floors_by_the_same_rule():
    def side(p99: float, turns_per_s: float) -> dict:
        return {"concurrency": 8, "turns_per_s": turns_per_s, "failed_calls": 0,
                "turn_webhook": {"p99_ms": p99}}

    rows = [{"runtime": side(40.0, 30.0), "floor": side(10.0, 100.0)},
            {"runtime": side(90.0, 45.0), "floor": side(150.0, 180.0)}]
    result = unpaced_throughput(rows)
    assert (result["turns_per_s"], result["floor_turns_per_s"]) == (45.0, 100.0)
    assert result["ratio_to_floor"] == 0.45


def test_a_booking_call_speaks_its_script_and_has_its_own_report_row() -> None:
    tenant, rng = BenchTenant("a" * 24, "+12395550100", "HVAC"), random.Random(1)
    assert CallPlan(8, script=BOOKING_SCRIPT).utterance(tenant, 2, rng) == "as soon as possible"
    assert CallPlan(2).utterance(tenant, 1, rng) != "as soon as possible"
    turn = TurnSample(at=0.0, webhook_s=0.02, action_s=0.03, redirects=0)
    row = summarize_round(RoundPlan(5, 1, 8), [CallSample(turns=[turn] * 8)], 1.0, 0.1)
    table = format_table({"meta": {"date": "today", "load_avg_at_start": 0.1},
                          "booking_turns": row})
    assert "booking calls" in table and "20.0/20.0" in table



def test_a_turn_row_shows_the_floor_processes_own_cpu_as_the_machines_speed() -> None:
    def cpu(roles: dict[str, float]) -> dict[str, object]:
        return {"turns": 100, "server_cpu_ms_per_turn": 14.8, "cores_used": 1.1,
                "roles": {role: {"cpu_ms_per_turn": ms} for role, ms in roles.items()}}

    row = {"concurrency": 1, "ratio_p50": 1.7, "ratio_p99": 1.8,
           "runtime": {"turn_webhook": {}, "turns_per_s": 65.3, "failed_calls": 0,
                       "cpu": cpu({"call_actors": 8.2})},
           "floor": {"turn_webhook": {}, "cpu": cpu({"floor": 5.58})}}
    table = format_table({"meta": run_metadata([]), "turns": [row]})
    assert "call_actors 8.2; floor process 5.58 ms/turn" in table
