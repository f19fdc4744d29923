"""What the learning loop proposes to add to a company's knowledge, and how far it has read.

A `Suggestion` is one cluster of questions callers asked that the agent could not answer
well (same meaning, any wording): how often, a few examples, when, and a proposed answer
for a person to approve (it becomes a knowledge entry) or reject (its questions stop
coming back). `LearningWatermark` is how far into the call logs the clusters are built.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field

from tenancy.models.common import ApiModel
from tenancy.models.records import StoredRecord

SuggestionStatus = Literal["open", "approved", "rejected"]
Utterance = Annotated[str, Field(min_length=1, max_length=500)]
ANSWER_LIMIT = 2000  # a knowledge entry's longest answer
EXAMPLES_KEPT = 10


class Suggestion(StoredRecord):
    question: Utterance  # the wording first asked: the new entry's question
    askedCount: Annotated[int, Field(ge=0)] = 0
    examples: Annotated[list[Utterance], Field(max_length=EXAMPLES_KEPT)] = []
    firstSeen: datetime
    lastSeen: datetime
    proposedAnswer: Annotated[str, Field(max_length=ANSWER_LIMIT)] = ""  # drafted; "" offline
    status: SuggestionStatus = "open"
    knowledgeId: str | None = None  # the entry an approval created
    decidedAt: datetime | None = None
    askedSinceDecision: Annotated[int, Field(ge=0)] = 0  # matching gaps after the decision


class SuggestionApproval(ApiModel):
    """`answer` replaces the proposed one; without it the proposed answer is approved."""

    answer: Annotated[str, Field(min_length=1, max_length=ANSWER_LIMIT)] | None = None


class LearningWatermark(ApiModel):
    streamPos: int = 0  # the last gap turn clustered (call-log stream position)
    day: date | None = None  # its partition day: later refreshes open no older days
    gapsSeen: Annotated[int, Field(ge=0)] = 0  # gap questions clustered so far
