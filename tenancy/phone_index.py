"""The global phone-number index: which company answers a number.

`g:phone:{E164}` → companyId. Claims are atomic (one Lua script for the whole
set), so two companies racing for one number cannot both win.
"""

from __future__ import annotations

from collections.abc import Iterable

import redis.asyncio as aioredis

from tenancy.errors import Conflict

_CLAIM = """
for i, key in ipairs(KEYS) do
  local owner = redis.call('GET', key)
  if owner and owner ~= ARGV[1] then return i end
end
for _, key in ipairs(KEYS) do redis.call('SET', key, ARGV[1]) end
return 0
"""

_RELEASE = """
local released = 0
for _, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then
    redis.call('DEL', key)
    released = released + 1
  end
end
return released
"""


def phone_key(number: str) -> str:
    return f"g:phone:{number}"


class PhoneIndex:
    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis
        self._claim = redis.register_script(_CLAIM)
        self._release = redis.register_script(_RELEASE)

    async def claim(self, company_id: str, numbers: Iterable[str]) -> None:
        """Give every number to `company_id`, or none of them (409 naming the taken one)."""
        numbers = list(numbers)
        if not numbers:
            return
        taken = int(await self._claim(keys=[phone_key(n) for n in numbers], args=[company_id]))
        if taken:
            raise Conflict(f"phone number {numbers[taken - 1]} already belongs to another company")

    async def release(self, company_id: str, numbers: Iterable[str]) -> int:
        """Free numbers still owned by `company_id`; numbers owned by others are untouched."""
        numbers = list(numbers)
        if not numbers:
            return 0
        return int(await self._release(keys=[phone_key(n) for n in numbers], args=[company_id]))

    async def owner(self, number: str) -> str | None:
        value = await self._redis.get(phone_key(number))
        if isinstance(value, bytes):
            return value.decode()
        return value
