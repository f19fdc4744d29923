"""The Serve application: one FastAPI ingress deployment for Twilio and the admin API.

`create_api()` builds the plain FastAPI app (also usable without Ray, e.g. for the
benchmark floor); `ApiGateway` serves it on Ray Serve; `build_app(args)` is the
application builder `serve run` / `serve deploy` import.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from ray import serve
from ray.serve import Application

from runtime.actors.log_sink import ensure_log_sink
from runtime.actors.notifier import ensure_notifier
from runtime.actors.pool import ensure_pool
from runtime.serve.console import install_console
from runtime.serve.errors import DEFAULT_MAX_BODY_BYTES, install_error_handlers
from runtime.serve.lean_routes import LeanApi
from runtime.serve.routers import (
    auth_routes,
    bookings,
    calendar_integration,
    call_logs,
    company,
    inbox,
    knowledge,
    platform,
    public,
    records,
    sms,
    suggestions,
    twilio_messaging,
    twilio_voice,
    users,
    voice,
)
from runtime.serve.services import Services
from runtime.settings import Settings

API_DESCRIPTION = (
    "Multi-tenant AI phone agent for trade companies. Company routes need a bearer token "
    "for that company (or a platform admin); Twilio routes need a valid X-Twilio-Signature."
)


def create_api(services: Services | None = None) -> FastAPI:
    """The whole HTTP surface; `services` is attached as app state for the handlers.

    Twilio's routes come first: a call's requests are most of the traffic, and both
    Starlette and Serve (naming each request's route for its metrics) walk the route table
    in order until a route matches. The voice webhooks and the audio download are answered
    by the lean shortcut (`runtime.serve.lean_routes`)."""
    max_body = services.settings.max_body_bytes if services else DEFAULT_MAX_BODY_BYTES
    api = LeanApi(
        title="ClientsVia runtime",
        version="0.1.0",
        description=API_DESCRIPTION,
        max_body_size=max_body,
    )
    api.state.services = services
    install_error_handlers(api)
    for router in (
        twilio_voice.router,
        twilio_messaging.router,
        sms.twilio_router,
        public.router,
        auth_routes.router,
        platform.router,
        users.router,
        company.router,
        knowledge.router,
        records.knowledge_router,
        records.employees_router,
        records.contacts_router,
        bookings.router,
        calendar_integration.company_router,
        calendar_integration.callback_router,
        call_logs.router,
        inbox.router,
        suggestions.router,
        sms.company_router,
        voice.router,
    ):
        api.include_router(router)
    api.answer_lean(twilio_voice.router.routes)
    install_console(api)  # the company console at /console (runtime/serve/console)
    return api


@serve.deployment(
    name="ApiGateway",
    max_ongoing_requests=500,
    graceful_shutdown_timeout_s=5,
    ray_actor_options={"num_cpus": 0},
    # Per-request access-log formatting was a visible share of the replica's profile; the
    # call events already record every turn.
    logging_config={"enable_access_log": False, "log_level": "WARNING"},
)
@serve.ingress()
class ApiGateway:
    """A replica: builds its clients from the settings it was bound with, then its app."""

    def __init__(self, settings: dict[str, Any]) -> None:
        self._services = Services.from_settings(Settings.from_deployment(settings))
        ensure_pool(self._services.settings)  # warm call actors before the first call
        ensure_log_sink(self._services.settings)  # call events → Parquet
        ensure_notifier(self._services.settings)  # staff notifications → SMS, email

    def __serve_build_asgi_app__(self) -> FastAPI:
        return create_api(self._services)


def build_app(args: dict[str, Any] | None = None) -> Application:
    """Application builder: settings come from the environment, overridden by `args`."""
    settings = Settings(**(args or {}))
    return ApiGateway.options(  # type: ignore[attr-defined]
        num_replicas=settings.api_replicas,
        max_ongoing_requests=settings.api_max_ongoing_requests,
        ray_actor_options=replica_actor_options(settings),
    ).bind(settings.for_deployment())


def replica_actor_options(settings: Settings) -> dict[str, Any]:
    """A replica reserves no CPU (it waits on I/O) and sizes Polars' thread pool, which
    Polars reads from the environment once, at import, to the analytics thread budget."""
    threads = str(settings.analytics_threads)
    return {"num_cpus": 0, "runtime_env": {"env_vars": {"POLARS_MAX_THREADS": threads}}}
