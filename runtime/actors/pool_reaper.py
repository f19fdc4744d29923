"""The call pool's stale-call reaper: calls Twilio never closed are ended as abandoned.

A call whose final status callback never came (lost, or refused by a dead replica) would
hold its slot for ever. The pool checks the call directory's last-seen time of each of its
calls every `reap_interval_s` and ends the ones silent for `idle_call_timeout_s`.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import Any

import structlog

from runtime.actors.call_session import CallNotHeld
from runtime.actors.directory import CallDirectory
from runtime.actors.pool_config import REAPED_STATUS, ActiveCall, PoolConfig

log = structlog.get_logger(__name__)


class StaleCallReaper:
    """Mixed into `CallPool`, whose state and `release` it uses."""

    _config: PoolConfig
    _directory: CallDirectory
    _calls: dict[str, ActiveCall]
    _handles: dict[str, Any]
    _counts: Counter[str]

    async def release(self, actor_name: str, call_sid: str | None = None,
                      held: list[str] | None = None) -> None:
        raise NotImplementedError

    async def reap_now(self) -> int:
        """End every call with no webhook for `idle_call_timeout_s` as abandoned."""
        calls = list(self._calls.values())
        if not calls:
            return 0
        entries = await self._directory.lookup_many([call.call_sid for call in calls])
        oldest = time.time() - self._config.idle_call_timeout_s
        seen = {sid: entry.last_seen for sid, entry in entries.items() if entry is not None}
        stale = [call for call in calls if seen.get(call.call_sid, call.claimed_at) < oldest]
        for call in stale:
            await self._reap(call)
        return len(stale)

    async def _reap_loop(self) -> None:
        while True:
            await asyncio.sleep(self._config.reap_interval_s)
            try:
                await self.reap_now()
            except Exception:
                log.exception("reaper_pass_failed")

    async def _reap(self, call: ActiveCall) -> None:
        name = call.actor_name
        handle = self._handles.get(name)
        held: list[str] | None = None  # the calls the actor still holds, if its `end` said
        if handle is not None:
            ending = handle.end.remote(call.call_sid, REAPED_STATUS, None)
            try:
                held = await asyncio.wait_for(ending, self._config.actor_start_timeout_s)
            except CallNotHeld:
                pass
            except Exception:
                log.exception("reaped_call_not_ended", call_sid=call.call_sid)
        await self._directory.forget(call.call_sid)
        self._counts["reaped"] += 1
        log.info("call_reaped", call_sid=call.call_sid, actor=name)
        await self.release(name, call.call_sid, held)
