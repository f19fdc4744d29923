"""`CallContext`: the facts of one call that never change while it lasts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class CallerContact:
    """What the company knows about a returning caller (from its contacts)."""

    name: str
    call_count: int
    last_call_at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "call_count": self.call_count,
            "last_call_at": self.last_call_at.isoformat() if self.last_call_at else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CallerContact:
        last = data.get("last_call_at")
        return cls(data["name"], data["call_count"],
                   datetime.fromisoformat(last) if last else None)


@dataclass(frozen=True)
class CallContext:
    call_sid: str
    caller_number: str
    called_number: str  # the company number the caller dialled; caller id for transfers
    started_at: datetime  # aware, UTC
    contact: CallerContact | None = None
    # The caller's number is known good (a text came from it): no need to confirm it.
    number_verified: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "call_sid": self.call_sid,
            "caller_number": self.caller_number,
            "called_number": self.called_number,
            "started_at": self.started_at.isoformat(),
            "contact": self.contact.to_dict() if self.contact else None,
            "number_verified": self.number_verified,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CallContext:
        contact = data.get("contact")
        return cls(
            call_sid=data["call_sid"],
            caller_number=data["caller_number"],
            called_number=data["called_number"],
            started_at=datetime.fromisoformat(data["started_at"]),
            contact=CallerContact.from_dict(contact) if contact else None,
            number_verified=bool(data.get("number_verified", False)),
        )
