"""The webhook path's company cache: fresh enough, and never a company that does not exist."""

import pytest

from runtime.serve.company_cache import CompanyCache
from tenancy.models import CompanyProfile
from tenancy.registry import CompanyRegistry
from tenancy.secrets import SecretBox
from tenancy.store import TenantStore


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def registry(redis_async):
    return CompanyRegistry(redis_async, SecretBox("cache-test-secret-key-0123"))


async def test_edits_are_seen_once_the_entry_is_older_than_its_ttl(registry):
    company = await registry.create(CompanyProfile(companyName="Atlas Air"))
    clock = Clock()
    cache = CompanyCache(registry, ttl_s=2.0, clock=clock)
    assert (await cache.get(company.id)).companyName == "Atlas Air"
    await registry.patch(company.id, {"companyName": "Atlas Air & Heat"})
    clock.now += 1.0
    assert (await cache.get(company.id)).companyName == "Atlas Air"
    clock.now += 1.5
    assert (await cache.get(company.id)).companyName == "Atlas Air & Heat"


async def test_an_unedited_company_is_read_again_but_not_parsed_again(registry, monkeypatch):
    company = await registry.create(CompanyProfile(companyName="Atlas Air"))
    parsed = []
    load_sealed = TenantStore.load_sealed
    monkeypatch.setattr(TenantStore, "load_sealed",
                        lambda store, raw: parsed.append(raw) or load_sealed(store, raw))
    clock = Clock()
    cache = CompanyCache(registry, ttl_s=2.0, clock=clock)
    first = await cache.get(company.id)
    clock.now += 2.5
    assert await cache.get(company.id) is first and len(parsed) == 1
    await registry.deactivate(company.id)  # (which reads it too)
    read_by_the_edit, clock.now = len(parsed), clock.now + 2.5
    assert (await cache.get(company.id)).isActive is False
    assert len(parsed) == read_by_the_edit + 1


async def test_unknown_and_malformed_ids_are_none(registry):
    cache = CompanyCache(registry)
    assert await cache.get("f" * 24) is None
    assert await cache.get("../../g:phone") is None


async def test_a_deactivated_company_is_returned_as_inactive(registry):
    company = await registry.create(CompanyProfile(companyName="Atlas Air"))
    await registry.deactivate(company.id)
    assert (await CompanyCache(registry).get(company.id)).isActive is False
