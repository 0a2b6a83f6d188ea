"""Searching passages with filters, and the evidence for and check of a scenario's parameters."""

from __future__ import annotations

import datetime as dt

import pytest

from pivotal import parse_scenario
from pivotal.evidence import (
    DocumentNotFoundError,
    EvidenceStore,
    Filters,
    check_scenario,
    cited_paragraphs,
    ingest,
    parameter_evidence,
    parameter_query,
    search,
    snippet,
)
from tests.evidence_files import make_library


@pytest.fixture
def store(tmp_path, tiny_scenario):
    store = EvidenceStore(tmp_path / "runs.duckdb")
    ingest([make_library(tmp_path / "library", unreadable=False)], store, tiny_scenario)
    return store


def _keys(hits):
    return [(h.file_name, h.paragraph) for h in hits]


def test_search_ranks_passages_sharing_the_query_words(store):
    hits = search(store, "drones sold", k=3)
    assert _keys(hits)[0] == ("border-notes.txt", 4)  # both words: sold and drones
    assert ("briefing.md", 5) in _keys(hits)
    assert hits[0].score > hits[1].score > 0
    assert hits[0].actors == ("Challengia", "Patronia")
    assert search(store, "unicorns", k=3) == []


def test_filters_choose_among_passages_without_changing_their_scores(store):
    everything = {(h.file_name, h.paragraph): h.score for h in search(store, "Patronia", k=50)}
    only_2003 = search(
        store, "Patronia", k=50, filters=Filters(date_from=dt.date(2003, 1, 1), date_to=dt.date(2003, 12, 31))
    )
    assert _keys(only_2003) == [("report.pdf", 2)]
    assert only_2003[0].score == pytest.approx(everything[("report.pdf", 2)])
    before_2002 = search(store, "Patronia", k=50, filters=Filters(date_to=dt.date(2001, 12, 31)))
    assert _keys(before_2002) == [("border-notes.txt", 4)]  # the 1990s and 2001


def test_actor_filter_takes_an_id_a_name_or_an_alias(store):
    assert ("briefing.md", 1) in _keys(search(store, "ridge", k=50))  # a heading naming no actor
    by_name = _keys(search(store, "ridge", k=50, filters=Filters(actor="Pivotia"), ranking="bm25"))
    assert by_name == [("report.pdf", 1), ("border-notes.txt", 2)]
    assert by_name == _keys(search(store, "ridge", k=50, filters=Filters(actor="piv"), ranking="bm25"))
    assert by_name == _keys(search(store, "ridge", k=50, filters=Filters(actor="PIVOT"), ranking="bm25"))
    with pytest.raises(DocumentNotFoundError, match="no actor 'Narnia' among the actors tagged"):
        search(store, "ridge", filters=Filters(actor="Narnia"))


def test_document_filter_takes_the_start_of_an_id(store):
    briefing = next(d for d in store.documents() if d.file_name == "briefing.md")
    hits = search(store, "Pivotia", k=50, filters=Filters(document=briefing.document_id[:6]))
    assert hits and {h.file_name for h in hits} == {"briefing.md"}
    with pytest.raises(DocumentNotFoundError, match="no document with id 'zzz'"):
        search(store, "Pivotia", filters=Filters(document="zzz"))


def test_snippet_highlights_query_words_by_their_stems():
    text = "Patronia sold drones to Challengia throughout the 1990s and kept doing so in 2001."
    shown, spans = snippet(text, "drone selling")
    assert shown == text
    assert [shown[s:e] for s, e in spans] == ["drones"]
    long = "word " * 100 + "ceasefire " + "word " * 100
    shown, spans = snippet(long, "ceasefires", width=60)
    assert shown.startswith("…") and shown.endswith("…")
    assert [shown[s:e] for s, e in spans] == ["ceasefire"]


def test_cited_paragraphs_reads_single_ranges_and_lists():
    assert cited_paragraphs("¶15") == [15]
    assert cited_paragraphs("¶9-¶12") == [9, 10, 11, 12]
    assert cited_paragraphs("¶4, ¶6") == [4, 6]
    assert cited_paragraphs("§2 Payoffs") is None


