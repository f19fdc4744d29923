"""What a Serve replica holds for its handlers: clients and stores built once from Settings."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import redis.asyncio as aioredis

from analytics.emitter import CallEventEmitter
from analytics.repository import CallLogRepository
from analytics.sources import QueryLimits
from runtime.actors.calls_not_taken import CallsNotTaken
from runtime.learning.suggestions import LearningLoop
from runtime.node_cache import NodeCache
from runtime.notifications.factory import text_limits
from runtime.providers.audio_store import AudioStore
from runtime.providers.base import SpeechSynthesizer, VoiceCatalog
from runtime.providers.embedding import SentenceEmbedder
from runtime.providers.factory import (
    build_drafting_model,
    build_embedder,
    build_language_model,
    build_synthesizer,
    build_voice_catalog,
)
from runtime.providers.twilio_numbers import NumberDirectory, build_number_directory
from runtime.redis_client import redis_client
from runtime.serve.analytics_pool import analytics_executor
from runtime.serve.auth import TokenService
from runtime.serve.company_cache import CompanyCache
from runtime.serve.rate_limit import TenantRateLimiter
from runtime.settings import Settings
from runtime.sms.desk import SmsDesk
from runtime.window_counter import WindowCounter
from tenancy.console_sessions import ConsoleSessionStore, SessionPolicy
from tenancy.login_attempts import LoginAttempts, LoginPolicy
from tenancy.registry import CompanyRegistry
from tenancy.secrets import SecretBox
from tenancy.users import UserStore

# `<Play>` files a replica keeps in memory: a company's greeting and common answers are
# served on every call (a sentence is ~10-40 KB of 8 kHz mu-law).
AUDIO_HELD_BYTES = 16 * 1024 * 1024

if TYPE_CHECKING:
    from runtime.actors.gateway import CallGateway


@dataclass
class Services:
    settings: Settings
    redis: aioredis.Redis
    registry: CompanyRegistry
    users: UserStore
    login_attempts: LoginAttempts
    console_sessions: ConsoleSessionStore  # the console's sign-ins (runtime/serve/console)
    tokens: TokenService
    rate_limiter: TenantRateLimiter
    audio: AudioStore
    call_logs: CallLogRepository
    analytics_pool: ThreadPoolExecutor  # where call-log queries run (serve/analytics_pool.py)
    speech: SpeechSynthesizer | None  # for voice samples; calls synthesize in their actors
    companies: CompanyCache  # the webhook hot path's view of company documents
    voices: VoiceCatalog
    numbers: NumberDirectory  # which numbers a company's Twilio account owns
    embedder: SentenceEmbedder  # knowledge entries are embedded when written
    learning: LearningLoop  # persisted suggestions, refreshed on read
    sms: SmsDesk  # answers customers' texts
    not_taken: CallsNotTaken  # incoming calls refused an agent: logged, texted back
    _calls: CallGateway | None = field(default=None, repr=False)

    @property
    def calls(self) -> CallGateway:
        """The call-actor gateway, built on first use (it needs Ray, the admin API does not)."""
        if self._calls is None:
            from runtime.actors.gateway import CallGateway

            self._calls = CallGateway(self.settings, self.redis)
        return self._calls

    @classmethod
    def from_settings(cls, settings: Settings) -> Services:
        redis = redis_client(settings.redis_url)
        secrets = SecretBox(settings.clientsvia_secret_key.get_secret_value())
        registry = CompanyRegistry(redis, secrets)
        call_logs = CallLogRepository(settings.parquet_root, QueryLimits(
            threads=settings.analytics_threads, memory_mb=settings.analytics_memory_mb,
            cache_mb=settings.analytics_cache_mb))
        analytics_pool = analytics_executor(settings.analytics_concurrency,
                                            settings.analytics_nice)
        embedder = build_embedder(settings.provider_config(),
                                  NodeCache.configured(settings.node_cache_dir))
        return cls(
            settings=settings,
            redis=redis,
            registry=registry,
            companies=CompanyCache(registry),
            users=UserStore(redis, bcrypt_rounds=settings.bcrypt_rounds),
            login_attempts=LoginAttempts(redis, LoginPolicy(
                settings.login_free_failures_per_account,
                settings.login_free_failures_per_address)),
            console_sessions=ConsoleSessionStore(redis, SessionPolicy(
                settings.console_session_idle_s, settings.console_session_absolute_s)),
            tokens=TokenService(settings.jwt_secret.get_secret_value(), settings.jwt_ttl_s),
            rate_limiter=TenantRateLimiter(WindowCounter(redis), {
                "api": settings.api_rate_per_minute, "new_call": settings.new_call_rate_per_minute,
            }),
            audio=AudioStore(redis_client(settings.redis_url, decode_responses=False),
                             held_bytes=AUDIO_HELD_BYTES),
            call_logs=call_logs,
            analytics_pool=analytics_pool,
            speech=build_synthesizer(settings.provider_config()),
            voices=build_voice_catalog(settings.provider_config()),
            numbers=build_number_directory(settings.provider_mode, settings.double_twilio_numbers),
            embedder=embedder,
            learning=LearningLoop(call_logs, embedder,
                                  build_drafting_model(settings.provider_config()),
                                  analytics_pool),
            sms=SmsDesk(registry, embedder, settings.calendar_config(),
                        text_limits(settings, redis),
                        llm=build_language_model(settings.provider_config())),  # as calls
            not_taken=CallsNotTaken(
                CallEventEmitter(redis, max_backlog=settings.call_events_max_backlog),
                registry.tenant),
        )

    async def close(self) -> None:
        await self.not_taken.background.settle()  # text-backs in flight: queued, not lost
        self.analytics_pool.shutdown(wait=False, cancel_futures=True)
        await self.redis.aclose()
