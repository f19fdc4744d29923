"""Questions grouped by meaning: each joins the nearest cluster it is close enough to.

Pure and deterministic (no I/O; the vectors come in): questions are taken in the order
they were asked, each compared with every cluster's centroid (the normalised mean of its
questions' unit vectors, so cosine is a dot product); the best one at or above the
threshold takes it and its centroid moves, otherwise it starts a new cluster. Clusters
are never merged or split afterwards, so a suggestion someone reviewed keeps its identity.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from runtime.providers.embedding import Vector

# MiniLM cosine of two wordings of one question is typically 0.6 to 0.9; of two different
# questions about the same trade, 0.2 to 0.5.
CLUSTER_SIMILARITY = 0.6


@dataclass
class Cluster:
    id: str
    centroid: Vector  # unit length
    size: int  # questions in it (the centroid's weight)
    is_new: bool = False


def _unit(vector: Vector) -> Vector:
    norm = float(np.linalg.norm(vector))
    return (vector / norm).astype(np.float32) if norm > 0 else vector.astype(np.float32)


def assign(clusters: list[Cluster], vectors: Sequence[Vector], new_id: Callable[[], str],
           threshold: float = CLUSTER_SIMILARITY) -> list[Cluster]:
    """The cluster each vector joins, in order; `clusters` grows and moves in place."""
    joined: list[Cluster] = []
    for vector in vectors:
        best: Cluster | None = None
        best_score = threshold
        for cluster in clusters:  # the most similar; on a tie, the older cluster
            score = float(np.dot(cluster.centroid, vector))
            if score >= threshold and (best is None or score > best_score):
                best, best_score = cluster, score
        if best is None:
            best = Cluster(new_id(), _unit(vector), 0, is_new=True)
            clusters.append(best)
        else:
            best.centroid = _unit(best.centroid * best.size + vector)
        best.size += 1
        joined.append(best)
    return joined
