"""Admin listeners (HAProxy stats and metrics, the Ray dashboard) stay off the network."""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml

from runtime.haproxy_listeners import haproxy_listener_environment

ROOT = Path(__file__).resolve().parent.parent
SERVE_HAPROXY_CONFIG = """\
frontend prometheus
    bind :9101
    mode http
frontend http_frontend
    bind *:8000
listen stats
  bind *:8404
  stats enable
"""


def test_the_wrapper_moves_stats_and_metrics_to_loopback_and_keeps_the_arguments(
    tmp_path: Path,
) -> None:
    env = haproxy_listener_environment("127.0.0.1", 8404, 9101)
    config = tmp_path / "haproxy.cfg"
    config.write_text(SERVE_HAPROXY_CONFIG)
    env["CLIENTSVIA_HAPROXY_BINARY"] = "/bin/echo"  # stands in for HAProxy: prints its args
    ran = subprocess.run([env["RAY_SERVE_HAPROXY_BINARY_PATH"], "-db", "-f", str(config)],
                         env=env, capture_output=True, text=True, check=True)
    assert ran.stdout.split() == ["-db", "-f", str(config)]
    binds = [line.split()[1] for line in config.read_text().splitlines() if "bind" in line]
    assert binds == ["127.0.0.1:9101", "*:8000", "127.0.0.1:8404"]  # requests: untouched


def test_all_interfaces_is_serves_own_binding() -> None:
    env = haproxy_listener_environment("0.0.0.0", 18404, 19101)
    assert env == {"RAY_SERVE_HAPROXY_STATS_PORT": "18404",
                   "RAY_SERVE_HAPROXY_METRICS_PORT": "19101"}


def test_cluster_nodes_keep_the_dashboard_and_haproxy_admin_on_loopback() -> None:
    config = yaml.safe_load((ROOT / "cluster.yaml").read_text())
    starts = [command for command in (*config["head_start_ray_commands"],
                                      *config["worker_start_ray_commands"])
              if "ray start" in command]
    assert len(starts) == 2
    for command in starts:
        assert 'eval "$(.venv/bin/python -m runtime.haproxy_listeners 127.0.0.1)"' in command
        assert "0.0.0.0" not in command
    assert "--dashboard-host=127.0.0.1" in starts[0]
