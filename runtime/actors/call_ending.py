"""How a call ends, off the call actor's webhook handling.

The end event goes out at once with the extractive summary, the checkpoints dropped in the
same step (or kept, with the call's events, until the stream takes them); the caller is
remembered and the post-call text queued. A drafting model's summary follows in the
background as its own event: a draft that never comes (a slow model, the actor dying) costs
the call log nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from runtime.actors.background import BackgroundTasks
from runtime.actors.call_record import CallRecorder, remember_caller
from runtime.actors.call_session import CallSession
from runtime.actors.call_summary import call_summary, drafted_summary
from runtime.actors.company_views import CompanyViews
from runtime.notifications.post_call import text_after_call
from runtime.providers.base import LanguageModel
from tenancy.store import TenantStore

Checkpoint = Callable[[CallSession], Awaitable[None]]


class CallEnding:
    def __init__(self, tenant: Callable[[str], TenantStore], recorder: CallRecorder,
                 drafter: LanguageModel | None, background: BackgroundTasks,
                 checkpoint: Checkpoint, companies: CompanyViews) -> None:
        self._tenant, self._recorder, self._drafter = tenant, recorder, drafter
        self._background, self._checkpoint = background, checkpoint
        self._companies = companies  # the actor's: documents parsed once per version

    async def close(self, session: CallSession, call_status: str,
                    duration_s: float | None) -> None:
        """Report the ended call and leave nothing of it behind but what is in flight."""
        ended_at = datetime.now(UTC)
        store = self._tenant(session.company_id)
        summary = call_summary(session.record, session.state, session.context, call_status)
        self._background.spawn(text_after_call(
            store, session.context, session.record, summary,
            read=lambda: self._companies.company(store)))
        await self._recorder.ended(
            session.record, session.company_id, session.context,
            call_status=call_status, duration_s=duration_s,
            turn_count=session.state.turn_count, summary=summary, ended_at=ended_at,
            forget=session.checkpoint_keys(store),  # with the events, once they are in
        )
        if session.snapshot.settings.memory_enabled:
            await remember_caller(store, session.context.caller_number)
        if session.record.unsent:  # the stream is down: keep the call's events
            await self._checkpoint(session)
            self._background.spawn(self._recorder.deliver_then(
                session.record, lambda: session.forget(store)))
        if self._drafter is not None:
            self._background.spawn(self._report_draft(session, summary))

    async def _report_draft(self, session: CallSession, extractive: str) -> None:
        """The model's summary of the ended call, reported when (and if) it comes in time."""
        settings = session.snapshot.settings
        drafted = await drafted_summary(self._drafter, settings.model,
                                        session.snapshot.company_name, session.state,
                                        extractive)
        if drafted != extractive:
            await self._recorder.summarized(session.company_id, session.context, drafted)
