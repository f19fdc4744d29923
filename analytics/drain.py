"""Drain the call-event stream into Parquet, exactly once as queries see it.

One batch = entries read with XREADGROUP. For each batch the drain (1) records open-call
facts in Redis, (2) writes one file per touched partition, named after the batch's
stream-id range (`part-<first>_<last>.parquet`), atomically, and only then (3) XACKs.
A crash before (3) leaves the entries in this consumer's pending list; on restart they are
read again first (XREADGROUP id 0) as the same batch, so the rewrite lands on the same
file names and replaces them. Entries left pending by a consumer that never came back are
taken over with XAUTOCLAIM. Where batch boundaries could still differ (another consumer
claiming, a changed batch size), rows carry a deterministic `event_id` and every query
keeps one row per `event_id` (`analytics.sources`), so nothing is ever counted twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import redis.asyncio as aioredis
import structlog
from pydantic import ValidationError
from redis.exceptions import ResponseError

from analytics.emitter import CALL_EVENTS_STREAM, PAYLOAD_FIELD
from analytics.events import (
    CallEnded,
    CallEventBase,
    CallNotTaken,
    CallSummarized,
    TurnRecorded,
    parse_event,
)
from analytics.open_calls import OpenCallLedger, facts_in
from analytics.parquet_store import ParquetStore
from analytics.tables import (
    OpenCallFacts,
    PartitionedRows,
    call_row,
    not_taken_row,
    stream_position,
    summary_row,
    turn_row,
)

log = structlog.get_logger(__name__)
Entry = tuple[str, dict[str, Any] | None]


@dataclass
class DrainStats:
    batches: int = 0
    entries: int = 0
    rows: int = 0
    files: int = 0
    rejected: int = 0
    recovered_batches: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass
class _Batch:
    entries: list[Entry]
    recovered: bool = False
    ids: list[str] = field(init=False)

    def __post_init__(self) -> None:
        self.ids = [entry_id for entry_id, _ in self.entries]

    @property
    def file_name(self) -> str:
        return f"part-{self.ids[0]}_{self.ids[-1]}.parquet"


class CallLogDrain:
    """Consumer-group reader that turns call events into `calls` and `turns` files."""

    def __init__(
        self,
        redis: aioredis.Redis,
        root: str | ParquetStore,
        *,
        stream: str = CALL_EVENTS_STREAM,
        group: str = "logsink",
        consumer: str = "logsink-1",
        batch_size: int = 1000,
        block_ms: int = 1000,
        claim_idle_ms: int | None = 60_000,
        dead_letter_stream: str | None = None,
        write_workers: int = 8,
    ) -> None:
        # `consumer` must be stable across restarts: its pending list is how a restarted
        # drain finds the batch it was writing when it died.
        self._redis = redis
        self.store = root if isinstance(root, ParquetStore) else ParquetStore(root)
        self._stream = stream
        self._group = group
        self._consumer = consumer
        self._batch_size = batch_size
        self._block_ms = block_ms
        self._claim_idle_ms = claim_idle_ms
        self._dead_letter = dead_letter_stream or f"{stream}:rejected"
        self._ledger = OpenCallLedger(redis)
        # Files of one batch are written in parallel: each waits on its own fsync.
        self._writers = ThreadPoolExecutor(write_workers, thread_name_prefix="logsink-write")
        self._group_ready = False
        self.stats = DrainStats()

    async def ensure_group(self) -> None:
        try:
            await self._redis.xgroup_create(self._stream, self._group, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        self._group_ready = True

    async def drain_once(self, block_ms: int | None = -1) -> int:
        """Process one batch; returns how many stream entries it consumed (0 when idle).

        `block_ms=-1` uses the configured block time; `None` never blocks.
        """
        if not self._group_ready:
            await self.ensure_group()
        try:
            batch = await self._next_batch(self._block_ms if block_ms == -1 else block_ms)
        except ResponseError as exc:
            if "NOGROUP" not in str(exc):
                raise
            self._group_ready = False  # the stream was deleted or Redis lost its data
            return 0
        if batch is None:
            return 0
        await self._process(batch)
        return len(batch.entries)

    async def drain_until_idle(self) -> int:
        """Drain everything already in the stream (tests, benchmarks, shutdown)."""
        total = 0
        while consumed := await self.drain_once(block_ms=None):
            total += consumed
        return total

    async def _next_batch(self, block_ms: int | None) -> _Batch | None:
        mine = await self._read("0", block_ms=None)
        if mine:
            return _Batch(mine, recovered=True)
        if self._claim_idle_ms is not None:
            claimed = await self._redis.xautoclaim(
                self._stream,
                self._group,
                self._consumer,
                min_idle_time=self._claim_idle_ms,
                start_id="0-0",
                count=self._batch_size,
            )
            if claimed[1]:
                return _Batch(_normalize(claimed[1]), recovered=True)
        fresh = await self._read(">", block_ms=block_ms)
        return _Batch(fresh) if fresh else None

    async def _read(self, from_id: str, block_ms: int | None) -> list[Entry]:
        response = await self._redis.xreadgroup(
            self._group,
            self._consumer,
            {self._stream: from_id},
            count=self._batch_size,
            block=block_ms if block_ms else None,
        )
        if not response:
            return []
        streams = response.values() if isinstance(response, dict) else [s[1] for s in response]
        return [entry for entries in streams for entry in _normalize(entries)]

    async def _process(self, batch: _Batch) -> None:
        events: list[tuple[int, CallEventBase]] = []
        rejected: list[tuple[str, str, str]] = []
        for entry_id, fields in batch.entries:
            payload = (fields or {}).get(PAYLOAD_FIELD)
            if payload is None:
                continue  # trimmed from the stream before it was drained: nothing to write
            try:
                events.append((stream_position(entry_id), parse_event(payload)))
            except ValidationError as exc:
                rejected.append((entry_id, payload, str(exc)))
        ended = _unique_ended(events)
        facts = await self._settle_facts([event for _, event in events], ended)
        rows = PartitionedRows()
        for position, event in events:
            if isinstance(event, TurnRecorded):
                rows.add("turns", event.company_id, event.started_at, turn_row(event, position))
            elif isinstance(event, CallSummarized):
                rows.add("summaries", event.company_id, event.started_at,
                         summary_row(event, position))
            elif isinstance(event, CallNotTaken):
                rows.add("calls", event.company_id, event.started_at,
                         not_taken_row(event, position))
        for (position, end), call_facts in zip(ended, facts, strict=True):
            rows.add("calls", end.company_id, end.started_at, call_row(end, call_facts, position))
        tables = rows.tables()
        loop = asyncio.get_running_loop()
        await asyncio.gather(
            *(
                loop.run_in_executor(self._writers, self.store.write, key, batch.file_name, table)
                for key, table in tables.items()
            )
        )
        await self._reject(rejected)
        await self._acknowledge(batch.ids)
        await self._ledger.forget([event for _, event in ended])
        self._count(batch, rows=len(rows), files=len(tables), rejected=len(rejected))

    async def _settle_facts(
        self, events: list[CallEventBase], ended: list[tuple[int, CallEnded]]
    ) -> list[OpenCallFacts]:
        """Facts of each ended call: kept ones from Redis, updated by this batch's own.

        Calls still open after this batch have their facts kept for a later batch.
        """
        in_batch = facts_in(events)
        ended_keys = [(end.company_id, end.call_sid) for _, end in ended]
        closing = set(ended_keys)
        await self._ledger.remember({k: f for k, f in in_batch.items() if k not in closing})
        earlier = [k for k in ended_keys if k not in in_batch or not in_batch[k].started]
        kept = dict(zip(earlier, await self._ledger.recall(earlier), strict=True))
        return [
            kept.get(key, OpenCallFacts()).updated_with(in_batch.get(key)) for key in ended_keys
        ]

    def close(self) -> None:
        """Release the writer threads (the Redis client belongs to the caller)."""
        self._writers.shutdown(wait=True)

    async def _acknowledge(self, ids: Sequence[str]) -> None:
        """The commit point: only entries whose rows are on disk get here."""
        if ids:
            await self._redis.xack(self._stream, self._group, *ids)

    async def _reject(self, rejected: list[tuple[str, str, str]]) -> None:
        """Keep malformed payloads aside for a human instead of blocking the stream."""
        for entry_id, payload, error in rejected:
            log.warning("call_event_rejected", entry_id=entry_id, error=error[:200])
            await self._redis.xadd(
                self._dead_letter, {"entry_id": entry_id, "payload": payload, "error": error}
            )

    def _count(self, batch: _Batch, *, rows: int, files: int, rejected: int) -> None:
        self.stats.batches += 1
        self.stats.entries += len(batch.entries)
        self.stats.rows += rows
        self.stats.files += files
        self.stats.rejected += rejected
        self.stats.recovered_batches += int(batch.recovered)


def _normalize(entries: Sequence[Any]) -> list[Entry]:
    """Stream entries as `(id, {field: value})` with str ids and keys, whatever the decoding."""
    normalized: list[Entry] = []
    for raw_id, raw_fields in entries:
        entry_id = raw_id.decode() if isinstance(raw_id, bytes) else str(raw_id)
        fields = None
        if raw_fields:
            fields = {_text(name): _text(value) for name, value in raw_fields.items()}
        normalized.append((entry_id, fields))
    return normalized


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _unique_ended(events: list[tuple[int, CallEventBase]]) -> list[tuple[int, CallEnded]]:
    """One end per call even if the runtime reported it twice in a batch (first one wins)."""
    seen: dict[str, tuple[int, CallEnded]] = {}
    for position, event in events:
        if isinstance(event, CallEnded) and event.event_id not in seen:
            seen[event.event_id] = (position, event)
    return list(seen.values())
