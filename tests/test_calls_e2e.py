"""Phone calls end to end: the Twilio simulator (signing like Twilio) against the Serve app.

What the agent said is read back from the call-event stream the actors emit, and what
the caller heard from the TwiML (<Play> of WAV audio or <Say>).
"""

from __future__ import annotations

import asyncio
import re
import secrets
from pathlib import Path
from types import SimpleNamespace

import httpx
import polars as pl
import pytest
import ray
import redis.asyncio as aioredis

from analytics.events import TurnRecorded, parse_event
from loadtest.twilio_sim import SimulatedCallError, TwilioCallSimulator
from runtime.actors.pool import ensure_pool
from runtime.providers.audio import join_wavs, synthesize_wav
from runtime.providers.base import VoiceRequest
from runtime.providers.doubles import SyntheticSpeech
from runtime.serve.app import create_api
from runtime.serve.services import Services
from runtime.settings import Settings
from tenancy.users import Role
from tests.call_events import keeping_call_events
from tests.ray_helpers import kill_and_wait
from tests.serve_fixtures import PLATFORM_TWILIO_TOKEN, unique_number
from tests.twilio_webhooks import logged_call

pytestmark = pytest.mark.ray


@pytest.fixture(scope="module", autouse=True)
def _call_events_kept(api_server):
    with keeping_call_events(api_server.settings["redis_url"]):  # `turns_of` reads them
        yield

ALWAYS_OPEN = [{"day": d, "enabled": True, "start": "00:00", "end": "24:00"}
               for d in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                         "sunday")]
STREAM = "g:stream:call-events"
ATLAS_VOICE, BAYSIDE_VOICE = "AtlasVoice000001", "BaysideVoice0002"


def company_body(name: str, voice: str, **extra) -> dict:
    return {
        "companyName": name,
        "companyPhone": unique_number(),
        "tradeCategories": ["HVAC", "Plumbing"],
        "timezone": "America/New_York",
        "twilioConfig": {"phoneNumbers": [{"phoneNumber": unique_number(), "isPrimary": True}]},
        "aiSettings": {"elevenLabs": {"voiceId": voice}},
        "agentSetup": {"operatingHours": ALWAYS_OPEN},
        **extra,
    }


def make_company(admin, body: dict, knowledge: list[tuple[str, str]]) -> dict:
    company = admin.post("/api/company", json=body)
    assert company.status_code == 201, company.text
    company = company.json()
    base = f"/api/company/{company['_id']}"
    for question, answer in knowledge:
        assert admin.post(f"{base}/knowledge",
                          json={"question": question, "answer": answer}).status_code == 201
    on_call = admin.post(f"{base}/employees", json={
        "name": "Maria Lopez", "phone": unique_number(), "isOnCall": True}).json()
    company["onCall"] = on_call
    company["number"] = body["twilioConfig"]["phoneNumbers"][0]["phoneNumber"]
    return company


@pytest.fixture(scope="module")
def companies(api_server):
    with api_server.client(api_server.admin_token) as admin:
        return _companies(api_server, admin)


def _companies(api_server, admin):
    atlas = make_company(admin, company_body("Atlas Air", ATLAS_VOICE), [
        ("How much is a service call?", "Our diagnostic visit is $89, waived with the repair."),
        ("Do you service heat pumps?", "Yes, we service every major heat pump brand."),
    ])
    bayside = make_company(admin, company_body("Bayside Plumbing", BAYSIDE_VOICE), [
        ("How much is a service call?", "Bayside charges a flat $120 trip fee."),
    ])
    night = make_company(admin, company_body("Night Owl HVAC", ATLAS_VOICE), [])
    # closed every day: after hours whenever the suite runs (the clock is the actor's)
    admin.patch(f"/api/company/{night['_id']}", json={"agentSetup": {"operatingHours": [
        {**day, "enabled": False} for day in ALWAYS_OPEN]}})
    pool = ensure_pool(Settings(**api_server.settings))
    assert ray.get(pool.wait_warm.remote(120))
    return {"atlas": atlas, "bayside": bayside, "night": night}


def simulator(api_server, token: str = PLATFORM_TWILIO_TOKEN) -> TwilioCallSimulator:
    return TwilioCallSimulator(api_server.base_url, token,
                               public_base_url=api_server.settings["public_base_url"])


