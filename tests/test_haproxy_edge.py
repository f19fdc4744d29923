"""HAProxy as the node runs it: admin listeners (stats, metrics, the Ray dashboard) off the
network, and the audio cache's rules in Serve's generated config (checked by HAProxy)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml

from runtime.audio_http import AUDIO_PATH, CLIENT_CACHE_CONTROL, LIFETIME_HEADER
from runtime.haproxy_edge import AUDIO_CACHE, _real_binary, haproxy_environment

ROOT = Path(__file__).resolve().parent.parent
SERVE_HAPROXY_CONFIG = """\
global
    maxconn 4096
defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend prometheus
    bind :9101
    mode http
frontend http_frontend
    bind *:8000
    default_backend http-clientsvia
backend http-clientsvia
    http-reuse always
    server SERVE_REPLICA_clientsvia 127.0.0.1:30000
listen stats
  bind *:8404
  stats enable
"""


def _wrap(env: dict[str, str], config: Path) -> subprocess.CompletedProcess[str]:
    """Serve starting "HAProxy" through the wrapper, with `echo` in its place."""
    env = env | {"CLIENTSVIA_HAPROXY_BINARY": "/bin/echo"}  # prints its arguments
    return subprocess.run([env["RAY_SERVE_HAPROXY_BINARY_PATH"], "-db", "-f", str(config)],
                          env=env, capture_output=True, text=True, check=True)


def test_the_wrapper_moves_stats_and_metrics_to_loopback_and_keeps_the_arguments(
    tmp_path: Path,
) -> None:
    env = haproxy_environment("127.0.0.1", 8404, 9101, audio_cache_mb=0)
    config = tmp_path / "haproxy.cfg"
    config.write_text(SERVE_HAPROXY_CONFIG)
    assert _wrap(env, config).stdout.split() == ["-db", "-f", str(config)]
    binds = [line.split()[1] for line in config.read_text().splitlines() if "bind" in line]
    assert binds == ["127.0.0.1:9101", "*:8000", "127.0.0.1:8404"]  # requests: untouched
    assert "cache" not in config.read_text()


def test_all_interfaces_without_a_cache_is_serves_own_haproxy() -> None:
    env = haproxy_environment("0.0.0.0", 18404, 19101, audio_cache_mb=0)
    assert env == {"RAY_SERVE_HAPROXY_STATS_PORT": "18404",
                   "RAY_SERVE_HAPROXY_METRICS_PORT": "19101"}


def test_the_audio_cache_goes_into_the_app_backend_once_and_haproxy_accepts_it(
    tmp_path: Path,
) -> None:
    env = haproxy_environment("0.0.0.0", 8404, 9101, audio_cache_mb=8)
    assert "CLIENTSVIA_HAPROXY_ADMIN_HOST" not in env  # every interface: binds untouched
    config = tmp_path / "haproxy.cfg"
    config.write_text(SERVE_HAPROXY_CONFIG)
    _wrap(env, config)
    _wrap(env, config)  # started again on the same file (no new config from Serve)
    lines = config.read_text().splitlines()
    backend = lines.index("backend http-clientsvia")
    rules = lines[backend + 1:lines.index("    http-reuse always")]
    assert rules[0] == f"    acl {AUDIO_CACHE} path_beg {AUDIO_PATH}"
    assert [rule.split()[0] for rule in rules].count("http-response") == 2
    assert any(f"res.hdr_val({LIFETIME_HEADER}) gt 0" in rule for rule in rules)
    assert any(f'set-header Cache-Control "{CLIENT_CACHE_CONTROL}"' in rule for rule in rules)
    assert lines.count(f"cache {AUDIO_CACHE}") == 1
    cache = lines[lines.index(f"cache {AUDIO_CACHE}"):]
    assert cache[1:] == ["    total-max-size 8", "    max-object-size 1048576",
                         "    max-age 300"]
    assert "bind *:8404" in config.read_text()
    checked = subprocess.run([_real_binary(), "-c", "-f", str(config)],
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_cluster_nodes_keep_the_dashboard_and_haproxy_admin_on_loopback() -> None:
    config = yaml.safe_load((ROOT / "cluster.yaml").read_text())
    starts = [command for command in (*config["head_start_ray_commands"],
                                      *config["worker_start_ray_commands"])
              if "ray start" in command]
    assert len(starts) == 2
    for command in starts:
        assert 'eval "$(.venv/bin/python -m runtime.haproxy_edge 127.0.0.1)"' in command
        assert "0.0.0.0" not in command
    assert "--dashboard-host=127.0.0.1" in starts[0]


def test_the_cached_path_is_the_audio_routes() -> None:
    from runtime.serve.routers.twilio_voice import call_audio, router

    audio = [route.path for route in router.routes if route.endpoint is call_audio]
    assert audio == [AUDIO_PATH + "{token}.wav"]
