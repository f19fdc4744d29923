"""Starting one node of the platform: Ray with the chosen Serve ingress, then the app.

Ray Serve reads its performance flags from the environment of every Ray process, so
they are set here, before `ray.init` starts the node (a cluster started with `ray start`
takes them from that command's environment: see cluster.yaml). Two ingress layouts:

- "haproxy": Serve's HAProxy ingress. A C load balancer on the HTTP port forwards each
  request straight to the API replica's own HTTP server (Serve "direct ingress"); the
  Python proxy actor is off the request path. Measured on the same code: the turn
  webhook's p50 falls from 24.9 to 15.3 ms and the node's CPU per turn from 72 to 35 ms
  (docs/benchmarks.md). A stopping replica keeps serving for `drain_s` while
  HAProxy is reconfigured (Serve's default, 30 s, is meant for cloud load balancers that
  target replicas; here HAProxy is the only one). The tests use "proxy": they delete apps
  often and the drain would slow every one.
- "proxy": Serve's default Python HTTP proxy actor in front of the replicas.

Both run Serve "throughput optimized" (user code and request routing on the replica's
event loop, buffered request logs, GC frozen after start-up), with the controller's loop
and the replicas' metric export at a calmer pace than Serve's 100 ms defaults: both run
whether or not a call comes in, and nothing here needs sub-second autoscaling. With
HAProxy, Serve's per-request metrics are off unless asked for (`serve_request_metrics`):
HAProxy would log every request to Serve's HAProxy manager, which parses each line in
Python (py-spy: nine tenths of that actor's work under load), while HAProxy's own
Prometheus exporter already counts requests and response times.

Ray's own background work is turned down to what the platform uses (`ray_environment`,
also exported by every `ray start` in cluster.yaml). It runs whether or not a call comes
in (an idle node used ~93 ms of CPU per second), and under load it takes CPU from the
calls. Measured on idle nodes started side by side (docs/benchmarks.md), these settings
save ~15 ms per second per node (-16 %):

- No per-handler timing of Ray's C++ event loops (`RAY_event_stats=0`): lost are the
  event-loop tables in each process's `debug_state.txt` and the `ray_operation_*` metrics.
- The log monitor looks for new log files every 5 s instead of every 0.1 s
  (`RAY_LOG_MONITOR_MANY_FILES_THRESHOLD=0`, `LOG_NAME_UPDATE_INTERVAL_S=5`): it only
  forwards worker output to drivers, which here run with `log_to_driver=False`.
- The dashboard agent samples node and worker stats (CPU, memory of every Ray process:
  the `ray_node_*` / `ray_component_*` metrics and the dashboard's node view) every 15 s,
  a usual Prometheus scrape interval, instead of every 5 s (`REPORTER_UPDATE_INTERVAL_MS`).

None of them touches failure detection: a dead actor is still seen when its process exits
and a dead node after Ray's default health checks (`health_check_*`, untouched). Ray's
metrics export (our `clientsvia_call_event_backlog` gauges, Serve's metrics) is untouched.
A variable already set in the environment wins (e.g. `RAY_event_stats=1` to read the
event-loop tables while debugging Ray).
"""

from __future__ import annotations

import os
import time
from typing import Any, Literal

from runtime.haproxy_edge import haproxy_environment

ServeIngress = Literal["proxy", "haproxy"]


def serve_environment(ingress: ServeIngress, drain_s: float = 5.0,
                      request_metrics: bool = False) -> dict[str, str]:
    """The Ray Serve flags for `ingress`, as environment variables."""
    haproxy = "1" if ingress == "haproxy" else "0"
    return {
        "RAY_SERVE_HAPROXY_METRICS_ENABLED": "1" if request_metrics else "0",
        "RAY_SERVE_THROUGHPUT_OPTIMIZED": "1",
        "RAY_SERVE_ENABLE_HA_PROXY": haproxy,
        "RAY_SERVE_ENABLE_DIRECT_INGRESS": haproxy,
        "RAY_SERVE_DIRECT_INGRESS_MIN_DRAINING_PERIOD_S": f"{drain_s:g}",
        "RAY_SERVE_CONTROL_LOOP_INTERVAL_S": "0.5",
        "RAY_SERVE_METRICS_EXPORT_INTERVAL_MS": "1000",
    }


def ray_environment() -> dict[str, str]:
    """Ray's background settings for this platform (see the module docstring), as
    environment variables: every Ray process reads them when it starts."""
    return {
        "RAY_event_stats": "0",
        "RAY_LOG_MONITOR_MANY_FILES_THRESHOLD": "0",
        "LOG_NAME_UPDATE_INTERVAL_S": "5",
        "REPORTER_UPDATE_INTERVAL_MS": "15000",
    }


def start_ray(settings: Any, **ray_init: Any) -> None:
    """Start Ray on this machine with the Serve flags of `settings.serve_ingress`.

    `settings` is a `runtime.settings.Settings`; `ray_init` adds `ray.init` options (e.g.
    `object_store_memory`). With HAProxy, its stats and metrics listeners go on
    `settings.haproxy_admin_host` and it keeps served `<Play>` files (`runtime.haproxy_edge`).
    """
    import ray

    os.environ.update(serve_environment(settings.serve_ingress, settings.serve_drain_s,
                                       settings.serve_request_metrics))
    for name, value in ray_environment().items():
        os.environ.setdefault(name, value)  # an operator's own setting wins
    os.environ.update(settings.secret_environment())  # inherited by every Ray process here
    if settings.serve_ingress == "haproxy":
        os.environ.update(haproxy_environment(
            settings.haproxy_admin_host, settings.haproxy_stats_port,
            settings.haproxy_metrics_port, settings.audio_edge_cache_mb,
        ))
    ray.init(include_dashboard=False, configure_logging=False, log_to_driver=False,
             **ray_init)


def deploy_app(settings: Any, ready_timeout_s: float = 60.0) -> None:
    """Start Serve on the settings' HTTP address, run the app there, and return once the
    app answers `/health` on that port.

    `serve.run` returns when the replicas are up, but HAProxy learns their ports a moment
    later; until then it hands requests to Serve's fallback proxy, which answers 404 (seen
    as a failed first request of a benchmark).
    """
    from ray import serve

    from runtime.serve.app import build_app

    serve.start(http_options={"host": settings.http_host, "port": settings.http_port})
    serve.run(build_app(settings.for_deployment()), name="clientsvia", route_prefix="/")
    wait_until_serving(settings, ready_timeout_s)


def wait_until_serving(settings: Any, timeout_s: float) -> None:
    """Poll `/health` on the HTTP port until it answers 200; TimeoutError after `timeout_s`."""
    import httpx

    host = "127.0.0.1" if settings.http_host in ("0.0.0.0", "::") else settings.http_host
    url = f"http://{host}:{settings.http_port}/health"
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if httpx.get(url, timeout=2.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"the app did not answer {url} within {timeout_s:g} s")
        time.sleep(0.2)


def stop_node() -> None:
    """Stop Serve (replicas drain first) and Ray, if this process started them."""
    import ray
    from ray import serve

    if ray.is_initialized():
        serve.shutdown()
        ray.shutdown()