async def turns_of(redis_url: str, parquet_root: str, call_sid: str) -> list[TurnRecorded]:
    """The call's turns wherever they are now: still in the event stream, or already
    written to Parquet by the LogSink (which then trims them from the stream)."""
    redis = aioredis.Redis.from_url(redis_url)
    entries = await redis.xrange(STREAM)
    await redis.aclose()
    events = [parse_event(fields[b"event"].decode()) for _, fields in entries]
    turns = {e.event_id: e for e in events
             if isinstance(e, TurnRecorded) and e.call_sid == call_sid}
    files = list(Path(parquet_root).glob("turns/**/*.parquet"))
    if files:
        rows = pl.read_parquet(files, hive_partitioning=False).filter(
            pl.col("call_sid") == call_sid)
        for row in rows.iter_rows(named=True):
            turns.setdefault(row["event_id"], SimpleNamespace(**row))
    return sorted(turns.values(), key=lambda turn: turn.turn_index)


async def session_turns(api_server, call_sid: str) -> list[TurnRecorded]:
    settings = api_server.settings
    return await turns_of(settings["redis_url"], settings["parquet_root"], call_sid)


async def call(api_server, company: dict, *utterances: str, caller: str | None = None, **kwargs):
    async with simulator(api_server) as sim:
        return await sim.place_call(to=company["number"], from_=caller or unique_number(),
                                    utterances=list(utterances), company_id=company["_id"],
                                    **kwargs)


async def test_a_faq_is_answered_from_the_company_knowledge(api_server, companies):
    record = await call(api_server, companies["atlas"], "How much is a service call?",
                        "That's all, thanks. Bye!")
    assert record.ok, record.errors
    assert record.heard_audio and all(p.encoding == "mulaw" for p in record.plays)
    turns = await session_turns(api_server, record.call_sid)
    answer = next(t for t in turns if t.caller_text == "How much is a service call?")
    assert answer.tier == "knowledge" and "$89" in answer.agent_text
    assert answer.confidence >= 0.7
    assert record.ended_by == "hangup"


async def test_an_emergency_after_hours_goes_to_the_on_call_technician(api_server, companies):
    night = companies["night"]
    record = await call(api_server, night, "I smell gas in my kitchen!")
    assert record.ok, record.errors
    assert record.transfers and record.transfers[0].numbers == (night["onCall"]["phone"],)
    assert record.transfers[0].caller_id == night["number"]
    turns = await session_turns(api_server, record.call_sid)
    assert [t.tier for t in turns if t.caller_text] == ["emergency"]
    greeting = next(t for t in turns if not t.caller_text)
    assert "closed" in greeting.agent_text.lower()  # the after-hours greeting


async def test_a_hazard_told_without_trigger_words_reaches_on_call_with_its_safety_line(
        api_server, companies):
    night = companies["night"]  # signed webhooks end to end, as Twilio delivers speech
    record = await call(api_server, night,
                        "the thermostat says ninety two in here and my dad is on oxygen")
    assert record.ok, record.errors
    assert record.transfers and record.transfers[0].numbers == (night["onCall"]["phone"],)
    turns = await session_turns(api_server, record.call_sid)
    [hazard] = [t for t in turns if t.caller_text]
    assert hazard.tier == "emergency" and "911" in hazard.agent_text


async def test_a_report_with_a_question_after_it_still_reaches_on_call(api_server, companies):
    night = companies["night"]  # run-on speech: the question once swallowed the report
    record = await call(api_server, night,
                        "i smell gas in the kitchen how do i keep the house from blowing up")
    assert record.ok, record.errors
    assert record.transfers and record.transfers[0].numbers == (night["onCall"]["phone"],)
    turns = await session_turns(api_server, record.call_sid)
    [hazard] = [t for t in turns if t.caller_text]
    assert hazard.tier == "emergency" and "911" in hazard.agent_text


async def test_a_look_alike_of_an_entry_gets_no_answer_from_it(api_server, companies):
    question = "do you service pool pumps"  # words of "Do you service heat pumps?"
    record = await call(api_server, companies["atlas"], question, "That's all, thanks. Bye!")
    assert record.ok, record.errors
    turns = await session_turns(api_server, record.call_sid)
    asked = next(t for t in turns if t.caller_text == question)
    assert "heat pump" not in asked.agent_text


