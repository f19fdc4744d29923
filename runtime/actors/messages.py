"""What the Serve layer and the call actors say to each other (plain, picklable data).

The Serve side turns an `AgentReply` into TwiML; the actor side never sees HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal


@dataclass(frozen=True)
class CallSetup:
    """The incoming-call facts the Serve layer hands to the actor layer."""

    company_id: str
    call_sid: str
    caller_number: str
    called_number: str
    account_sid: str = ""
    # The company's own ceiling on its concurrent calls (None: the platform's per-company one).
    company_call_limit: int | None = None


@dataclass(frozen=True)
class Utterance:
    """One sentence for the caller: played from `audio_token` when set, else spoken by <Say>."""

    text: str
    audio_token: str | None = None


ActionType = Literal["Listen", "Transfer", "TakeMessage", "Hangup"]


@dataclass(frozen=True)
class AgentReply:
    """The agent's answer for one webhook.

    `action` is `runtime.conversation.action_to_dict(...)`: {"type": "Listen"} |
    {"type": "Transfer", "number", "caller_id", "reason", "priority"} |
    {"type": "TakeMessage", ...} | {"type": "Hangup"}.
    `more` is True when further sentences of this answer are still being prepared:
    the Serve layer then answers with the utterances followed by a <Redirect> to the
    continue URL instead of acting on `action` (which is only final when `more` is False).
    """

    call_sid: str
    utterances: tuple[Utterance, ...]
    action: dict[str, Any]
    more: bool = False
    language: str = "en-US"
    speech_hints: tuple[str, ...] = ()
    tier: str = ""


@dataclass(frozen=True)
class CallRefused:
    """Admission control said no: forward the call (when there is a number) or apologise."""

    reason: str
    message: str
    forward_to: str | None = None
    caller_id: str | None = None
    language: str = "en-US"


@dataclass(frozen=True)
class PoolStats:
    idle: int
    active: int
    starting: int
    capacity: int
    retired: int = 0
    reaped: int = 0
    created: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
