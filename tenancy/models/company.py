"""The Company document: a tenant's profile and every setting its agent runs on.

Field names are the brief's camelCase ones so the JSON on the wire and in Redis is
the document itself. Defaults are the values a new company starts with.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, model_validator

from tenancy.models.booking import BookingSettings, BookingTemplateId
from tenancy.models.common import (
    ApiModel,
    ClockTime,
    E164Phone,
    Email,
    Fraction,
    LongText,
    ShortText,
    Timezone,
    new_object_id,
    utc_now,
)
from tenancy.models.notification_settings import NotificationSettings
from tenancy.models.sms import PostCallTexts


class TradeCategory(StrEnum):
    HVAC = "HVAC"
    PLUMBING = "Plumbing"
    ELECTRICAL = "Electrical"


Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAYS: tuple[Weekday, ...] = (
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
)

_DAY_ABBREVIATIONS = {day[:3]: day for day in WEEKDAYS}


def _weekday_any_case(value: object) -> object:
    """The brief writes `"Monday"`; any case, and three-letter forms, name the same day."""
    if isinstance(value, str):
        lowered = value.strip().lower()
        return _DAY_ABBREVIATIONS.get(lowered, lowered)
    return value


# Regions for two-letter languages whose regional form is not simply `xx-XX`.
_DEFAULT_REGIONS = {"en": "US", "es": "US", "pt": "BR", "zh": "CN", "ja": "JP", "ko": "KR",
                    "hi": "IN", "ar": "SA", "vi": "VN", "sv": "SE", "da": "DK", "cs": "CZ"}


def _regional_language(value: object) -> object:
    """The brief's `"en"` becomes `"en-US"`: Twilio and the voice need a region."""
    if isinstance(value, str) and len(value.strip()) == 2 and value.strip().isalpha():
        language = value.strip().lower()
        return f"{language}-{_DEFAULT_REGIONS.get(language, language.upper())}"
    return value


# Gemini models the agent may be configured with; the first is the default.
AI_MODELS: tuple[str, ...] = (
    "gemini-2.5-flash",
    "gemini-2.5-flash-lite",
    "gemini-2.5-pro",
    "gemini-3-flash",
)
ELEVENLABS_MODELS: tuple[str, ...] = (
    "eleven_flash_v2_5",
    "eleven_flash_v2",
    "eleven_turbo_v2_5",
    "eleven_multilingual_v2",
)


class Address(ApiModel):
    street: Annotated[str, Field(max_length=200)] = ""
    city: Annotated[str, Field(max_length=100)] = ""
    state: Annotated[str, Field(max_length=100)] = ""
    postalCode: Annotated[str, Field(max_length=20)] = ""
    country: Annotated[str, Field(max_length=2, min_length=2)] = "US"


class ElevenLabsSettings(ApiModel):
    """Voice used for the company's calls. `apiKey` is a secret: encrypted, never returned."""

    voiceId: Annotated[str, Field(pattern=r"^[A-Za-z0-9]{8,64}$")] | None = None
    modelId: Literal[ELEVENLABS_MODELS] = "eleven_flash_v2_5"  # type: ignore[valid-type]
    stability: Fraction = 0.5
    similarityBoost: Fraction = 0.75
    style: Fraction = 0.0  # non-zero style adds synthesis latency
    useSpeakerBoost: bool = True
    speed: Annotated[float, Field(ge=0.7, le=1.2)] = 1.0
    useOwnApiKey: bool = False
    apiKey: Annotated[str, Field(min_length=8, max_length=200)] | None = None

    @model_validator(mode="after")
    def _own_key_needs_key(self) -> ElevenLabsSettings:
        if self.useOwnApiKey and not self.apiKey:
            raise ValueError("useOwnApiKey is true but no apiKey is set")
        return self


class SemanticKnowledge(ApiModel):
    enabled: bool = True
    # Knowledge answers below this go to the next tier. The score is the hybrid of meaning
    # and words (runtime/conversation/meaning.py): 0.7 ≈ cosine 0.42 by meaning alone.
    confidenceThreshold: Fraction = 0.7


class ContextualMemory(ApiModel):
    enabled: bool = True
    personalizationLevel: Literal["low", "medium", "high"] = "medium"
    memoryRetentionHours: Annotated[int, Field(ge=1, le=8760)] = 720


