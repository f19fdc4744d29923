"""`CompanySnapshot`: the frozen, secret-free view of a tenant that one call runs on.

Built once per call from the stored documents, shipped to the call actor and
checkpointed with the call, so it is plain data with an exact JSON round trip.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from tenancy.models import Company, CompanyQnA, Employee
from tenancy.models.company import ElevenLabsSettings


@dataclass(frozen=True)
class KnowledgeEntry:
    id: str
    question: str
    answer: str
    keywords: tuple[str, ...] = ()
    category: str = "general"


@dataclass(frozen=True)
class StaffMember:
    id: str
    name: str
    role: str
    phone: str
    is_on_call: bool


@dataclass(frozen=True)
class DayHours:
    day: str  # "monday" .. "sunday"
    enabled: bool
    start: str  # "HH:MM", company local time
    end: str


@dataclass(frozen=True)
class AgentLines:
    """What the agent says at fixed moments, as the company wrote it (templates unfilled)."""

    greeting: str
    after_hours_greeting: str
    closing: str
    transfer: str
    message_prompt: str
    main_script: str
    cant_understand: tuple[str, ...]
    out_of_category: tuple[str, ...]
    offer_help: tuple[str, ...]
    hold_please: tuple[str, ...]
    speak_clearly: tuple[str, ...] = ()  # when speech was transcribed with low confidence


@dataclass(frozen=True)
class AgentSettings:
    model: str
    personality: str
    response_length: str
    language: str
    temperature: float
    knowledge_enabled: bool
    knowledge_threshold: float
    memory_enabled: bool
    personalization_level: str
    escalation_enabled: bool
    sentiment_threshold: float
    max_misses_before_offer: int
    escalation_phrases: tuple[str, ...]


@dataclass(frozen=True)
class VoiceSettings:
    """The company's ElevenLabs voice without its key (`use_own_api_key` only says one exists)."""

    voice_id: str | None
    model_id: str
    stability: float
    similarity_boost: float
    style: float
    use_speaker_boost: bool
    speed: float
    use_own_api_key: bool

    @classmethod
    def of(cls, voice: ElevenLabsSettings) -> VoiceSettings:
        return cls(
            voice_id=voice.voiceId,
            model_id=voice.modelId,
            stability=voice.stability,
            similarity_boost=voice.similarityBoost,
            style=voice.style,
            use_speaker_boost=voice.useSpeakerBoost,
            speed=voice.speed,
            use_own_api_key=voice.useOwnApiKey,
        )


@dataclass(frozen=True)
class CompanySnapshot:
    company_id: str
    company_name: str
    company_phone: str | None
    phone_numbers: tuple[str, ...]  # the company's Twilio numbers (where calls arrive)
    primary_number: str | None
    timezone: str
    description: str
    address: str
    website: str | None
    service_area: tuple[str, ...]
    trade_categories: tuple[str, ...]
    services: tuple[str, ...]
    hours: tuple[DayHours, ...]
    lines: AgentLines
    settings: AgentSettings
    voice: VoiceSettings
    knowledge: tuple[KnowledgeEntry, ...]  # active entries only
    staff: tuple[StaffMember, ...]
    booking_template_id: str | None = None
    emergency_phrases: tuple[str, ...] = ()  # the company's own, on top of every trade's

    @classmethod
    def from_documents(
        cls, company: Company, knowledge: list[CompanyQnA], employees: list[Employee]
    ) -> CompanySnapshot:
        ai = company.aiSettings
        setup = company.agentSetup
        lines = company.personalityResponses
        address = company.address
        return cls(
            company_id=company.id,
            company_name=company.companyName,
            company_phone=company.companyPhone,
            phone_numbers=tuple(company.phone_numbers()),
            primary_number=company.twilioConfig.primary_number(),
            timezone=company.timezone,
            description=company.description,
            address=", ".join(
                part for part in (address.street, address.city, address.state,
                                  address.postalCode) if part
            ),
            website=company.website,
            service_area=tuple(company.serviceArea),
            trade_categories=tuple(trade.value for trade in company.tradeCategories),
            services=tuple(setup.services),
            hours=tuple(
                DayHours(entry.day, entry.enabled, entry.start, entry.end)
                for entry in setup.operatingHours
            ),
            lines=AgentLines(
                greeting=setup.agentGreeting,
                after_hours_greeting=setup.afterHoursGreeting,
                closing=setup.closingLine,
                transfer=setup.transferMessage,
                message_prompt=setup.messagePrompt,
                main_script=setup.mainAgentScript,
                cant_understand=tuple(lines.cantUnderstand),
                out_of_category=tuple(lines.outOfCategory),
                offer_help=tuple(lines.offerHelp),
                hold_please=tuple(lines.holdPlease),
                speak_clearly=tuple(lines.speakClearly),
            ),
            settings=AgentSettings(
                model=ai.model,
                personality=ai.personality,
                response_length=ai.responseLength,
                language=ai.language,
                temperature=ai.temperature,
                knowledge_enabled=ai.semanticKnowledge.enabled,
                knowledge_threshold=ai.semanticKnowledge.confidenceThreshold,
                memory_enabled=ai.contextualMemory.enabled,
                personalization_level=ai.contextualMemory.personalizationLevel,
                escalation_enabled=ai.smartEscalation.enabled
                and ai.smartEscalation.sentimentTrigger,
                sentiment_threshold=ai.smartEscalation.sentimentThreshold,
                max_misses_before_offer=ai.smartEscalation.maxMissesBeforeOffer,
                escalation_phrases=tuple(ai.smartEscalation.escalationPhrases),
            ),
            voice=VoiceSettings.of(ai.elevenLabs),
            knowledge=tuple(
                KnowledgeEntry(entry.id, entry.question, entry.answer, tuple(entry.keywords),
                               entry.category)
                for entry in knowledge
                if entry.isActive
            ),
            staff=tuple(
                StaffMember(person.id, person.name, person.role, person.phone, person.isOnCall)
                for person in employees
            ),
            booking_template_id=setup.bookingScriptTemplate,
            emergency_phrases=tuple(setup.emergencyPhrases),
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: tuples become lists, nested parts become dicts."""
        return _lists(asdict(self))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CompanySnapshot:
        lines = data["lines"]
        return cls(
            **{
                **data,
                "phone_numbers": tuple(data["phone_numbers"]),
                "service_area": tuple(data["service_area"]),
                "trade_categories": tuple(data["trade_categories"]),
                "services": tuple(data["services"]),
                "hours": tuple(DayHours(**entry) for entry in data["hours"]),
                "lines": AgentLines(
                    **{
                        **lines,
                        **{key: tuple(lines[key]) for key in (
                            "cant_understand", "out_of_category", "offer_help", "hold_please",
                            "speak_clearly",
                        ) if key in lines},  # checkpoints from before speak_clearly lack it
                    }
                ),
                "settings": AgentSettings(
                    **{**data["settings"],
                       "escalation_phrases": tuple(data["settings"]["escalation_phrases"])}
                ),
                "voice": VoiceSettings(**data["voice"]),
                "knowledge": tuple(
                    KnowledgeEntry(**{**entry, "keywords": tuple(entry["keywords"])})
                    for entry in data["knowledge"]
                ),
                "staff": tuple(StaffMember(**entry) for entry in data["staff"]),
                "emergency_phrases": tuple(data.get("emergency_phrases", ())),
            }
        )

    def on_call_staff(self) -> StaffMember | None:
        return next((person for person in self.staff if person.is_on_call), None)


def _lists(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _lists(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_lists(item) for item in value]
    return value
