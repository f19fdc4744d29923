"""A company's call history and analytics, read from Parquet through `CallLogRepository`.

Query parameters pass straight to the repository's validated filters (never into SQL
text); the DuckDB/Polars work runs on the replica's analytics threads
(`runtime.serve.analytics_pool`) so the event loop keeps answering calls.
"""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

from fastapi import APIRouter, Path, Query, Request

from analytics.errors import InvalidQuery
from runtime.serve.auth import CompanyGuard
from runtime.serve.errors import ApiError
from runtime.serve.services import Services
from runtime.serve.views import services_of

router = APIRouter(tags=["call logs and analytics"])

JsonObject = dict[str, Any]
DateFrom = Query(default=None, alias="from", max_length=32,
                 description="YYYY-MM-DD, inclusive, a day in the company's timezone")
DateTo = Query(default=None, alias="to", max_length=32,
               description="YYYY-MM-DD, inclusive, a day in the company's timezone")
Engine = Query(default="duckdb", max_length=16, description="duckdb or polars")


async def call_log_query(
    services: Services, company_id: str, method: str, *args: Any, local_days: bool = True
) -> Any:
    """Run a repository method for the company (the API and the console both read here);
    with `local_days`, dates are the company's own days (its timezone), not UTC's."""
    company = await services.registry.get(company_id)
    query = partial(getattr(services.call_logs, method), company_id, *args)
    if local_days:
        query = partial(query, timezone=company.timezone)
    try:  # on the replica's few, niced analytics threads: a dashboard burst queues there
        return await asyncio.get_running_loop().run_in_executor(services.analytics_pool, query)
    except InvalidQuery as exc:
        raise ApiError(400, "INVALID_QUERY", str(exc)) from exc


async def query_call_logs(
    request: Request, access: CompanyGuard, method: str, *args: Any, local_days: bool = True
) -> Any:
    return await call_log_query(services_of(request), access.company_id, method, *args,
                                local_days=local_days)


@router.get("/api/company/{company_id}/call-logs", summary="A page of calls, newest first")
async def list_call_logs(
    request: Request,
    access: CompanyGuard,
    date_from: str | None = DateFrom,
    date_to: str | None = DateTo,
    outcome: str | None = Query(default=None, max_length=32),
    caller_number: str | None = Query(default=None, alias="callerNumber", max_length=32),
    page: str | None = Query(default=None, max_length=8),
    page_size: str | None = Query(default=None, alias="pageSize", max_length=8),
) -> JsonObject:
    filters = {"dateFrom": date_from, "dateTo": date_to, "outcome": outcome,
               "callerNumber": caller_number, "page": page, "pageSize": page_size}
    query = {name: value for name, value in filters.items() if value is not None}
    result: JsonObject = await query_call_logs(request, access, "list_calls", query)
    return result


@router.get("/api/company/{company_id}/call-logs/{call_sid}", summary="One call and its transcript")
async def get_call_log(
    request: Request,
    access: CompanyGuard,
    call_sid: str = Path(max_length=64),
    day: str | None = Query(default=None, alias="date", max_length=32,
                            description="YYYY-MM-DD the call started (as the call list "
                                        "shows it): only that day's logs are read"),
) -> JsonObject:
    call = await query_call_logs(request, access, "get_call", call_sid, day, local_days=False)
    if call is None:
        raise ApiError(404, "NOT_FOUND", f"call {call_sid} not found")
    result: JsonObject = call
    return result


def _report_route(method: str):  # noqa: ANN202 - route factory
    async def report(
        request: Request, access: CompanyGuard, date_from: str | None = DateFrom,
        date_to: str | None = DateTo, engine: str = Engine,
    ) -> JsonObject:
        result: JsonObject = await query_call_logs(request, access, method, date_from,
                                                   date_to, engine)
        return result

    return report


# Dashboards over a date range: the repository method, its path and what it answers.
_REPORTS = (
    ("analytics", "/api/company/{company_id}/analytics", "Volume, outcomes, containment"),
    ("agent_performance", "/api/company/{company_id}/agent-performance",
     "Tiers, confidence, latency"),
)  # the learning report, with its suggestions, is in `suggestions.py`
for _method, _path, _summary in _REPORTS:
    router.get(_path, summary=_summary, name=_method)(_report_route(_method))
