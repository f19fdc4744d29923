"""Routes anyone may call: health, catalogs, the AI model list, and the disabled aggregates."""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from analytics.stream_retention import StreamRetention
from runtime.serve.views import services_of
from tenancy.catalog.booking_templates import booking_templates_public
from tenancy.catalog.trades import trade_categories_public
from tenancy.models import AI_MODELS, ELEVENLABS_MODELS

router = APIRouter(tags=["public"])


@router.get("/health", summary="Liveness plus the state of Redis, Ray and the call-log sink")
async def health(request: Request) -> JSONResponse:
    """503 when Redis or Ray is down. A lagging call-log sink is reported in `callEvents`
    (`lagging: true`) without failing the check: calls are still answered meanwhile."""
    services = services_of(request)
    started = time.perf_counter()
    try:
        redis_ok = bool(await services.redis.ping())
    except Exception:  # noqa: BLE001 - health reports, it does not raise
        redis_ok = False
    redis_ms = round((time.perf_counter() - started) * 1000, 2)
    ray_state = _ray_state()
    healthy = redis_ok and ray_state["initialized"]
    body = {
        "status": "ok" if healthy else "degraded",
        "redis": {"ok": redis_ok, "latencyMs": redis_ms},
        "ray": ray_state,
        "callEvents": await _call_event_backlog(services) if redis_ok else None,
    }
    return JSONResponse(body, status_code=200 if healthy else 503)


async def _call_event_backlog(services: Any) -> dict[str, Any] | None:
    settings = services.settings
    retention = StreamRetention(
        services.redis,
        lag_alarm_entries=settings.call_events_lag_alarm_entries,
        lag_alarm_s=settings.call_events_lag_alarm_s,
    )
    try:
        return (await retention.backlog()).as_dict()
    except Exception:  # noqa: BLE001 - health reports, it does not raise
        return None


def _ray_state() -> dict[str, Any]:
    import ray

    if not ray.is_initialized():
        return {"initialized": False}
    context = ray.get_runtime_context()
    return {"initialized": True, "nodeId": context.get_node_id(), "namespace": context.namespace}


@router.get("/api/ai/models", summary="LLM and voice models an agent can use")
@router.post("/api/ai/models", summary="LLM and voice models an agent can use")
async def ai_models() -> dict[str, Any]:
    return {
        "llm": [{"id": model, "provider": "google", "default": i == 0}
                for i, model in enumerate(AI_MODELS)],
        "tts": [{"id": model, "provider": "elevenlabs", "default": i == 0}
                for i, model in enumerate(ELEVENLABS_MODELS)],
    }


@router.get("/api/trade-categories", summary="Shipped trade catalog: Q&A, services, emergencies")
async def trade_categories() -> list[dict[str, Any]]:
    return trade_categories_public()


@router.get("/api/booking-scripts/templates", summary="Shipped booking-script templates")
async def booking_script_templates() -> list[dict[str, Any]]:
    return booking_templates_public()


_DISABLED = {
    "/api/companies": "GET /api/admin/companies with a platform admin token",
    "/api/alerts": "GET /api/company/{companyId}/... routes with that company's token",
    "/api/suggestions": "GET /api/learning/analytics/{companyId} with that company's token",
}


def _disabled(remediation: str):  # noqa: ANN202 - route factory
    async def endpoint() -> JSONResponse:
        return JSONResponse(
            {
                "message": "This aggregate endpoint would expose data across companies.",
                "error": "ENDPOINT_DISABLED_FOR_SECURITY",
                "remediation": f"Use {remediation}.",
            },
            status_code=403,
        )

    return endpoint


for _path, _remedy in _DISABLED.items():
    router.get(_path, summary="Disabled: crosses tenants", status_code=403)(_disabled(_remedy))
