"""Circuit breakers: a dead provider is skipped at once, and retried after a pause."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from runtime.providers.base import (
    ChatMessage,
    LlmEvent,
    LlmRequest,
    ProviderError,
    TextDelta,
    VoiceRequest,
)
from runtime.providers.circuit import (
    BreakerState,
    CircuitBreaker,
    GuardedLanguageModel,
    GuardedSynthesizer,
)
from runtime.providers.doubles import ScriptedLanguageModel, SyntheticSpeech

REQUEST = LlmRequest(
    model="gemini-2.5-flash",
    system_prompt="You answer the phone for Acme Plumbing.",
    history=(ChatMessage("caller", "My water heater is leaking"),),
)
SHORT = 0.05  # a deadline the hanging doubles are sure to miss


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def breaker(clock: FakeClock, threshold: int = 3) -> CircuitBreaker:
    return CircuitBreaker(failure_threshold=threshold, reset_after_s=30, clock=clock)


def test_opens_after_consecutive_failures_only() -> None:
    b = breaker(FakeClock())
    b.record_failure()
    b.record_failure()
    b.record_success()  # the streak is broken
    b.record_failure()
    b.record_failure()
    assert b.state is BreakerState.CLOSED and b.allow()
    b.record_failure()
    assert b.state is BreakerState.OPEN
    assert not b.allow()


def test_half_open_lets_one_probe_through_after_the_reset_time() -> None:
    clock = FakeClock()
    b = breaker(clock, threshold=1)
    b.record_failure()
    clock.now += 29.9
    assert not b.allow()
    clock.now += 0.1
    assert b.state is BreakerState.HALF_OPEN
    assert b.allow()
    assert not b.allow()  # the probe is still out
    b.record_success()
    assert b.state is BreakerState.CLOSED and b.allow() and b.allow()


def test_failed_probe_reopens_for_a_full_reset_period() -> None:
    clock = FakeClock()
    b = breaker(clock, threshold=1)
    b.record_failure()
    clock.now += 30
    assert b.allow()
    b.record_failure()
    assert b.state is BreakerState.OPEN
    clock.now += 29
    assert not b.allow()
    clock.now += 1
    assert b.allow()


def test_threshold_must_be_positive() -> None:
    with pytest.raises(ValueError):
        CircuitBreaker(failure_threshold=0)


async def drain(stream: AsyncIterator[Any]) -> list[Any]:
    return [item async for item in stream]


class CountingModel:
    """Counts calls; fails with the given exception or answers one word."""

    def __init__(self, fail_with: Exception | None = None) -> None:
        self.calls = 0
        self.fail_with = fail_with

    async def stream(self, request: LlmRequest) -> AsyncIterator[LlmEvent]:
        self.calls += 1
        if self.fail_with is not None:
            raise self.fail_with
        yield TextDelta("Sure.")


async def test_open_breaker_fails_fast_without_calling_the_model() -> None:
    clock = FakeClock()
    inner = CountingModel(fail_with=ProviderError("down"))
    guarded = GuardedLanguageModel(inner, breaker(clock, threshold=2), first_token_timeout_s=1)

    for _ in range(2):
        with pytest.raises(ProviderError, match="down"):
            await drain(guarded.stream(REQUEST))
    with pytest.raises(ProviderError, match="circuit open"):
        await drain(guarded.stream(REQUEST))
    assert inner.calls == 2

    inner.fail_with = None
    clock.now += 30
    assert await drain(guarded.stream(REQUEST)) == [TextDelta("Sure.")]
    assert guarded.breaker.state is BreakerState.CLOSED
    assert inner.calls == 3


async def test_unexpected_exceptions_are_counted_and_wrapped() -> None:
    failure = KeyError("boom")
    guarded = GuardedLanguageModel(CountingModel(fail_with=failure), breaker(FakeClock()), 1)
    with pytest.raises(ProviderError) as raised:
        await drain(guarded.stream(REQUEST))
    assert raised.value.__cause__ is failure
    assert guarded.breaker.consecutive_failures == 1


async def test_first_token_timeout_counts_as_a_failure() -> None:
    inner = ScriptedLanguageModel(failure="hang")
    guarded = GuardedLanguageModel(inner, breaker(FakeClock(), threshold=1), SHORT)

    with pytest.raises(ProviderError, match="nothing within"):
        await drain(guarded.stream(REQUEST))

    assert guarded.breaker.state is BreakerState.OPEN
    assert len(inner.requests) == 1


async def test_a_reader_that_stops_early_does_not_count_against_the_model() -> None:
    clock = FakeClock()
    guarded = GuardedLanguageModel(ScriptedLanguageModel(), breaker(clock, threshold=1), 1)
    guarded.breaker.record_failure()
    clock.now += 30  # half-open: this call is the probe

    stream = guarded.stream(REQUEST)
    assert isinstance(await anext(stream), TextDelta)
    await stream.aclose()  # type: ignore[attr-defined]

    assert guarded.breaker.state is BreakerState.CLOSED


async def test_a_cancelled_probe_frees_the_half_open_slot() -> None:
    clock = FakeClock()
    inner = ScriptedLanguageModel(failure="hang")
    guarded = GuardedLanguageModel(inner, breaker(clock, threshold=1), first_token_timeout_s=60)
    guarded.breaker.record_failure()
    clock.now += 30

    probe = asyncio.ensure_future(drain(guarded.stream(REQUEST)))
    while not inner.requests:
        await asyncio.sleep(0)
    assert not guarded.breaker.allow()  # the probe holds the slot
    probe.cancel()
    with pytest.raises(asyncio.CancelledError):
        await probe

    assert guarded.breaker.allow()


async def test_speech_first_byte_timeout_opens_the_breaker() -> None:
    inner = SyntheticSpeech(failure="hang")
    guarded = GuardedSynthesizer(inner, breaker(FakeClock(), threshold=1), SHORT)
    with pytest.raises(ProviderError):
        await drain(guarded.stream("Hello", VoiceRequest("voice")))
    with pytest.raises(ProviderError, match="circuit open"):
        await drain(guarded.stream("Hello", VoiceRequest("voice")))
    assert len(inner.requests) == 1


async def test_one_companys_bad_key_does_not_silence_the_others() -> None:
    clock = FakeClock()
    inner = SyntheticSpeech(failure="error")
    guarded = GuardedSynthesizer(
        inner, breaker(clock), 1, company_breaker_factory=lambda: breaker(clock, threshold=1)
    )
    revoked = VoiceRequest("voice", api_key="sk_revoked")

    for _ in range(2):
        with pytest.raises(ProviderError):
            await drain(guarded.stream("Hello", revoked))

    assert guarded.breaker_for(revoked).state is BreakerState.OPEN
    assert len(inner.requests) == 1  # the second call never reached the provider
    assert guarded.breaker.state is BreakerState.CLOSED
    assert guarded.breaker_for(VoiceRequest("voice", api_key="sk_other")).allow()
