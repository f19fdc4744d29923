"""The language-model tier of a turn: prompt, stream within budget, tools, fallback."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime

from runtime.conversation import message_taking
from runtime.conversation.booking import BookingHandler
from runtime.conversation.context import CallContext
from runtime.conversation.llm_stream import LlmResult, TurnBudget, stream_llm
from runtime.conversation.outcome import Listen, Tier, TurnOutcome
from runtime.conversation.prompt import (
    BASE_TOOLS,
    END_CALL_TOOL,
    TAKE_MESSAGE_TOOL,
    TRANSFER_TOOL,
    Channel,
    build_request,
    build_system_prompt,
)
from runtime.conversation.replies import Replies
from runtime.conversation.sentences import split_sentences
from runtime.conversation.snapshot import CompanySnapshot, KnowledgeEntry
from runtime.conversation.state import ConversationState
from runtime.providers.base import LanguageModel, ToolCall


class LlmTier:
    def __init__(
        self,
        snapshot: CompanySnapshot,
        llm: LanguageModel,
        replies: Replies,
        budget: TurnBudget,
        booking: BookingHandler | None,
        clock: Callable[[], datetime],
        channel: Channel = "call",
    ) -> None:
        self._snapshot = snapshot
        self._channel = channel
        self._llm = llm
        self._replies = replies
        self._budget = budget
        self._booking = booking
        self._clock = clock
        self._tools = BASE_TOOLS + (booking.tools if booking is not None else ())

    async def events(
        self,
        state: ConversationState,
        ctx: CallContext,
        knowledge: Sequence[KnowledgeEntry],
        *,
        fallback: Callable[[str], TurnOutcome],
        finish: Callable[[TurnOutcome], TurnOutcome],
        knowledge_confidence: float = 0.0,
    ) -> AsyncIterator[str | TurnOutcome]:
        """Sentences as the model writes them, then any closing sentences, then the outcome.

        `fallback(reason)` answers when the model fails; `finish(outcome)` records the turn.
        A spoken answer carries `knowledge_confidence` (how well the best knowledge entry
        fits the question), so answers given without a fitting entry show as knowledge gaps.
        """
        prompt = build_system_prompt(
            self._snapshot, now=self._clock(), after_hours=state.after_hours,
            caller=ctx.contact, knowledge=knowledge, can_book=self._booking is not None,
            channel=self._channel,
        )
        request = build_request(self._snapshot, prompt, state.history, self._tools)
        result = LlmResult(failure="llm_no_result")
        async for item in stream_llm(self._llm, request, self._budget):
            if isinstance(item, LlmResult):
                result = item
            else:
                yield item
        spoken = " ".join(result.sentences)
        if result.failure is not None and not result.sentences:
            outcome = fallback(result.failure)
            extra = outcome.text
        elif result.tool_call is not None:
            outcome = await self._tool_outcome(state, ctx, result.tool_call, spoken)
            extra = "" if spoken else outcome.text
        else:
            state.consecutive_misses = 0
            outcome = TurnOutcome(spoken, Listen(), Tier.LLM, knowledge_confidence,
                                  fallback_reason=result.failure)
            extra = ""
        for sentence in split_sentences(extra):
            yield sentence
        text = " ".join(part for part in (spoken, extra) if part)
        timings = {"llm_total": result.total_ms}
        if result.first_token_ms is not None:
            timings["llm_first_token"] = result.first_token_ms
        yield finish(
            TurnOutcome(
                text, outcome.action, outcome.tier, outcome.confidence,
                {**outcome.timings_ms, **timings}, outcome.fallback_reason,
                knowledge_id=outcome.knowledge_id,
            )
        )

    async def _tool_outcome(
        self, state: ConversationState, ctx: CallContext, call: ToolCall, spoken: str
    ) -> TurnOutcome:
        """Carry out the model's tool call; tier stays `llm`, the action says what happened."""
        replies = self._replies
        args = call.arguments
        if call.name == TRANSFER_TOOL.name:
            reason = str(args.get("reason") or "model requested transfer")
            outcome = replies.to_person(state, ctx, Tier.LLM, reason)
        elif call.name == TAKE_MESSAGE_TOOL.name:
            message = str(args.get("message") or "").strip()
            urgent = bool(args.get("urgent", False))
            if message:
                state.message_urgent = state.message_urgent or urgent
                message_taking.begin(state)  # the model's words are the message itself
                outcome = replies.record_message(state, ctx, message)
            else:
                outcome = replies.start_message(state, ctx, Tier.LLM, urgent=urgent)
        elif call.name == END_CALL_TOOL.name:
            outcome = replies.goodbye(state, ctx)
        elif self._booking is not None and call.name in {t.name for t in self._booking.tools}:
            reply = await self._booking.on_tool_call(self._snapshot, state, ctx, call.name,
                                                     dict(args))
            outcome = replies.apply_booking(state, reply)
        else:
            reason = f"llm_unknown_tool: {call.name}"
            return TurnOutcome(spoken, Listen(), Tier.LLM, fallback_reason=reason)
        state.consecutive_misses = 0
        return TurnOutcome(outcome.text, outcome.action, Tier.LLM, outcome.confidence)
