"""`deploy_app` returns only once the app answers `/health` through the ingress."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest

from runtime.node import ray_environment, serve_environment, start_ray, wait_until_serving


class _Ingress(BaseHTTPRequestHandler):
    """404 (Serve's fallback proxy before HAProxy knows the replica) for the first GETs."""

    not_found_left = 3

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        cls = type(self)
        status = 404 if cls.not_found_left > 0 else 200
        cls.not_found_left -= 1
        self.send_response(status)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def ingress() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Ingress)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()


def test_waits_through_404s_until_health_answers(ingress: ThreadingHTTPServer) -> None:
    _Ingress.not_found_left = 3
    settings = SimpleNamespace(http_host="0.0.0.0", http_port=ingress.server_address[1])
    wait_until_serving(settings, timeout_s=10)
    assert _Ingress.not_found_left < 0  # it kept asking until the 200


def test_gives_up_with_a_clear_error(ingress: ThreadingHTTPServer) -> None:
    _Ingress.not_found_left = 10_000
    settings = SimpleNamespace(http_host="127.0.0.1", http_port=ingress.server_address[1])
    with pytest.raises(TimeoutError, match="/health"):
        wait_until_serving(settings, timeout_s=0.5)


def test_the_proxy_ingress_turns_haproxy_and_direct_ingress_off() -> None:
    proxy, haproxy = serve_environment("proxy"), serve_environment("haproxy", drain_s=2)
    assert proxy["RAY_SERVE_ENABLE_HA_PROXY"] == proxy["RAY_SERVE_ENABLE_DIRECT_INGRESS"] == "0"
    assert haproxy["RAY_SERVE_ENABLE_HA_PROXY"] == haproxy["RAY_SERVE_ENABLE_DIRECT_INGRESS"] == "1"
    assert haproxy["RAY_SERVE_DIRECT_INGRESS_MIN_DRAINING_PERIOD_S"] == "2"


def test_serves_per_request_metrics_only_when_asked() -> None:
    assert serve_environment("haproxy")["RAY_SERVE_HAPROXY_METRICS_ENABLED"] == "0"
    asked = serve_environment("haproxy", request_metrics=True)
    assert asked["RAY_SERVE_HAPROXY_METRICS_ENABLED"] == "1"


def test_start_ray_quiets_ray_unless_the_operator_set_a_flag(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import ray

    environment = {name: value for name, value in os.environ.items()
                   if name not in ray_environment()}
    environment["RAY_event_stats"] = "1"  # debugging Ray's event loops
    monkeypatch.setattr(os, "environ", environment)  # what start_ray sets stays in the test
    started: dict[str, str] = {}
    monkeypatch.setattr(ray, "init", lambda **_: started.update(os.environ))
    settings = SimpleNamespace(serve_ingress="proxy", serve_drain_s=5.0,
                               serve_request_metrics=False, secret_environment=dict)
    start_ray(settings)
    assert started["RAY_event_stats"] == "1"
    for name, value in ray_environment().items():
        if name != "RAY_event_stats":
            assert started[name] == value, name
