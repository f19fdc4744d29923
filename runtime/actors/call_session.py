"""`CallSession`: everything a call actor holds for the one call it is serving.

Its checkpoint (`to_checkpoint`) is plain JSON written after every turn, from which a
fresh actor rebuilds the call exactly (`from_checkpoint`). Secrets are never in it: the
company's own TTS key is read again from the tenant store when a call is restored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from runtime.actors.answer_stream import AnswerStream
from runtime.actors.call_record import CallRecord
from runtime.conversation import CallContext, CompanySnapshot, ConversationState, DialoguePolicy
from runtime.providers.base import VoiceRequest

CHECKPOINT_VERSION = 1


class CallNotHeld(LookupError):
    """The actor was asked about a call it does not hold (recycled, restored elsewhere...)."""


class ActorBusy(RuntimeError):
    """`begin` on an actor that still holds a call: the pool handed it out twice."""


class CompanyUnavailable(LookupError):
    """The company of a new call is unknown or inactive."""


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

    @property
    def call_sid(self) -> str:
        return self.context.call_sid

    @property
    def company_id(self) -> str:
        return self.snapshot.company_id

    def to_checkpoint(self) -> dict[str, Any]:
        return {
            "version": CHECKPOINT_VERSION,
            "snapshot": self.snapshot.to_dict(),
            "context": self.context.to_dict(),
            "state": self.state.to_dict(),
            "record": self.record.to_dict(),
        }

    @staticmethod
    def checkpoint_parts(
        data: dict[str, Any],
    ) -> tuple[CompanySnapshot, CallContext, ConversationState, CallRecord]:
        """The call's parts from a checkpoint; the caller adds the policy and the voice."""
        if data.get("version") != CHECKPOINT_VERSION:
            raise ValueError(f"unsupported call checkpoint version {data.get('version')!r}")
        return (
            CompanySnapshot.from_dict(data["snapshot"]),
            CallContext.from_dict(data["context"]),
            ConversationState.from_dict(data["state"]),
            CallRecord.from_dict(data["record"]),
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
