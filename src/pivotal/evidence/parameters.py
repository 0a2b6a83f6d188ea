"""Evidence for a scenario's parameters, and a check of its citations against the corpus.

For each parameter a query is built from the parameter's own words only: its meaning
in the model's parameter table, the notes on its pieces and the notes on its citations.
The citation *locators* (``¶15``) and the cited sources' names are left out on purpose:
ranking by them would find the cited paragraph because it was cited, and the ranking
would then say nothing about whether the paragraph bears on the parameter.

A citation is matched to an ingested document explicitly: a source with a ``file:``
matches the document ingested from a file of that name (the latest one, if several);
a source without one matches by title (case and spacing ignored).

A scenario's evidence is scoped: it is drawn from the documents of the corpus the scenario
names (``corpus:``, by default the default corpus) and from the documents its own sources
cite, wherever they were added, so another region's documents never rank beside its
parameters.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from pivotal.evidence.records import Document, Passage
from pivotal.evidence.search import Corpus, Ranking, snippet
from pivotal.evidence.store import EvidenceStore
from pivotal.model.parameters import PARAMETERS_BY_NAME
from pivotal.scenario import Scenario
from pivotal.scenario.schema import DEFAULT_CORPUS, Citation, Source

DEFAULT_K = 5
# A passage "bears on" a parameter if it scores at least this.  In BM25 units: a word
# found in one passage in a hundred, once in a passage of average length, adds its IDF,
# ln(1 + 99.5 / 1.5) = 4.2; so 6 asks for more than one uncommon word shared with the
# parameter's description and notes.  A convention, not a calibrated cut-off: --min-score.
MIN_SCORE = 6.0

_PARAGRAPH = re.compile(r"¶\s*(\d+)(?:\s*(?:-|–|—|to)\s*¶?\s*(\d+))?")


def cited_paragraphs(at: str) -> list[int] | None:
    """The paragraph numbers a locator names ('¶15', '¶15-¶17', '¶4, ¶6'); None if it names none."""
    numbers: list[int] = []
    for match in _PARAGRAPH.finditer(at):
        first = int(match.group(1))
        last = int(match.group(2)) if match.group(2) else first
        numbers.extend(range(min(first, last), max(first, last) + 1))
    return list(dict.fromkeys(numbers)) or None


def _normal_title(title: str) -> str:
    return " ".join(title.casefold().split())


def match_source(source: Source, documents: list[Document]) -> Document | None:
    """The ingested document a scenario source refers to: by file name if it has one, else by title."""
    if source.file:
        name = source.file.replace("\\", "/").rsplit("/", 1)[-1]
        found = [d for d in documents if d.file_name == name]
    else:
        wanted = _normal_title(source.title)
        found = [d for d in documents if _normal_title(d.title) == wanted]
    return found[-1] if found else None  # documents come oldest first


def scenario_documents(scenario: Scenario, documents: list[Document]) -> list[Document]:
    """The documents that are evidence for a scenario, oldest first: those of its corpus, and
    those its sources cite (in any corpus)."""
    cited = {
        found.document_id
        for source in scenario.sources.values()
        if (found := match_source(source, documents)) is not None
    }
    return [d for d in documents if scenario.corpus in d.corpora or d.document_id in cited]


def scenario_corpus(scenario: Scenario, store: EvidenceStore) -> Corpus:
    """The passages of a scenario's documents (:func:`scenario_documents`), indexed for ranking."""
    documents = scenario_documents(scenario, store.documents())
    return Corpus.load(store, [d.document_id for d in documents])


def parameter_citations(scenario: Scenario, name: str) -> Iterator[Citation]:
    """Every citation of every piece of one parameter, in file order."""
    for piece in scenario.parameters.get(name, []):
        yield from piece.sources


def cited_locations(scenario: Scenario, name: str, documents: list[Document]) -> set[tuple[str, int]]:
    """(document id, ¶) of every ingested paragraph the scenario cites for a parameter.

    For showing beside a ranking (``(cited)``), never for making one.
    """
    cited: set[tuple[str, int]] = set()
    for citation in parameter_citations(scenario, name):
        source = scenario.sources.get(citation.ref)
        document = match_source(source, documents) if source is not None else None
        if document is not None:
            cited.update((document.document_id, n) for n in cited_paragraphs(citation.at) or [])
    return cited


def parameter_query(scenario: Scenario, name: str) -> str:
    """The words a parameter is searched by: meaning, piece notes, citation notes. No locators."""
    parts: list[str] = []
    spec = PARAMETERS_BY_NAME.get(name)
    if spec is not None:
        parts.append(spec.meaning)
    for piece in scenario.parameters.get(name, []):
        if piece.note:
            parts.append(piece.note)
        parts.extend(c.note for c in piece.sources if c.note)
    return "\n".join(parts)


def parameter_evidence(
    scenario: Scenario,
    store: EvidenceStore,
    k: int = DEFAULT_K,
    corpus: Corpus | None = None,
    parameters: list[str] | None = None,
    ranking: Ranking = "auto",
) -> dict[str, list[Passage]]:
    """The ``k`` passages that best bear on each parameter, best first, with BM25 scores.

    ``parameters`` limits the answer to some names (default: all of the scenario's).  The
    passages are the scenario's own (:func:`scenario_corpus`) unless a ``corpus`` is passed,
    to reuse one index across calls.  ``ranking`` as in :meth:`Corpus.rank_text`.
    """
    corpus = corpus or scenario_corpus(scenario, store)
    names = parameters if parameters is not None else list(scenario.parameters)
    return {name: corpus.rank_text(parameter_query(scenario, name), k, ranking=ranking) for name in names}


