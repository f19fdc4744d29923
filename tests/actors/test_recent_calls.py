"""A replica's memory of live calls: used only for its own company, for a short while, and
never for a call that is not live."""

from __future__ import annotations

from runtime.actors.directory import ENDED, STARTING, CallEntry
from runtime.actors.recent_calls import RecentCalls


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def entry(call_sid: str = "CA1", company_id: str = "acme", actor: str = "call-actor-1",
          state: str = "live") -> CallEntry:
    return CallEntry(call_sid, company_id, actor, 0.0, state)


def test_a_remembered_call_is_used_until_the_directory_must_be_asked_again():
    clock = Clock()
    recent = RecentCalls(touch_every_s=30.0, clock=clock)
    assert recent.get("CA1", "acme") is None
    recent.remember(entry())
    clock.now += 29.9
    assert recent.get("CA1", "acme") == entry()
    clock.now += 0.1  # time to mark the call active in the directory again
    assert recent.get("CA1", "acme") is None
    clock.now -= 1.0  # and it was dropped: asking earlier again does not bring it back
    assert recent.get("CA1", "acme") is None


def test_another_companys_webhook_never_gets_the_call():
    recent = RecentCalls(clock=Clock())
    recent.remember(entry(company_id="acme"))
    assert recent.get("CA1", "rival") is None
    assert recent.get("CA1", "acme") is not None


def test_only_live_calls_are_remembered_and_a_forgotten_call_is_gone():
    recent = RecentCalls(clock=Clock())
    recent.remember(entry())
    recent.remember(entry(state=ENDED, actor=""))  # the directory says it ended
    assert recent.get("CA1", "acme") is None
    recent.remember(entry(call_sid="CA2", state=STARTING, actor=""))
    assert recent.get("CA2", "acme") is None
    recent.remember(entry(call_sid="CA3"))
    recent.forget("CA3")
    assert recent.get("CA3", "acme") is None


def test_the_oldest_calls_make_room():
    recent = RecentCalls(size=2, clock=Clock())
    for sid in ("CA1", "CA2", "CA3"):
        recent.remember(entry(call_sid=sid))
    assert recent.get("CA1", "acme") is None
    assert recent.get("CA2", "acme") is not None and recent.get("CA3", "acme") is not None
