"""Ports picked for servers (runs, tests, the bench) never come from the ephemeral range:
there an outgoing connection may take the port before its server binds it."""

from __future__ import annotations

import socket
from pathlib import Path

from runtime.embedded_redis import PICKED_PORTS, free_port


def test_a_picked_port_is_free_and_outside_the_ephemeral_range() -> None:
    low, high = (int(part) for part in
                 Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
    picked = {free_port() for _ in range(50)}
    assert len(picked) > 1  # picked at random, not one port for every server
    for port in picked:
        assert port in PICKED_PORTS and not low <= port <= high
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", port))


def test_a_port_in_use_is_not_picked() -> None:
    held = []
    try:
        for port in PICKED_PORTS[:2000]:  # most of the candidates taken
            sock = socket.socket()
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                sock.close()
                continue
            held.append(sock)
        taken = {sock.getsockname()[1] for sock in held}
        assert not {free_port() for _ in range(50)} & taken
    finally:
        for sock in held:
            sock.close()
