"""The original platform's ConversationLog documents as rows of our call logs.

A ConversationLog holds a whole call: `transcript` (lines such as "Caller: …" and
"AI: …"), `aiResponses`, a `sentiment` word, `duration` in seconds and an `outcome`. Each
becomes the events a live call would have emitted (started, one turn per exchange, ended),
turned into `calls`/`turns` rows by the same functions the LogSink uses. Event ids come
from the CallSid, so a call imported twice is one call to every query.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pyarrow as pa
from pydantic import ValidationError

from analytics.call_summary import CallFacts, extractive_summary
from analytics.events import CallEnded, CallStarted, Outcome, Tier, TurnRecorded
from analytics.parquet_store import ParquetStore
from analytics.tables import OpenCallFacts, PartitionedRows, call_row, turn_row

# Imported turns did not record which tier answered: the original agent was an LLM.
IMPORTED_TIER: Tier = "llm"
_SENTIMENTS = {"positive": 0.5, "neutral": 0.0, "negative": -0.5, "frustrated": -0.8,
               "angry": -0.9, "happy": 0.7}
_OUTCOMES: dict[str, Outcome] = {
    "transferred": "transferred", "transfer": "transferred", "escalated": "transferred",
    "booked": "booked", "appointment_booked": "booked", "scheduled": "booked",
    "message": "message_taken", "message_taken": "message_taken", "voicemail": "message_taken",
    "abandoned": "abandoned", "hangup": "abandoned", "dropped": "abandoned",
    "resolved": "answered_llm", "answered": "answered_llm", "completed": "answered_llm",
    "info_provided": "answered_llm",
}
_SPEAKER = re.compile(r"^\s*(caller|customer|user|ai|agent|assistant|bot)\s*:\s*(.*)$", re.I)
_CALLER_WORDS = {"caller", "customer", "user"}
_CONVERSATION_FIELDS = {"_id", "__v", "companyId", "callSid", "transcript", "aiResponses",
                        "sentiment", "duration", "outcome", "createdAt", "updatedAt",
                        "callerNumber", "calledNumber", "from", "to"}


@dataclass
class ConvertedCalls:
    rows: PartitionedRows = field(default_factory=PartitionedRows)
    calls: int = 0
    problems: list[str] = field(default_factory=list)
    unmapped_fields: set[str] = field(default_factory=set)


def exchanges(transcript: str, responses: list[Any]) -> list[tuple[str, str]]:
    """(caller, agent) pairs from "Speaker: text" lines; else the transcript and responses."""
    pairs: list[tuple[str, str]] = []
    for line in transcript.splitlines():
        match = _SPEAKER.match(line)
        if match is None:
            continue
        text = match.group(2).strip()
        if match.group(1).lower() in _CALLER_WORDS:
            pairs.append((text, ""))
        elif pairs:
            caller, agent = pairs[-1]
            pairs[-1] = (caller, f"{agent} {text}".strip())
        else:
            pairs.append(("", text))  # the agent's greeting, before the caller spoke
    if pairs:
        return pairs
    said = " ".join(str(r.get("text", "") if isinstance(r, dict) else r) for r in responses)
    return [(transcript.strip(), said.strip())] if transcript.strip() or said.strip() else []


def _sentiment(value: object) -> float:
    if isinstance(value, int | float):
        return max(-1.0, min(1.0, float(value)))
    return _SENTIMENTS.get(str(value).strip().lower(), 0.0)


def add_conversation(converted: ConvertedCalls, company_id: str, log: dict[str, Any]) -> None:
    """Append one ConversationLog's rows, or say why it cannot be imported."""
    converted.unmapped_fields |= set(log) - _CONVERSATION_FIELDS
    sid, outcome_word = log.get("callSid"), str(log.get("outcome", "")).strip().lower()
    outcome: Outcome | None = _OUTCOMES.get(outcome_word)
    if outcome is None:
        converted.problems.append(f"call {sid}: outcome {outcome_word!r} has no equivalent; "
                                  "recorded as answered_llm")
        outcome = "answered_llm"
    started = log.get("createdAt") if isinstance(log.get("createdAt"), datetime) else None
    if started is None:
        converted.problems.append(f"call {sid}: no createdAt, not imported")
        return
    duration = float(log.get("duration") or 0)
    turns = exchanges(str(log.get("transcript") or ""), list(log.get("aiResponses") or []))
    sentiment = _sentiment(log.get("sentiment"))
    common = {"company_id": company_id, "call_sid": sid, "started_at": started}
    try:
        opened = CallStarted(**common, caller_number=log.get("callerNumber") or log.get("from")
                             or "unknown", called_number=log.get("calledNumber") or log.get("to")
                             or "unknown")
        events = [TurnRecorded(**common, turn_index=i, caller_text=caller[:4000],
                               agent_text=agent[:4000], tier=IMPORTED_TIER, total_ms=0,
                               match_ms=0, sentiment=sentiment,
                               at=started + timedelta(seconds=duration * i / max(len(turns), 1)))
                  for i, (caller, agent) in enumerate(turns)]
        facts = CallFacts(outcome=outcome, caller_number=opened.caller_number
                          if opened.caller_number != "unknown" else "")
        ended = CallEnded(**common, outcome=outcome, duration_s=max(duration, 0.0),
                          final_sentiment=sentiment, turn_count=len(turns),
                          ended_at=started + timedelta(seconds=max(duration, 0.0)),
                          summary=extractive_summary([caller for caller, _ in turns], facts))
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        converted.problems.append(f"call {sid}: {'.'.join(map(str, first['loc']))}: "
                                  f"{first['msg']}; not imported")
        return
    for turn in events:
        converted.rows.add("turns", company_id, started, turn_row(turn, 0))
    converted.rows.add("calls", company_id, started,
                       call_row(ended, OpenCallFacts(started=opened), 0))
    converted.calls += 1


def write_imported(store: ParquetStore, converted: ConvertedCalls) -> tuple[int, int]:
    """Write each partition's rows as one file named after its content: (written, unchanged).

    The same export imported again names the same files, which are then left alone.
    """
    written = unchanged = 0
    for key, table in converted.rows.tables().items():
        name = f"import-{_fingerprint(table)}.parquet"
        if any(path.endswith("/" + name) for path in store.partition_files(key)):
            unchanged += 1
            continue
        store.write(key, name, table)
        written += 1
    return written, unchanged


def _fingerprint(table: pa.Table) -> str:
    ids = sorted(str(event_id) for event_id in table.column("event_id").to_pylist())
    return hashlib.sha256("\n".join(ids).encode()).hexdigest()[:20]

