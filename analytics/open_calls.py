"""What the LogSink remembers about calls that have not ended yet.

A call's `calls` row is written once, when `CallEnded` is drained; the caller number,
transfer, message and booking were reported earlier, possibly in batches already
acknowledged. Facts of calls still open at the end of a batch wait in one Redis hash per
call (in the company's `t:` namespace, with a TTL so an abandoned entry cannot leak).
Calls that start and end within one batch never touch Redis. Writes are idempotent HSETs,
so a replayed batch sets the same values again; a hash is deleted only after the batch
holding its `CallEnded` is on disk and acknowledged.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import redis.asyncio as aioredis

from analytics.events import (
    AppointmentBooked,
    CallEnded,
    CallEventBase,
    CallStarted,
    MessageTaken,
    TransferMade,
    parse_event,
)
from analytics.tables import OpenCallFacts
from tenancy.store import tenant_key

_FACT_FIELDS: dict[type[CallEventBase], str] = {
    CallStarted: "started",
    TransferMade: "transfer",
    MessageTaken: "message",
    AppointmentBooked: "booking",
}
DEFAULT_TTL_S = 7 * 24 * 3600
CallKey = tuple[str, str]  # (company_id, call_sid)


def open_call_key(company_id: str, call_sid: str) -> str:
    """Both parts are validated by the event schema (24-hex id, [A-Za-z0-9_-] sid)."""
    return tenant_key(company_id, "calllog", "open", call_sid)


def facts_in(events: Iterable[CallEventBase]) -> dict[CallKey, OpenCallFacts]:
    """The facts a batch reports, per call (a later event of a kind replaces an earlier one)."""
    found: dict[CallKey, OpenCallFacts] = {}
    for event in events:
        field = _FACT_FIELDS.get(type(event))
        if field is not None:
            facts = found.setdefault((event.company_id, event.call_sid), OpenCallFacts())
            setattr(facts, field, event)
    return found


class OpenCallLedger:
    def __init__(self, redis: aioredis.Redis, ttl_s: int = DEFAULT_TTL_S) -> None:
        self._redis = redis
        self._ttl_s = ttl_s

    async def remember(self, open_calls: dict[CallKey, OpenCallFacts]) -> None:
        """Keep the facts of calls that did not end in this batch."""
        if not open_calls:
            return
        pipe = self._redis.pipeline(transaction=False)
        for (company_id, call_sid), facts in open_calls.items():
            key = open_call_key(company_id, call_sid)
            mapping = {
                name: event.to_json()
                for name in _FACT_FIELDS.values()
                if (event := getattr(facts, name)) is not None
            }
            pipe.hset(key, mapping=mapping)  # type: ignore[arg-type]
            pipe.expire(key, self._ttl_s)
        await pipe.execute()

    async def recall(self, calls: Sequence[CallKey]) -> list[OpenCallFacts]:
        """Facts kept for each call, in the same order (empty facts when none were kept)."""
        if not calls:
            return []
        pipe = self._redis.pipeline(transaction=False)
        for company_id, call_sid in calls:
            pipe.hgetall(open_call_key(company_id, call_sid))
        return [_facts_from_hash(fields) for fields in await pipe.execute()]

    async def forget(self, ended: Sequence[CallEnded]) -> None:
        keys = [open_call_key(event.company_id, event.call_sid) for event in ended]
        if keys:
            await self._redis.delete(*keys)


def _facts_from_hash(fields: dict) -> OpenCallFacts:
    facts = OpenCallFacts()
    for raw_name, payload in fields.items():
        name = raw_name.decode() if isinstance(raw_name, bytes) else raw_name
        if name in _FACT_FIELDS.values():
            setattr(facts, name, parse_event(payload))
    return facts
