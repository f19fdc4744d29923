"""Persisted, reviewable suggestions, kept up to date from the call logs' knowledge gaps.

Refreshing is incremental, on read, behind a watermark: a read clusters only the gap
turns logged since the last refresh (at most `REFRESH_BATCH`, opening only the
partitions that can hold them), embeds each new question once and moves the centroids.
Chosen over a periodic job because it needs no scheduler or extra process per replica,
does no work for companies nobody looks at, and a reader always sees every gap logged
so far; the price, one small query when nothing is new, is paid by the admin page, never
by a call. A company's refreshes and decisions are serialised by one Redis lock, and a
refresh's writes land in one MULTI (`tenancy.suggestion_book`).

Approving creates the knowledge entry through the same code as `POST /knowledge`
(`add_entry`, which also writes its vector), so the next call can answer from it;
rejecting keeps the cluster, so its questions join it again instead of coming back.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

import numpy as np
import structlog

from analytics.call_summary import clip, topic_of
from analytics.repository import CallLogRepository
from runtime.learning.clustering import Cluster, assign
from runtime.providers.base import ChatMessage, LanguageModel, LlmRequest
from runtime.providers.drafting import draft_text
from runtime.providers.embedding import SentenceEmbedder
from tenancy.errors import Conflict, InvalidDocument
from tenancy.models import Company, CompanyQnA, QnAFields, new_object_id, utc_now
from tenancy.models.suggestions import ANSWER_LIMIT, EXAMPLES_KEPT, LearningWatermark, Suggestion
from tenancy.records import MAX_RECORDS
from tenancy.store import TenantStore
from tenancy.vectors import StoredVector

log = structlog.get_logger(__name__)
T = TypeVar("T")

REFRESH_BATCH = 200  # gap turns per refresh (~1 s of MiniLM CPU); more wait for the next read
DRAFTS_PER_REFRESH = 3  # proposed answers drafted per refresh (each a Gemini request)
ANSWER_INSTRUCTIONS = (
    "You help {company}, a {trades} company, fill gaps in the knowledge base its phone "
    "receptionist answers from. Callers asked the question below and got no good answer. "
    "Write the answer the receptionist should give: one to three short spoken sentences, "
    "no markdown. Where it needs a fact only the company knows (a price, a policy), write "
    "it as a [placeholder] in brackets for the owner to fill in; never invent one."
)
AddEntry = Callable[[QnAFields], Awaitable[CompanyQnA]]


def answer_request(model: str, company: Company, suggestion: Suggestion) -> LlmRequest:
    trades = ", ".join(str(trade) for trade in company.tradeCategories) or "home services"
    examples = "\n".join(f"- {example}" for example in suggestion.examples)
    return LlmRequest(
        model=model, temperature=0.3, max_output_tokens=300,
        system_prompt=ANSWER_INSTRUCTIONS.format(company=company.companyName, trades=trades),
        history=(ChatMessage("caller", f"Question: {suggestion.question}\n"
                                       f"Other wordings callers used:\n{examples}"),),
    )


def _asked(suggestion: Suggestion, question: str, at: datetime) -> Suggestion:
    """`suggestion` with one more asking of `question` at `at`."""
    counts = ({"askedCount": suggestion.askedCount + 1} if suggestion.status == "open"
              else {"askedSinceDecision": suggestion.askedSinceDecision + 1})
    examples = list(suggestion.examples)
    if (len(examples) < EXAMPLES_KEPT
            and question.casefold() not in {e.casefold() for e in examples}):
        examples.append(question)
    return suggestion.model_copy(update={
        **counts, "examples": examples, "firstSeen": min(suggestion.firstSeen, at),
        "lastSeen": max(suggestion.lastSeen, at),
    })


class LearningLoop:
    def __init__(self, call_logs: CallLogRepository, embedder: SentenceEmbedder,
                 drafter: LanguageModel | None, executor: Executor) -> None:
        self._call_logs = call_logs
        self._embedder = embedder
        self._drafter = drafter
        self._executor = executor

    async def _blocking(self, work: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(
            self._executor, partial(work, *args))

    # --- refreshing ----------------------------------------------------------------------

    async def refresh(self, store: TenantStore, company: Company) -> int:
        """Cluster the gaps logged since the last refresh; how many. A refresh already
        running for the company (the lock is taken) is left to finish: 0."""
        lock = store.suggestions.lock()
        if not await lock.acquire(blocking=False):
            return 0
        try:
            return await self._refresh(store, company)
        finally:
            await lock.release()

    async def _refresh(self, store: TenantStore, company: Company) -> int:
        book = store.suggestions
        mark = await book.watermark()
        rows = await self._blocking(self._call_logs.gap_questions, store.company_id,
                                    mark.streamPos, mark.day, REFRESH_BATCH)
        if not rows:
            return 0
        last = rows[-1]
        rows = [row for row in rows if topic_of([row["question"]])]  # not "hello?" or "yes"
        questions = [clip(row["question"], 500) for row in rows]
        vectors = await self._blocking(self._embed_all, questions) if rows else []
        suggestions = {s.id: s for s in await book.list()}
        clusters = await self._clusters(store, suggestions)
        room = MAX_RECORDS - len(suggestions)
        changed: dict[str, Suggestion] = {}
        for row, question, cluster in zip(rows, questions, assign(clusters, vectors,
                                                                   new_object_id), strict=True):
            at = row["recorded_at"].replace(tzinfo=utc_now().tzinfo)
            current = suggestions.get(cluster.id)
            if current is None:
                if room <= 0:
                    continue  # full: the question is counted as a gap, not as a suggestion
                room -= 1
                current = Suggestion(_id=cluster.id, question=question, firstSeen=at,
                                     lastSeen=at)
            suggestions[cluster.id] = changed[cluster.id] = _asked(current, question, at)
        await self._draft_answers(company, changed, [c.id for c in clusters if c.is_new])
        centroids = {c.id: StoredVector(self._embedder.model_id, str(c.size),
                                        c.centroid.tobytes())
                     for c in clusters if c.id in changed}
        await book.save_refresh(changed.values(), centroids, LearningWatermark(
            streamPos=last["stream_pos"], day=last["day"], gapsSeen=mark.gapsSeen + len(rows)))
        log.info("suggestions_refreshed", company_id=store.company_id, gaps=len(rows),
                 changed=len(changed))
        return len(rows)

    def _embed_all(self, texts: list[str]) -> list[np.ndarray]:
        return [self._embedder.embed(text).vector for text in texts]

    async def _clusters(self, store: TenantStore, suggestions: dict[str, Suggestion]
                        ) -> list[Cluster]:
        """The stored suggestions as clusters, oldest first; a centroid of another model
        (the embedder changed) is replaced by the vector of the suggestion's question."""
        stored = await store.suggestions.centroids.load(suggestions)
        ordered = sorted(suggestions.values(), key=lambda s: (s.createdAt, s.id))
        stale = [s.question for s in ordered
                 if s.id not in stored or stored[s.id].model != self._embedder.model_id]
        remade = iter(await self._blocking(self._embed_all, stale)) if stale else iter(())
        clusters = []
        for suggestion in ordered:
            size = suggestion.askedCount + suggestion.askedSinceDecision
            vector = stored.get(suggestion.id)
            if vector is None or vector.model != self._embedder.model_id:
                clusters.append(Cluster(suggestion.id, next(remade), size))
            else:
                clusters.append(Cluster(suggestion.id,
                                        np.frombuffer(vector.data, dtype=np.float32), size))
        return clusters

    async def _draft_answers(self, company: Company, changed: dict[str, Suggestion],
                             new_ids: list[str]) -> None:
        """Proposed answers for a few new suggestions (none without a drafting model)."""
        chosen = [changed[i] for i in new_ids if i in changed][:DRAFTS_PER_REFRESH]
        if self._drafter is None or not chosen:
            return
        model = company.aiSettings.model
        drafts = await asyncio.gather(*(
            draft_text(self._drafter, answer_request(model, company, s)) for s in chosen))
        for suggestion, draft in zip(chosen, drafts, strict=True):
            if draft:
                changed[suggestion.id] = suggestion.model_copy(
                    update={"proposedAnswer": clip(draft, ANSWER_LIMIT)})

    # --- deciding ------------------------------------------------------------------------

    async def approve(self, store: TenantStore, suggestion_id: str, answer: str | None,
                      add_entry: AddEntry) -> tuple[Suggestion, CompanyQnA]:
        """A new knowledge entry from an open suggestion, with `answer` or the proposed one."""
        async with store.suggestions.lock():
            suggestion = await self._open(store, suggestion_id)
            answer = answer or suggestion.proposedAnswer
            if not answer:
                raise InvalidDocument("this suggestion has no proposed answer: send one as"
                                      " 'answer'")
            question = suggestion.question if len(suggestion.question) >= 3 else next(
                (e for e in suggestion.examples if len(e) >= 3), suggestion.question)
            try:
                fields = QnAFields(question=question, answer=answer, category="learned")
            except ValueError as exc:
                raise InvalidDocument(f"cannot make a knowledge entry of this: {exc}") from exc
            entry = await add_entry(fields)
            decided = suggestion.model_copy(update={
                "status": "approved", "knowledgeId": entry.id, "decidedAt": utc_now()})
            try:
                await store.suggestions.save(decided)
            except Exception:  # never an entry without its approval: take it back
                await store.knowledge.delete(entry.id)
                await store.knowledge_vectors.delete(entry.id)
                raise
            return decided, entry

    async def reject(self, store: TenantStore, suggestion_id: str) -> Suggestion:
        async with store.suggestions.lock():
            suggestion = await self._open(store, suggestion_id)
            decided = suggestion.model_copy(update={"status": "rejected",
                                                    "decidedAt": utc_now()})
            await store.suggestions.save(decided)
            return decided

    @staticmethod
    async def _open(store: TenantStore, suggestion_id: str) -> Suggestion:
        suggestion = await store.suggestions.get(suggestion_id)
        if suggestion.status != "open":
            raise Conflict(f"suggestion {suggestion_id} was already {suggestion.status}")
        return suggestion

    # --- the funnel ------------------------------------------------------------------------

    async def funnel(self, store: TenantStore) -> dict[str, int]:
        """Gaps clustered → suggestions → approved → calls' answers from approved entries."""
        suggestions = await store.suggestions.list()
        mark = await store.suggestions.watermark()
        approved = {s.knowledgeId: s.decidedAt for s in suggestions
                    if s.status == "approved" and s.knowledgeId and s.decidedAt}
        answered = await self._blocking(self._call_logs.answers_from, store.company_id,
                                        approved)
        by_status = {status: sum(1 for s in suggestions if s.status == status)
                     for status in ("open", "approved", "rejected")}
        return {"gaps": mark.gapsSeen, "suggestions": len(suggestions), **by_status,
                "answeredSince": answered}
