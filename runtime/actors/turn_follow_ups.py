"""What an answer sets going off the turn's path: the message it took to the company's
inbox, the booking it made to the caller's confirmation text."""

from __future__ import annotations

from runtime.actors.background import BackgroundTasks
from runtime.actors.call_session import CallSession
from runtime.actors.call_summary import call_summary
from runtime.conversation import TakeMessage, TurnOutcome
from runtime.notifications.inbox import keep_message
from runtime.notifications.post_call import confirm_booking
from tenancy.store import TenantStore


def spawn_follow_ups(background: BackgroundTasks, store: TenantStore, session: CallSession,
                     outcome: TurnOutcome) -> None:
    """Called once the turn is recorded (its event number taken)."""
    if isinstance(outcome.action, TakeMessage):
        summary = call_summary(session.record, session.state, session.context, "completed")
        background.spawn(keep_message(store, session.context, session.record.next_turn - 1,
                                      outcome.action, summary=summary))
    if outcome.appointment is not None:  # the caller's confirmation text, if wanted
        background.spawn(confirm_booking(store, session.context, outcome.appointment))
