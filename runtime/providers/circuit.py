"""Circuit breakers around the providers, so a slow or dead vendor costs a turn nothing.

While a breaker is open, calls fail at once with `ProviderError` (the turn falls back to
knowledge answers and `<Say>` instead of waiting out a timeout on every call). After
`reset_after_s` one probe call is let through (half-open): success closes the breaker,
failure opens it again.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from enum import StrEnum
from typing import TypeVar

from runtime.providers.base import (
    LanguageModel,
    LlmEvent,
    LlmRequest,
    ProviderError,
    SpeechSynthesizer,
    VoiceRequest,
)

T = TypeVar("T")


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    """Counts consecutive failures; opens at `failure_threshold`, probes after `reset_after_s`."""

    def __init__(
        self,
        failure_threshold: int = 5,
        reset_after_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failure_threshold < 1:
            raise ValueError("failure_threshold must be at least 1")
        self.failure_threshold = failure_threshold
        self.reset_after_s = reset_after_s
        self._clock = clock
        self._failures = 0
        self._opened_at = 0.0
        self._state = BreakerState.CLOSED
        self._probe_in_flight = False

    @property
    def state(self) -> BreakerState:
        if self._state is BreakerState.OPEN and self._reset_due():
            return BreakerState.HALF_OPEN
        return self._state

    @property
    def consecutive_failures(self) -> int:
        return self._failures

    def _reset_due(self) -> bool:
        return self._clock() - self._opened_at >= self.reset_after_s

    def allow(self) -> bool:
        """May a call go through now? In half-open, only one probe at a time."""
        if self._state is BreakerState.OPEN and self._reset_due():
            self._state = BreakerState.HALF_OPEN
            self._probe_in_flight = False
        if self._state is BreakerState.CLOSED:
            return True
        if self._state is BreakerState.HALF_OPEN and not self._probe_in_flight:
            self._probe_in_flight = True
            return True
        return False

    def record_success(self) -> None:
        self._failures = 0
        self._state = BreakerState.CLOSED
        self._probe_in_flight = False

    def record_failure(self) -> None:
        self._failures += 1
        self._probe_in_flight = False
        if self._state is BreakerState.HALF_OPEN or self._failures >= self.failure_threshold:
            self._state = BreakerState.OPEN
            self._opened_at = self._clock()

    def release(self) -> None:
        """A call ended without a verdict (cancelled): let another probe through."""
        self._probe_in_flight = False


async def guard_stream(
    breaker: CircuitBreaker,
    first_item_timeout_s: float,
    label: str,
    open_stream: Callable[[], AsyncIterator[T]],
) -> AsyncIterator[T]:
    """Pass a provider stream through `breaker`, bounding the wait for its first item.

    A timeout or an error anywhere in the stream counts as a failure and surfaces as
    `ProviderError`; a stream that ends or that the consumer stops reading counts as a success
    once it has produced its first item.
    """
    if not breaker.allow():
        raise ProviderError(f"{label} unavailable: circuit open")
    verdict: bool | None = None
    iterator = open_stream()
    try:
        try:
            async with asyncio.timeout(first_item_timeout_s):
                first = await anext(iterator)
        except StopAsyncIteration:
            verdict = True
            return
        except TimeoutError as exc:
            verdict = False
            raise ProviderError(f"{label}: nothing within {first_item_timeout_s:g} s") from exc
        verdict = True  # the provider answered; a consumer that stops now is not its fault
        yield first
        async for item in iterator:
            yield item
    except ProviderError:
        verdict = False
        raise
    except Exception as exc:
        verdict = False
        raise ProviderError(f"{label} failed: {type(exc).__name__}: {exc}") from exc
    finally:
        if verdict is None:
            breaker.release()
        elif verdict:
            breaker.record_success()
        else:
            breaker.record_failure()
        aclose = getattr(iterator, "aclose", None)
        if aclose is not None:
            await aclose()


class GuardedLanguageModel:
    """A `LanguageModel` behind a breaker and a first-token deadline."""

    def __init__(
        self, inner: LanguageModel, breaker: CircuitBreaker, first_token_timeout_s: float = 2.5
    ) -> None:
        self.inner = inner
        self.breaker = breaker
        self.first_token_timeout_s = first_token_timeout_s

    def stream(self, request: LlmRequest) -> AsyncIterator[LlmEvent]:
        return guard_stream(
            self.breaker,
            self.first_token_timeout_s,
            "language model",
            lambda: self.inner.stream(request),
        )


class GuardedSynthesizer:
    """A `SpeechSynthesizer` behind a breaker and a first-byte deadline.

    Calls on a company's own key go through a breaker of their own (when
    `company_breaker_factory` is given), so one company's revoked key cannot switch off
    speech for every other company.
    """

    def __init__(
        self,
        inner: SpeechSynthesizer,
        breaker: CircuitBreaker,
        first_byte_timeout_s: float = 2.0,
        *,
        company_breaker_factory: Callable[[], CircuitBreaker] | None = None,
        max_company_breakers: int = 1024,
    ) -> None:
        self.inner = inner
        self.breaker = breaker
        self.first_byte_timeout_s = first_byte_timeout_s
        self._company_factory = company_breaker_factory
        self._company_breakers: OrderedDict[str, CircuitBreaker] = OrderedDict()
        self._max_company_breakers = max_company_breakers

    def breaker_for(self, voice: VoiceRequest) -> CircuitBreaker:
        if voice.api_key is None or self._company_factory is None:
            return self.breaker
        fingerprint = hashlib.sha256(voice.api_key.encode()).hexdigest()
        breaker = self._company_breakers.get(fingerprint)
        if breaker is None:
            breaker = self._company_breakers[fingerprint] = self._company_factory()
            if len(self._company_breakers) > self._max_company_breakers:
                self._company_breakers.popitem(last=False)
        else:
            self._company_breakers.move_to_end(fingerprint)
        return breaker

    def stream(self, text: str, voice: VoiceRequest) -> AsyncIterator[bytes]:
        return guard_stream(
            self.breaker_for(voice),
            self.first_byte_timeout_s,
            "speech synthesizer",
            lambda: self.inner.stream(text, voice),
        )
