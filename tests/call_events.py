"""Let a test read the call-event stream although the LogSink trims it.

The sink deletes only what every consumer group has acknowledged
(`analytics.stream_retention`), so a test that reads raw events joins the stream as a
group of its own that never acknowledges: new events stay until it leaves.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import redis
from redis.exceptions import ResponseError

from analytics.emitter import CALL_EVENTS_STREAM


@contextmanager
def keeping_call_events(redis_url: str, group: str = "test-reader") -> Iterator[None]:
    client = redis.Redis.from_url(redis_url)
    try:
        client.xgroup_create(CALL_EVENTS_STREAM, group, id="$", mkstream=True)
    except ResponseError as exc:
        if "BUSYGROUP" not in str(exc):
            raise
    try:
        yield
    finally:
        client.xgroup_destroy(CALL_EVENTS_STREAM, group)
        client.close()
