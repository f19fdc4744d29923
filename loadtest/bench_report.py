"""What a benchmark run says about itself (machine, commit, load) and its short table."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _git_commit() -> str:
    try:
        done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=False, timeout=5)
    except OSError:
        return "unknown"
    return done.stdout.strip() or "unknown"


def run_metadata(argv: list[str]) -> dict[str, Any]:
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.executable).name, "-m", "loadtest.bench", *argv]),
        "git_commit": _git_commit(),
        "machine": {
            "cpus": os.cpu_count(),
            "cpu_model": _cpu_model(),
            "memory_gb": round(psutil.virtual_memory().total / 1024**3, 1),
            "python": platform.python_version(),
        },
        "load_avg_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def _ms(summary: dict[str, Any], key: str) -> str:
    value = summary.get(key)
    return f"{value:.1f}" if isinstance(value, int | float) else "-"


def _cpu_line(cpu: dict[str, Any] | None, floor: dict[str, Any] | None = None) -> str:
    """'CPU/turn 31 ms: call_actors 11.1, serve_replica 10.5, ...' (the top five roles),
    and the floor process's own CPU per turn when it ran beside: the same code in every
    run, so it says how fast the machine was (this one drifts by a third within an hour;
    compare runs whose floor figures are close)."""
    if not cpu or not cpu.get("turns"):
        return ""
    top = list(cpu["roles"].items())[:5]
    parts = ", ".join(f"{role} {value['cpu_ms_per_turn']}" for role, value in top)
    own = (floor or {}).get("roles", {}).get("floor", {}).get("cpu_ms_per_turn")
    return (f"      server CPU/turn {cpu['server_cpu_ms_per_turn']} ms, "
            f"{cpu['cores_used']} cores busy: {parts}"
            + (f"; floor process {own} ms/turn" if own is not None else ""))


def format_table(results: dict[str, Any]) -> str:
    lines = [f"ClientsVia runtime benchmark  {results['meta']['date']}  "
             f"load {results['meta']['load_avg_at_start']}"]
    node = results.get("node", {})
    if node:
        cpu = node.get("idle_actor_cpu", {})
        lines.append(f"node: timings {node.get('timings_s')}; idle actors use "
                     f"{cpu.get('cores_used_by_all')} cores ({cpu.get('actors')} actors)")
    setup = results.get("setup")
    if setup:
        warm, cold = setup["warm_pool_http"], setup["fresh_actor"]
        lines += [
            "call setup (ms)          p50      p99",
            f"  warm pool (HTTP)   {_ms(warm, 'p50_ms'):>8} {_ms(warm, 'p99_ms'):>8}",
            f"  fresh actor        {_ms(cold, 'p50_ms'):>8} {_ms(cold, 'p99_ms'):>8}"
            f"   cold/warm p50 x{setup['cold_over_warm_p50']}",
        ]
        burst = setup.get("burst")
        if burst:
            lines.append(
                f"  burst {burst['callers']} at {burst['rate_per_s']}/s {_ms(burst, 'p50_ms'):>4}"
                f" {_ms(burst, 'p99_ms'):>8}   claims waited {burst['claims_waited']}, "
                f"actors started {burst['actors_started']}, failed {burst['failed']}")
    turns = results.get("turns")
    if turns:
        lines.append("turn webhook (ms)   conc  runtime p50/p99   floor p50/p99   "
                     "ratio p50/p99  turns/s  failed")
        for row in turns:
            ours, theirs = row["runtime"]["turn_webhook"], row["floor"]["turn_webhook"]
            lines.append(
                f"                   {row['concurrency']:>5}  {_ms(ours, 'p50_ms'):>7}/"
                f"{_ms(ours, 'p99_ms'):<8} {_ms(theirs, 'p50_ms'):>7}/{_ms(theirs, 'p99_ms'):<8}"
                f" {row['ratio_p50']!s:>6}/{row['ratio_p99']!s:<7} "
                f"{row['runtime']['turns_per_s']!s:>7}  {row['runtime']['failed_calls']}")
            lines.append(_cpu_line(row["runtime"].get("cpu"), row["floor"].get("cpu")))
    booking = results.get("booking_turns")
    if booking:
        hook = booking["turn_webhook"]
        lines.append(
            f"booking calls      {booking['concurrency']:>5}  {_ms(hook, 'p50_ms'):>7}/"
            f"{_ms(hook, 'p99_ms'):<8} (every turn in the booking flow; runtime only)  "
            f"{booking['turns_per_s']!s:>7}  {booking['failed_calls']}")
    throughput = results.get("unpaced_throughput")
    if throughput:
        lines.append(f"unpaced throughput: {throughput['turns_per_s']} turns/s with p99 ≤ "
                     f"{throughput['p99_target_ms']:.0f} ms (at concurrency "
                     f"{throughput['at_concurrency']}); floor "
                     f"{throughput.get('floor_turns_per_s')} turns/s, runtime/floor "
                     f"{throughput.get('ratio_to_floor')}")
    capacity = results.get("capacity")
    if capacity:
        lines.append(f"paced capacity: {capacity['capacity_calls']} calls "
                     f"(p99 ≤ {capacity['p99_target_ms']:.0f} ms, no failed calls)")
        for step in capacity["steps"]:
            memory = step["memory"]
            lines.append(
                f"  {step['calls']:>4} calls  p50 {_ms(step['turn_webhook'], 'p50_ms'):>6}  "
                f"p99 {_ms(step['turn_webhook'], 'p99_ms'):>6} ms  failed "
                f"{step['failed_calls']}  actor USS idle "
                f"{memory['idle_uss'].get('mean_mb', '-')} / active "
                f"{memory['active_uss'].get('mean_mb', '-')} MB  node used "
                f"{memory['node']['used_mb']} MB  {'ok' if step['passed'] else 'FAIL'}")
            audio, setup_ms = step.get("turn_with_audio", {}), step.get("setup", {})
            lines.append(f"        with <Play> p99 {_ms(audio, 'p99_ms')} ms, setup p99 "
                         f"{_ms(setup_ms, 'p99_ms')} ms, {step['calls_placed']} calls placed")
            lines.append(_cpu_line(step.get("cpu")))
        if capacity.get("not_run"):
            lines.append(f"  not run: {capacity['not_run']}")
    return "\n".join(line for line in lines if line)
