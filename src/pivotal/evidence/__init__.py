"""Evidence: documents in, passages found, a scenario's parameters sourced.

Add text, Markdown, HTML and PDF files to the store (:func:`ingest`), rank their
passages for a query with BM25 (:func:`search`), find the passages that bear on each
parameter of a scenario (:func:`parameter_evidence`) and check its citations against
what was ingested (:func:`check_scenario`).  See ``docs/evidence.md``.
"""

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
