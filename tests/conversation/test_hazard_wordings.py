"""Every hazard of `hazard_wordings.yaml` recognised by the rules alone, no ordinary call
taken for one: a regression net of several hundred wordings for the hazard classes."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from runtime.conversation.hazards import every_trade_signals, recognise_emergency
from runtime.conversation.meaning import MeaningScores

WORDINGS = yaml.safe_load((Path(__file__).parent / "hazard_wordings.yaml").read_text())
EVERY_TRADE = every_trade_signals(["Electrical"])


def test_the_wordings_are_many_and_distinct() -> None:
    hazards, ordinary = WORDINGS["hazards"], WORDINGS["ordinary"]
    assert len(hazards) >= 400 and len(ordinary) >= 250
    assert not set(hazards) & set(ordinary)


@pytest.mark.parametrize("said", WORDINGS["hazards"])
def test_a_hazard_in_own_wording_is_recognised(said: str) -> None:
    assert recognise_emergency(said, EVERY_TRADE, MeaningScores()) is not None


@pytest.mark.parametrize("said", WORDINGS["ordinary"])
def test_an_ordinary_call_in_own_wording_is_no_hazard(said: str) -> None:
    assert recognise_emergency(said, EVERY_TRADE, MeaningScores()) is None
