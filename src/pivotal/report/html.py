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

from pivotal.report import charts
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
from pivotal.scenario.schema import Scenario
from pivotal.store import ANALYSIS_KINDS, AnalysisRecord, RunRecord, RunStore, StoredRun

#: How to read each chart: one or two sentences shown in its caption before the alt text.
HOW_TO_READ = {
    "probabilities": (
        "Each line is the mean over parameter draws of a probability per period (a year, or an episode of a "
        "year played crisis by crisis) and its shaded band holds 90% of the draws. The markers above the "
        "scale are the record: the period's strongest challenge and the pivot's response. Grey columns are "
        "periods the run simulated rather than followed the record."
    ),
    "belief": (
        "The solid line is the observers' belief that the pivot is resolved when the year's game is played, "
        "with its 90% band; the dashed line is the belief after the year's events, before the pivot's type "
        "may turn over. It tends to fall after the pivot is seen to acquiesce and to rise after it restrains."
    ),
    "commitments": (
        "One bar per tie, from the day it began to the day it ended, coloured by kind; a hatched bar is a "
        "patron named in the scenario's roles and an arrow head means the tie still held at the end. "
        "Labels give the parties and the tie's identifier in the table below."
    ),
    "network": (
        "The same ties as a graph at a few moments: each panel joins the actors tied on 1 July of its year, "
        "in the colour of the tie's kind (dashed for a patron behind one side). The actors keep their places "
        "from panel to panel, the pivot on top; a greyed actor had no tie that year."
    ),
    "episodes": (
        "One bar per crisis episode from its first to its last day (short ones are widened to stay "
        "visible), coloured by the actor that began it."
    ),
    "score": (
        "Brier score of each forecaster on each outcome, for the years from the first scored one; shorter "
        "bars are better. Only forecasts that did not see the year they forecast are shown."
    ),
    "whatif": (
        "Each line is the mean over draws of the counterfactual minus the baseline, paired draw by draw; the "
        "band holds 90% of the per-draw differences. Before the dotted line the two worlds are the same."
    ),
    "sensitivity": (
        "Total (ST) and first-order (S1) Sobol indices: the share of the output's variance owed to each "
        "uncertain parameter, with all its interactions (ST) or alone (S1). Whiskers are 95% bootstrap "
        "intervals."
    ),
}

SECTION_TITLES = {
    "probabilities": "Probabilities per year against the record",
    "belief": "Belief in the pivot's resolve",
    "commitments": "Alliances, commitments and patrons",
    "network": "The network of ties",
    "episodes": "Crisis episodes",
    "score": "Score against the record",
    "whatif": "Counterfactual",
    "sensitivity": "Sensitivity",
}


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
    for name in charts.CHART_NAMES:
        inputs: dict[str, Any] = {}
        if name in ("probabilities", "belief"):
            inputs["summary"] = stored.summary
        elif name in charts.SCENARIO_CHARTS:
            inputs["scenario"] = scenario
        elif name in analyses:
            inputs["analysis"] = analyses[name].result
        else:
            continue
        number += 1
        figures[name] = {
            "number": number,
            "title": SECTION_TITLES[name],
            "how": HOW_TO_READ[name],
            "svg": Markup(charts.chart_svg(name, **inputs)),
            "alt": charts.chart_alt_text(name, **inputs),
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
        lines = [f"Change: {titles}; the worlds diverge in {charts.diverges_text(result)}."]
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
