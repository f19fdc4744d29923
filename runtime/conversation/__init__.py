"""The dialogue policy: pure Python, no Ray, no I/O; shared by every call transport.

Typical use by a call actor::

    snapshot = CompanySnapshot.from_documents(company, knowledge, employees)
    policy = DialoguePolicy(snapshot, llm)          # llm may be None (no key configured)
    state, ctx = ConversationState.new(), CallContext(...)
    turn = policy.greet(state, ctx)
    async for sentence in turn.sentences(): speak(sentence)
    turn = policy.respond(state, ctx, speech_result, stt_confidence)
    async for sentence in turn.sentences(): speak(sentence)
    act_on(turn.outcome.action)                     # Listen / Transfer / TakeMessage / Hangup
    checkpoint(state.to_dict())
"""

from runtime.conversation.booking import BookingHandler, BookingReply
from runtime.conversation.context import CallContext, CallerContact
from runtime.conversation.knowledge import DECENT_MATCH, KnowledgeIndex, KnowledgeMatch
from runtime.conversation.llm_stream import TurnBudget
from runtime.conversation.outcome import (
    Action,
    AgentTurn,
    Hangup,
    Listen,
    TakeMessage,
    Tier,
    Transfer,
    TurnOutcome,
    action_to_dict,
)
from runtime.conversation.policy import DialoguePolicy
from runtime.conversation.prompt import BASE_TOOLS, build_system_prompt
from runtime.conversation.sentences import SentenceSplitter, split_sentences
from runtime.conversation.sentiment import frustration_score
from runtime.conversation.snapshot import CompanySnapshot, KnowledgeEntry, StaffMember
from runtime.conversation.state import ConversationState, Mode

__all__ = [
    "BASE_TOOLS",
    "DECENT_MATCH",
    "Action",
    "AgentTurn",
    "BookingHandler",
    "BookingReply",
    "CallContext",
    "CallerContact",
    "CompanySnapshot",
    "ConversationState",
    "DialoguePolicy",
    "Hangup",
    "KnowledgeEntry",
    "KnowledgeIndex",
    "KnowledgeMatch",
    "Listen",
    "Mode",
    "SentenceSplitter",
    "StaffMember",
    "TakeMessage",
    "Tier",
    "Transfer",
    "TurnBudget",
    "TurnOutcome",
    "action_to_dict",
    "build_system_prompt",
    "frustration_score",
    "split_sentences",
]
