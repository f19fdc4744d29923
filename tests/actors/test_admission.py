"""Fair admission: a flooding tenant never takes the slots other tenants' callers need."""

from __future__ import annotations

from runtime.actors.admission import TenantAdmission


def admit(admission: TenantAdmission, company: str, limit: int | None = None) -> str | None:
    refusal = admission.refusal(company, limit)
    if refusal is None:
        admission.add(company)
    return refusal


def test_a_flood_of_one_tenant_leaves_room_for_the_others():
    admission = TenantAdmission(capacity=100, per_company=100, reserved=10)
    flood = [admit(admission, "robocalled") for _ in range(200)]
    assert flood.count(None) == 90  # the last 10 slots stay for tenants under their share
    assert set(flood[90:]) == {"company_over_share"}
    others = [admit(admission, f"tenant-{i}") for i in range(10)]
    assert others == [None] * 10
    assert admit(admission, "late") == "at_capacity"


def test_the_company_ceiling_is_the_lower_of_its_own_and_the_platform():
    admission = TenantAdmission(capacity=100, per_company=5, reserved=0)
    assert [admit(admission, "a", limit=3) for _ in range(4)] == [None, None, None,
                                                                  "company_at_capacity"]
    assert [admit(admission, "b", limit=50) for _ in range(6)][-1] == "company_at_capacity"
    assert admission.held("b") == 5


def test_ended_calls_give_their_slots_back():
    admission = TenantAdmission(capacity=2, per_company=2, reserved=0)
    assert admit(admission, "a") is None and admit(admission, "a") is None
    assert admit(admission, "b") == "at_capacity"
    admission.remove("a")
    assert admit(admission, "b") is None
    assert admission.active == 2 and admission.held("a") == 1
