"""A call the real pool refuses (the company at its line limit) reaches the company's call
log through the running LogSink, forwarded to the office, as the company's admin reads it."""

from __future__ import annotations

import pytest

from tenancy.users import Role
from tests.twilio_webhooks import company, hang_up, incoming, logged_call, new_call_sid

pytestmark = pytest.mark.ray


async def test_a_call_past_the_line_limit_is_in_the_call_log_as_not_taken(
        api_server, call_pool, twilio):
    with api_server.client(api_server.admin_token) as admin:
        one_line = company(admin, "One Line Heating", maxConcurrentCalls=1)
        neighbour = company(admin, "Neighbour Cooling")
    live, refused = new_call_sid(), new_call_sid()
    assert "<Gather" in (await twilio.post("/api/twilio/voice", incoming(one_line, live))).text
    answer = await twilio.post("/api/twilio/voice", incoming(one_line, refused))
    assert "<Dial" in answer.text and "<Gather" not in answer.text
    await hang_up(twilio, one_line, live)

    with api_server.client(api_server.token(Role.COMPANY_VIEWER, one_line["_id"])) as client:
        logged = await logged_call(client, one_line["_id"], refused)
    assert logged.status_code == 200, logged.text
    call = logged.json()
    assert call["outcome"] == "not_taken" and call["transcript"] == []
    assert call["transferredTo"] == one_line["companyPhone"]
    assert "line limit" in call["summary"]
    with api_server.client(api_server.token(Role.COMPANY_VIEWER, neighbour["_id"])) as client:
        assert client.get(f"/api/company/{neighbour['_id']}/call-logs/{refused}"
                          ).status_code == 404
