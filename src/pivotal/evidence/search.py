"""Ranked passages for a query: BM25 over every stored passage, then the filters.

Statistics (IDF, mean length) come from the whole corpus, and filters only choose among
the ranked passages, so a passage scores the same with or without ``--actor`` or dates.
With the ``semantic`` extra installed, the ranking fuses BM25 with the passages'
similarity to the query in a sentence-embedding model (:mod:`pivotal.evidence.semantic`);
a passage's ``score`` stays its BM25 score either way.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Literal

import numpy as np

from pivotal.evidence import semantic
from pivotal.evidence.bm25 import BM25Index, tokenize, word_spans
from pivotal.evidence.errors import EvidenceError
from pivotal.evidence.records import Passage
from pivotal.evidence.store import EvidenceStore, Filters

SNIPPET_WIDTH = 240

#: "auto": hybrid when the semantic extra is installed, BM25 otherwise.
Ranking = Literal["auto", "bm25", "hybrid"]
RANKINGS: tuple[str, ...] = ("auto", "bm25", "hybrid")


def resolve_ranking(ranking: Ranking | str) -> Literal["bm25", "hybrid"]:
    """'bm25' or 'hybrid'; 'hybrid' without the extra is an error that says how to install it."""
    if ranking == "auto":
        return "hybrid" if semantic.semantic_available() else "bm25"
    if ranking == "bm25":
        return "bm25"
    if ranking == "hybrid":
        if not semantic.semantic_available():
            raise EvidenceError(semantic.INSTALL_HINT)
        return "hybrid"
    raise ValueError(f"ranking must be one of {', '.join(RANKINGS)}, got {ranking!r}")


@dataclass(frozen=True)
class Corpus:
    """Every stored passage and its BM25 index, built once for many queries."""

    passages: tuple[Passage, ...]
    index: BM25Index

    @classmethod
    def load(cls, store: EvidenceStore, documents: Collection[str] | None = None) -> Corpus:
        """The stored passages indexed, or only those of ``documents`` (ids), whose statistics
        are then theirs alone: a scenario's scores do not move when another region's documents
        are added."""
        passages = tuple(store.passages(documents))
        return cls(passages, BM25Index([tokenize(p.text) for p in passages]))

    def rank(
        self, query: Sequence[str], k: int, allowed: set[tuple[str, int]] | None = None
    ) -> list[Passage]:
        """The ``k`` best passages for the query tokens (with scores), among ``allowed``."""
        mask = None
        if allowed is not None:
            mask = np.fromiter(
                ((p.document_id, p.paragraph) in allowed for p in self.passages),
                dtype=bool,
                count=len(self.passages),
            )
        return [replace(self.passages[i], score=score) for i, score in self.index.top(query, k, mask)]

    @cached_property
    def embeddings(self) -> np.ndarray:
        """Every passage's unit embedding, computed on first use."""
        return semantic.embed([p.text for p in self.passages])

    def rank_text(
        self, query: str, k: int, allowed: set[tuple[str, int]] | None = None, ranking: Ranking = "auto"
    ) -> list[Passage]:
        """The ``k`` best passages for a query in words, by BM25 or by BM25 fused with embeddings.

        Either way the candidates are the passages that share a word with the query (so a
        query about nothing in the corpus finds nothing); the hybrid ranking orders them by
        reciprocal rank fusion of their BM25 rank and their rank in similarity of meaning.
        """
        if resolve_ranking(ranking) == "bm25":
            return self.rank(tokenize(query), k, allowed)
        mask = (
            np.ones(len(self.passages), dtype=bool)
            if allowed is None
            else np.fromiter(
                ((p.document_id, p.paragraph) in allowed for p in self.passages),
                dtype=bool,
                count=len(self.passages),
            )
        )
        lexical = self.index.scores(tokenize(query))
        candidates = np.flatnonzero(mask & (lexical > 0))
        if k <= 0 or candidates.size == 0:
            return []
        by_words = candidates[np.lexsort((candidates, -lexical[candidates]))]
        similarity = self.embeddings[candidates] @ semantic.embed([query])[0]
        by_meaning = candidates[np.lexsort((candidates, -similarity))]
        order, _ = semantic.fuse([by_words, by_meaning])
        return [replace(self.passages[i], score=float(lexical[i])) for i in order[:k].tolist()]


def search(
    store: EvidenceStore,
    query: str,
    *,
    k: int = 10,
    filters: Filters | None = None,
    corpus: Corpus | None = None,
    ranking: Ranking = "auto",
) -> list[Passage]:
    """The ``k`` passages that best match ``query``, best first, with the actors they name."""
    filters = filters or Filters()
    allowed = store.allowed(filters)
    corpus = corpus or Corpus.load(store)
    hits = corpus.rank_text(query, k, allowed, ranking)
    actors = store.actors_of([(h.document_id, h.paragraph) for h in hits])
    return [replace(h, actors=actors.get((h.document_id, h.paragraph), ())) for h in hits]


def snippet(text: str, query: str, width: int = SNIPPET_WIDTH) -> tuple[str, list[tuple[int, int]]]:
    """A window of ``text`` around its first query word, and the spans of the query words in it.

    Spans are offsets into the returned string, for highlighting; a query word matches a
    word of the text when their tokens (lower-cased, stemmed) are equal.
    """
    terms = set(tokenize(query))
    hits = [(start, end) for start, end, token in word_spans(text) if token in terms]
    begin = 0
    if len(text) > width and hits:
        begin = max(0, min(hits[0][0] - width // 4, len(text) - width))
        while begin > 0 and not text[begin - 1].isspace():  # do not cut a word in two
            begin -= 1
    end = min(len(text), begin + width)
    while end < len(text) and not text[end].isspace() and end - begin < width + 20:
        end += 1
    prefix = "…" if begin > 0 else ""
    suffix = "…" if end < len(text) else ""
    shown = prefix + text[begin:end] + suffix
    shift = len(prefix) - begin
    spans = [(s + shift, e + shift) for s, e in hits if s >= begin and e <= end]
    return shown, spans
