"""A raw scan of Redis after creating companies with secrets finds no secret in plaintext."""

import secrets

import pytest

from tests.serve_fixtures import unique_number

pytestmark = pytest.mark.ray


def test_no_secret_appears_anywhere_in_redis(admin, redis_sync):
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
    dump = []
    for key in redis_sync.scan_iter(count=1000):
        kind = redis_sync.type(key)
        if kind == "string":
            dump.append(redis_sync.get(key) or "")
        elif kind == "hash":
            dump.extend(f"{f}={v}" for f, v in redis_sync.hgetall(key).items())
        elif kind == "set":
            dump.extend(redis_sync.smembers(key))
        elif kind == "list":
            dump.extend(redis_sync.lrange(key, 0, -1))
        elif kind == "stream":
            dump.extend(str(entry) for entry in redis_sync.xrange(key))
        dump.append(key)
    everything = "\n".join(dump)
    assert everything
    for secret in planted:
        assert secret not in everything
        assert secret[-12:] not in everything
