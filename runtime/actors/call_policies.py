"""`CallPolicies`: a call's dialogue policy and voice, from what its actor process holds.

A call actor builds its language model, embedder and calendar settings once; every call it
begins or restores gets a `DialoguePolicy` over its company snapshot from them, with the
company's booking desk and knowledge scores, and the voice its answers are spoken in.
"""

from __future__ import annotations

from dataclasses import dataclass

from runtime.actors.booking_calendar import booking_for_call
from runtime.actors.company_views import CompanyView
from runtime.actors.speech import voice_request
from runtime.conversation import CompanySnapshot, DialoguePolicy
from runtime.meaning.scorer import call_meaning
from runtime.providers.base import LanguageModel, VoiceRequest
from runtime.providers.calendar_factory import CalendarConfig
from runtime.providers.embedding import SentenceEmbedder
from tenancy.models import Company
from tenancy.store import TenantStore


@dataclass(frozen=True)
class CallPolicies:
    llm: LanguageModel | None
    embedder: SentenceEmbedder
    calendar: CalendarConfig
    platform_voice: bool  # a company without its own ElevenLabs key can be voiced

    async def build(self, store: TenantStore, company: Company | None,
                    snapshot: CompanySnapshot, view: CompanyView | None = None
                    ) -> tuple[DialoguePolicy, VoiceRequest | None]:
        """The call's policy and voice; `view`, the company view `snapshot` is from (its
        scorer and reading are reused); None for a restored call, whose checkpointed
        snapshot gets its own."""
        api_key = company.aiSettings.elevenLabs.apiKey if company else None
        booking = await booking_for_call(store, company, self.calendar)
        meaning = view.meaning if view is not None else None
        if meaning is None:
            meaning = await call_meaning(store, self.embedder, snapshot)
        return (DialoguePolicy(snapshot, self.llm, booking=booking, meaning=meaning,
                               reading=view.reading if view is not None else None),
                voice_request(snapshot.voice, api_key, self.platform_voice))
