"""Plain frozen shapes of the shipped catalogs (trade knowledge and emergency signals)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tenancy.models.company import TradeCategory


@dataclass(frozen=True)
class TradeQnA:
    """A question callers of this trade commonly ask, with a safe generic answer."""

    question: str
    answer: str
    keywords: tuple[str, ...] = ()

    def as_public_dict(self) -> dict[str, Any]:
        return {"question": self.question, "answer": self.answer, "keywords": list(self.keywords)}


@dataclass(frozen=True)
class EmergencySignal:
    """Phrases that mean a caller is in danger or facing serious damage.

    The signal fires when any phrase in `phrases` is heard and, when `context` is not
    empty, also one of the `context` phrases (e.g. "no heat" only counts in a freeze).
    `advice` is a safety sentence the agent says before transferring.
    """

    label: str
    phrases: tuple[str, ...]
    context: tuple[str, ...] = ()
    advice: str = ""

    def as_public_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "phrases": list(self.phrases),
            "context": list(self.context),
            "advice": self.advice,
        }


@dataclass(frozen=True)
class TradeCatalog:
    """Everything the platform knows about one trade before a company adds its own."""

    category: TradeCategory
    description: str
    services: tuple[str, ...]
    qna: tuple[TradeQnA, ...]
    emergencies: tuple[EmergencySignal, ...]

    @property
    def emergency_keywords(self) -> tuple[str, ...]:
        """Every phrase that can start an emergency signal, for display and search."""
        return tuple(phrase for signal in self.emergencies for phrase in signal.phrases)

    def as_public_dict(self) -> dict[str, Any]:
        return {
            "id": self.category.value,
            "name": self.category.value,
            "description": self.description,
            "services": list(self.services),
            "qna": [entry.as_public_dict() for entry in self.qna],
            "emergencyKeywords": list(self.emergency_keywords),
            "emergencies": [signal.as_public_dict() for signal in self.emergencies],
        }
