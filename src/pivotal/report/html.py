"""The report of a run as one self-contained HTML document.

Everything the page needs is in the file: the CSS is inline, every chart is an
inline SVG and nothing is fetched, so the report opens offline and stays whole
when mailed or archived.  Source URLs are printed as text, not linked, for the
same reason.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import jinja2
from markupsafe import Markup

from pivotal.report.data import (
    COMMITMENT_KINDS,
    YEAR_COLUMNS,
    actor_name,
    analyses_of_run,
    citation_rows,
    parameter_rows,
    source_rows,
    stored_scenario,
    ties,
    year_rows,
)
from pivotal.report.export import chart_svg
from pivotal.report.registry import CHARTS, chart_alt_text
from pivotal.report.wording import diverges_text
from pivotal.scenario.schema import Scenario
from pivotal.store import ANALYSIS_KINDS, AnalysisRecord, RunRecord, RunStore, StoredRun

#: The heading of each chart's section and caption (from the chart registry).
SECTION_TITLES = {name: chart.heading for name, chart in CHARTS.items()}


@functools.cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("pivotal.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def build_report(run_id: str, store: RunStore | None = None) -> str:
    """The whole HTML report of one recorded run (any unique start of its id).

    Shows the latest score, what-if and sensitivity analysis recorded for the
    run's scenario content (same hash), each only when one exists.  Raises
    RunNotFoundError for an unknown or ambiguous id.
    """
    store = store or RunStore()
    return render_inputs(report_inputs(run_id, store), store)


@dataclass(frozen=True)
class ReportInputs:
    """Everything a run's report is made from.  A run never changes, but what its report shows
    beside it does (analyses recorded later, documents added to the evidence), so ``key`` names
    all of it: two reports with the same key are the same page."""

    stored: StoredRun
    analyses: dict[str, AnalysisRecord]
    scenario: Scenario
    documents: tuple[str, ...]  # the scenario's evidence documents, each as all it records of itself
    system: dict[str, Any] | None

    @property
    def key(self) -> tuple:
        analyses = tuple((kind, record.analysis_id) for kind, record in sorted(self.analyses.items()))
        return self.stored.record.run_id, analyses, self.documents, repr(self.system)


def report_inputs(run_id: str, store: RunStore) -> ReportInputs:
    """Read what a run's report is made from (store reads only: nothing is drawn)."""
    from pivotal.evidence import EvidenceStore
    from pivotal.evidence.parameters import scenario_documents

    stored = store.get(run_id)
    scenario = stored_scenario(stored)
    documents = scenario_documents(scenario, EvidenceStore(store.path).documents())
    return ReportInputs(
        stored=stored,
        analyses=analyses_of_run(store, stored.record),
        scenario=scenario,
        documents=tuple(repr(d) for d in documents),
        system=system_context(stored.record, store),
    )


def render_inputs(inputs: ReportInputs, store: RunStore | None = None) -> str:
    """The report page from its inputs: the evidence beside each parameter, the charts, the page."""
    from pivotal.evidence import EvidenceStore, passages_beside_parameters

    store = store or RunStore()
    evidence = (
        passages_beside_parameters(inputs.scenario, EvidenceStore(store.path)) if inputs.documents else {}
    )
    return render_report(inputs.stored, inputs.scenario, inputs.analyses, evidence, system=inputs.system)


def system_context(record: RunRecord, store: RunStore) -> dict[str, Any] | None:
    """What a report says of the system run a dyad's run belongs to (None for a scenario run alone)."""
    system = record.settings.get("system")
    if not isinstance(system, dict):
        return None
    others = [
        r
        for r in store.list_runs()
        if r.run_id != record.run_id and r.settings.get("system", {}).get("run") == system.get("run")
    ]
    contagion = system.get("contagion")
    return {
        "id": system.get("id"),
        "title": system.get("title"),
        "run": system.get("run"),
        "contagion": f"fixed at {contagion:g}" if isinstance(contagion, int | float) else contagion,
        "others": [{"run_id": r.run_id, "scenario_id": r.scenario_id} for r in others],
    }


