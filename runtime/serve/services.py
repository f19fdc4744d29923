"""What a Serve replica holds for its handlers: clients and stores built once from Settings."""

from __future__ import annotations

from dataclasses import dataclass

import redis.asyncio as aioredis

from runtime.serve.auth import TokenService
from runtime.serve.rate_limit import TenantRateLimiter
from runtime.settings import Settings
from tenancy.registry import CompanyRegistry
from tenancy.secrets import SecretBox
from tenancy.users import UserStore


@dataclass
class Services:
    settings: Settings
    redis: aioredis.Redis
    registry: CompanyRegistry
    users: UserStore
    tokens: TokenService
    rate_limiter: TenantRateLimiter

    @classmethod
    def from_settings(cls, settings: Settings) -> Services:
        redis = aioredis.Redis.from_url(
            settings.redis_url, decode_responses=True, health_check_interval=30
        )
        secrets = SecretBox(settings.clientsvia_secret_key.get_secret_value())
        return cls(
            settings=settings,
            redis=redis,
            registry=CompanyRegistry(redis, secrets),
            users=UserStore(redis, bcrypt_rounds=settings.bcrypt_rounds),
            tokens=TokenService(settings.jwt_secret.get_secret_value(), settings.jwt_ttl_s),
            rate_limiter=TenantRateLimiter(
                {"api": settings.api_rate_per_minute, "webhook": settings.webhook_rate_per_minute}
            ),
        )

    async def close(self) -> None:
        await self.redis.aclose()
