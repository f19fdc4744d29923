"""How `<Play>` files are served over HTTP: shared by the Serve route and the HAProxy edge.

The route answers with `CLIENT_CACHE_CONTROL` (a token's bytes never change; `private`:
the audio may repeat a caller's details, so no shared cache outside ours may keep it) and
`LIFETIME_HEADER`, the whole seconds the file has left in Redis. HAProxy's audio cache
(`runtime.haproxy_edge`) keeps a file no longer than that, and takes the header off before
the answer leaves the node (with the `proxy` ingress there is no such cache, and clients
see the header: it tells them nothing but how long the URL will keep working).
"""

from __future__ import annotations

AUDIO_PATH = "/api/twilio/audio/"  # + "{token}.wav"
CLIENT_CACHE_CONTROL = "private, max-age=86400, immutable"
LIFETIME_HEADER = "X-Audio-Lifetime"
