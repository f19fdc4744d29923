"""The threads a replica runs call-log and dashboard queries on: few, and niced.

The replica that reads a quarter of call history for a dashboard is the one Twilio waits
on (15 s, and a caller hears every 100 ms). Queries therefore run on their own small pool
(`ANALYTICS_CONCURRENCY` threads: more requests wait for a thread, not for CPU), and on
Linux each of its threads runs `ANALYTICS_NICE` steps nicer than the replica, so under CPU
contention the kernel serves the event loop first. DuckDB with one thread works on the
calling thread, so it inherits that priority.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

MAX_NICE = 19


def lower_thread_priority(steps: int) -> int:
    """Make the calling thread `steps` nicer (Linux applies nice per thread); its nice now."""
    thread = threading.get_native_id()
    try:
        nice = min(MAX_NICE, os.getpriority(os.PRIO_PROCESS, thread) + steps)
        os.setpriority(os.PRIO_PROCESS, thread, nice)
        return nice
    except (AttributeError, OSError):  # no per-thread priority here: run as we are
        return os.getpriority(os.PRIO_PROCESS, 0) if hasattr(os, "getpriority") else 0


def analytics_executor(threads: int, nice_steps: int) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(
        max_workers=threads,
        thread_name_prefix="analytics",
        initializer=lower_thread_priority,
        initargs=(nice_steps,),
    )
