"""How many free call slots the pool keeps ahead of demand (pure: no Ray, no I/O).

Starting a call actor takes seconds (Ray worker, imports, the embedding model), so a
caller who finds no free slot hears silence for that long. The pool therefore keeps free
slots for what may arrive while an actor starts: the recent arrival rate times the
observed start time (with a safety factor), and a share of the recent peak of concurrent
calls (calls end and start again, and worn actors retire), never fewer than the floor
(`warm_pool_size`) nor more than the ceiling (`warm_pool_max`). A burst raises the target
at once; the pool shrinks only after a surplus of a whole actor has lasted a while.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class WarmSizing:
    floor: int  # free slots kept at rest (WARM_POOL_SIZE)
    ceiling: int  # most free slots kept, however busy (WARM_POOL_MAX)
    window_s: float = 30.0  # arrivals and concurrency remembered this long
    min_span_s: float = 1.0  # a rate is never taken over less time than this
    lead_factor: float = 2.0  # arrivals of this many actor start times are covered
    concurrency_share: float = 0.25  # of the recent peak of concurrent calls, kept free
    assumed_start_s: float = 3.0  # an actor's start time until one has been measured
    shrink_after_s: float = 120.0  # a surplus lasts this long before an actor retires


class DemandTracker:
    """Recent arrivals, concurrency and actor start times; the free-slot target from them."""

    def __init__(self, sizing: WarmSizing, clock: Callable[[], float] = time.monotonic) -> None:
        self.sizing = sizing
        self._clock = clock
        self._arrivals: deque[float] = deque()
        self._peaks: deque[tuple[float, int]] = deque()  # (when, concurrent calls), falling
        self._start_s = sizing.assumed_start_s
        self._surplus_since: float | None = None

    def arrived(self, active: int) -> None:
        """A new call took a slot; `active` calls are now up."""
        now = self._clock()
        self._arrivals.append(now)
        while self._peaks and self._peaks[-1][1] <= active:
            self._peaks.pop()
        self._peaks.append((now, active))
        self._expire(now)

    def started(self, seconds: float) -> None:
        """An actor took `seconds` to start (a moving average: starts slow under load)."""
        self._start_s = 0.7 * self._start_s + 0.3 * seconds

    @property
    def start_s(self) -> float:
        return self._start_s

    def rate(self) -> float:
        """New calls per second over the remembered window."""
        now = self._clock()
        self._expire(now)
        if not self._arrivals:
            return 0.0
        span = max(now - self._arrivals[0], self.sizing.min_span_s)
        return len(self._arrivals) / span

    def peak(self) -> int:
        """The most concurrent calls within the window."""
        self._expire(self._clock())
        return self._peaks[0][1] if self._peaks else 0

    def target(self) -> int:
        """Free slots to keep now. Not capped by the calls still admissible: a pool at its
        limit still needs free slots for the calls it takes over from dead actors."""
        sizing = self.sizing
        wanted = max(math.ceil(self.rate() * self._start_s * sizing.lead_factor),
                     math.ceil(self.peak() * sizing.concurrency_share))
        return max(sizing.floor, min(wanted, sizing.ceiling))

    def surplus_to_retire(self, free: int, per_actor: int) -> bool:
        """True once `free` slots have exceeded the target by a whole actor for
        `shrink_after_s`; the clock restarts, so the pool retires one actor at a time."""
        now = self._clock()
        if free - per_actor < self.target():
            self._surplus_since = None
            return False
        if self._surplus_since is None:
            self._surplus_since = now
            return False
        if now - self._surplus_since < self.sizing.shrink_after_s:
            return False
        self._surplus_since = now
        return True

    def _expire(self, now: float) -> None:
        oldest = now - self.sizing.window_s
        while self._arrivals and self._arrivals[0] < oldest:
            self._arrivals.popleft()
        while self._peaks and self._peaks[0][0] < oldest:
            self._peaks.popleft()
