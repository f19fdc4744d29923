"""`make eval`: the scenario suite through the real policy and model, a table and failures.

    python -m tests.evals.run_evals [--category faq] [--all] [--no-heldout]

Prints the pass rate per category and overall, then every failure with what the agent
did instead (`--all` lists the passes too); then the same for the multi-turn
conversations (`conversations.py`), which are not part of the single-turn "overall";
then each held-out set (`heldout/`, `heldout2/`, `heldout3/`: written blind, never used to
choose a fix) as a table of its own, the honest estimate of how the matcher generalises.
Exit status 0: the floors are enforced by `tests/evals/test_eval_floor.py` and
`test_conversation_floor.py` under `make test`.
"""

from __future__ import annotations

import argparse
import asyncio
from collections import defaultdict

from runtime.providers.minilm_onnx import OnnxMiniLmEmbedder
from tests.evals.conversations import load_conversations, render_conversations, run_conversations
from tests.evals.scenarios import HELDOUT_SETS, Result, load_scenarios, run_suite


def rates(results: list[Result]) -> dict[str, tuple[int, int]]:
    """(passed, total) per category, plus "overall"."""
    table: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for result in results:
        for key in (result.scenario.category, "overall"):
            table[key][0] += result.passed
            table[key][1] += 1
    return {key: (passed, total) for key, (passed, total) in table.items()}


def unrelated_answers(results: list[Result]) -> int:
    """No-answer scenarios the agent answered from some knowledge entry anyway."""
    return sum(1 for result in results
               if result.scenario.expect == "no_answer" and not result.passed)


def render(results: list[Result], show_passes: bool = False) -> str:
    lines = [f"{'category':<14} {'passed':>7} {'total':>6} {'rate':>7}"]
    table = rates(results)
    for key in sorted(table, key=lambda name: (name == "overall", name)):
        passed, total = table[key]
        lines.append(f"{key:<14} {passed:>7} {total:>6} {passed / total:>7.1%}")
    lines.append(f"no-answer/out-of-scope questions answered from an entry anyway: "
                 f"{unrelated_answers(results)}")
    shown = [result for result in results if show_passes or not result.passed]
    if shown:
        lines.append("")
    for result in shown:
        scenario = result.scenario
        mark = "ok  " if result.passed else "FAIL"
        lines.append(f"{mark} [{scenario.category}] {scenario.company}: {scenario.say!r}")
        lines.append(f"     {result.why or 'as expected'} ({result.tier}): {result.reply[:140]!r}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--category", help="run only this category")
    parser.add_argument("--all", action="store_true", help="list passes as well as failures")
    parser.add_argument("--no-heldout", action="store_true", help="skip the held-out tables")
    args = parser.parse_args()
    scenarios = [scenario for scenario in load_scenarios()
                 if args.category in (None, scenario.category)]
    embedder = OnnxMiniLmEmbedder()
    results = asyncio.run(run_suite(embedder, scenarios))
    print(render(results, args.all))
    conversations = [conversation for conversation in load_conversations()
                     if args.category in (None, conversation.category)]
    if conversations:  # whole calls (booking): a table of their own
        played = asyncio.run(run_conversations(embedder, conversations))
        print("\n" + render_conversations(played, args.all))
    for folder in () if args.no_heldout else HELDOUT_SETS:  # not in the main "overall"
        heldout = [scenario for scenario in load_scenarios(folder)
                   if args.category in (None, scenario.category)]
        if heldout:
            print(f"\nheld-out scenarios (tests/evals/{folder.name})\n"
                  + render(asyncio.run(run_suite(embedder, heldout)), args.all))


if __name__ == "__main__":
    main()
