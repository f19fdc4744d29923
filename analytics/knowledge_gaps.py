"""Group the questions the agent could not answer, so near-duplicates count together.

"do you offer financing", "Do you offer financing?" and "do you guys offer financing"
are one gap in the knowledge base. Clustering is greedy and deterministic: questions are
visited most-asked first (ties by text) and join the first cluster whose leading question
is similar enough, so the same input always gives the same clusters.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process, utils

DEFAULT_SIMILARITY = 82.0


@dataclass
class QuestionCluster:
    question: str  # the most-asked wording, shown to the company
    asked: int = 0
    variants: list[str] = field(default_factory=list)


def cluster_questions(
    asked: Iterable[tuple[str, int]], similarity: float = DEFAULT_SIMILARITY
) -> list[QuestionCluster]:
    """`(question, times asked)` pairs → clusters, most-asked first."""
    ordered = sorted(asked, key=lambda pair: (-pair[1], pair[0]))
    clusters: list[QuestionCluster] = []
    leaders: list[str] = []
    for question, count in ordered:
        normalized = utils.default_process(question)
        if not normalized:
            continue
        match = process.extractOne(
            normalized,
            leaders,
            scorer=fuzz.token_sort_ratio,
            processor=None,
            score_cutoff=similarity,
        )
        if match is None:
            clusters.append(QuestionCluster(question=question))
            leaders.append(normalized)
            cluster = clusters[-1]
        else:
            cluster = clusters[match[2]]
        cluster.asked += count
        cluster.variants.append(question)
    return sorted(clusters, key=lambda cluster: (-cluster.asked, cluster.question))
