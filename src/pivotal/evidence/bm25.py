"""Okapi BM25 over passages, with the tokenizer that feeds it.

Written here rather than taken from ``bm25s`` or ``rank-bm25`` because it is small, the
formula is the whole point of the ranking (the tests check it against scores worked out by
hand), and the corpora are small: a few thousand passages index in milliseconds.

The score of passage D for query Q (Robertson and Zaragoza, "The Probabilistic Relevance
Framework: BM25 and Beyond", 2009) is

    score(D, Q) = sum over query tokens t of  IDF(t) * tf(t, D) * (k1 + 1)
                                              / (tf(t, D) + k1 * (1 - b + b * |D| / avgdl))

    IDF(t) = ln(1 + (N - n(t) + 0.5) / (n(t) + 0.5))

with N passages, n(t) of them containing t, |D| the passage's length in tokens and avgdl the
mean length.  This IDF (Lucene's) is never negative, so a word found in most passages adds
little rather than subtracting.  The sum runs over the query's tokens *with* repeats: a word
that occurs twice in the query counts twice (Robertson's k3 taken to infinity, as in
``rank-bm25``), so a long query weighs the words it keeps coming back to.

Tokens: text is lower-cased, split into runs of letters and digits, one-letter tokens and
English stop words dropped, and each word lightly stemmed (:func:`stem`) so that "probes",
"probing" and "probed" meet.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

K1 = 1.5
B = 0.75

_STOP_TEXT = """
a about above after again against all also am an and any are as at be because been before
being below between both but by can could did do does doing don down during each either
few for from further had has have having he her here hers herself him himself his how i if
in into is it its itself just me more most my myself neither no nor not now of off on once
only or other our ours ourselves out over own same she should so some such than that the
their theirs them themselves then there these they this those through to too under until
up upon very was we were what when where which while who whom whose why will with within
would yet you your yours yourself yourselves
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())

_WORD = re.compile(r"[^\W_]+")
_KEEP_DOUBLE = frozenset("lsz")


def stem(word: str) -> str:
    """A light suffix-stripping stemmer: plurals, -ing, -ed and a final -e.

    Far lighter than Porter's: it only joins the inflections of one word (singular and
    plural, verb forms), and leaves words of three letters or fewer alone.  Steps:
    ``-ies``/``-ied`` to ``-y``; ``-es``/``-s`` dropped (not ``-ss``, ``-us``, ``-is``);
    ``-ing``/``-ed`` dropped where four or more letters remain, undoubling a final double
    consonant (``stopped`` to ``stop``); finally a trailing ``-e`` dropped, so that
    ``probe`` and ``probing`` both become ``prob``.
    """
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith(("ies", "ied")) and len(word) > 4:
        word = word[:-3] + "y"
    elif (word.endswith("es") and word[-3] in "sxz") or word.endswith(("ches", "shes")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            if len(word) > 4 and word[-1] == word[-2] and word[-1] not in "aeiou" + "".join(_KEEP_DOUBLE):
                word = word[:-1]
            break
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word


def word_spans(text: str) -> Iterable[tuple[int, int, str]]:
    """(start, end, token) for every word of ``text`` that survives as a token.

    Offsets refer to ``text`` itself, so a caller can highlight the words a query matched.
    """
    for match in _WORD.finditer(text):
        # Normalise each word, not the text, so offsets stay those of ``text``.
        word = unicodedata.normalize("NFKC", match.group()).lower()
        if len(word) < 2 or word in STOP_WORDS:
            continue
        yield match.start(), match.end(), stem(word)


def tokenize(text: str) -> list[str]:
    """The BM25 tokens of ``text``, in order, repeats kept."""
    return [token for _, _, token in word_spans(text)]


class BM25Index:
    """An inverted index of tokenized passages that scores queries with Okapi BM25.

    Postings are kept column by column (term-major, like a CSC sparse matrix): for term
    ``t`` the passages containing it are ``doc_ids[indptr[t]:indptr[t+1]]`` with counts
    ``tfs[...]``.  Scoring a query touches only the postings of its terms.
    """

    def __init__(self, documents: Sequence[Sequence[str]], k1: float = K1, b: float = B) -> None:
        if k1 < 0 or not 0 <= b <= 1:
            raise ValueError(f"expected k1 >= 0 and 0 <= b <= 1, found k1={k1}, b={b}")
        self.k1 = k1
        self.b = b
        self.size = len(documents)
        self.vocabulary: dict[str, int] = {}
        terms: list[int] = []
        docs: list[int] = []
        counts: list[int] = []
        lengths = np.zeros(self.size, dtype=np.float64)
        for doc_id, tokens in enumerate(documents):
            lengths[doc_id] = len(tokens)
            for token, count in Counter(tokens).items():
                terms.append(self.vocabulary.setdefault(token, len(self.vocabulary)))
                docs.append(doc_id)
                counts.append(count)
        term_ids = np.asarray(terms, dtype=np.int64)
        order = np.argsort(term_ids, kind="stable")
        self.doc_ids = np.asarray(docs, dtype=np.int64)[order]
        self.tfs = np.asarray(counts, dtype=np.float64)[order]
        self.indptr = np.zeros(len(self.vocabulary) + 1, dtype=np.int64)
        np.cumsum(np.bincount(term_ids, minlength=len(self.vocabulary)), out=self.indptr[1:])
        self.lengths = lengths
        self.avgdl = float(lengths.mean()) if self.size and lengths.mean() > 0 else 1.0
        frequency = np.diff(self.indptr).astype(np.float64)
        self.idf = np.log1p((self.size - frequency + 0.5) / (frequency + 0.5))
        # The length part of the denominator depends only on the passage: compute it once.
        self._norm = k1 * (1.0 - b + b * lengths / self.avgdl)

    def idf_of(self, token: str) -> float:
        """IDF of one token; a token absent from the corpus has none to give (0)."""
        term = self.vocabulary.get(token)
        return 0.0 if term is None else float(self.idf[term])

    def scores(self, query: Sequence[str]) -> np.ndarray:
        """BM25 score of every passage for the query tokens (repeats count), in index order."""
        total = np.zeros(self.size, dtype=np.float64)
        for token, repeats in Counter(query).items():
            term = self.vocabulary.get(token)
            if term is None:
                continue
            lo, hi = self.indptr[term], self.indptr[term + 1]
            docs, tf = self.doc_ids[lo:hi], self.tfs[lo:hi]
            # Each passage appears once per term, so plain fancy-index addition is exact.
            total[docs] += repeats * self.idf[term] * tf * (self.k1 + 1.0) / (tf + self._norm[docs])
        return total

    def top(self, query: Sequence[str], k: int, among: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The ``k`` best (index, score) pairs with a score above zero, best first.

        ``among`` is a boolean mask of the passages allowed (filters); ties keep index
        order so results are reproducible.
        """
        scores = self.scores(query)
        allowed = scores > 0
        if among is not None:
            allowed &= among
        candidates = np.flatnonzero(allowed)
        if k <= 0 or candidates.size == 0:
            return []
        ranked = candidates[np.lexsort((candidates, -scores[candidates]))][:k]
        return [(int(i), float(scores[i])) for i in ranked]


def upper_bound(index: BM25Index, query: Sequence[str]) -> float:
    """The most any passage could score for the query: each term at saturation, IDF*(k1+1)."""
    return math.fsum(index.idf_of(t) * (index.k1 + 1.0) for t in query)