@dataclass(frozen=True)
class CitationProblem:
    """A parameter's citation that the corpus cannot confirm, and why."""

    parameter: str
    periods: str
    ref: str
    at: str
    reason: str  # 'not-ingested', 'out-of-range' or 'unknown-source'
    detail: str


@dataclass
class CheckReport:
    """What ``pivotal evidence check`` found.

    ``problems``: (a) citations whose source is not ingested or whose ¶ is out of range.
    ``unsupported``: (b) parameters with no passage scoring at least ``min_score``.
    ``uncited``: (c) parameters none of whose citations points into an ingested document.
    ``checked`` counts the citations looked at, ``confirmed`` those found in the corpus.
    """

    scenario_id: str
    documents: int
    passages: int
    min_score: float
    corpus: str = DEFAULT_CORPUS
    checked: int = 0
    confirmed: int = 0
    problems: list[CitationProblem] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)
    uncited: list[str] = field(default_factory=list)
    best_scores: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems and not self.unsupported and not self.uncited

    def parameters_with_problems(self) -> list[str]:
        return list(dict.fromkeys(p.parameter for p in self.problems))


def check_scenario(
    scenario: Scenario, store: EvidenceStore, min_score: float = MIN_SCORE, corpus: Corpus | None = None
) -> CheckReport:
    """Check every parameter citation against the scenario's documents (its corpus and those
    it cites), and look for unsupported parameters among their passages."""
    documents = store.documents()
    own = scenario_documents(scenario, documents)
    corpus = corpus or Corpus.load(store, [d.document_id for d in own])
    report = CheckReport(scenario.id, len(own), len(corpus.passages), min_score, scenario.corpus)
    matched = {ref: match_source(source, documents) for ref, source in scenario.sources.items()}
    for name, pieces in scenario.parameters.items():
        found = False
        for piece in pieces:
            for citation in piece.sources:
                report.checked += 1
                problem = _check_citation(scenario, name, str(piece.periods), citation, matched)
                if problem is None:
                    report.confirmed += 1
                    found = True
                else:
                    report.problems.append(problem)
        if not found:
            report.uncited.append(name)
    best = parameter_evidence(scenario, store, k=1, corpus=corpus, ranking="bm25")  # (b) is in BM25 units
    for name in scenario.parameters:
        score = best[name][0].score if best[name] else 0.0
        report.best_scores[name] = score
        if score < min_score:
            report.unsupported.append(name)
    return report


def _check_citation(
    scenario: Scenario, name: str, periods: str, citation: Citation, matched: dict[str, Document | None]
) -> CitationProblem | None:
    def problem(reason: str, detail: str) -> CitationProblem:
        return CitationProblem(name, periods, citation.ref, citation.at, reason, detail)

    source = scenario.sources.get(citation.ref)
    if source is None:
        return problem("unknown-source", "the scenario defines no such source")
    document = matched.get(citation.ref)
    if document is None:
        how = (
            f"no document ingested from a file named {source.file}"
            if source.file
            else f"no document ingested with the title {source.title!r}"
        )
        return problem("not-ingested", how)
    numbers = cited_paragraphs(citation.at)
    if numbers is None:  # a locator such as 'Art. 5' or a page: the document is there
        return None
    outside = [n for n in numbers if not 1 <= n <= document.paragraphs]
    if outside:
        cited = ", ".join(f"¶{n}" for n in outside)
        return problem(
            "out-of-range", f"{cited} not in {document.file_name} ({document.paragraphs} paragraphs)"
        )
    return None


#: Passages shown beside each parameter in the report and the web app.
BESIDE_K = 3


@dataclass(frozen=True)
class PassageNote:
    """A ranked passage as shown beside a parameter: where it is, an excerpt, and whether it is cited."""

    title: str
    file_name: str
    locator: str
    score: float
    excerpt: str
    cited: bool


def passages_beside_parameters(
    scenario: Scenario, store: EvidenceStore, k: int = BESIDE_K
) -> dict[str, list[PassageNote]]:
    """The ``k`` best passages of the scenario's documents for each parameter, as short notes;
    {} when it has none (see :func:`scenario_documents`).

    Only passages that bear on the parameter (score at least :data:`MIN_SCORE`) are kept.
    """
    documents = store.documents()
    corpus = Corpus.load(store, [d.document_id for d in scenario_documents(scenario, documents)])
    if not corpus.passages:
        return {}
    ranked = parameter_evidence(scenario, store, k=k, corpus=corpus)
    notes: dict[str, list[PassageNote]] = {}
    for name, passages in ranked.items():
        cited = cited_locations(scenario, name, documents)
        query = parameter_query(scenario, name)
        notes[name] = [
            PassageNote(
                title=p.title,
                file_name=p.file_name,
                locator=p.locator,
                score=round(p.score, 2),
                excerpt=snippet(p.text, query)[0],
                cited=(p.document_id, p.paragraph) in cited,
            )
            for p in passages
            if p.score >= MIN_SCORE
        ]
    return notes
