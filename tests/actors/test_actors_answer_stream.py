"""A streamed answer handed out sentence by sentence, in order, recorded before it ends.

No Ray and no clock: the test decides when the model writes and when audio is ready.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from runtime.actors.answer_stream import AnswerStream
from runtime.actors.speech import RenderedSentence
from runtime.conversation import AgentTurn, Listen, Transfer, TurnOutcome

OUTCOME = TurnOutcome("First. Second. Third.", Listen(), "llm")


class Model:
    """Writes what the test pushes; `None` ends the stream."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[str | TurnOutcome | None] = asyncio.Queue()

    async def events(self) -> AsyncIterator[str | TurnOutcome]:
        while (item := await self.queue.get()) is not None:
            yield item


class Voice:
    """Audio is ready when the test says so (all at once unless `hold` names a sentence)."""

    def __init__(self, hold: tuple[str, ...] = ()) -> None:
        self.gates = {text: asyncio.Event() for text in hold}

    async def render(self, text: str) -> RenderedSentence:
        if text in self.gates:
            await self.gates[text].wait()
        return RenderedSentence(text, f"audio-{text}".encode(), first_byte_ms=float(len(text)))


class Ledger:
    """What the finish was given: the outcome, the first sentence's first-byte time, and
    every sentence's text."""

    def __init__(self) -> None:
        self.finished: list[tuple[TurnOutcome, float | None, list[str]]] = []

    async def finish(self, outcome: TurnOutcome, rendered: list[RenderedSentence]) -> None:
        first_byte_ms = rendered[0].first_byte_ms if rendered else None
        self.finished.append((outcome, first_byte_ms, texts(rendered)))


def texts(sentences: list[RenderedSentence]) -> list[str]:
    return [sentence.text for sentence in sentences]


async def test_the_first_sentence_goes_out_while_the_rest_is_written():
    model, ledger = Model(), Ledger()
    stream = AnswerStream(AgentTurn(model.events()), Voice().render, ledger.finish)
    await model.queue.put("First.")
    first, outcome = await stream.take(5.0)
    assert texts(first) == ["First."] and outcome is None
    assert first[0].wav == b"audio-First."

    for item in ("Second.", "Third.", OUTCOME, None):
        await model.queue.put(item)
    await stream.wait_finished()
    rest, outcome = await stream.take(5.0)
    assert texts(rest) == ["Second.", "Third."] and outcome == OUTCOME
    assert ledger.finished == [  # recorded once, before, with every sentence in order
        (OUTCOME, float(len("First.")), ["First.", "Second.", "Third."])]
    assert stream.finished


async def test_sentences_come_out_in_order_even_when_later_audio_is_ready_first():
    model, voice = Model(), Voice(hold=("Slow one.",))
    stream = AnswerStream(AgentTurn(model.events()), voice.render, Ledger().finish)
    for item in ("Slow one.", "Quick one."):
        await model.queue.put(item)
    await asyncio.sleep(0)
    assert await stream.take(0.0) == ([], None)  # nothing ready: the actor plays a hold line
    voice.gates["Slow one."].set()
    ready, outcome = await stream.take(5.0)
    assert texts(ready)[0] == "Slow one." and outcome is None


async def test_the_outcome_waits_until_the_turn_is_recorded():
    model, ledger = Model(), Ledger()
    recording, recorded = asyncio.Event(), asyncio.Event()

    async def slow_finish(outcome: TurnOutcome, rendered: list[RenderedSentence]) -> None:
        recording.set()
        await recorded.wait()
        await ledger.finish(outcome, rendered)

    stream = AnswerStream(AgentTurn(model.events()), Voice().render, slow_finish)
    transfer = TurnOutcome("Connecting you.", Transfer("+12395550111", None, "asked"), "transfer")
    for item in ("Connecting you.", transfer, None):
        await model.queue.put(item)
    taking = asyncio.create_task(stream.take(5.0))
    await recording.wait()  # the answer is written and spoken: only the record is missing
    assert not taking.done() and not ledger.finished
    recorded.set()
    said, outcome = await taking
    assert texts(said) == ["Connecting you."] and outcome == transfer and ledger.finished


async def test_a_record_slower_than_the_webhook_sends_the_sentences_first():
    model, recording, recorded = Model(), asyncio.Event(), asyncio.Event()

    async def stuck_finish(outcome: TurnOutcome, rendered: list[RenderedSentence]) -> None:
        recording.set()
        await recorded.wait()

    stream = AnswerStream(AgentTurn(model.events()), Voice().render, stuck_finish)
    for item in ("First.", "Second.", OUTCOME, None):
        await model.queue.put(item)
    await recording.wait()  # both sentences spoken, the record not yet written
    said, outcome = await stream.take(0.0)
    assert texts(said) == ["First.", "Second."] and outcome is None  # more=True: continue
    recorded.set()
    await stream.wait_finished()
    assert await stream.take(0.0) == ([], OUTCOME)


async def test_an_answer_written_before_its_first_sentence_is_out_goes_in_one_take():
    model, ledger = Model(), Ledger()
    stream = AnswerStream(AgentTurn(model.events()), Voice().render, ledger.finish)
    for item in ("First.", "Second.", "Third.", OUTCOME, None):  # a zero-latency model
        await model.queue.put(item)
    said, outcome = await stream.take(5.0)
    assert texts(said) == ["First.", "Second.", "Third."] and outcome == OUTCOME
    assert ledger.finished == [(OUTCOME, float(len("First.")), texts(said))] and stream.finished


async def test_a_fixed_answer_is_taken_whole():
    fixed = TurnOutcome("We open at eight. We close at five.", Listen(), "knowledge")
    ledger = Ledger()
    stream = AnswerStream(AgentTurn.fixed(fixed), Voice().render, ledger.finish)
    said, outcome = await stream.take_all()
    assert texts(said) == ["We open at eight.", "We close at five."] and outcome == fixed
    assert len(ledger.finished) == 1


async def test_a_call_that_ends_mid_answer_stops_the_answer():
    model, ledger = Model(), Ledger()
    stream = AnswerStream(AgentTurn(model.events()), Voice().render, ledger.finish)
    await model.queue.put("First.")
    await stream.take(5.0)
    await stream.cancel()
    assert stream.finished and ledger.finished == []
