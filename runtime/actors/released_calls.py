"""The calls the pool freed lately, to read an actor's report of the calls it holds.

A call's `end` answers with the calls its actor still holds, and the pool checks that
list for calls it never gave the actor (an unclean actor, retired once empty) instead of
asking the actor again: one Ray call less per call. The list can predate the release of
a neighbouring call that ended just after it (the two releases reach the pool in either
order), so calls released since are not counted as unknown.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable

REMEMBERED = 4096  # far more than calls end on one actor while a release is in flight


class ReleasedCalls:
    def __init__(self, size: int = REMEMBERED) -> None:
        self._size = size
        self._sids: OrderedDict[str, None] = OrderedDict()

    def add(self, call_sid: str) -> None:
        self._sids[call_sid] = None
        self._sids.move_to_end(call_sid)
        while len(self._sids) > self._size:
            self._sids.popitem(last=False)

    def unknown(self, held: Iterable[str], known: set[str], *, reported: bool) -> set[str]:
        """The held calls the pool did not give the actor. `reported`: `held` came with a
        call's end (possibly older than the releases since); else the actor was just asked."""
        return {sid for sid in held
                if sid not in known and not (reported and sid in self._sids)}