def _replace_parameter(text: str, name: str, block: str) -> str:
    """Swap a parameter's one-line piece in the tiny scenario for ``block``."""
    lines = text.splitlines()
    at = lines.index(f"  {name}:")
    lines[at : at + 2] = [f"  {name}:", *block.strip("\n").splitlines()]
    return "\n".join(lines) + "\n"


def _scenario(tiny_text, shield_at="¶4", prize_at="¶40"):
    """The tiny scenario with sources that point at the test library."""
    text = tiny_text.replace(
        "  note-a: {kind: document, title: Invented test note, date: 2001-01}",
        "  note-a: {kind: document, title: Invented test note, file: border-notes.txt}\n"
        "  brief: {kind: document, title: '  briefing ON the ridge crisis'}\n"
        "  nowhere: {kind: dataset, title: Data nobody ingested}",
    )
    text = _replace_parameter(
        text,
        "patron_shield",
        f"""
    - periods: '2001-2003'
      low: 0
      mode: 0.2
      high: 0.4
      sources:
        - {{ref: note-a, at: '{shield_at}', note: Drones sold by the patron.}}
        - {{ref: brief, at: '¶5'}}
      note: Weapons from Patronia blunt what Pivotia can threaten.
""",
    )
    text = _replace_parameter(
        text,
        "prize",
        f"""
    - {{periods: '2001-2003', low: 1, mode: 1, high: 1, sources: [{{ref: note-a, at: '{prize_at}'}}]}}
""",
    )
    text = _replace_parameter(
        text,
        "precision",
        """
    - {periods: '2001-2003', low: 5, mode: 8, high: 12, sources: [{ref: nowhere, at: 'table 2'}]}
""",
    )
    return parse_scenario(text, source="tiny-evidence.yaml")


def test_a_parameters_query_is_its_meaning_and_notes_never_its_locators(tiny_text):
    scenario = _scenario(tiny_text)
    query = parameter_query(scenario, "patron_shield")
    assert query.splitlines() == [
        "share of coercion the patron neutralises",
        "Weapons from Patronia blunt what Pivotia can threaten.",
        "Drones sold by the patron.",
    ]
    assert "¶" not in query


def test_parameter_evidence_ranks_by_the_parameters_words_alone(store, tiny_text):
    scenario = _scenario(tiny_text)
    evidence = parameter_evidence(scenario, store, k=2)
    assert set(evidence) == set(scenario.parameters)
    assert _keys(evidence["patron_shield"])[0] == ("border-notes.txt", 4)
    # moving the locator elsewhere changes nothing: the ranking never reads it
    moved = parameter_evidence(_scenario(tiny_text, shield_at="¶1"), store, k=2)
    assert _keys(moved["patron_shield"]) == _keys(evidence["patron_shield"])
    assert all(len(hits) <= 2 for hits in evidence.values())


def test_check_lists_missing_sources_out_of_range_paragraphs_and_unsupported_parameters(store, tiny_text):
    scenario = _scenario(tiny_text)
    report = check_scenario(scenario, store, min_score=2.0)
    problems = {(p.parameter, p.ref, p.reason) for p in report.problems}
    assert ("prize", "note-a", "out-of-range") in problems
    assert ("precision", "nowhere", "not-ingested") in problems
    assert not any(p.parameter == "patron_shield" for p in report.problems)  # both sources found
    out_of_range = next(p for p in report.problems if p.reason == "out-of-range")
    assert out_of_range.detail == "¶40 not in border-notes.txt (5 paragraphs)"
    missing = next(p for p in report.problems if p.reason == "not-ingested")
    assert missing.detail == "no document ingested with the title 'Data nobody ingested'"
    assert "patron_shield" not in report.unsupported
    assert "precision" in report.unsupported  # no passage speaks of logit precision
    # prize cites only a ¶ past the end of its document; precision only a document nobody added
    assert report.uncited == ["prize", "precision"]
    assert report.checked == len(
        list(c for pieces in scenario.parameters.values() for piece in pieces for c in piece.sources)
    )
    assert report.confirmed == report.checked - len(report.problems)
    assert not report.ok
    strict = check_scenario(scenario, store, min_score=1e6)
    assert strict.unsupported == list(scenario.parameters)
