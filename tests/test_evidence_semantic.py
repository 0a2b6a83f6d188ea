"""Hybrid ranking: BM25 fused with a packaged sentence-embedding model, and its fallbacks."""

from __future__ import annotations

import numpy as np
import pytest

from pivotal.evidence import EvidenceError, EvidenceStore, ingest, search
from pivotal.evidence import semantic as semantic_module
from pivotal.evidence.search import Corpus, resolve_ranking
from pivotal.evidence.semantic import RRF_K, fuse, semantic_available

needs_model = pytest.mark.skipif(not semantic_available(), reason="the `semantic` extra is not installed")


def test_reciprocal_rank_fusion_by_hand():
    order, scores = fuse([np.array([3, 1, 2]), np.array([1, 2, 3])], k=RRF_K)
    # item 1: 1/62 + 1/61; item 3: 1/61 + 1/63; item 2: 1/63 + 1/62
    assert order.tolist() == [1, 3, 2]
    np.testing.assert_allclose(scores, [1 / 62 + 1 / 61, 1 / 61 + 1 / 63, 1 / 63 + 1 / 62])
    tied, _ = fuse([np.array([5, 4]), np.array([4, 5])])
    assert tied.tolist() == [4, 5]  # equal scores keep index order


def test_without_the_extra_auto_is_bm25_and_hybrid_says_how_to_install(monkeypatch):
    monkeypatch.setattr(semantic_module, "semantic_available", lambda: False)
    assert resolve_ranking("auto") == "bm25"
    with pytest.raises(EvidenceError, match=r'pip install "pivotal\[semantic\]"'):
        resolve_ranking("hybrid")
    with pytest.raises(ValueError, match="ranking must be one of"):
        resolve_ranking("neural")


@pytest.fixture
def paraphrase_store(tmp_path):
    (tmp_path / "notes.md").write_text(
        "# Notes\n\n"
        "The truce held for a week; the ceasefire talks were about grain prices and the ceasefire "
        "committee's budget, nothing else, ceasefire after ceasefire.\n\n"
        "Moscow stepped in on the fourth day and made both armies stop shooting: a ceasefire it "
        "brokered itself.\n",
        encoding="utf-8",
    )
    store = EvidenceStore(tmp_path / "runs.duckdb")
    ingest([tmp_path / "notes.md"], store)
    return store


@needs_model
def test_hybrid_lifts_the_passage_that_means_the_query_over_one_that_repeats_its_word(paraphrase_store):
    query = "the great power brokered a ceasefire between the armies"
    lexical = search(paraphrase_store, "ceasefire", k=5, ranking="bm25")
    assert "grain prices" in lexical[0].text  # the word, four times
    hybrid = search(paraphrase_store, query, k=5, ranking="hybrid")
    bm25 = search(paraphrase_store, query, k=5, ranking="bm25")
    assert {h.paragraph for h in hybrid} == {h.paragraph for h in bm25}  # same candidates, re-ordered
    assert "Moscow stepped in" in hybrid[0].text
    assert hybrid[0].score == next(h.score for h in bm25 if h.paragraph == hybrid[0].paragraph)


@needs_model
def test_hybrid_finds_nothing_where_no_passage_shares_a_word(paraphrase_store):
    assert search(paraphrase_store, "unicorns", k=5, ranking="hybrid") == []
    corpus = Corpus.load(paraphrase_store)
    assert corpus.embeddings.shape == (len(corpus.passages), 384)
    np.testing.assert_allclose(np.linalg.norm(corpus.embeddings, axis=1), 1.0, rtol=1e-5)
