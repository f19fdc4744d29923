"""The Redis clients of the runtime's long-lived processes (Serve replicas, actors).

redis-py's default pool fails a command at once ("Too many connections") when its 100
connections are all busy, which a replica serving a burst of webhooks reached at 200
calls (HTTP 500 on status callbacks, docs/benchmarks.md). A blocking pool makes the
command wait for a connection instead, for up to `wait_s`.

After Redis restarts (a failover, a crash brought back from its AOF) every pooled
connection is dead; without retries the first command on each fails ("Connection closed
by server"), which mid-call is a dropped caller. Commands are retried a few times with a
short backoff on connection errors (never on timeouts: see below).

A Redis that stops answering (a hung server, a dropped network path) must not hold a
webhook past Twilio's 15 s: connecting and each command's reply are bounded by
`connect_timeout_s` and `command_timeout_s`, after which the command fails (TimeoutError)
and the caller's fallback answers. Blocking reads (the LogSink's XREADGROUP BLOCK 1000)
stay below the command timeout.
"""

from __future__ import annotations

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError

MAX_CONNECTIONS = 200
WAIT_FOR_CONNECTION_S = 5.0
RETRIES = 4  # ~0.02 + 0.04 + 0.08 + 0.16 s of backoff: a restart on the same host fits
CONNECT_TIMEOUT_S = 2.0
COMMAND_TIMEOUT_S = 3.0


def redis_client(url: str, *, decode_responses: bool = True,
                 max_connections: int = MAX_CONNECTIONS,
                 wait_s: float = WAIT_FOR_CONNECTION_S,
                 connect_timeout_s: float = CONNECT_TIMEOUT_S,
                 command_timeout_s: float = COMMAND_TIMEOUT_S,
                 health_check_interval: int = 30) -> aioredis.Redis:
    """A client whose commands wait up to `wait_s` for one of `max_connections`."""
    pool = aioredis.BlockingConnectionPool.from_url(
        url, max_connections=max_connections, timeout=wait_s,
        decode_responses=decode_responses, health_check_interval=health_check_interval,
        retry=Retry(ExponentialBackoff(cap=0.5, base=0.02), RETRIES,
                    supported_errors=(RedisConnectionError,)),
        socket_connect_timeout=connect_timeout_s, socket_timeout=command_timeout_s,
    )
    return aioredis.Redis.from_pool(pool)
