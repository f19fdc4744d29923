"""The routes every call takes, answered without FastAPI's middleware and route walk.

A turn costs the Serve replica ~2.75 HTTP requests (the turn webhook, a `<Play>` download,
shares of the incoming webhook, its greeting and the status callback). py-spy on the
replica showed FastAPI/Starlette's layers between Serve and the handler (error, telemetry
and body-limit middleware, exit stacks, matching the path against every route of the app,
dependency solving) at about a fifth of its CPU. `LeanApi` is the FastAPI app with a
shortcut: a request for one of the `lean` routes, in the plain shape those routes take
(the route's method, string path parameters within their `max_length`, a body with a
`Content-Length` within the app's limit, no root path), goes straight to the route's own
handler, which does every check it always does (signature, account, tenancy); its errors
become responses through the app's own exception handlers. Everything else, including
the odd shapes of those paths (too long, chunked, wrong method), takes the full stack,
so what a client sees never differs. The routes stay declared on the app: the OpenAPI
schema, the route table and the signature and cross-tenant suites see them as before.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.routing import APIRoute
from starlette.types import Receive, Scope, Send

Handler = Callable[..., Awaitable[Response]]


class NotLean(ValueError):
    """A route has inputs the shortcut would skip (a body model, a dependency, a query)."""


@dataclass(frozen=True)
class LeanRoute:
    method: str
    path: re.Pattern[str]
    max_lengths: dict[str, int]  # each path parameter's max_length
    handler: Handler

    @classmethod
    def of(cls, route: APIRoute) -> LeanRoute:
        """The shortcut for `route`; NotLean unless its only inputs are the Request and
        string path parameters with a max_length."""
        needs, methods = route.dependant, sorted(route.methods or ())
        if (needs.dependencies or needs.query_params or needs.header_params
                or needs.cookie_params or needs.body_params or not needs.request_param_name
                or len(methods) != 1):
            raise NotLean(f"{route.path} takes more than a request and its path")
        lengths = {}
        for param in needs.path_params:
            limit = [m.max_length for m in param.field_info.metadata if hasattr(m, "max_length")]
            if param.field_info.annotation is not str or not limit:
                raise NotLean(f"{route.path}: {param.name} is not a bounded string")
            lengths[param.name] = limit[0]
        return cls(methods[0], route.path_regex, lengths, route.endpoint)

    def arguments(self, scope: Scope) -> dict[str, str] | None:
        """The handler's path arguments when `scope` is this route in its plain shape."""
        if scope["method"] != self.method:
            return None
        match = self.path.match(scope["path"])
        if match is None:
            return None
        found = match.groupdict()
        if any(len(value) > self.max_lengths[name] for name, value in found.items()):
            return None
        return found


class LeanApi(FastAPI):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lean: list[LeanRoute] = []

    def answer_lean(self, routes: Iterable[Any]) -> None:
        """Answer these routes (already included in this app, in its route order) lean."""
        self._lean.extend(LeanRoute.of(route) for route in routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = self._lean_route(scope) if scope["type"] == "http" else None
        if found is None:
            await super().__call__(scope, receive, send)
            return
        route, arguments = found
        scope["app"] = self
        request = Request(scope, receive, send)
        try:
            response = await route.handler(request, **arguments)
        except Exception as exc:
            response = await self._error_response(request, exc)
        await response(scope, receive, send)

    def _lean_route(self, scope: Scope) -> tuple[LeanRoute, dict[str, str]] | None:
        if scope.get("root_path") or not self._body_within_limit(scope):
            return None
        for route in self._lean:
            arguments = route.arguments(scope)
            if arguments is not None:
                return route, arguments
        return None

    def _body_within_limit(self, scope: Scope) -> bool:
        if scope["method"] in ("GET", "HEAD"):
            return True
        for name, value in scope["headers"]:
            if name == b"content-length":
                return value.isdigit() and (self.max_body_size is None
                                            or int(value) <= self.max_body_size)
        return False  # chunked: the full stack counts the bytes

    async def _error_response(self, request: Request, exc: Exception) -> Response:
        """What the full stack answers for `exc`: the app's handler for its class."""
        for cls in type(exc).__mro__:
            handler = self.exception_handlers.get(cls)
            if handler is not None:
                response = handler(request, exc)
                return await response if inspect.isawaitable(response) else response
        raise exc
