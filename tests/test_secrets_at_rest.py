"""A raw scan of Redis after creating companies with secrets finds no secret in plaintext."""

import secrets

import pytest
import redis

from tests.serve_fixtures import unique_number

pytestmark = pytest.mark.ray


def test_no_secret_appears_anywhere_in_redis(admin, redis_url):
    planted = []
    for name in ("Atlas Air", "Bayside Plumbing", "Sparks Electric"):
        values = {k: f"{k}-{secrets.token_hex(16)}" for k in ("auth", "api", "eleven")}
        planted.extend(values.values())
        response = admin.post("/api/company", json={
            "companyName": name,
            "tradeCategories": ["HVAC"],
            "twilioConfig": {"authToken": values["auth"], "apiSecret": values["api"],
                             "phoneNumbers": [{"phoneNumber": unique_number()}]},
            "aiSettings": {"elevenLabs": {"apiKey": values["eleven"], "useOwnApiKey": True,
                                          "voiceId": "21m00Tcm4TlvDq8ikWAM"}},
        })
        assert response.status_code == 201, response.text
        # a patch re-seals too
        patched = admin.patch(f"/api/company/{response.json()['_id']}",
                              json={"twilioConfig": {"authToken": values["auth"] + "-rotated"}})
        assert patched.status_code == 200
        planted.append(values["auth"] + "-rotated")
    raw = redis.Redis.from_url(redis_url)  # bytes: audio lives in Redis too
    dump: list[bytes] = []
    for key in raw.scan_iter(count=1000):
        kind = raw.type(key)
        if kind == b"string":
            dump.append(raw.get(key) or b"")
        elif kind == b"hash":
            dump.extend(f + b"=" + v for f, v in raw.hgetall(key).items())
        elif kind == b"set":
            dump.extend(raw.smembers(key))
        elif kind == b"list":
            dump.extend(raw.lrange(key, 0, -1))
        elif kind == b"stream":
            dump.extend(repr(entry).encode() for entry in raw.xrange(key))
        dump.append(key)
    raw.close()
    everything = b"\n".join(dump)
    assert b"g:phone:" in everything
    for secret in planted:
        assert secret.encode() not in everything
        assert secret[-12:].encode() not in everything
