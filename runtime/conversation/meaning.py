"""What a caller's utterance means, as similarity scores, and the hybrid knowledge decision.

The policy stays free of model runtimes: a `MeaningScorer` (built outside, from sentence
embeddings; see `runtime/meaning/`) turns an utterance into plain cosine similarities,
once per turn: one per knowledge entry (company Q&A ids and `trade:...` catalog ids), one
per hazard label and one per intent (best over its example sentences).

Hybrid confidence of an entry: the cosine goes through `SEMANTIC_CALIBRATION`, a
piecewise-linear curve onto the same 0..1 scale as the lexical score (`knowledge.py`), then

    confidence = max(semantic, (semantic + lexical) / 2)

so meaning alone can answer a question worded nothing like the stored one, words alone
mostly cannot ("close my account" meets the keyword "close": lexical 0.79, semantic 0.14 →
0.47), and both together confirm a paraphrase whose cosine is modest. The exception is a
strong lexical match (`LEXICAL_ALONE`) that explains every content word the caller said:
it stands on its own, since brand and product names the model has never seen
("do you service lenox") get low cosines. The curve was fitted
on the labelled pairs of `tests/conversation/test_policy_knowledge.py` with
all-MiniLM-L6-v2: their paraphrases have cosine 0.38 to 0.80 against the stored question
plus keywords, the unrelated questions at most 0.35; cosine 0.42 maps to 0.70, the default
`confidenceThreshold`, so the setting keeps its meaning (raise it to answer less often).

A match on the question's frame alone counts by meaning alone, and less of it: when no
keyword of the entry and not its whole question was heard, yet the caller said words the
entry does not explain ("do you install solar" against "Do you install generators?"), the
shared words are the frame both questions have and they inflate the cosine too. Such a
match gets `semantic_confidence(cosine - FRAME_DISCOUNT)`: in the scenario evals, product
swaps in one frame have cosine 0.46 to 0.52 with the entry, so it takes 0.53 to answer.

When most of the caller's words are words the company never mentions (in its Q&A, its
trades' catalog, its services: `subject.CompanyVocabulary`), a frame-only match keeps no
meaning at all, only its words: "do you remove mold from the ducts" shares the frame and
"ducts" with "Do you do duct cleaning?" (cosine 0.71), but "remove" and "mold" are nothing
the company offers. A question mostly in the company's words ("what do you charge to
unclog a kitchen drain") keeps the discounted cosine.

A look-alike from another line of business does not count by meaning: when the utterance
is at least as close to a question for some other kind of business (insurance, cars,
appliances: `tenancy/catalog/intent_examples.py`) as to the entry, the entry keeps only
its lexical evidence ("can you help me with my car insurance": cosine 0.51 with "Are you
licensed and insured?", 0.77 with an auto-insurance question). A phrase heard only once a
misheard word was repaired (`misheard.py`: "duck cleaning") is judged by its words: the
model read the misheard word. None of these rules moves the calibration curve: the
threshold keeps its meaning wherever meaning still counts.

An answer is given only when the best entry clears the threshold AND leads the runner-up
by `DECISION_MARGIN`: two entries that fit about equally well (near-ties) and off-topic
questions that fit everything a little fall through to the next tier instead. A near-tie
is still decided when the words and the meaning agree: the entry whose mean of lexical and
semantic confidence leads every other's by the margin answers ("are you open on saturdays":
hours and the weekend surcharge are close in meaning, only hours shares the words).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from runtime.conversation.knowledge import KnowledgeIndex, KnowledgeMatch, piecewise_linear
from tenancy.catalog.intent_examples import OTHER_BUSINESS

# (cosine, confidence) knots; linear in between, flat outside.
SEMANTIC_CALIBRATION = (
    (0.0, 0.0), (0.2, 0.1), (0.3, 0.35), (0.42, 0.7), (0.55, 0.85), (0.7, 0.95), (0.85, 1.0),
)
DECISION_MARGIN = 0.1  # the best entry must lead the runner-up by this much to answer
LEXICAL_ALONE = 0.9  # a lexical confidence this high answers without semantic support...
EXPLAINED = 0.9  # ...when the entry explains the caller's words (fuzzy word matches count)
FRAME_DISCOUNT = 0.11  # cosine taken off a match on the question's frame alone
MOSTLY_FOREIGN = 0.5  # above this share of words the company never mentions, a frame-only
# match does not count by meaning at all
# Cosine with an intent's example at which the intent counts. Scenario evals (main and both
# held-out sets, 563 utterances that ask for no person): against the widened person bank
# they reach at most 0.52, requests for a person 0.62 to 0.91 where the phrase rules miss
# them; against the message bank only a visit request reaches it (0.65: "send a technician
# out tomorrow morning"), which the booking rule claims first; goodbyes by meaning need a
# short utterance too.
INTENT_SIMILARITY = 0.6


@dataclass(frozen=True)
class MeaningScores:
    """Cosine similarities of one utterance (−1..1), by entry id and by hazard label.

    `ordinary`: the best cosine with ordinary, non-hazard equipment complaints;
    `intents`: by intent (a person, goodbye: `tenancy/catalog/intent_examples.py`), the
    best cosine over its example sentences.
    """

    entries: Mapping[str, float] = field(default_factory=dict)
    hazards: Mapping[str, float] = field(default_factory=dict)
    ordinary: float = -1.0
    intents: Mapping[str, float] = field(default_factory=dict)

    def means(self, intent: str) -> bool:
        """The utterance says `intent` by meaning: close to one of its examples
        (`INTENT_SIMILARITY`), and closer to it than to any knowledge entry or other intent
        ("can i speak with somebody", "i dont want to talk to a robot")."""
        cosine = self.intents.get(intent, -1.0)
        rivals = [value for name, value in self.intents.items() if name != intent]
        nearest_other = max([*rivals, *self.entries.values()], default=-1.0)
        return cosine >= INTENT_SIMILARITY and cosine > nearest_other


NO_MEANING = MeaningScores()


class MeaningScorer(Protocol):
    def score(self, utterance: str) -> MeaningScores:
        """Embed the utterance once and compare it with everything the call knows."""
        ...


@dataclass(frozen=True)
class Evidence:
    """An entry's hybrid match with the two confidences it was made of."""

    match: KnowledgeMatch
    lexical: float
    semantic: float | None  # None: no vector for the entry

    @property
    def agreement(self) -> float:
        """How well words and meaning fit together: their mean (the lexical alone)."""
        return self.lexical if self.semantic is None else (self.lexical + self.semantic) / 2