async def test_a_caller_asking_for_a_person_is_transferred(api_server, companies):
    atlas = companies["atlas"]
    record = await call(api_server, atlas, "Can I talk to a real person please?",
                        dial_outcome="completed")
    assert record.ok, record.errors
    assert record.transfers[0].numbers == (atlas["companyPhone"],)


async def test_a_transfer_nobody_answers_becomes_a_message(api_server, companies):
    atlas = companies["atlas"]
    record = await call(api_server, atlas, "Can I talk to a real person please?",
                        "This is Pat at 12 Palm Street, my AC is broken.", "yes",
                        dial_outcome="no-answer")
    assert record.ok, record.errors
    turns = await session_turns(api_server, record.call_sid)
    assert "message" in [t.tier for t in turns]
    assert record.ended_by == "hangup"


async def test_an_unknown_question_is_answered_by_the_llm(api_server, companies):
    record = await call(api_server, companies["atlas"],
                        "What do you think about the history of refrigeration in Florida?")
    assert record.ok, record.errors
    turns = await session_turns(api_server, record.call_sid)
    llm = next(t for t in turns if t.caller_text.startswith("What do you think"))
    assert llm.tier == "llm" and llm.agent_text


async def test_two_companies_at_once_each_hear_only_their_own(api_server, companies):
    atlas, bayside = companies["atlas"], companies["bayside"]
    question = "How much is a service call?"
    records = await asyncio.gather(*(call(api_server, c, question, "bye")
                                     for c in (atlas, bayside, atlas, bayside)))
    for record, company, voice, price, other in zip(
            records, (atlas, bayside) * 2, (ATLAS_VOICE, BAYSIDE_VOICE) * 2,
            ("$89", "$120") * 2, ("$120", "$89") * 2, strict=True):
        assert record.ok, record.errors
        turns = await session_turns(api_server, record.call_sid)
        answer = next(t for t in turns if t.caller_text == question).agent_text
        assert price in answer and other not in answer
        greeting = next(t for t in turns if not t.caller_text).agent_text
        assert company["companyName"] in greeting
        async with httpx.AsyncClient() as http:
            heard = (await http.get(api_server.server_url(record.plays[0].url))).content
        # the whole greeting, its sentences in one file, spoken in this company's voice
        sentences = re.split(r"(?<=[.!?])\s+", greeting)
        assert len(sentences) > 1 and len(record.plays) >= 1
        expected = join_wavs([await synthesize_wav(SyntheticSpeech(), sentence,
                                                   VoiceRequest(voice_id=voice))
                              for sentence in sentences])
        assert heard == expected
    # a company's greeting keeps its <Play> URL from call to call (Twilio caches by it)
    atlas_first, bayside_first, atlas_again, bayside_again = (r.plays[0].url for r in records)
    assert atlas_first == atlas_again and bayside_first == bayside_again
    assert atlas_first != bayside_first


async def test_a_bad_signature_is_403(api_server, companies):
    async with simulator(api_server, token="not-the-platform-token-0000") as sim:
        with pytest.raises(SimulatedCallError, match="403"):
            await sim.place_call(to=companies["atlas"]["number"], from_=unique_number(),
                                 utterances=["hello"], company_id=companies["atlas"]["_id"])
    with httpx.Client(base_url=api_server.base_url) as http:
        unsigned = http.post("/api/twilio/voice", data={"CallSid": "CA" + "1" * 32,
                                                        "To": companies["atlas"]["number"]})
    assert unsigned.status_code == 403 and unsigned.json()["error"] == "INVALID_SIGNATURE"


async def test_an_unknown_number_hears_a_polite_message(api_server, companies):
    async with simulator(api_server) as sim:
        record = await sim.place_call(to=unique_number(), from_=unique_number(),
                                      utterances=["hello?"])
    assert record.ok, record.errors
    assert "not in service" in " ".join(record.agent_texts())
    assert record.ended_by == "hangup"


