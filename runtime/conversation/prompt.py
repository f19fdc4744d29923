"""The language-model request for a turn: a system prompt built from the company, and tools.

The prompt keeps the model on the company's facts (profile, hours in its timezone,
services, the knowledge entries closest to what the caller asked) and on phone manners
(personality, a sentence budget from `responseLength`, no lists or markdown, since
every word is spoken). A conversation by text (`channel="text"`) gets a sentence more and
no talk of lines or transfers: a text cannot be put through, so the transfer tool there
asks the team to get back to the customer.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal, cast

from runtime.conversation.context import CallerContact
from runtime.conversation.hours import describe_hours, local_time
from runtime.conversation.snapshot import CompanySnapshot, KnowledgeEntry
from runtime.providers.base import ChatMessage, LlmRequest, ToolSpec

# responseLength → (sentences per answer, max_output_tokens)
RESPONSE_BUDGETS: dict[str, tuple[int, int]] = {
    "concise": (2, 120),
    "balanced": (3, 200),
    "detailed": (5, 350),
}
PERSONALITY_STYLES: dict[str, str] = {
    "professional": "Be courteous, precise and businesslike.",
    "friendly": "Be warm, upbeat and helpful, like a favourite front-desk person.",
    "casual": "Be relaxed and conversational, plain words, no formality.",
    "empathetic": "Be patient and caring; acknowledge the caller's situation before answering.",
}
HISTORY_TURNS = 12  # most recent messages sent to the model
TEXT_EXTRA_SENTENCES = 1  # a text is read, not heard: it may be a sentence longer

Channel = Literal["call", "text"]

TRANSFER_TOOL = ToolSpec(
    name="transfer_call",
    description="Connect the caller to a person at the company. Use when the caller asks "
    "for a person or needs something only staff can do.",
    parameters={
        "type": "object",
        "properties": {"reason": {"type": "string", "description": "Why, in a few words."}},
        "required": ["reason"],
    },
)
TAKE_MESSAGE_TOOL = ToolSpec(
    name="take_message",
    description="Take a message for the company so someone calls the caller back. Pass "
    "`message` only if the caller already said everything they want passed on.",
    parameters={
        "type": "object",
        "properties": {
            "message": {"type": "string", "description": "The caller's message, if complete."},
            "urgent": {"type": "boolean", "description": "True if it cannot wait."},
        },
    },
)
END_CALL_TOOL = ToolSpec(
    name="end_call",
    description="End the call after the caller says they have everything they need.",
    parameters={"type": "object", "properties": {}},
)
BASE_TOOLS: tuple[ToolSpec, ...] = (TRANSFER_TOOL, TAKE_MESSAGE_TOOL, END_CALL_TOOL)


def build_system_prompt(
    snapshot: CompanySnapshot,
    *,
    now: datetime,
    after_hours: bool,
    caller: CallerContact | None,
    knowledge: Sequence[KnowledgeEntry],
    can_book: bool,
    channel: Channel = "call",
) -> str:
    settings = snapshot.settings
    sentences, _ = RESPONSE_BUDGETS.get(settings.response_length, RESPONSE_BUDGETS["concise"])
    local = local_time(now, snapshot.timezone)
    lines = [
        *_manners(snapshot.company_name, sentences, channel, settings.personality),
        "",
        "## Company",
        f"Name: {snapshot.company_name}",
    ]
    optional = (
        ("About", snapshot.description),
        ("Trades", ", ".join(snapshot.trade_categories)),
        ("Services", ", ".join(snapshot.services)),
        ("Service area", ", ".join(snapshot.service_area)),
        ("Address", snapshot.address),
        ("Phone", snapshot.company_phone or ""),
        ("Website", snapshot.website or ""),
    )
    lines += [f"{label}: {value}" for label, value in optional if value]
    lines += [
        f"Hours ({snapshot.timezone}): {describe_hours(snapshot.hours)}",
        f"Now it is {local.strftime('%A %I:%M %p')} there; the office is "
        f"{'closed' if after_hours else 'open'}.",
    ]
    if after_hours:
        lines.append("After hours nobody can be transferred except for emergencies: offer to "
                     "take a message." if channel == "call" else
                     "After hours the team is away: offer to pass a message on.")
    if not can_book:
        where = "on this call" if channel == "call" else "by text"
        lines.append(f"You cannot book appointments {where}: offer to take a message "
                     "with the caller's preferred time instead.")
    if snapshot.lines.main_script:
        lines += ["", "## Company instructions", snapshot.lines.main_script]
    if knowledge:
        lines += ["", "## Knowledge base (prefer these answers)"]
        lines += [f"Q: {entry.question}\nA: {entry.answer}" for entry in knowledge]
    if caller is not None and settings.memory_enabled:
        lines += ["", f"## Caller\nReturning caller {caller.name or 'with no name on file'}, "
                      f"{caller.call_count} previous call(s)."]
    return "\n".join(lines)


def _manners(company_name: str, sentences: int, channel: Channel, personality: str
             ) -> list[str]:
    """Who the model is, its manner, and how its words reach the customer: spoken, or sent
    back as a text (a sentence longer, and never a transfer or a line to hold)."""
    style = PERSONALITY_STYLES.get(personality, PERSONALITY_STYLES["friendly"])
    if channel == "call":
        return [
            f"You are the phone receptionist for {company_name}, answering a live call.",
            style,
            f"Answer in at most {sentences} short spoken sentences: no lists, no markdown, no "
            "emojis, no URLs read letter by letter. Never invent prices, policies or promises; "
            "if you don't know, offer to take a message or connect the caller with the team.",
        ]
    return [
        f"You are the receptionist for {company_name}, answering a customer's text message "
        "(SMS); your answer is sent back to them as a text.",
        style,
        f"Answer in at most {sentences + TEXT_EXTRA_SENTENCES} short sentences of plain text, "
        "ideally under 320 characters: no lists, no markdown, no emojis. Never invent prices, "
        "policies or promises; if you don't know, offer to have the team get back to them.",
        "This is a text conversation, not a phone call: never say you are transferring or "
        "connecting them, and never ask them to stay on the line or hold. When they need a "
        "person, use transfer_call: the team is then asked to get back to them at this number.",
    ]


def build_request(
    snapshot: CompanySnapshot,
    system_prompt: str,
    history: Sequence[tuple[str, str]],
    tools: Sequence[ToolSpec],
) -> LlmRequest:
    _, max_tokens = RESPONSE_BUDGETS.get(
        snapshot.settings.response_length, RESPONSE_BUDGETS["concise"]
    )
    messages = tuple(
        ChatMessage(role=cast(Literal["caller", "agent"], role), text=text)
        for role, text in history[-HISTORY_TURNS:]
    )
    return LlmRequest(
        model=snapshot.settings.model,
        system_prompt=system_prompt,
        history=messages,
        tools=tuple(tools),
        temperature=snapshot.settings.temperature,
        max_output_tokens=max_tokens,
    )