class SmartEscalation(ApiModel):
    enabled: bool = True
    # The brief's switches: frustration (sentiment, escalation phrases) may hand the call
    # over; `contextualHandoffs` is kept for the console (the transfer always carries context).
    sentimentTrigger: bool = True
    contextualHandoffs: bool = True
    sentimentThreshold: Fraction = 0.6  # frustration score (0 calm .. 1 furious) that escalates
    maxMissesBeforeOffer: Annotated[int, Field(ge=1, le=10)] = 2
    escalationPhrases: Annotated[list[ShortText], Field(max_length=50)] = Field(
        default_factory=lambda: ["speak to a manager", "this is ridiculous", "lawyer"]
    )


class AiSettings(ApiModel):
    model: Literal[AI_MODELS] = "gemini-2.5-flash"  # type: ignore[valid-type]
    personality: Literal["professional", "friendly", "casual", "empathetic"] = "friendly"
    responseLength: Literal["concise", "balanced", "detailed"] = "concise"
    language: Annotated[str, BeforeValidator(_regional_language),
                        Field(pattern=r"^[a-z]{2}-[A-Z]{2}$")] = "en-US"
    temperature: Annotated[float, Field(ge=0.0, le=2.0)] = 0.4
    elevenLabs: ElevenLabsSettings = Field(default_factory=ElevenLabsSettings)
    semanticKnowledge: SemanticKnowledge = Field(default_factory=SemanticKnowledge)
    contextualMemory: ContextualMemory = Field(default_factory=ContextualMemory)
    smartEscalation: SmartEscalation = Field(default_factory=SmartEscalation)


class TwilioPhoneNumber(ApiModel):
    phoneNumber: E164Phone
    friendlyName: Annotated[str, Field(max_length=100)] = ""
    isPrimary: bool = False
    status: Literal["active", "inactive"] = "active"


class TwilioConfig(ApiModel):
    """Twilio account of the company. `authToken` and `apiSecret` are secrets."""

    accountSid: Annotated[str, Field(pattern=r"^AC[0-9a-fA-F]{32}$")] | None = None
    authToken: Annotated[str, Field(min_length=16, max_length=128)] | None = None
    apiKey: Annotated[str, Field(pattern=r"^SK[0-9a-fA-F]{32}$")] | None = None
    apiSecret: Annotated[str, Field(min_length=16, max_length=128)] | None = None
    phoneNumbers: Annotated[list[TwilioPhoneNumber], Field(max_length=50)] = Field(
        default_factory=list
    )
    # Calls the company's lines hold at once; None: the platform's per-company ceiling
    # (MAX_CALLS_PER_COMPANY), which a company can lower but never raise.
    maxConcurrentCalls: Annotated[int, Field(ge=1, le=10_000)] | None = None

    @model_validator(mode="after")
    def _numbers_unique(self) -> TwilioConfig:
        numbers = [entry.phoneNumber for entry in self.phoneNumbers]
        if len(numbers) != len(set(numbers)):
            raise ValueError("phoneNumbers lists the same number twice")
        if sum(entry.isPrimary for entry in self.phoneNumbers) > 1:
            raise ValueError("only one phone number can be primary")
        return self

    def primary_number(self) -> str | None:
        for entry in self.phoneNumbers:
            if entry.isPrimary:
                return entry.phoneNumber
        return self.phoneNumbers[0].phoneNumber if self.phoneNumbers else None


class OperatingHours(ApiModel):
    day: Annotated[Weekday, BeforeValidator(_weekday_any_case)]
    enabled: bool = True
    start: ClockTime = "09:00"
    end: ClockTime = "17:00"

    @model_validator(mode="after")
    def _start_before_end(self) -> OperatingHours:
        if self.enabled and self.start >= self.end:
            raise ValueError(f"{self.day}: start {self.start} must be before end {self.end}")
        return self


def _weekday_hours() -> list[OperatingHours]:
    return [OperatingHours(day=day, enabled=day not in ("saturday", "sunday")) for day in WEEKDAYS]