async def test_a_killed_call_actor_is_replaced_with_the_conversation_intact(
        api_server, companies, redis_sync):
    atlas = companies["atlas"]
    async with simulator(api_server) as sim:
        live = await sim.start(to=atlas["number"], from_=unique_number(), company_id=atlas["_id"])
        await live.speak("Do you service heat pumps?")
        actor_name = redis_sync.hget(f"g:call:{live.record.call_sid}", "actor_name")
        await kill_and_wait(ray.get_actor(actor_name, namespace="clientsvia"))
        await live.speak("How much is a service call?")
        # read before hang-up: ending the call deletes its directory entry
        taken_over = redis_sync.hget(f"g:call:{live.record.call_sid}", "actor_name")
        assert taken_over is not None and taken_over != actor_name
        held = await ray.get_actor(taken_over, namespace="clientsvia").describe_call.remote(
            live.record.call_sid)
        record = await live.hang_up()
    assert record.ok, record.errors
    assert held["restored"] and held["turn_count"] == 2
    assert [text for role, text in held["history"] if role == "caller"] == [
        "Do you service heat pumps?", "How much is a service call?"]
    turns = await session_turns(api_server, record.call_sid)
    answered = [t for t in turns if t.caller_text]
    assert [t.tier for t in answered] == ["knowledge", "knowledge"]
    assert [t.turn_index for t in turns] == sorted({t.turn_index for t in turns})


async def test_an_ended_call_leaves_its_actor_empty_for_the_next_caller(
        api_server, companies, redis_sync):
    atlas = companies["atlas"]
    async with simulator(api_server) as sim:
        live = await sim.start(to=atlas["number"], from_=unique_number(), company_id=atlas["_id"])
        await live.speak("Do you service heat pumps?")
        actor_name = redis_sync.hget(f"g:call:{live.record.call_sid}", "actor_name")
        await live.hang_up()
    described = await ray.get_actor(actor_name, namespace="clientsvia").describe.remote()
    assert described["call"] is None and described["call_sid"] is None


@pytest.fixture(scope="module")
def faulty(api_server, companies):
    """A second gateway whose LLM double hangs and TTS double fails, served in-process."""
    settings = Settings(**{**api_server.settings, "double_llm_failure": "hang",
                           "double_tts_failure": "error",
                           "call_pool_name": f"faulty-pool-{secrets.token_hex(4)}"})
    assert ray.get(ensure_pool(settings).wait_warm.remote(120))
    return settings


async def faulty_call(settings: Settings, company: dict, *utterances: str):
    app = create_api(Services.from_settings(settings))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=settings.public_base_url) as http:
        sim = TwilioCallSimulator(settings.public_base_url, PLATFORM_TWILIO_TOKEN, http=http)
        return await sim.place_call(to=company["number"], from_=unique_number(),
                                    utterances=list(utterances), company_id=company["_id"])


async def test_a_hanging_llm_falls_back_within_budget_and_failing_tts_uses_say(
        faulty, companies):
    record = await faulty_call(faulty, companies["atlas"],
                               "What do you think about the history of refrigeration in Florida?")
    # ok: no webhook went unanswered (the simulator gives each Twilio's 15 s, then fails it);
    # how fast the fallback comes is measured by the benchmarks, not asserted here
    assert record.ok, record.errors
    turns = await turns_of(faulty.redis_url, faulty.parquet_root, record.call_sid)
    fallback = next(t for t in turns if t.caller_text)
    assert fallback.tier == "fallback" and fallback.agent_text
    # The greeting may come from the speech cache; the fallback had to be synthesized, failed,
    # and was spoken by <Say> instead.
    assert fallback.agent_text.split(". ")[0] in " ".join(record.agent_texts())


async def test_a_call_lands_in_the_call_logs_exactly_once(api_server, companies):
    atlas, caller = companies["atlas"], unique_number()
    record = await call(api_server, atlas, "How much is a service call?",
                        "Can I talk to a real person please?", dial_outcome="completed",
                        caller=caller)
    assert record.ok, record.errors
    turns = await session_turns(api_server, record.call_sid)
    token = api_server.token(Role.COMPANY_VIEWER, atlas["_id"])
    with api_server.client(token) as client:
        logged = await logged_call(client, atlas["_id"], record.call_sid)
        assert logged.status_code == 200, logged.text
        listed = client.get(f"/api/company/{atlas['_id']}/call-logs",
                            params={"callerNumber": caller}).json()
    body = logged.json()
    assert body["outcome"] == "transferred"
    assert [t["turnIndex"] for t in body["transcript"]] == [t.turn_index for t in turns]
    assert [t["tier"] for t in body["transcript"]] == [t.tier for t in turns]
    assert [item["callSid"] for item in listed["items"]] == [record.call_sid]
