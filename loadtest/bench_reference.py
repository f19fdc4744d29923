"""A fixed piece of CPU work, timed at the start and the end of a bench run.

A shared or virtual machine's speed drifts by tens of percent from one hour to the next (a
neighbour's load, the host's clocks): on 2026-11-29 the same commit measured 20.7 and 24.3
ms of server CPU per turn fifteen minutes apart, and the floor, whose code had not changed,
slowed by a fifth too. Two runs' figures compare only when their reference times are
close; the reference says which runs those are. The work is the kind a turn does (Python
objects, JSON, hashing, a regular expression), timed on the thread's CPU clock, so waiting
for the CPU is not counted but a slower CPU is.
"""

from __future__ import annotations

import hashlib
import json
import re
import time

ROUNDS = 15  # the fastest round counts: the others met an interruption


def _work() -> int:
    calls = [{"sid": f"CA{index:032x}", "said": "do you service heat pumps in naples " * 3,
              "turn": index % 5} for index in range(2000)]
    text = json.dumps(calls)
    heard = sum(len(call["said"].split()) for call in json.loads(text))
    digest = hashlib.sha256(text.encode()).digest()
    return heard + len(re.findall(r"\bheat\b", text)) + digest[0]


def reference_cpu_ms(rounds: int = ROUNDS) -> float:
    """CPU milliseconds of the reference work: the fastest of `rounds`."""
    fastest = float("inf")
    for _ in range(rounds):
        started = time.thread_time()
        _work()
        fastest = min(fastest, time.thread_time() - started)
    return round(fastest * 1000.0, 2)
