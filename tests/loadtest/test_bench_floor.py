"""The benchmark floor serves real simulated calls, and the call driver measures them.

The floor runs in-process behind httpx's ASGI transport; the simulator signs every
request as Twilio does, so the same driver the benchmark points at Serve is exercised.
"""

from __future__ import annotations

import random

import httpx
import pytest

from loadtest.bench_calls import BenchTenant, CallPlan, caller_number, run_call
from loadtest.floor_app import FloorConfig, create_floor_app
from loadtest.run_load import KNOWLEDGE, company_profile
from loadtest.twilio_sim import AgentPlayed, AgentSaid, TwilioCallSimulator
from runtime.conversation import CompanySnapshot
from tenancy.models import Company, CompanyQnA, Employee
from tenancy.models.company import TradeCategory

PUBLIC = "https://voice.example.com"
TOKEN = "0123456789abcdef0123456789abcdef"
COMPANY_ID = "0123456789abcdef01234567"
NUMBER = "+12395550100"


def snapshot(voice_id: str | None) -> CompanySnapshot:
    document = company_profile(1, TradeCategory.HVAC, NUMBER)
    document["_id"] = COMPANY_ID
    if voice_id:
        document["aiSettings"] = {"elevenLabs": {"voiceId": voice_id}}
    knowledge = [CompanyQnA(question=q, answer=a) for q, a in KNOWLEDGE[TradeCategory.HVAC]]
    staff = [Employee(name="On-call tech", phone="+12395550111", isOnCall=True)]
    return CompanySnapshot.from_documents(Company.model_validate(document), knowledge, staff)


def simulator(config: FloorConfig, token: str = TOKEN) -> TwilioCallSimulator:
    app = create_floor_app(FloorConfig.from_json(config.to_json()))  # as the subprocess reads it
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://floor")
    return TwilioCallSimulator("http://floor", token, public_base_url=PUBLIC, http=http)


def config(voice_id: str | None) -> FloorConfig:
    return FloorConfig(PUBLIC, TOKEN, {COMPANY_ID: snapshot(voice_id)})


TENANT = BenchTenant(COMPANY_ID, NUMBER, TradeCategory.HVAC.value)


async def test_the_floor_answers_knowledge_then_model_questions() -> None:
    sim = simulator(config(voice_id=None))
    call = await sim.start(to=NUMBER, from_=caller_number(7), company_id=COMPANY_ID)
    assert call.awaiting_speech
    await call.speak(TENANT.question(0, random.Random(1)))
    said = [e.text for e in call.record.of_type(AgentSaid)]
    assert any(answer in said for _, answer in KNOWLEDGE[TradeCategory.HVAC])
    mark = len(said)
    await call.speak("Do your people wear shoe covers inside the house?")
    model_reply = " ".join(e.text for e in call.record.of_type(AgentSaid)[mark:])
    assert "shoe covers" in model_reply  # the language-model double echoes the topic
    record = await call.hang_up()
    assert record.ok, record.errors
    await sim.aclose()


async def test_the_driver_measures_every_turn_of_a_spoken_call() -> None:
    sim = simulator(config(voice_id="BenchVoice000001"))
    sample = await run_call(sim, TENANT, caller_number(8), CallPlan(turns=4, seed=3))
    assert sample.error is None and not sample.refused and not sample.ended_early
    assert sample.setup_s is not None and sample.status_s is not None
    assert len(sample.turns) == 4
    assert all(t.action_s >= t.webhook_s > 0 and t.redirects == 0 for t in sample.turns)
    await sim.aclose()


async def test_the_floor_plays_synthesized_audio_once() -> None:
    sim = simulator(config(voice_id="BenchVoice000001"))
    call = await sim.start(to=NUMBER, from_=caller_number(9), company_id=COMPANY_ID)
    plays = call.record.of_type(AgentPlayed)
    assert plays and all(p.encoding == "mulaw" for p in plays)
    again = await sim._http.get(plays[0].url.replace(PUBLIC, "http://floor"))
    assert again.status_code == 404
    await call.hang_up()
    await sim.aclose()


async def test_a_forged_signature_fails_the_call() -> None:
    sim = simulator(config(voice_id=None), token="f" * 32)
    sample = await run_call(sim, TENANT, caller_number(10), CallPlan(turns=2))
    assert sample.failed and sample.error is not None and "403" in sample.error
    await sim.aclose()


@pytest.mark.parametrize("turn", [0, 1, 2, 3])
def test_turns_alternate_knowledge_and_model_questions(turn: int) -> None:
    question = TENANT.question(turn, random.Random(turn))
    knowledge = {q for q, _ in KNOWLEDGE[TradeCategory.HVAC]}
    assert (question in knowledge) == (turn % 2 == 0)


async def test_the_floor_embeds_the_callers_words_as_a_call_actor_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The floor does the runtime's dialogue work, the sentence embedding included: its
    config carries the runtime's embedder, and each spoken turn is embedded once."""
    from runtime.providers.embedding_doubles import HashedWordsEmbedder
    from runtime.providers.factory import ProviderConfig

    embedded: list[str] = []
    original = HashedWordsEmbedder.embed
    monkeypatch.setattr(HashedWordsEmbedder, "embed",
                        lambda self, text: embedded.append(text) or original(self, text))
    floor = FloorConfig(PUBLIC, TOKEN, {COMPANY_ID: snapshot(None)},
                        ProviderConfig(mode="doubles", embedder="hashed-words"))
    assert FloorConfig.from_json(floor.to_json()).providers.embedder == "hashed-words"
    sim = simulator(floor)
    call = await sim.start(to=NUMBER, from_=caller_number(11), company_id=COMPANY_ID)
    embedded.clear()  # the entries' vectors were made at start
    await call.speak("Do your people wear shoe covers inside the house?")
    assert embedded == ["Do your people wear shoe covers inside the house?"]
    await call.hang_up()
    await sim.aclose()