@dataclass(frozen=True)
class Ranked:
    """Entries of one tier by hybrid confidence, best first."""

    evidence: list[Evidence]

    @property
    def matches(self) -> list[KnowledgeMatch]:
        return [item.match for item in self.evidence]

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
        if second is None or best.confidence - second.confidence >= margin:
            return best
        return self._agreed(threshold, margin)

    def _agreed(self, threshold: float, margin: float) -> KnowledgeMatch | None:
        """A near-tie's answer: the entry leading on `agreement` by `margin`, if any."""
        by_agreement = sorted(self.evidence, key=lambda item: item.agreement, reverse=True)
        leader, second = by_agreement[0], by_agreement[1]
        if leader.match.confidence >= threshold and \
                leader.agreement - second.agreement >= margin:
            return leader.match
        return None


def clearly_better(challenger: KnowledgeMatch | None, incumbent: KnowledgeMatch) -> bool:
    """The company's own answer comes first unless the catalog's fits by `DECISION_MARGIN`
    more ("what should I set my thermostat to" is the catalog's energy question, not the
    company's "Do you install smart thermostats?")."""
    return challenger is not None and (
        challenger.confidence - incumbent.confidence >= DECISION_MARGIN)


def semantic_confidence(cosine: float) -> float:
    return piecewise_linear(SEMANTIC_CALIBRATION, cosine)


def hybrid_confidence(lexical: float, cosine: float | None, explained: float = 0.0,
                      anchored: bool = True, elsewhere: float = -1.0,
                      misheard: bool = False, foreign: float = 0.0) -> float:
    """Lexical alone when there is no vector for the entry, else the hybrid above.

    `explained`: the share of the caller's content words that are the entry's words;
    `anchored`: a keyword or the whole question was heard (else a frame-only match);
    `elsewhere`: the utterance's cosine with questions for other kinds of business;
    `misheard`: the entry's phrase was heard once a misheard word was repaired, so the
    sentence model (which read the misheard word) cannot judge it: the words decide;
    `foreign`: the share of the caller's words the company never mentions.
    """
    if cosine is None or (misheard and anchored):
        return lexical
    alone = lexical if lexical >= LEXICAL_ALONE and explained >= EXPLAINED else 0.0
    if cosine <= elsewhere:  # closer to another business's question: not by meaning
        return round(max(alone, min(lexical, semantic_confidence(cosine))), 4)
    if not anchored and lexical > 0.1 and explained < EXPLAINED:
        frame_only = semantic_confidence(cosine - FRAME_DISCOUNT)
        if foreign > MOSTLY_FOREIGN:  # the frame is all the company has of the question
            return round(min(lexical, frame_only), 4)
        return round(frame_only, 4)
    semantic = semantic_confidence(cosine)
    return round(max(semantic, (semantic + lexical) / 2.0, alone), 4)


def rank(indexes: Sequence[KnowledgeIndex], utterance: str, scores: MeaningScores,
         foreign: float = 0.0) -> Ranked:
    """Every entry of `indexes` scored for the utterance, best first; `foreign`: the share
    of the utterance's content words the company never mentions."""
    evidence = []
    elsewhere = scores.intents.get(OTHER_BUSINESS, -1.0)
    cosines = scores.entries
    for index in indexes:
        for match in index.scored(utterance):
            cosine = cosines.get(match.entry.id)
            confidence = hybrid_confidence(match.confidence, cosine, match.explained,
                                           match.anchored, elsewhere, match.misheard,
                                           foreign)
            semantic = None if cosine is None else semantic_confidence(cosine)
            evidence.append(Evidence(match.with_confidence(confidence), match.confidence,
                                     semantic))
    evidence.sort(key=lambda item: item.match.confidence, reverse=True)
    return Ranked(evidence)
