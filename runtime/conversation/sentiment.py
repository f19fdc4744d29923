"""A small lexicon-based frustration score per caller utterance (0 calm .. 1 furious).

Each cue has a weight; cues combine like independent evidence (noisy-or:
1 - Π(1 - w)), an intensifier right before a cue ("so frustrated") raises that cue by
a third, and any of the company's `escalationPhrases` scores 1.0 outright.
"""

from __future__ import annotations

from collections.abc import Iterable

from runtime.conversation.text import find_phrase, normalize

FRUSTRATION_CUES: dict[str, float] = {
    "ridiculous": 0.55, "unacceptable": 0.55, "useless": 0.55, "worst": 0.5,
    "terrible": 0.45, "horrible": 0.45, "awful": 0.45, "pathetic": 0.5, "incompetent": 0.55,
    "stupid": 0.5, "hate": 0.4, "angry": 0.45, "furious": 0.6, "pissed": 0.55, "mad": 0.3,
    "frustrated": 0.45, "frustrating": 0.45, "annoyed": 0.35, "annoying": 0.35, "upset": 0.35,
    "fed up": 0.5, "sick of": 0.45, "tired of": 0.35, "waste of time": 0.5, "scam": 0.5,
    "rip off": 0.5, "ripped off": 0.5, "nobody called": 0.4, "no one called": 0.4,
    "never showed": 0.45, "no show": 0.4, "still broken": 0.35, "still not": 0.25,
    "again": 0.15, "third time": 0.4, "second time": 0.25, "already told you": 0.45,
    "not listening": 0.45, "you dont understand": 0.4, "what the hell": 0.5, "damn": 0.35,
    "refund": 0.3, "complaint": 0.35, "cancel": 0.2, "bbb": 0.4, "review": 0.1,
}
_INTENSIFIERS = ("so", "very", "really", "extremely", "absolutely", "completely", "totally")
_INTENSIFIER_BOOST = 4 / 3


def frustration_score(utterance: str, escalation_phrases: Iterable[str] = ()) -> float:
    text = normalize(utterance)
    if not text:
        return 0.0
    if any(find_phrase(text, phrase, allow_negated=True) for phrase in escalation_phrases):
        return 1.0
    calm = 1.0
    for cue, weight in FRUSTRATION_CUES.items():
        if not find_phrase(text, cue, allow_negated=True):
            continue
        if any(find_phrase(text, f"{word} {cue}", allow_negated=True) for word in _INTENSIFIERS):
            weight = min(1.0, weight * _INTENSIFIER_BOOST)
        calm *= 1.0 - weight
    return round(1.0 - calm, 4)
