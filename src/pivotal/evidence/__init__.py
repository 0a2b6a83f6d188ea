"""Evidence: documents in, passages found, a scenario's parameters sourced.

Add text, Markdown, HTML and PDF files to the store (:func:`ingest`), rank their
passages for a query with BM25 (:func:`search`), find the passages that bear on each
parameter of a scenario (:func:`parameter_evidence`) and check its citations against
what was ingested (:func:`check_scenario`).  See ``docs/evidence.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pivotal.evidence.errors import DocumentNotFoundError, EvidenceError, UnreadableDocument
    from pivotal.evidence.ingest import IngestReport, Skipped, ingest
    from pivotal.evidence.parameters import (
        CheckReport,
        CitationProblem,
        check_scenario,
        cited_locations,
        cited_paragraphs,
        match_source,
        parameter_evidence,
        parameter_query,
        passages_beside_parameters,
        scenario_corpus,
        scenario_documents,
    )
    from pivotal.evidence.records import Document, Passage
    from pivotal.evidence.search import Corpus, search, snippet
    from pivotal.evidence.store import EvidenceStore, Filters

__all__ = [
    "CheckReport",
    "CitationProblem",
    "Corpus",
    "Document",
    "DocumentNotFoundError",
    "EvidenceError",
    "EvidenceStore",
    "Filters",
    "IngestReport",
    "Passage",
    "Skipped",
    "UnreadableDocument",
    "check_scenario",
    "cited_locations",
    "cited_paragraphs",
    "ingest",
    "match_source",
    "parameter_evidence",
    "parameter_query",
    "passages_beside_parameters",
    "scenario_corpus",
    "scenario_documents",
    "search",
    "snippet",
]

#: Where each name lives, imported when first used (so that importing a light module of this
#: package, such as ``cutoffs``, does not load the store).
_HOMES = {
    **dict.fromkeys(("DocumentNotFoundError", "EvidenceError", "UnreadableDocument"), "errors"),
    **dict.fromkeys(("IngestReport", "Skipped", "ingest"), "ingest"),
    **dict.fromkeys(("CheckReport", "CitationProblem", "check_scenario", "cited_locations",
                     "cited_paragraphs", "match_source", "parameter_evidence", "parameter_query",
                     "passages_beside_parameters", "scenario_corpus", "scenario_documents"), "parameters"),
    **dict.fromkeys(("Document", "Passage"), "records"),
    **dict.fromkeys(("Corpus", "search", "snippet"), "search"),
    **dict.fromkeys(("EvidenceStore", "Filters"), "store"),
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        import importlib

        return getattr(importlib.import_module(f"pivotal.evidence.{_HOMES[name]}"), name)
    raise AttributeError(f"module 'pivotal.evidence' has no attribute {name!r}")
