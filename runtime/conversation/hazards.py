"""Emergencies and safety hazards, recognised the same way at every company.

A flooding basement is an emergency at an HVAC-only company too, so every trade's
signals are checked whatever trades the company lists (its own trades first, then the
others, then the generic dangers, then the company's own extra phrases). A question about
a service with no trouble of the caller's own ("do you install CO detectors", "how much to
replace a burst pipe") is no hazard; otherwise what only sounds like one is taken out of
the utterance ("my smoke detector chirps", "the furnace won't fire up":
`hazard_lookalikes`) and the rest is checked, in order, for

1. danger signs however worded ("the air handler is smoking", "the panel smells burnt",
   "the toilet is overflowing and won't stop": `hazard_signs`); first, because they also
   say whose safety lines (a furnace's burning smell gets the HVAC lines, a burning
   outlet's the breaker);
2. the signals' phrases, as said or, for phrases of two words or more, in any inflection
   ("smoke from the vents", a company's "well pumps quit"); then no heat or cooling with
   someone at risk or at a dangerous temperature (`hazard_climate`);
3. meaning, when nothing was taken out: an utterance close to a hazard's example sentences
   (`tenancy/catalog/hazard_examples.py`) counts as that hazard, unless it is closer still
   to an ordinary knowledge question ("my furnace won't turn on" is the catalog's question,
   not a burning furnace) or to an ordinary complaint ("the heater smells dusty when it
   starts"), or not by `MEANING_MARGIN`, or the caller negated one of the hazard's
   phrases ("I don't smell gas").

Whatever a knowledge entry scores, a hazard recognised by 1 or 2 wins: emergency first.
With all-MiniLM-L6-v2 on the scenario evals (`tests/evals/`), hazards worded without any
of their phrases score 0.74 to 0.97 against their examples; ordinary questions reached
0.62 (each closer to its own knowledge entry), and ordinary noises and smells up to 0.76
("the furnace smells kind of dusty when it starts"), hence the ordinary examples and the
margin: the furnace that smells dusty is 0.76 from a burning furnace and 0.72 from the
dusty heater; the hazards that 1 and 2 leave to meaning lead by 0.23 and more.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache

from runtime.conversation.hazard_climate import dangerous_climate
from runtime.conversation.hazard_lookalikes import asks_about_a_service, without_lookalikes
from runtime.conversation.hazard_signs import sign_of_hazard
from runtime.conversation.hazard_words import Heard, Terms
from runtime.conversation.intents import GENERIC_EMERGENCIES, Emergency, detect_emergency
from runtime.conversation.meaning import MeaningScores
from runtime.conversation.text import find_phrase, normalize
from tenancy.catalog import TRADE_CATALOG, EmergencySignal
from tenancy.models import TradeCategory

HAZARD_SIMILARITY = 0.7  # cosine with a hazard example at which the hazard is recognised
MEANING_MARGIN = 0.1  # ...when it is this much closer to the hazard than to anything ordinary
COMPANY_PHRASE = "company_emergency_phrase"


def every_trade_signals(
    company_trades: Iterable[str], extra_phrases: Sequence[str] = ()
) -> tuple[EmergencySignal, ...]:
    """All trades' signals (the company's trades first), generic ones, the company's own."""
    own = list(dict.fromkeys(company_trades))
    trades = own + [trade.value for trade in TradeCategory if trade.value not in own]
    signals = [signal for trade in trades for signal in TRADE_CATALOG[TradeCategory(trade)]
               .emergencies]
    signals.extend(GENERIC_EMERGENCIES)
    if extra_phrases:
        signals.append(EmergencySignal(COMPANY_PHRASE, tuple(extra_phrases)))
    return tuple(signals)


def recognise_emergency(
    utterance: str, signals: Sequence[EmergencySignal], scores: MeaningScores
) -> Emergency | None:
    heard = Heard(utterance)
    if asks_about_a_service(heard):
        return None
    plain = without_lookalikes(heard)
    sign = sign_of_hazard(plain)
    if sign is not None:
        signal = _signal(signals, sign.label)
        return Emergency(sign.label, sign.heard, signal.advice if signal else "")
    by_phrase = detect_emergency(plain.text, signals)
    if by_phrase is not None and not plain.heard(_exactly(by_phrase.phrase)):
        by_phrase = None  # negated as the signs read a negation: past an article ("doesn't
        # put out any carbon monoxide") or by a longer phrase around it
    by_phrase = by_phrase or _by_stemmed_phrase(plain, signals)
    if by_phrase is not None:
        return by_phrase
    sign = dangerous_climate(plain)
    if sign is not None:
        signal = _signal(signals, sign.label)
        return Emergency(sign.label, sign.heard, signal.advice if signal else "")
    if len(plain.words) < len(heard.words):
        return None  # the meaning is of the whole utterance, lookalikes and all
    return _by_meaning(utterance, signals, scores)


@lru_cache(maxsize=1024)
def _exactly(phrase: str) -> Terms:
    return Terms.of((phrase,), exact=True)


@lru_cache(maxsize=256)
def _stemmed(signal: EmergencySignal) -> tuple[Terms, Terms]:
    """The signal's phrases of two words or more, and its context, as stemmed terms."""
    return (Terms.of(phrase for phrase in signal.phrases if len(phrase.split()) > 1),
            Terms.of(signal.context))


def _by_stemmed_phrase(heard: Heard, signals: Sequence[EmergencySignal]) -> Emergency | None:
    """A phrase heard in another inflection ("smoke from the vents", "the well pumps
    quit"); single words stay exact ("fire" is not "fired")."""
    for signal in signals:
        phrases, context = _stemmed(signal)
        spans = heard.spans(phrases)
        if spans and (not signal.context or heard.heard(context)):
            start, end = spans[0]
            return Emergency(signal.label, " ".join(heard.words[start:end]), signal.advice)
    return None


def _by_meaning(
    utterance: str, signals: Sequence[EmergencySignal], scores: MeaningScores
) -> Emergency | None:
    if not scores.hazards:
        return None
    label, cosine = max(scores.hazards.items(), key=lambda item: item[1])
    nearest_ordinary = max(scores.ordinary, max(scores.entries.values(), default=-1.0))
    if cosine < HAZARD_SIMILARITY or cosine - nearest_ordinary < MEANING_MARGIN:
        return None  # not close to a hazard, or closer still to an ordinary question
    signal = _signal(signals, label)
    if signal is None:
        return None
    text = normalize(utterance)
    if any(find_phrase(text, phrase, allow_negated=True) for phrase in signal.phrases):
        return None  # a phrase of this hazard is there but negated: the caller said it isn't
    return Emergency(label, f"meaning {cosine:.2f}", signal.advice)


def _signal(signals: Sequence[EmergencySignal], label: str) -> EmergencySignal | None:
    return next((signal for signal in signals if signal.label == label), None)
