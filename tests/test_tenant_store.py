"""The Redis tenant store against a real redis-server: scoping, phone claims, patches, secrets."""

import asyncio
import json
import re
from datetime import UTC, datetime

import pytest
import redis.asyncio as aioredis

from tenancy.errors import Conflict, InvalidDocument, NotFound
from tenancy.models import CompanyProfile, ContactFields, EmployeeFields, QnAFields
from tenancy.registry import CompanyRegistry
from tenancy.secrets import SecretBox, SecretKeyError, mask_secret
from tests.serve_fixtures import unique_number

KEY = "store-test-secret-key-0123456789"


@pytest.fixture
def registry(redis_async: aioredis.Redis) -> CompanyRegistry:
    return CompanyRegistry(redis_async, SecretBox(KEY))


def profile(name: str = "Atlas Air", *numbers: str, token: str = "tw-auth-token-abcdef123456"
            ) -> CompanyProfile:
    return CompanyProfile(
        companyName=name,
        tradeCategories=["HVAC"],
        twilioConfig={"authToken": token,
                      "phoneNumbers": [{"phoneNumber": n} for n in numbers]},
    )


async def test_a_tenant_store_only_touches_its_own_prefix(registry, redis_async):
    company = await registry.create(profile("Atlas Air", unique_number()))
    store = registry.tenant(company.id)
    await store.knowledge.add(QnAFields(question="Do you fix furnaces?", answer="Yes."))
    await store.employees.add(EmployeeFields(name="Sam", phone=unique_number(), isOnCall=True))
    await store.contacts.add(ContactFields(name="Pat", phone=unique_number()))
    await store.save_checkpoint("CA" + "0" * 32, {"turn": 1})
    keys = [k async for k in redis_async.scan_iter(match=f"*{company.id}*")]
    assert keys and all(k.startswith(f"t:{company.id}:") for k in keys)
    with pytest.raises(ValueError):
        registry.tenant("../../g:phone")


async def test_a_number_belongs_to_one_company_at_most(registry):
    number = unique_number()
    first = await registry.create(profile("Atlas Air", number))
    with pytest.raises(Conflict, match=re.escape(number)):
        await registry.create(profile("Bayside Plumbing", number))
    assert (await registry.company_for_number(number)).id == first.id


async def test_concurrent_claims_for_one_number_have_one_winner(registry):
    number = unique_number()
    results = await asyncio.gather(
        *(registry.create(profile(f"Company {i}", number)) for i in range(8)),
        return_exceptions=True,
    )
    winners = [r for r in results if not isinstance(r, Exception)]
    assert len(winners) == 1
    assert all(isinstance(r, Conflict) for r in results if isinstance(r, Exception))


async def test_patch_deep_merges_validates_and_moves_numbers(registry):
    old, new = unique_number(), unique_number()
    company = await registry.create(profile("Atlas Air", old))
    patched = await registry.patch(company.id, {
        "aiSettings": {"semanticKnowledge": {"confidenceThreshold": 0.8}},
        "twilioConfig": {"phoneNumbers": [{"phoneNumber": new, "isPrimary": True}]},
    })
    assert patched.aiSettings.semanticKnowledge.confidenceThreshold == 0.8
    assert patched.aiSettings.personality == company.aiSettings.personality
    assert patched.twilioConfig.authToken == "tw-auth-token-abcdef123456"
    assert await registry.company_for_number(old) is None
    assert (await registry.company_for_number(new)).id == company.id


async def test_a_bad_patch_changes_nothing(registry):
    company = await registry.create(profile("Atlas Air", unique_number()))
    before = await registry.get(company.id)
    with pytest.raises(InvalidDocument) as exc:
        await registry.patch(company.id, {"timezone": "Nowhere/Special", "companyName": "X"})
    assert exc.value.details[0]["field"] == "timezone"
    with pytest.raises(InvalidDocument):
        await registry.patch(company.id, {"_id": "0" * 24})
    assert await registry.get(company.id) == before


async def test_masked_secrets_sent_back_keep_the_real_value(registry):
    company = await registry.create(profile("Atlas Air"))
    masked = mask_secret(company.twilioConfig.authToken)
    patched = await registry.patch(company.id, {"twilioConfig": {"authToken": masked}})
    assert patched.twilioConfig.authToken == "tw-auth-token-abcdef123456"


async def test_deactivation_releases_routing_but_keeps_data(registry):
    number = unique_number()
    company = await registry.create(profile("Atlas Air", number))
    await registry.deactivate(company.id)
    with pytest.raises(NotFound):
        await registry.get(company.id)
    assert (await registry.get(company.id, include_inactive=True)).companyName == "Atlas Air"
    assert await registry.company_for_number(number) is None
    other = await registry.create(profile("Bayside Plumbing", number))
    assert (await registry.company_for_number(number)).id == other.id


