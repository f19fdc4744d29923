"""Failed sign-ins, counted in Redis per account and per client address.

Counting in Redis (not in a replica's memory) makes the limit hold however many API
replicas there are. A few failures are free; after that each further failure locks the
account (or address) for twice as long as the last, up to `MAX_LOCK_S`. A locked login
is refused before any bcrypt work, so guessing costs the attacker time and the replica
nothing. A success clears the account's count, never the address's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import redis.asyncio as aioredis

WINDOW_S = 15 * 60  # failures are forgotten after this long without another one
FIRST_LOCK_S = 2
MAX_LOCK_S = 15 * 60

_RECORD_FAILURE = """
for i = 1, #KEYS, 2 do
  local failures = redis.call('INCR', KEYS[i])
  redis.call('EXPIRE', KEYS[i], ARGV[1])
  local free = tonumber(ARGV[(i + 1) / 2 + 3])
  if failures > free then
    local lock = math.min(tonumber(ARGV[2]) * 2 ^ (failures - free - 1), tonumber(ARGV[3]))
    redis.call('SET', KEYS[i + 1], '1', 'EX', math.floor(lock))
  end
end
return 0
"""


@dataclass(frozen=True)
class LoginPolicy:
    free_failures_per_account: int = 5
    free_failures_per_address: int = 20


def _keys(kind: str, who: str) -> tuple[str, str]:
    return f"g:login:{kind}:{who}:failures", f"g:login:{kind}:{who}:locked"


class LoginAttempts:
    def __init__(self, redis: aioredis.Redis, policy: LoginPolicy | None = None) -> None:
        self._redis = redis
        self._policy = policy or LoginPolicy()
        self._record = redis.register_script(_RECORD_FAILURE)

    async def retry_after(self, email: str, address: str) -> int:
        """Seconds until this account and address may try again; 0 when they may now."""
        locks = (_keys("account", email.lower())[1], _keys("address", address)[1])
        async with self._redis.pipeline(transaction=False) as pipe:
            for key in locks:
                pipe.pttl(key)
            remaining_ms = await pipe.execute()
        return max(math.ceil(int(ms) / 1000) for ms in (*remaining_ms, 0))

    async def record_failure(self, email: str, address: str) -> None:
        account, source = _keys("account", email.lower()), _keys("address", address)
        await self._record(
            keys=[*account, *source],
            args=[WINDOW_S, FIRST_LOCK_S, MAX_LOCK_S, self._policy.free_failures_per_account,
                  self._policy.free_failures_per_address],
        )

    async def record_success(self, email: str) -> None:
        await self._redis.delete(*_keys("account", email.lower()))
