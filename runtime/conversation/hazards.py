"""Emergencies and safety hazards, recognised the same way at every company.

A flooding basement is an emergency at an HVAC-only company too, so every trade's
signals are checked whatever trades the company lists (its own trades first, then the
others, then the generic dangers, then the company's own extra phrases). Phrases decide
first; failing those, an utterance whose meaning is close to a hazard's example sentences
(`tenancy/catalog/hazard_examples.py`) counts as that hazard, unless it is closer still to
an ordinary knowledge question ("my furnace won't turn on" is the catalog's question, not
a burning furnace) or to an ordinary complaint ("the heater smells dusty when it starts"),
or the caller negated one of the hazard's phrases ("I don't smell gas").

With all-MiniLM-L6-v2 on the scenario evals (`tests/evals/`), hazards worded without any
of their phrases score 0.74 to 0.97 against their examples; ordinary questions reached
0.62 (each closer to its own knowledge entry), and ordinary noises and smells up to 0.76
("the furnace smells kind of dusty when it starts"), hence the ordinary examples.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from runtime.conversation.intents import GENERIC_EMERGENCIES, Emergency, detect_emergency
from runtime.conversation.meaning import MeaningScores
from runtime.conversation.text import find_phrase, normalize
from tenancy.catalog import TRADE_CATALOG, EmergencySignal
from tenancy.models import TradeCategory

HAZARD_SIMILARITY = 0.7  # cosine with a hazard example at which the hazard is recognised
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
    by_phrase = detect_emergency(utterance, signals)
    if by_phrase is not None:
        return by_phrase
    if not scores.hazards:
        return None
    label, cosine = max(scores.hazards.items(), key=lambda item: item[1])
    nearest_ordinary = max(scores.ordinary, max(scores.entries.values(), default=-1.0))
    if cosine < HAZARD_SIMILARITY or cosine <= nearest_ordinary:
        return None  # not close to a hazard, or closer still to an ordinary question
    signal = next((signal for signal in signals if signal.label == label), None)
    if signal is None:
        return None
    text = normalize(utterance)
    if any(find_phrase(text, phrase, allow_negated=True) for phrase in signal.phrases):
        return None  # a phrase of this hazard is there but negated: the caller said it isn't
    return Emergency(label, f"meaning {cosine:.2f}", signal.advice)
