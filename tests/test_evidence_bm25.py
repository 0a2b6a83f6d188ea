"""BM25 golden values worked out by hand on a three-passage corpus, and the tokenizer."""

from __future__ import annotations

import numpy as np
import pytest

from pivotal.evidence.bm25 import BM25Index, stem, tokenize

# Three passages, already tokens.  N = 3, lengths 3, 2, 4, so avgdl = 3.
CORPUS = [
    ["pivot", "restrain", "pivot"],
    ["patron", "drone"],
    ["pivot", "patron", "ceasefir", "talk"],
]
# IDF(t) = ln(1 + (N - n + 0.5) / (n + 0.5)):
#   pivot, patron (n = 2): ln(1 + 1.5 / 2.5) = ln 1.6     = 0.470004
#   restrain, drone, ceasefir, talk (n = 1): ln(1 + 2.5 / 1.5) = ln(8/3) = 0.980829
# Length part k1 * (1 - b + b * |D| / avgdl) with k1 = 1.5, b = 0.75:
#   passage 0: 1.5 * (0.25 + 0.75 * 3/3) = 1.5
#   passage 1: 1.5 * (0.25 + 0.75 * 2/3) = 1.125
#   passage 2: 1.5 * (0.25 + 0.75 * 4/3) = 1.875
# Term score IDF * tf * (k1 + 1) / (tf + length part):
#   "pivot" in 0 (tf 2):  0.470004 * 2 * 2.5 / (2 + 1.5)   = 0.470004 * 1.428571 = 0.671434
#   "pivot" in 2 (tf 1):  0.470004 * 2.5 / (1 + 1.875)     = 0.470004 * 0.869565 = 0.408699
#   "patron" in 1:        0.470004 * 2.5 / (1 + 1.125)     = 0.470004 * 1.176471 = 0.552945
#   "drone" in 1:         0.980829 * 1.176471              = 1.153917
#   "patron" in 2:        0.470004 * 0.869565              = 0.408699
PIVOT = [0.671434, 0.0, 0.408699]
PATRON_DRONE = [0.0, 0.552945 + 1.153917, 0.408699]


@pytest.fixture(scope="module")
def index() -> BM25Index:
    return BM25Index(CORPUS)


def test_idf_and_mean_length(index):
    assert index.avgdl == 3.0
    assert index.idf_of("pivot") == pytest.approx(0.470004, abs=1e-6)
    assert index.idf_of("drone") == pytest.approx(0.980829, abs=1e-6)
    assert index.idf_of("absent") == 0.0


def test_one_term_golden_scores(index):
    np.testing.assert_allclose(index.scores(["pivot"]), PIVOT, atol=1e-6)


def test_two_term_golden_scores(index):
    np.testing.assert_allclose(index.scores(["patron", "drone"]), PATRON_DRONE, atol=1e-6)


def test_a_repeated_query_word_counts_once_per_repeat(index):
    np.testing.assert_allclose(index.scores(["pivot", "pivot"]), 2 * np.array(PIVOT), atol=1e-6)


def test_unknown_words_score_nothing(index):
    assert not index.scores(["absent", "words"]).any()


def test_top_ranks_best_first_drops_zeros_and_honours_the_mask(index):
    assert [i for i, _ in index.top(["pivot"], k=5)] == [0, 2]
    assert [i for i, _ in index.top(["patron", "drone"], k=1)] == [1]
    mask = np.array([False, True, True])
    ranked = index.top(["pivot"], k=5, among=mask)
    assert [i for i, _ in ranked] == [2]
    assert ranked[0][1] == pytest.approx(0.408699, abs=1e-6)


def test_ties_keep_corpus_order():
    twins = BM25Index([["a1", "x"], ["a1", "y"], ["z", "w"]])
    assert [i for i, _ in twins.top(["a1"], k=3)] == [0, 1]


def test_an_empty_corpus_and_empty_passages_are_harmless():
    assert BM25Index([]).top(["pivot"], k=3) == []
    blank = BM25Index([[], ["pivot"]])
    assert [i for i, _ in blank.top(["pivot"], k=3)] == [1]


def test_parameters_are_checked():
    with pytest.raises(ValueError, match="0 <= b <= 1"):
        BM25Index(CORPUS, b=1.5)


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("probes", "prob"),
        ("probing", "prob"),
        ("probed", "prob"),
        ("probe", "prob"),
        ("countries", "country"),
        ("allied", "ally"),
        ("stopped", "stop"),
        ("killed", "kill"),
        ("taxes", "tax"),
        ("crisis", "crisis"),
        ("analysis", "analysis"),
        ("war", "war"),
        ("2020s", "2020s"),
    ],
)
def test_light_stemming(word, expected):
    assert stem(word) == expected


def test_tokenizer_lowercases_drops_stop_words_and_possessives():
    tokens = tokenize("Pivotia’s envoys, and THE Ceasefires of 2003!")
    assert tokens == ["pivotia", "envoy", "ceasefir", "2003"]
