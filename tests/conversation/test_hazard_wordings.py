"""Every hazard of `hazard_wordings.yaml` and `hazard_wordings_runon.yaml` recognised by
the rules alone, no ordinary call taken for one: a regression net of several hundred
wordings for the hazard classes. The run-on set's known misses and false alarms are
asserted to be still failing, so that a fix shows (and they move to their set)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from runtime.conversation.hazards import every_trade_signals, recognise_emergency
from runtime.conversation.meaning import MeaningScores

HERE = Path(__file__).parent
WORDINGS = yaml.safe_load((HERE / "hazard_wordings.yaml").read_text())
RUN_ON = yaml.safe_load((HERE / "hazard_wordings_runon.yaml").read_text())
EVERY_TRADE = every_trade_signals(["Electrical"])


def _recognised(said: str) -> bool:
    return recognise_emergency(said, EVERY_TRADE, MeaningScores()) is not None


def test_the_wordings_are_many_and_distinct() -> None:
    hazards, ordinary = WORDINGS["hazards"], WORDINGS["ordinary"]
    assert len(hazards) >= 400 and len(ordinary) >= 250
    assert not set(hazards) & set(ordinary)


def test_the_run_on_wordings_are_many_distinct_and_new() -> None:
    sets = [RUN_ON[name] for name in ("hazards", "ordinary", "known_misses",
                                      "known_false_alarms")]
    assert len(sets[0]) >= 120 and len(sets[1]) >= 80
    every = [said for wordings in sets for said in wordings]
    assert len(every) == len(set(every))
    assert not set(every) & {*WORDINGS["hazards"], *WORDINGS["ordinary"]}


@pytest.mark.parametrize("said", WORDINGS["hazards"] + RUN_ON["hazards"])
def test_a_hazard_in_own_wording_is_recognised(said: str) -> None:
    assert _recognised(said)


@pytest.mark.parametrize("said", WORDINGS["ordinary"] + RUN_ON["ordinary"])
def test_an_ordinary_call_in_own_wording_is_no_hazard(said: str) -> None:
    assert not _recognised(said)


@pytest.mark.parametrize("said", RUN_ON["known_misses"])
def test_a_known_miss_is_still_missed(said: str) -> None:
    assert not _recognised(said), "now recognised: move it to `hazards`"


@pytest.mark.parametrize("said", RUN_ON["known_false_alarms"])
def test_a_known_false_alarm_still_alarms(said: str) -> None:
    assert _recognised(said), "no longer a false alarm: move it to `ordinary`"
