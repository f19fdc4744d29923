"""What a caller's utterance means, as similarity scores, and the hybrid knowledge decision.

The policy stays free of model runtimes: a `MeaningScorer` (built outside, from sentence
embeddings; see `runtime/meaning/`) turns an utterance into plain cosine similarities,
once per turn: one per knowledge entry (company Q&A ids and `trade:...` catalog ids) and
one per hazard label (best over its example sentences).

Hybrid confidence of an entry: the cosine goes through `SEMANTIC_CALIBRATION`, a
piecewise-linear curve onto the same 0..1 scale as the lexical score (`knowledge.py`), then

    confidence = max(semantic, (semantic + lexical) / 2)

so meaning alone can answer a question worded nothing like the stored one, words alone
cannot ("close my account" meets the keyword "close": lexical 0.79, semantic 0.14 →
0.47), and both together confirm a paraphrase whose cosine is modest. The curve was fitted
on the labelled pairs of `tests/conversation/test_policy_knowledge.py` with
all-MiniLM-L6-v2: their paraphrases have cosine 0.38 to 0.80 against the stored question
plus keywords, the unrelated questions at most 0.35; cosine 0.42 maps to 0.70, the default
`confidenceThreshold`, so the setting keeps its meaning (raise it to answer less often).

An answer is given only when the best entry clears the threshold AND leads the runner-up
by `DECISION_MARGIN`: two entries that fit about equally well (near-ties) and off-topic
questions that fit everything a little fall through to the next tier instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from runtime.conversation.knowledge import KnowledgeIndex, KnowledgeMatch, piecewise_linear

# (cosine, confidence) knots; linear in between, flat outside.
SEMANTIC_CALIBRATION = (
    (0.0, 0.0), (0.2, 0.1), (0.3, 0.35), (0.42, 0.7), (0.55, 0.85), (0.7, 0.95), (0.85, 1.0),
)
DECISION_MARGIN = 0.1  # the best entry must lead the runner-up by this much to answer


@dataclass(frozen=True)
class MeaningScores:
    """Cosine similarities of one utterance (−1..1), by entry id and by hazard label.

    `ordinary`: the best cosine with ordinary, non-hazard equipment complaints.
    """

    entries: Mapping[str, float] = field(default_factory=dict)
    hazards: Mapping[str, float] = field(default_factory=dict)
    ordinary: float = -1.0


NO_MEANING = MeaningScores()


class MeaningScorer(Protocol):
    def score(self, utterance: str) -> MeaningScores:
        """Embed the utterance once and compare it with everything the call knows."""
        ...


@dataclass(frozen=True)
class Ranked:
    """Entries of one tier by hybrid confidence, best first."""

    matches: list[KnowledgeMatch]

    @property
    def best(self) -> KnowledgeMatch | None:
        return self.matches[0] if self.matches else None

    @property
    def runner_up(self) -> KnowledgeMatch | None:
        return self.matches[1] if len(self.matches) > 1 else None

    def decisive(self, threshold: float, margin: float = DECISION_MARGIN) -> KnowledgeMatch | None:
        """The best entry when it clears the threshold and leads the runner-up by `margin`."""
        best, second = self.best, self.runner_up
        if best is None or best.confidence < threshold:
            return None
        if second is not None and best.confidence - second.confidence < margin:
            return None
        return best


def clearly_better(challenger: KnowledgeMatch | None, incumbent: KnowledgeMatch) -> bool:
    """The company's own answer comes first unless the catalog's fits by `DECISION_MARGIN`
    more ("what should I set my thermostat to" is the catalog's energy question, not the
    company's "Do you install smart thermostats?")."""
    return challenger is not None and (
        challenger.confidence - incumbent.confidence >= DECISION_MARGIN)


def semantic_confidence(cosine: float) -> float:
    return piecewise_linear(SEMANTIC_CALIBRATION, cosine)


def hybrid_confidence(lexical: float, cosine: float | None) -> float:
    """Lexical alone when there is no vector for the entry, else the hybrid above."""
    if cosine is None:
        return lexical
    semantic = semantic_confidence(cosine)
    return round(max(semantic, (semantic + lexical) / 2.0), 4)


def rank(indexes: list[KnowledgeIndex], utterance: str, scores: MeaningScores) -> Ranked:
    """Every entry of `indexes` scored for the utterance, best first."""
    matches = []
    for index in indexes:
        for match in index.scored(utterance):
            cosine = scores.entries.get(match.entry.id)
            confidence = hybrid_confidence(match.confidence, cosine)
            matches.append(KnowledgeMatch(match.entry, confidence))
    matches.sort(key=lambda match: match.confidence, reverse=True)
    return Ranked(matches)
