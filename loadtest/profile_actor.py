"""`python -m loadtest.profile_actor`: a call actor's CPU per call moment, in one process.

A `CallActor` (the class itself, no Ray) with provider doubles and the embedding model,
an embedded Redis and one seeded company: N calls of begin + 4 turns + end, each timed
with the thread's CPU clock (not wall time: the machine is shared), optionally under
cProfile (`--profile out.prof`, thread-CPU timer). What the node's CPU accounting charges
to `call_actors`, minus Ray's share (the actor call itself, idle loops).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import secrets
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet

from loadtest.bench_calls import KNOWLEDGE_QUESTIONS, MODEL_QUESTIONS
from runtime.embedded_redis import EmbeddedRedis
from runtime.redis_client import redis_client
from runtime.settings import Settings
from tenancy.models import CompanyProfile, EmployeeFields, QnAFields, TradeCategory
from tenancy.models.company import WEEKDAYS
from tenancy.registry import CompanyRegistry
from tenancy.secrets import SecretBox

UTTERANCES = ("How much is a service call?", "Do you offer financing?",
              "My furnace is making a loud banging noise", "What are your hours?",
              "Can someone come out tomorrow morning?", "thanks, goodbye")
# `--mix bench`: what the bench's callers say (a knowledge question, then one for the model).
BENCH_UTTERANCES: tuple[str, ...] = tuple(question for pair in zip(
    KNOWLEDGE_QUESTIONS[TradeCategory.HVAC.value] * 3, MODEL_QUESTIONS * 2, strict=True)
    for question in pair)
KNOWLEDGE = (("How much is a service call?", "Our service call fee is $89."),
             ("Do you offer financing?", "Yes, with approved credit."),
             ("What are your hours?", "We are open around the clock."))
WARM_UP_CALLS = 5


async def seed(registry: CompanyRegistry) -> str:
    company = await registry.create(CompanyProfile.model_validate({
        "companyName": "Profile Air", "companyPhone": "+15550001111",
        "tradeCategories": ["HVAC"],
        "twilioConfig": {"phoneNumbers": [{"phoneNumber": "+15550002222", "isPrimary": True}]},
        "aiSettings": {"elevenLabs": {"voiceId": "SyntheticAvery01"}},
        "agentSetup": {"operatingHours": [{"day": day, "start": "00:00", "end": "24:00"}
                                          for day in WEEKDAYS]},
    }))
    store = registry.tenant(company.id)
    for question, answer in KNOWLEDGE:
        await store.knowledge.add(QnAFields(question=question, answer=answer, keywords=[]))
    await store.employees.add(EmployeeFields(name="Sam", phone="+15550003333", isOnCall=True))
    return company.id


async def one_call(actor: Any, company_id: str, index: int,
                   utterances: tuple[str, ...] = UTTERANCES) -> tuple[float, float, float]:
    """Thread-CPU seconds of begin, of one turn (mean of 4), and of end."""
    from runtime.actors.messages import CallSetup

    sid = "CA" + uuid.uuid4().hex
    setup = CallSetup(company_id=company_id, call_sid=sid, caller_number=f"+1555100{index:04d}",
                      called_number="+15550002222")
    started = time.thread_time()
    await actor.begin(setup)
    greeted = time.thread_time()
    for turn in range(4):
        await actor.turn(sid, utterances[(index + turn) % len(utterances)], 0.9,
                         uuid.uuid4().hex)
    talked = time.thread_time()
    await actor.end(sid, "completed", 30.0)
    return greeted - started, (talked - greeted) / 4, time.thread_time() - talked


async def measure(calls: int, profile: Path | None,
                  utterances: tuple[str, ...] = UTTERANCES) -> dict[str, Any]:
    key = Fernet.generate_key().decode()
    os.environ.update({"CLIENTSVIA_SECRET_KEY": key, "JWT_SECRET": secrets.token_urlsafe(32)})
    from runtime.actors.call_actor import CallActor  # after the secrets are in place

    with EmbeddedRedis(Path(tempfile.mkdtemp(prefix="profile-actor-"))) as server:
        settings = Settings.model_validate({"redis_url": server.url, "provider_mode": "doubles"})
        redis = redis_client(server.url)
        company_id = await seed(CompanyRegistry(redis, SecretBox(key)))
        actor = CallActor.__ray_actor_class__(settings.for_deployment())  # type: ignore[attr-defined]
        for index in range(WARM_UP_CALLS):
            await one_call(actor, company_id, index, utterances)
        profiler = cProfile.Profile(time.thread_time) if profile else None
        if profiler:
            profiler.enable()
        samples = [await one_call(actor, company_id, index, utterances)
                   for index in range(calls)]
        if profiler and profile:
            profiler.disable()
            profiler.dump_stats(profile)
        await redis.aclose()
    result: dict[str, Any] = {"calls": calls}
    for column, moment in enumerate(("begin", "turn", "end")):
        values = [sample[column] * 1000 for sample in samples]
        result[moment] = {"p50_ms": round(statistics.median(values), 2),
                          "mean_ms": round(statistics.mean(values), 2)}
    result["per_call_ms"] = round(sum(result[m]["mean_ms"] * (4 if m == "turn" else 1)
                                      for m in ("begin", "turn", "end")), 2)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m loadtest.profile_actor", description=__doc__)
    parser.add_argument("--calls", type=int, default=60)
    parser.add_argument("--profile", type=Path, default=None,
                        help="write cProfile stats (thread CPU) here")
    parser.add_argument("--mix", choices=("varied", "bench"), default="varied",
                        help="what callers say: varied (knowledge, model, booking, goodbye) "
                             "or the bench's turn rounds (knowledge and model questions)")
    args = parser.parse_args()
    mix = BENCH_UTTERANCES if args.mix == "bench" else UTTERANCES
    print(asyncio.run(measure(args.calls, args.profile, mix)))


if __name__ == "__main__":
    main()
