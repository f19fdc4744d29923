"""A call whose actor died between two webhooks goes on on a fresh actor, restored from
its checkpoint, and a takeover one replica made is followed by the others, not repeated.

The calls tests' pool of real actors (conftest.py).
"""

from __future__ import annotations

import pytest

from analytics.events import CallEnded, TransferMade, TurnRecorded
from runtime.actors.gateway import CallGateway
from tests.actors.placed_calls import FEE_QUESTION, NAMESPACE, actor_of, begin, events_of
from tests.ray_helpers import kill_and_wait

pytestmark = [pytest.mark.ray, pytest.mark.usefixtures("call_events_kept")]


async def test_a_dead_actor_is_replaced_and_the_call_goes_on(gateway, atlas, redis, pool):
    setup, _ = await begin(gateway, atlas)
    await gateway.turn(atlas.id, setup.call_sid, FEE_QUESTION, 0.9)
    dead_name, dead = await actor_of(redis, setup.call_sid)
    await kill_and_wait(dead)

    answer = await gateway.turn(atlas.id, setup.call_sid, "Can I talk to a person?", 0.9)
    assert answer.action["type"] == "Transfer"
    new_name, actor = await actor_of(redis, setup.call_sid)
    assert new_name != dead_name
    held = (await actor.describe.remote())["call"]
    assert held["restored"] and held["turn_count"] == 2
    callers = [text for role, text in held["history"] if role == "caller"]
    assert callers == [FEE_QUESTION, "Can I talk to a person?"]
    await gateway.end_call(atlas.id, setup.call_sid, "completed", 30.0)

    events = await events_of(redis, setup.call_sid)
    turns = [event.turn_index for event in events if isinstance(event, TurnRecorded)]
    assert turns == [0, 1, 2]  # numbering continued across the replacement
    assert any(isinstance(event, TransferMade) for event in events)
    assert events[-1].outcome == "transferred"
    assert (await pool.stats.remote()).extra["replaced"] >= 1


@pytest.mark.parametrize("next_webhook", ["turn", "status"])
async def test_a_takeover_made_by_another_replica_is_followed_not_repeated(
        gateway, settings, redis, pool, atlas, next_webhook):
    other_replica = CallGateway(settings, redis, pool=pool, namespace=NAMESPACE)
    setup, _ = await begin(gateway, atlas)
    await gateway.turn(atlas.id, setup.call_sid, FEE_QUESTION, 0.9)  # remembers the actor
    _, dead = await actor_of(redis, setup.call_sid)
    await kill_and_wait(dead)
    await other_replica.turn(atlas.id, setup.call_sid, "Do you offer financing?", 0.9)
    taken_over_by, actor = await actor_of(redis, setup.call_sid)
    replaced = (await pool.stats.remote()).extra["replaced"]

    if next_webhook == "status":  # this replica's memory names the dead actor
        await gateway.end_call(atlas.id, setup.call_sid, "completed", 30.0)
        assert (await actor.describe.remote())["call"] is None  # ended where it was
        ended = [e for e in await events_of(redis, setup.call_sid) if isinstance(e, CallEnded)]
        assert [e.turn_count for e in ended] == [2]
        assert (await pool.stats.remote()).extra["replaced"] == replaced
        return
    await gateway.turn(atlas.id, setup.call_sid, "Can I talk to a person?", 0.9)
    name, actor = await actor_of(redis, setup.call_sid)
    assert name == taken_over_by  # this replica found the call where the other put it
    assert (await pool.stats.remote()).extra["replaced"] == replaced
    assert (await actor.describe.remote())["call"]["turn_count"] == 3
    await gateway.end_call(atlas.id, setup.call_sid, "completed", 30.0)
