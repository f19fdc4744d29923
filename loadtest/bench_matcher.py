"""The knowledge matcher's cost per turn: lexical only vs hybrid (MiniLM + lexical), one run.

    python -m loadtest.bench_matcher [--quick]

Every load-test caller utterance (loadtest/scripts.py, all trades) is put, as a fresh
call's turn, through two dialogue policies for the demo company (tenancy/seed.py): one
without meaning (the lexical matcher alone) and one with the embedding scorer the call
actor builds. CPU time of the calling thread is taken around each `respond()`, so the
difference of the two distributions is what the embedding adds to a turn. Memory: a fresh
interpreter's USS before and after loading the model and embedding the shipped catalog,
which is what each call-actor process pays once (its calls share it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from datetime import UTC, datetime
from typing import Any

from loadtest.bench_stats import percentile
from loadtest.scripts import SCRIPTS
from runtime.conversation import CallContext, CompanySnapshot, ConversationState, DialoguePolicy
from runtime.conversation.meaning import MeaningScorer
from runtime.meaning.entry_vectors import embed_entries
from runtime.meaning.scorer import CatalogVectors, EmbeddingMeaning
from runtime.providers.minilm_onnx import OnnxMiniLmEmbedder
from tenancy.models import Company, CompanyQnA, Employee
from tenancy.seed import DEMO_EMPLOYEES, DEMO_KNOWLEDGE, DEMO_PROFILE

ROUNDS = {"quick": 5, "full": 25}  # passes over the utterances

_MEMORY_PROBE = """
import gc, json, psutil
process = psutil.Process()
def uss(): gc.collect(); return process.memory_full_info().uss / 2**20
import runtime.actors.call_actor  # everything an actor imports anyway
before = uss()
from runtime.meaning.scorer import CatalogVectors
from runtime.providers.minilm_onnx import OnnxMiniLmEmbedder
embedder = OnnxMiniLmEmbedder()
CatalogVectors.of(embedder)
embedder.embed("warm the session up with one utterance")
print(json.dumps({"uss_before_mb": round(before, 1), "uss_after_mb": round(uss(), 1)}))
"""


def demo_snapshot() -> CompanySnapshot:
    company = Company.model_validate(DEMO_PROFILE)
    knowledge = [CompanyQnA(question=q, answer=a, keywords=k) for q, a, k in DEMO_KNOWLEDGE]
    staff = [Employee.model_validate(person) for person in DEMO_EMPLOYEES]
    return CompanySnapshot.from_documents(company, knowledge, staff)


def utterances() -> list[str]:
    return [text for scripts in SCRIPTS.values() for script in scripts
            for text in script.utterances]


async def turn_cpu_ms(snapshot: CompanySnapshot, meaning: MeaningScorer | None,
                      texts: list[str], rounds: int) -> list[float]:
    policy = DialoguePolicy(snapshot, None, meaning=meaning)
    ctx = CallContext("CA" + "0" * 32, "+15555550123", snapshot.primary_number or "",
                      datetime.now(UTC))
    samples = []
    for _ in range(rounds):
        for text in texts:
            state = ConversationState.new()
            started = time.thread_time_ns()
            agent_turn = policy.respond(state, ctx, text)
            samples.append((time.thread_time_ns() - started) / 1e6)
            await agent_turn.complete()
    return samples


def _summary(samples: list[float]) -> dict[str, float]:
    return {"n": len(samples), "p50_ms": round(percentile(samples, 50), 3),
            "p90_ms": round(percentile(samples, 90), 3),
            "p99_ms": round(percentile(samples, 99), 3)}


def memory_per_actor() -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-c", _MEMORY_PROBE], capture_output=True,
                          text=True, check=True)
    probe: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    probe["model_mb"] = round(probe["uss_after_mb"] - probe["uss_before_mb"], 1)
    return probe


def run_matcher_bench(quick: bool) -> dict[str, Any]:
    snapshot = demo_snapshot()
    embedder = OnnxMiniLmEmbedder()
    meaning = EmbeddingMeaning(embedder, embed_entries(embedder, snapshot.knowledge),
                               CatalogVectors.of(embedder))
    texts = utterances()
    rounds = ROUNDS["quick" if quick else "full"]
    lexical = asyncio.run(turn_cpu_ms(snapshot, None, texts, rounds))
    hybrid = asyncio.run(turn_cpu_ms(snapshot, meaning, texts, rounds))
    embed_only = []
    for text in texts * rounds:
        started = time.thread_time_ns()
        meaning.score(text)
        embed_only.append((time.thread_time_ns() - started) / 1e6)
    return {"utterances": len(texts), "rounds": rounds,
            "turn_cpu_lexical": _summary(lexical), "turn_cpu_hybrid": _summary(hybrid),
            "meaning_score_cpu": _summary(embed_only), "memory": memory_per_actor()}


def format_table(results: dict[str, Any]) -> str:
    lines = ["matcher CPU per turn (policy.respond, one thread)      p50 ms    p90 ms    p99 ms"]
    for key, label in (("turn_cpu_lexical", "lexical matcher only"),
                       ("turn_cpu_hybrid", "hybrid: MiniLM embedding + lexical"),
                       ("meaning_score_cpu", "of which embedding + cosines")):
        row = results[key]
        lines.append(f"  {label:<52}{row['p50_ms']:>8.2f}  {row['p90_ms']:>8.2f}  "
                     f"{row['p99_ms']:>8.2f}")
    memory = results["memory"]
    lines.append(f"  model + catalog vectors per actor process: {memory['model_mb']} MB USS "
                 f"({memory['uss_before_mb']} → {memory['uss_after_mb']} MB)")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    results = run_matcher_bench(parser.parse_args().quick)
    print(json.dumps(results, indent=2))
    print(format_table(results))


if __name__ == "__main__":
    main()