def render_report(
    stored: StoredRun,
    scenario: Scenario,
    analyses: dict[str, AnalysisRecord],
    evidence: dict[str, list[Any]] | None = None,
    system: dict[str, Any] | None = None,
) -> str:
    """The HTML document from a run, its scenario, the analyses to show (by kind) and, when
    documents have been added to the store, the passages that bear on each parameter; ``system``:
    what :func:`system_context` says of the system run a dyad's run belongs to."""
    from pivotal import __version__

    record = stored.record
    figures: dict[str, dict[str, Any]] = {}
    number = 0
    for name, chart in CHARTS.items():
        inputs = chart.run_inputs(stored.summary, scenario, analyses)
        if inputs is None:
            continue
        number += 1
        figures[name] = {
            "number": number,
            "title": chart.heading,
            "how": chart.how_to_read,
            "svg": Markup(chart_svg(name, **inputs)),
            "alt": chart_alt_text(name, **inputs),
        }
    context = {
        "record": record,
        "system": system,
        "scenario": scenario,
        "version": __version__,
        "created": record.created_at.strftime("%Y-%m-%d %H:%M:%S UTC"),
        "figures": figures,
        "year_columns": YEAR_COLUMNS,
        "years": year_rows(stored.summary),
        "ties": [_tie_row(scenario, tie) for tie in ties(scenario)],
        "episodes": [
            _episode_row(scenario, e) for e in sorted(scenario.episodes, key=lambda e: (e.start, e.id))
        ],
        "analysis_kinds": ANALYSIS_KINDS,
        "analyses": {kind: _analysis_context(analyses[kind]) for kind in analyses if kind in ANALYSIS_KINDS},
        "section_titles": SECTION_TITLES,
        "parameters": parameter_rows(scenario),
        "evidence": evidence or {},
        "sources": source_rows(scenario),
    }
    return _environment().get_template("report.html.j2").render(context)


def _tie_row(scenario: Scenario, tie: Any) -> dict[str, Any]:
    return {
        "id": tie.id,
        "kind": COMMITMENT_KINDS.get(tie.kind, tie.kind),
        "parties": ", ".join(f"{actor_name(scenario, p)} ({p})" for p in tie.parties),
        "scope": tie.scope,
        "start": tie.start.isoformat(),
        "end": "still in force" if tie.end is None else tie.end.isoformat(),
        "citations": citation_rows(scenario, tie.citations),
    }


def _episode_row(scenario: Scenario, episode: Any) -> dict[str, Any]:
    return {
        "id": episode.id,
        "title": episode.title,
        "start": episode.start.isoformat(),
        "end": "" if episode.end is None else episode.end.isoformat(),
        "initiator": actor_name(scenario, episode.initiator),
        "note": episode.note or "",
        "citations": citation_rows(scenario, episode.sources),
    }


def _analysis_context(analysis: AnalysisRecord) -> dict[str, Any]:
    result = analysis.result
    lines: list[str] = []
    if analysis.kind == "score":
        lines = list(result.get("verdicts") or [])
    elif analysis.kind == "whatif":
        titles = " + ".join(result.get("titles") or result.get("overlays") or [])
        lines = [f"Change: {titles}; the worlds diverge in {diverges_text(result)}."]
    elif analysis.kind == "sensitivity" and result.get("verdict"):
        lines = [f"Convergence: {result['verdict']}."]
    settings = "; ".join(
        f"{k.replace('_', ' ')} {_setting(v)}"
        for k, v in analysis.settings.items()
        if v not in (None, [], "")
    )
    return {
        "id": analysis.analysis_id,
        "created": analysis.created_at.strftime("%Y-%m-%d %H:%M:%S UTC"),
        "draws": analysis.draws,
        "seed": analysis.seed,
        "settings": settings,
        "lines": lines,
    }


def _setting(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)
