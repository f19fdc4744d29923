"""A replica's memory of the live calls it routed lately: no directory round trip per webhook.

Every webhook of a live call resolved its CallSid in the call directory: a Redis script
that also marks the call active for the pool's reaper. Between two webhooks of a call the
answer rarely changes: only when its actor died and the call was taken over (by this
replica or another) or the call ended. So a replica remembers the entries it resolved or
registered and uses one for `touch_every_s` (the reaper waits minutes of silence), after
which the directory is asked again and marks the call active. The gateway forgets an entry
whose actor fails or no longer holds the call, and then asks the directory, which names
the actor that took it over, if any. An entry is only ever used for its own company.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

from runtime.actors.directory import CallEntry

DEFAULT_TOUCH_EVERY_S = 30.0  # well under the reaper's idle timeout (15 min)
DEFAULT_SIZE = 4096


class RecentCalls:
    def __init__(self, touch_every_s: float = DEFAULT_TOUCH_EVERY_S, size: int = DEFAULT_SIZE,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._touch_every_s = touch_every_s
        self._size = size
        self._clock = clock
        self._entries: OrderedDict[str, tuple[float, CallEntry]] = OrderedDict()

    def get(self, call_sid: str, company_id: str) -> CallEntry | None:
        """The remembered live entry of `company_id`'s call, if the directory was asked (or
        told) about it less than `touch_every_s` ago; else None: ask the directory."""
        remembered = self._entries.get(call_sid)
        if remembered is None:
            return None
        at, entry = remembered
        if self._clock() - at >= self._touch_every_s:
            del self._entries[call_sid]
            return None
        return entry if entry.company_id == company_id else None

    def remember(self, entry: CallEntry) -> None:
        """`entry` is what the directory holds now (resolved, or just registered)."""
        if not entry.live:
            self.forget(entry.call_sid)
            return
        self._entries[entry.call_sid] = (self._clock(), entry)
        self._entries.move_to_end(entry.call_sid)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)

    def forget(self, call_sid: str) -> None:
        self._entries.pop(call_sid, None)
