"""A company's collections of small records (Q&A, employees, contacts) in Redis hashes.

One hash per collection, field = record id, value = the record's JSON. The hash
key is handed in by `TenantStore`, which owns the key layout.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from datetime import datetime
from typing import Generic, TypeVar, cast

import redis.asyncio as aioredis
from pydantic import ValidationError

from tenancy.errors import Conflict, InvalidDocument, NotFound
from tenancy.models import ApiModel, Contact, ContactFields, utc_now
from tenancy.models.records import StoredRecord

Record = TypeVar("Record", bound=StoredRecord)

MAX_RECORDS = 5000  # per collection; keeps a runaway client from filling Redis


class RecordCollection(Generic[Record]):
    def __init__(self, redis: aioredis.Redis, key: str, model: type[Record], noun: str) -> None:
        self._redis = redis
        self._key = key
        self._model = model
        self.noun = noun

    @property
    def key(self) -> str:
        return self._key

    async def list(self) -> list[Record]:
        return self.parse(await self._redis.hvals(self._key))

    def parse(self, values: Iterable[str | bytes]) -> builtins.list[Record]:
        """The records of the collection's stored values (`HVALS`), oldest first."""
        records = [self._model.model_validate_json(value) for value in values]
        return sorted(records, key=lambda record: record.createdAt)

    async def get(self, record_id: str) -> Record:
        value = await self._redis.hget(self._key, record_id)
        if value is None:
            raise NotFound(f"{self.noun} {record_id} not found")
        return self._model.model_validate_json(value)

    async def add(self, fields: ApiModel) -> Record:
        if await self._redis.hlen(self._key) >= MAX_RECORDS:
            raise Conflict(f"a company can hold at most {MAX_RECORDS} {self.noun} records")
        record = self._model.model_validate(fields.model_dump())
        await self._write(record)
        return record

    async def keep(self, record: Record) -> bool:
        """Store a record that comes with its id (an import), unless that id is taken."""
        if await self._redis.hexists(self._key, record.id):
            return False
        if await self._redis.hlen(self._key) >= MAX_RECORDS:
            raise Conflict(f"a company can hold at most {MAX_RECORDS} {self.noun} records")
        await self._write(record)
        return True

    async def update(self, record_id: str, changes: ApiModel) -> Record:
        current = await self.get(record_id)
        merged = current.model_dump(by_alias=True) | changes.model_dump(exclude_unset=True)
        merged["updatedAt"] = utc_now()
        try:
            record = self._model.model_validate(merged)
        except ValidationError as exc:
            raise InvalidDocument(str(exc)) from exc
        await self._write(record, previous=current)
        return record

    async def delete(self, record_id: str) -> Record:
        record = await self.get(record_id)
        await self._redis.hdel(self._key, record_id)
        await self._forget(record)
        return record

    async def get_indexed(self, index_key: str, value: str) -> Record | None:
        """The record a secondary index (value → record id) points at, if it still exists."""
        record_id = await self._redis.hget(index_key, value)
        if record_id is None:
            return None
        try:
            return await self.get(cast(str, record_id))
        except NotFound:
            return None

    async def _write(self, record: Record, previous: Record | None = None) -> None:
        await self._redis.hset(self._key, record.id, record.model_dump_json(by_alias=True))

    async def _forget(self, record: Record) -> None:
        """Hook for collections that keep a secondary index."""


# KEYS: the contacts hash, the phone index; ARGV: phone, new id, new contact's JSON, the
# limit. The known contact's id; else the new contact stored and indexed ("") or -1 (full).
_FIRST_CALL = """
local known = redis.call('HGET', KEYS[2], ARGV[1])
if known then return known end
if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[4]) then return -1 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
return ''
"""


class ContactBook(RecordCollection[Contact]):
    """Contacts, plus a phone → contact id index for recognising returning callers."""

    def __init__(self, redis: aioredis.Redis, key: str, phone_index_key: str) -> None:
        super().__init__(redis, key, Contact, "contact")
        self._phone_key = phone_index_key
        self._first_call = redis.register_script(_FIRST_CALL)

    async def find_by_phone(self, phone: str) -> Contact | None:
        return await self.get_indexed(self._phone_key, phone)

    async def count_call(self, phone: str, at: datetime) -> Contact | None:
        """One more call from `phone`: a new contact in one step (`_FIRST_CALL`), or the
        known one's count and last call moved on with one write (its phone, and so the
        index, unchanged). None when the index names a contact that is gone."""
        first = self._model.model_validate(
            ContactFields(phone=phone, callCount=1, lastCallAt=at).model_dump())
        known_id = await self._first_call(keys=[self._key, self._phone_key], args=[
            phone, first.id, first.model_dump_json(by_alias=True), MAX_RECORDS])
        if known_id == -1:
            raise Conflict(f"a company can hold at most {MAX_RECORDS} {self.noun} records")
        if not known_id:
            return first
        try:
            contact = await self.get(cast(str, known_id))
        except NotFound:
            return None
        counted = contact.model_copy(update={"callCount": contact.callCount + 1,
                                             "lastCallAt": at, "updatedAt": utc_now()})
        await self._redis.hset(self._key, counted.id, counted.model_dump_json(by_alias=True))
        return counted

    async def _write(self, record: Contact, previous: Contact | None = None) -> None:
        claimed = await self._redis.hsetnx(self._phone_key, record.phone, record.id)
        if not claimed and await self._redis.hget(self._phone_key, record.phone) != record.id:
            raise Conflict(f"a contact with phone {record.phone} already exists")
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(self._key, record.id, record.model_dump_json(by_alias=True))
            if previous is not None and previous.phone != record.phone:
                pipe.hdel(self._phone_key, previous.phone)
            await pipe.execute()

    async def _forget(self, record: Contact) -> None:
        if await self._redis.hget(self._phone_key, record.phone) == record.id:
            await self._redis.hdel(self._phone_key, record.phone)
