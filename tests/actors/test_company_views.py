"""A call actor's company views: parsed once, and again the moment the stored data changes."""

from __future__ import annotations

import redis.asyncio as aioredis

from runtime.actors.company_views import CompanyViews
from runtime.providers.embedding_doubles import HashedWordsEmbedder
from tenancy.models import CompanyProfile, EmployeeFields, QnAFields
from tenancy.registry import CompanyRegistry
from tenancy.secrets import SecretBox
from tests.serve_fixtures import SECRET_KEY, unique_number


async def seeded(redis: aioredis.Redis) -> tuple[CompanyRegistry, str]:
    registry = CompanyRegistry(redis, SecretBox(SECRET_KEY))
    company = await registry.create(CompanyProfile.model_validate({
        "companyName": "Views Heating", "companyPhone": unique_number(),
        "tradeCategories": ["HVAC"],
    }))
    await registry.tenant(company.id).knowledge.add(QnAFields(
        question="Do you offer financing?", answer="Yes, with approved credit.",
        keywords=["financing"]))
    return registry, company.id


async def test_calls_of_an_unchanged_company_share_one_parsed_view(redis_async) -> None:
    registry, company_id = await seeded(redis_async)
    views = CompanyViews()
    first = await views.load(registry.tenant(company_id))
    second = await views.load(registry.tenant(company_id))
    assert first is not None and second is first and views.parsed == 1
    assert first.snapshot_document == first.snapshot.to_dict()


async def test_an_edit_of_knowledge_staff_or_company_is_seen_by_the_next_call(redis_async) -> None:
    registry, company_id = await seeded(redis_async)
    store = registry.tenant(company_id)
    views = CompanyViews()
    first = await views.load(store)

    await store.knowledge.add(QnAFields(question="Are you open Sundays?", answer="No.",
                                        keywords=["sunday"]))
    view = await views.load(store)
    assert view is not None and len(view.snapshot.knowledge) == 2
    assert first is not None and view.company is first.company  # not decrypted again

    await store.employees.add(EmployeeFields(name="Sam Rivera", phone=unique_number(),
                                             isOnCall=True))
    view = await views.load(store)
    assert view is not None and [s.name for s in view.snapshot.staff] == ["Sam Rivera"]

    await registry.patch(company_id, {"companyName": "Views Heating & Air"})
    view = await views.load(store)
    assert view is not None and view.snapshot.company_name == "Views Heating & Air"
    assert view.company.companyName == "Views Heating & Air"
    assert views.parsed == 4


async def test_a_company_gone_from_the_store_has_no_view(redis_async) -> None:
    registry, company_id = await seeded(redis_async)
    store = registry.tenant(company_id)
    views = CompanyViews()
    assert await views.load(store) is not None
    await redis_async.delete(store.key("company"))
    assert await views.load(store) is None


async def test_the_least_recently_called_company_is_forgotten_past_the_limit(
        redis_async) -> None:
    registry, first = await seeded(redis_async)
    _, second = await seeded(redis_async)
    views = CompanyViews(max_companies=1)
    await views.load(registry.tenant(first))
    await views.load(registry.tenant(second))
    await views.load(registry.tenant(first))
    assert views.parsed == 3


async def test_the_knowledge_scorer_is_shared_until_an_entry_is_edited(redis_async) -> None:
    registry, company_id = await seeded(redis_async)
    store = registry.tenant(company_id)
    views = CompanyViews(HashedWordsEmbedder())
    first = await views.load(store)
    again = await views.load(store)
    assert first is not None and first.meaning is not None and again is first
    (financing,) = first.snapshot.knowledge
    assert financing.id in first.meaning.score("financing").entries

    await store.knowledge.update(financing.id, QnAFields(
        question="Do you take credit cards?", answer="Visa and Mastercard.",
        keywords=["cards"]))
    edited = await views.load(store)
    assert edited is not None and edited.meaning is not None
    before, after = first.meaning.score("credit cards"), edited.meaning.score("credit cards")
    assert after.entries[financing.id] > before.entries[financing.id]

    sundays = await store.knowledge.add(QnAFields(question="Are you open Sundays?",
                                                  answer="No.", keywords=["sunday"]))
    added = await views.load(store)
    assert added is not None and added.meaning is not None
    assert sundays.id in added.meaning.score("sunday").entries


async def test_what_the_policy_reads_off_a_company_is_shared_until_it_changes(
        redis_async) -> None:
    registry, company_id = await seeded(redis_async)
    store = registry.tenant(company_id)
    views = CompanyViews()
    first, again = await views.load(store), await views.load(store)
    assert first is not None and first.reading is not None and again is first
    best = first.reading.company_index.best("do you offer financing")
    assert best is not None and best.entry.question == "Do you offer financing?"
    assert first.reading.vocabulary.knows("financing")

    await store.knowledge.add(QnAFields(question="Are you open Sundays?", answer="No.",
                                        keywords=["sunday"]))
    added = await views.load(store)
    assert added is not None and added.reading is not None
    assert added.reading is not first.reading and len(added.reading.company_index) == 2
    assert added.reading.vocabulary.knows("sundays")


async def test_a_calls_end_reads_the_company_as_stored_now_parsing_it_only_once_changed(
        redis_async) -> None:
    """What a call's end reads (its post-call text settings) is never the view's stale copy."""
    registry, company_id = await seeded(redis_async)
    store = registry.tenant(company_id)
    views = CompanyViews()
    view = await views.load(store)
    assert view is not None and not view.company.postCallTexts.enabled
    assert await views.company(store) is view.company  # unchanged: not decrypted again

    await registry.patch(company_id, {"postCallTexts": {"enabled": True, "missedCall": True}})
    now = await views.company(store)
    assert now is not None and now is not view.company
    assert now.postCallTexts.enabled and now == await store.load_company()

    await redis_async.delete(store.key("company"))
    assert await views.company(store) is None
