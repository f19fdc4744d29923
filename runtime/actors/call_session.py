"""`CallSession`: everything a call actor holds for the one call it is serving.

Its checkpoint is plain JSON in two parts: the company snapshot (`snapshot_checkpoint`),
written once per call because it never changes during the call, and the call's moving
parts (`to_checkpoint`: context, state, event numbering, and the last answer with the
request key of the webhook that asked for it), written after every turn. From both a
fresh actor rebuilds the call exactly (`checkpoint_parts`), and a webhook retried after a
takeover gets the recorded answer instead of taking its turn again. Secrets are never in
them: the company's own TTS key is read again from the tenant store on restore.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from runtime.actors.answer_stream import AnswerStream
from runtime.actors.call_record import CallRecord
from runtime.conversation import CallContext, CompanySnapshot, ConversationState, DialoguePolicy
from runtime.providers.base import VoiceRequest
from tenancy.store import TenantStore

CHECKPOINT_VERSION = 2


def snapshot_checkpoint_name(call_sid: str) -> str:
    """The checkpoint name of a call's company snapshot (next to the per-turn one)."""
    return f"{call_sid}:snapshot"


class CallNotHeld(LookupError):
    """The actor was asked about a call it does not hold (recycled, restored elsewhere...)."""


class ActorBusy(RuntimeError):
    """`begin` on an actor with no free call slot (or that already holds this call)."""


class CompanyUnavailable(LookupError):
    """The company of a new call is unknown or inactive."""


@dataclass
class LastAnswer:
    """The call's latest answer and the key of the webhook it answered (replayed on repeats)."""

    request_key: str | None = None
    text: str = ""
    action: dict[str, Any] | None = None  # None: the answer is not finished yet

    def to_dict(self) -> dict[str, Any]:
        return {"request_key": self.request_key, "text": self.text, "action": self.action}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> LastAnswer:
        return cls(**data) if data else cls()


@dataclass
class CallSession:
    snapshot: CompanySnapshot
    context: CallContext
    state: ConversationState
    record: CallRecord
    policy: DialoguePolicy
    voice: VoiceRequest | None
    answer: AnswerStream | None = None  # the answer still being spoken, if any
    restored: bool = False  # rebuilt from a checkpoint by a replacement actor
    snapshot_saved: bool = False  # the snapshot part of the checkpoint is in Redis
    last: LastAnswer = field(default_factory=LastAnswer)
    snapshot_document: dict[str, Any] | None = None  # `snapshot.to_dict()`, if made already

    @property
    def call_sid(self) -> str:
        return self.context.call_sid

    @property
    def company_id(self) -> str:
        return self.snapshot.company_id

    def checkpoint_entries(self, store: TenantStore) -> list[tuple[str, str, int]]:
        """What `save` would write, as `store.save_checkpoint` writes it (key, text,
        lifetime each): the per-turn part, and the snapshot's until it is saved, to go in
        one step with the turn's events."""
        entries = [store.checkpoint_entry(self.call_sid, self.to_checkpoint())]
        if not self.snapshot_saved:
            entries.append(store.checkpoint_entry(snapshot_checkpoint_name(self.call_sid),
                                                  self.snapshot_checkpoint()))
        return entries

    async def save(self, store: TenantStore) -> None:
        """Write the per-turn checkpoint, and the snapshot's the first time."""
        writes = [store.save_checkpoint(self.call_sid, self.to_checkpoint())]
        if not self.snapshot_saved:  # the snapshot never changes: once per call
            writes.append(store.save_checkpoint(snapshot_checkpoint_name(self.call_sid),
                                                self.snapshot_checkpoint()))
        await asyncio.gather(*writes)
        self.snapshot_saved = True

    async def forget(self, store: TenantStore) -> None:
        """Delete both checkpoints (the call ended and its events are delivered)."""
        await store.delete_checkpoints(*self._checkpoint_names())

    def checkpoint_keys(self, store: TenantStore) -> list[str]:
        """The keys `forget` deletes, to go in one step with the call's last events."""
        return store.checkpoint_keys(*self._checkpoint_names())

    def _checkpoint_names(self) -> tuple[str, str]:
        return self.call_sid, snapshot_checkpoint_name(self.call_sid)

    @staticmethod
    async def load_checkpoints(store: TenantStore, call_sid: str
                               ) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        """The call's two checkpoints as saved (None where missing)."""
        data, snapshot = await asyncio.gather(
            store.load_checkpoint(call_sid),
            store.load_checkpoint(snapshot_checkpoint_name(call_sid)))
        return data, snapshot

    def to_checkpoint(self) -> dict[str, Any]:
        """The per-turn part of the checkpoint (the snapshot is saved once, separately)."""
        return {
            "version": CHECKPOINT_VERSION,
            "context": self.context.to_dict(),
            "state": self.state.to_dict(),
            "record": self.record.to_dict(),
            "last": self.last.to_dict(),
        }

    def snapshot_checkpoint(self) -> dict[str, Any]:
        document = self.snapshot_document
        return {"version": CHECKPOINT_VERSION,
                "snapshot": document if document is not None else self.snapshot.to_dict()}

    @staticmethod
    def checkpoint_parts(
        data: dict[str, Any], snapshot_data: dict[str, Any],
    ) -> tuple[CompanySnapshot, CallContext, ConversationState, CallRecord, LastAnswer]:
        """The call's parts from its two checkpoints; the caller adds the policy and voice."""
        for part in (data, snapshot_data):
            if part.get("version") != CHECKPOINT_VERSION:
                raise ValueError(f"unsupported call checkpoint version {part.get('version')!r}")
        return (
            CompanySnapshot.from_dict(snapshot_data["snapshot"]),
            CallContext.from_dict(data["context"]),
            ConversationState.from_dict(data["state"]),
            CallRecord.from_dict(data["record"]),
            LastAnswer.from_dict(data.get("last")),
        )

    def describe(self) -> dict[str, Any]:
        """What the actor holds, for tests and operators (never secrets)."""
        return {
            "call_sid": self.call_sid,
            "company_id": self.company_id,
            "history": [list(item) for item in self.state.history],
            "turn_count": self.state.turn_count,
            "mode": self.state.mode.value,
            "streaming": self.answer is not None and not self.answer.finished,
            "restored": self.restored,
            "knowledge_ids": [entry.id for entry in self.snapshot.knowledge],
            "events_recorded": self.record.next_turn,
        }