async def test_secrets_are_sealed_in_redis_and_need_the_key(registry, redis_async):
    company = await registry.create(profile("Atlas Air", token="super-secret-token-value-42"))
    raw = await redis_async.get(registry.tenant(company.id).key("company"))
    assert "super-secret-token-value-42" not in raw
    sealed = json.loads(raw)["twilioConfig"]["authToken"]
    with pytest.raises(SecretKeyError):
        SecretBox("another-key-entirely-0123").decrypt(sealed)


async def test_contacts_are_found_by_phone_and_unique_per_company(registry):
    company = await registry.create(profile("Atlas Air"))
    contacts = registry.tenant(company.id).contacts
    phone = unique_number()
    pat = await contacts.add(ContactFields(name="Pat", phone=phone))
    assert (await contacts.find_by_phone(phone)).id == pat.id
    with pytest.raises(Conflict):
        await contacts.add(ContactFields(name="Pat again", phone=phone))
    other = await registry.create(profile("Bayside Plumbing"))
    assert await registry.tenant(other.id).contacts.find_by_phone(phone) is None
    await contacts.delete(pat.id)
    assert await contacts.find_by_phone(phone) is None


async def test_a_call_is_counted_on_the_callers_contact_or_makes_one(registry):
    company = await registry.create(profile("Counting Air"))
    contacts = registry.tenant(company.id).contacts
    known, new = unique_number(), unique_number()
    pat = await contacts.add(ContactFields(name="Pat", phone=known, notes="gate code 12",
                                           callCount=2))
    first, second = datetime(2026, 1, 5, 9, tzinfo=UTC), datetime(2026, 1, 6, 9, tzinfo=UTC)
    await contacts.count_call(known, first)
    counted = await contacts.count_call(known, second)
    stored = await contacts.get(pat.id)
    assert stored == counted and stored.id == pat.id
    assert (stored.callCount, stored.lastCallAt) == (4, second)
    assert (stored.name, stored.notes, stored.createdAt) == ("Pat", "gate code 12", pat.createdAt)
    assert stored.updatedAt > pat.updatedAt

    made = await contacts.count_call(new, first)
    assert (await contacts.find_by_phone(new)) == made
    assert (made.callCount, made.lastCallAt, made.name) == (1, first, "")


async def test_two_first_calls_at_once_make_one_contact_counted_twice(registry):
    company = await registry.create(profile("Twin Air"))
    contacts = registry.tenant(company.id).contacts
    phone, at = unique_number(), datetime(2026, 1, 5, 9, tzinfo=UTC)
    await asyncio.gather(contacts.count_call(phone, at), contacts.count_call(phone, at))
    (contact,) = await contacts.list()
    assert (contact.phone, contact.callCount) == (phone, 2)
    assert await contacts.find_by_phone(phone) == contact


async def test_a_known_company_is_parsed_again_only_once_its_stored_text_changed(
        registry, redis_async):
    company = await registry.create(profile("Atlas Air"))
    store = registry.tenant(company.id)
    known = await store.company_since(None)
    assert known is not None and known.company == company
    assert await store.company_since(known) is known  # unedited: not decrypted again

    await registry.patch(company.id, {"companyName": "Atlas Air & Heat"})
    edited = await store.company_since(known)
    assert edited is not None and edited is not known
    assert edited.company.companyName == "Atlas Air & Heat"
    assert edited.company == await store.load_company()

    await redis_async.delete(store.key("company"))
    assert await store.company_since(edited) is None


async def test_the_switchers_names_are_the_listed_companies_in_one_read(registry, redis_async):
    """`names` reads every company in one round trip and parses no secrets: the same
    companies, in the same order, as `list`; a corrupt document is left out of both."""
    created = [await registry.create(profile(f"Switch Air {i}")) for i in range(3)]
    broken = await registry.create(profile("Broken Air"))
    await redis_async.set(registry.tenant(broken.id).key("company"), "{not json")
    sealed_elsewhere = await CompanyRegistry(redis_async, SecretBox("x" * 32)).create(
        profile("Foreign Air"))  # named (its name is no secret), not listed (not unsealed)
    commands: list[str] = []
    execute = redis_async.execute_command

    async def counted(*args, **options):
        commands.append(str(args[0]))
        return await execute(*args, **options)

    redis_async.execute_command = counted
    try:
        names = await registry.names()
    finally:
        del redis_async.execute_command
    assert commands == ["SMEMBERS"]  # the documents come in one pipeline, not a GET each
    ours = {company.id for company in created} | {broken.id}  # the test Redis is shared
    listed = [(c.id, c.companyName) for c in await registry.list() if c.id in ours]
    assert [named for named in names if named[0] in ours] == listed
    assert listed == sorted((c.id, c.companyName) for c in created)
    assert (sealed_elsewhere.id, "Foreign Air") in names