class AgentSetup(ApiModel):
    operatingHours: Annotated[list[OperatingHours], Field(max_length=7)] = Field(
        default_factory=_weekday_hours
    )
    agentGreeting: Annotated[str, Field(min_length=1, max_length=500)] = (
        "Thanks for calling {companyName}. How can I help you today?"
    )
    afterHoursGreeting: Annotated[str, Field(min_length=1, max_length=500)] = (
        "Thanks for calling {companyName}. We're closed right now, but I can take a message "
        "or help with an emergency. How can I help?"
    )
    mainAgentScript: LongText = ""
    closingLine: Annotated[str, Field(min_length=1, max_length=300)] = (
        "Thanks for calling {companyName}. Have a great day!"
    )
    # "tts": the greeting is spoken by the company's voice (the only kind this runtime plays).
    greetingType: Literal["tts"] = "tts"
    transferMessage: Annotated[str, Field(min_length=1, max_length=300)] = (
        "Let me connect you with someone who can help. One moment please."
    )
    messagePrompt: Annotated[str, Field(min_length=1, max_length=300)] = (
        "I'll take a message. Please tell me your name, the best number to reach you, "
        "and what you need, and someone will call you back."
    )
    services: Annotated[list[ShortText], Field(max_length=100)] = Field(default_factory=list)
    bookingScriptTemplate: BookingTemplateId | None = None
    # The company's own words for an emergency, on top of every trade's (e.g. "well pump").
    emergencyPhrases: Annotated[list[ShortText], Field(max_length=50)] = Field(
        default_factory=list
    )

    @model_validator(mode="after")
    def _one_entry_per_day(self) -> AgentSetup:
        days = [entry.day for entry in self.operatingHours]
        if len(days) != len(set(days)):
            raise ValueError("operatingHours lists the same day twice")
        return self


ResponseLines = Annotated[
    list[Annotated[str, Field(min_length=1, max_length=500)]],
    Field(min_length=1, max_length=20),
]


class PersonalityResponses(ApiModel):
    """Fallback lines the agent uses when no tier has an answer."""

    cantUnderstand: ResponseLines = Field(
        default_factory=lambda: [
            "Sorry, I didn't quite catch that. Could you say it another way?",
            "I'm sorry, could you repeat that for me?",
        ]
    )
    outOfCategory: ResponseLines = Field(
        default_factory=lambda: [
            "That's not something we handle, but I'm happy to help with anything else.",
        ]
    )
    offerHelp: ResponseLines = Field(
        default_factory=lambda: [
            "I want to make sure you get the right answer. Would you like me to connect you "
            "with a team member, or take a message?",
        ]
    )
    holdPlease: ResponseLines = Field(default_factory=lambda: ["One moment please."])
    speakClearly: ResponseLines = Field(
        default_factory=lambda: ["Could you speak a bit more clearly, please?"]
    )


class CompanyProfile(ApiModel):
    """Every writable field of a company; `Company` adds the id, state and timestamps."""

    companyName: ShortText
    companyPhone: E164Phone | None = None
    companyEmail: Email | None = None
    website: Annotated[str, Field(max_length=300, pattern=r"^https?://\S+$")] | None = None
    address: Address = Field(default_factory=Address)
    # The address as the original platform stored it (one line); `address` is its parts.
    companyAddress: Annotated[str, Field(max_length=300)] = ""
    # Hours as people write them ("m-f 9-5"), shown to callers; `agentSetup.operatingHours`
    # is what the agent schedules by.
    businessHours: Annotated[str, Field(max_length=200)] = ""
    serviceArea: Annotated[list[ShortText], Field(max_length=100)] = Field(default_factory=list)
    description: Annotated[str, Field(max_length=2000)] = ""
    ownerName: Annotated[str, Field(max_length=200)] = ""
    ownerEmail: Email | None = None
    tradeCategories: Annotated[list[TradeCategory], Field(max_length=3)] = Field(
        default_factory=list
    )
    timezone: Timezone = "America/New_York"
    aiSettings: AiSettings = Field(default_factory=AiSettings)
    twilioConfig: TwilioConfig = Field(default_factory=TwilioConfig)
    agentSetup: AgentSetup = Field(default_factory=AgentSetup)
    personalityResponses: PersonalityResponses = Field(default_factory=PersonalityResponses)
    notificationSettings: NotificationSettings = Field(default_factory=NotificationSettings)
    profileComplete: bool = False  # set by the owner once onboarding is done
    bookingSettings: BookingSettings = Field(default_factory=BookingSettings)
    postCallTexts: PostCallTexts = Field(default_factory=PostCallTexts)

    @model_validator(mode="after")
    def _trades_unique(self) -> CompanyProfile:
        if len(self.tradeCategories) != len(set(self.tradeCategories)):
            raise ValueError("tradeCategories lists the same trade twice")
        return self


class Company(CompanyProfile):
    id: str = Field(default_factory=new_object_id, alias="_id", pattern=r"^[0-9a-f]{24}$")
    isActive: bool = True
    createdAt: datetime = Field(default_factory=utc_now)
    updatedAt: datetime = Field(default_factory=utc_now)

    def phone_numbers(self, *, active_only: bool = False) -> list[str]:
        return [entry.phoneNumber for entry in self.twilioConfig.phoneNumbers
                if entry.status == "active" or not active_only]
