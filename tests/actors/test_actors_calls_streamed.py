"""An answer the model writes slowly, spoken over several webhooks on real actors, and
the actor killed in the middle of one (the call taken over from its checkpoint).

`tests.gated_model` holds the actor's model at fixed points, so "an answer over several
webhooks" and "killed mid-answer" are not races. The calls tests' pool (conftest.py).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from ray.exceptions import RayActorError

from analytics.events import TurnRecorded
from runtime.actors.call_actor import SAY_AGAIN
from runtime.actors.gateway import CallGateway, UnknownCall
from runtime.actors.messages import AgentReply, CallSetup
from tenancy.models import Company
from tests import gated_model
from tests.actors.placed_calls import FEE_QUESTION, actor_of, begin, events_of
from tests.ray_helpers import kill_and_wait

pytestmark = [pytest.mark.ray, pytest.mark.usefixtures("call_events_kept")]

OPEN_QUESTION = "Can your technicians also look at my attic insulation?"
OPEN_ANSWER = [  # what the scripted model double says to OPEN_QUESTION, sentence by sentence
    "Thanks for letting me know about the technicians also look attic insulation.",
    "We can certainly help with that.",
    "Would you like me to book a technician to take a look?",
]


@pytest.fixture
async def gated(gateway, atlas, redis, tmp_path) -> AsyncIterator[tuple[CallSetup, Any, Path]]:
    """A call whose actor's model writes its answers only as far as the test opens gates."""
    setup, _ = await begin(gateway, atlas)
    _, actor = await actor_of(redis, setup.call_sid)
    assert await actor.__ray_call__.remote(gated_model.install, str(tmp_path))
    yield setup, actor, tmp_path
    with contextlib.suppress(RayActorError):  # killed by the test: nothing to put back
        await actor.__ray_call__.remote(gated_model.uninstall)
    with contextlib.suppress(UnknownCall):
        await gateway.end_call(atlas.id, setup.call_sid, "completed", 12.0)


def texts(reply: AgentReply) -> list[str]:
    return [utterance.text for utterance in reply.utterances]


async def rest_of_answer(gateway: CallGateway, company: Company, reply: AgentReply
                         ) -> tuple[list[str], AgentReply]:
    """Follow "continue" webhooks until the answer is complete, as Twilio's <Redirect> does."""
    spoken = texts(reply)
    while reply.more:
        reply = await gateway.resume(company.id, reply.call_sid)
        spoken.extend(texts(reply))
    return spoken, reply


async def test_an_answer_written_slowly_is_spoken_over_several_webhooks(gateway, atlas, gated):
    setup, _, gates = gated
    gated_model.open_gate(gates, 0)
    first = await gateway.turn(atlas.id, setup.call_sid, OPEN_QUESTION, 0.9)
    assert texts(first) == OPEN_ANSWER[:1] and first.more and first.tier == ""
    gated_model.open_gate(gates, 1)
    second = await gateway.resume(atlas.id, setup.call_sid)
    assert texts(second) == OPEN_ANSWER[1:2] and second.more
    gated_model.open_gate(gates, 2)
    rest, last = await rest_of_answer(gateway, atlas, second)
    assert rest[1:] == OPEN_ANSWER[2:]
    assert last.tier == "llm" and last.action == {"type": "Listen"} and not last.more
    assert all(u.audio_token for u in (*first.utterances, *second.utterances, *last.utterances))
    nothing_left = await gateway.resume(atlas.id, setup.call_sid)  # a repeated continue
    assert nothing_left.utterances == () and not nothing_left.more


async def test_an_actor_killed_with_a_webhook_in_flight_is_replaced_and_answers_it(
        gateway, atlas, redis, gated):
    setup, actor, gates = gated
    await gateway.turn(atlas.id, setup.call_sid, FEE_QUESTION, 0.9)  # checkpointed
    dead_name, _ = await actor_of(redis, setup.call_sid)
    in_flight = asyncio.create_task(gateway.turn(atlas.id, setup.call_sid, OPEN_QUESTION, 0.9))
    await gated_model.wait_until_asked(gates)
    await kill_and_wait(actor)

    spoken, last = await rest_of_answer(gateway, atlas, await in_flight)
    assert " ".join(spoken) == " ".join(OPEN_ANSWER) and last.tier == "llm"
    new_name, replacement = await actor_of(redis, setup.call_sid)
    assert new_name != dead_name
    held = await replacement.describe_call.remote(setup.call_sid)
    assert held["restored"] and held["turn_count"] == 2
    assert [text for role, text in held["history"] if role == "caller"] == [
        FEE_QUESTION, OPEN_QUESTION]
    await gateway.end_call(atlas.id, setup.call_sid, "completed", 12.0)
    turns = [e for e in await events_of(redis, setup.call_sid) if isinstance(e, TurnRecorded)]
    assert [(t.turn_index, t.tier) for t in turns] == [(0, "greeting"), (1, "knowledge"),
                                                       (2, "llm")]


async def test_an_actor_killed_with_an_answer_half_sent_asks_the_caller_again(
        gateway, atlas, redis, gated):
    setup, actor, gates = gated
    gated_model.open_gate(gates, 0)
    first = await gateway.turn(atlas.id, setup.call_sid, OPEN_QUESTION, 0.9)
    assert texts(first) == OPEN_ANSWER[:1] and first.more
    dead_name, _ = await actor_of(redis, setup.call_sid)
    await kill_and_wait(actor)

    resumed = await gateway.resume(atlas.id, setup.call_sid)  # Twilio follows the <Redirect>
    assert texts(resumed) == [SAY_AGAIN] and not resumed.more
    new_name, replacement = await actor_of(redis, setup.call_sid)
    assert new_name != dead_name
    spoken, _ = await rest_of_answer(
        gateway, atlas, await gateway.turn(atlas.id, setup.call_sid, OPEN_QUESTION, 0.9))
    assert " ".join(spoken) == " ".join(OPEN_ANSWER)
    held = await replacement.describe_call.remote(setup.call_sid)
    assert held["restored"] and held["turn_count"] == 1
    assert [text for role, text in held["history"] if role == "caller"] == [OPEN_QUESTION]
    await gateway.end_call(atlas.id, setup.call_sid, "completed", 12.0)
    turns = [e for e in await events_of(redis, setup.call_sid) if isinstance(e, TurnRecorded)]
    assert [(t.turn_index, t.tier) for t in turns] == [(0, "greeting"), (1, "llm")]
