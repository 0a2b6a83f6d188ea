"""What the report needs from a stored run, in plain shapes the charts and the template share.

No plotting and no HTML here: these functions turn a scenario and a run into
rows (ties between actors, the parameter pieces with their cited sources) so the
chart and the table of the same thing cannot disagree.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
from pydantic import ValidationError

from pivotal.scenario.schema import Citation, PeriodRange, Scenario
from pivotal.scenario.timeline import as_period, period_label, start_date
from pivotal.store import RunRecord, RunStore, StoredRun

#: What each commitment kind means in a sentence, for legends and tables.
COMMITMENT_KINDS = {
    "alliance": "alliance (mutual defence)",
    "basing": "military base",
    "arms_supply": "arms supply",
    "peacekeeping": "peacekeeping",
    "mediation": "mediation",
    "partnership": "partnership",
    "monitoring": "monitoring mission",
    "sanctions": "sanctions",
    "embargo": "arms embargo",
    "guarantee": "security guarantee",
    "declaration": "unilateral declaration",
    "statute": "law or statute",
    "neutrality": "neutrality pact",
    "peace_settlement": "peace settlement",
    "patronage": "patronage (from the scenario's roles)",
}


@dataclass(frozen=True)
class Tie:
    """One row of the commitment network: a treaty, a base or a patron behind one side.

    ``end`` is None while the tie still holds at the end of the scenario's record.
    """

    id: str
    kind: str
    parties: tuple[str, ...]
    scope: str
    start: dt.date
    end: dt.date | None
    citations: tuple[Citation, ...] = ()


#: Stands in for the missing citation of a piece an overlay or ``--set`` changed, while validating.
_UNCITED = "\x00uncited"


def scenario_from_json(text: str) -> Scenario:
    """The scenario a run stored (``Scenario.model_dump_json``), validated again.

    Period ranges are dumped as ``[start, end]`` lists of period keys, which the file format does
    not accept, so they are written back as text first (``"2001-2003"``, ``"2001..2002-05-01"``).
    Variants made by overlays or ``--set`` (what-ifs, sweeps, the web app) may hold pieces with no
    citation, which a scenario file may not; they come back with empty sources.
    """
    data = _periods_as_text(json.loads(text))
    try:
        return Scenario.model_validate(data)
    except ValidationError:
        marked = _mark_uncited(data)
        if marked == data:
            raise
    return _unmark(Scenario.model_validate(marked))


def _mark_uncited(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: ([{"ref": _UNCITED, "at": ""}] if k == "sources" and v == [] else _mark_uncited(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_mark_uncited(v) for v in value]
    return value


def _unmark(scenario: Scenario) -> Scenario:
    def strip(item: Any) -> Any:
        sources = getattr(item, "sources", None)
        if sources and sources[0].ref == _UNCITED:
            return item.model_copy(update={"sources": []})
        return item

    return scenario.model_copy(
        update={
            "roles": [strip(r) for r in scenario.roles],
            "commitments": [strip(c) for c in scenario.commitments],
            "episodes": [strip(e) for e in scenario.episodes],
            "parameters": {k: [strip(p) for p in v] for k, v in scenario.parameters.items()},
            "record": [strip(r) for r in scenario.record],
        }
    )


def _periods_as_text(value: Any, key: str | None = None) -> Any:
    if key == "periods" and isinstance(value, list) and len(value) == 2:
        return str(PeriodRange(as_period(value[0]), as_period(value[1])))
    if isinstance(value, dict):
        return {k: _periods_as_text(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_periods_as_text(v) for v in value]
    return value


def stored_scenario(stored: StoredRun) -> Scenario:
    """The scenario exactly as the run used it."""
    return scenario_from_json(stored.scenario_json)


def ties(scenario: Scenario) -> list[Tie]:
    """Every commitment, then every patron of a side as the roles name it, in time order.

    A patron named in consecutive periods counts as one tie from the first period's start to the
    day before the period after the last; a patron that drops out and comes back gives two ties.
    """
    rows = [
        Tie(c.id, c.kind, tuple(c.parties), c.scope, c.start, c.end, tuple(c.sources))
        for c in scenario.commitments
    ]
    timeline = scenario.timeline
    spans: dict[tuple[str, str, str], list[list[int]]] = {}  # runs of consecutive periods, by index
    for t, period in enumerate(timeline):
        roles = scenario.roles_in(period)
        for side, client, patrons in (
            ("challenger", roles.challenger, roles.challenger_patrons),
            ("target", roles.target, roles.target_patrons),
        ):
            for patron in patrons:
                runs = spans.setdefault((patron, client, side), [])
                if runs and runs[-1][1] == t - 1:
                    runs[-1][1] = t
                else:
                    runs.append([t, t])
    for (patron, client, side), runs in spans.items():
        for first, final in runs:
            suffix = f"-{period_label(timeline[first])}" if len(runs) > 1 else ""
            rows.append(
                Tie(
                    id=f"{patron}-patron-of-{client}{suffix}",
                    kind="patronage",
                    parties=(patron, client),
                    scope=f"{patron} backs the {side}, {client}",
                    start=start_date(timeline[first]),
                    end=None
                    if final == len(timeline) - 1
                    else start_date(timeline[final + 1]) - dt.timedelta(days=1),
                )
            )
    return sorted(rows, key=lambda tie: (tie.start, tie.id))


def actor_name(scenario: Scenario, code: str | None) -> str:
    """An actor's name from its code; the code itself when the scenario does not list it."""
    if code is None:
        return "not attributed"
    actor = scenario.actors.get(code)
    return actor.name if actor else code


def citation_rows(
    scenario: Scenario,
    citations: list[Citation] | tuple[Citation, ...],
) -> list[dict[str, str]]:
    """Citations with each reference resolved to its source's title."""
    rows = []
    for citation in citations:
        source = scenario.sources.get(citation.ref)
        title = source.title if source else f"(unknown source {citation.ref})"
        rows.append({"ref": citation.ref, "title": title, "at": citation.at, "note": citation.note or ""})
    return rows


def parameter_rows(scenario: Scenario) -> list[dict[str, Any]]:
    """One row per parameter piece: periods, distribution, range and the sources cited for it."""
    from pivotal.model.parameters import PARAMETERS

    specs = {spec.name: spec for spec in PARAMETERS}
    rows = []
    for name, pieces in scenario.parameters.items():
        spec = specs.get(name)
        for index, piece in enumerate(pieces):
            shape = ""
            if piece.dist == "beta" and piece.alpha is not None and piece.beta is not None:
                shape = f"α = {piece.alpha:g}, β = {piece.beta:g}"
            rows.append(
                {
                    "name": name,
                    "first": index == 0,
                    "pieces": len(pieces),
                    "symbol": spec.symbol if spec else "",
                    "meaning": spec.meaning if spec else "",
                    "periods": str(piece.periods),
                    "dist": piece.dist,
                    "low": f"{piece.low:g}",
                    "mode": "" if piece.mode is None else f"{piece.mode:g}",
                    "high": f"{piece.high:g}",
                    "shape": shape,
                    "note": piece.note or "",
                    "citations": citation_rows(scenario, piece.sources),
                }
            )
    return rows


def source_rows(scenario: Scenario) -> list[dict[str, str]]:
    """Every source of the scenario, with what is known about it, in the file's order."""
    rows = []
    for key, source in scenario.sources.items():
        when = source.date if source.date is not None else source.year
        rows.append(
            {
                "key": key,
                "kind": source.kind,
                "title": source.title,
                "author": source.author or "",
                "outlet": source.outlet or source.publisher or "",
                "date": "" if when is None else str(when),
                "file": source.file or "",
                "url": source.url or "",
                "note": source.note or "",
            }
        )
    return rows


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def observed_text(row: Mapping[str, Any]) -> str:
    """A period's record in a few words, e.g. ``probe → mediate, ceasefire 4 d``; an em dash if none."""
    challenge = row.get("observed_challenge")
    if _missing(challenge):
        return "—"
    if challenge == "none":
        return "none"
    text = f"{challenge} → {row.get('observed_response') or '?'}"
    if not _missing(row.get("observed_ceasefire_days")):
        text += f", ceasefire {int(row['observed_ceasefire_days'])} d"
    if not _missing(row.get("observed_appeal_answered")):
        text += ", appeal " + ("answered" if row["observed_appeal_answered"] else "unanswered")
    return text


#: Columns of the report's per-year table: metric and heading.
YEAR_COLUMNS = (
    ("p_challenge", "Challenge"),
    ("p_offensive", "Offensive"),
    ("p_intervene", "Pivot acts"),
    ("p_deterred", "Deterred"),
    ("belief", "Belief in resolve"),
)


def year_rows(summary: pd.DataFrame) -> list[dict[str, Any]]:
    """The run's summary as text cells: mean and 90% interval of each shown metric, and the record."""
    rows = []
    for record in summary.to_dict(orient="records"):
        cells = {
            name: f"{record[name]:.2f} ({record[f'{name}_low']:.2f}–{record[f'{name}_high']:.2f})"
            for name, _ in YEAR_COLUMNS
            if name in record
        }
        rows.append(
            {
                "period": period_label(record["period"]),
                "cells": cells,
                "source": str(record.get("belief_source", "")),
                "observed": observed_text(record),
            }
        )
    return rows


def analyses_of_run(store: RunStore, record: RunRecord) -> dict:
    """The analyses a run's report and figures show: the latest usable one of each kind of the
    run's scenario content (same hash), a system's for a dyad of a system run (its settings name
    the system), the scenario's alone otherwise."""
    system = record.settings.get("system")
    system_id = system.get("id") if isinstance(system, dict) else None
    return usable_analyses(
        [a for a in store.analyses_for(record.scenario_hash) if a.settings.get("system") == system_id]
    )


def usable_analyses(records: list) -> dict:
    """The latest analysis of each kind that has something to plot, from a latest-first list.

    An analysis stored empty (a score with no period to score, from an older release) is passed
    over for the one before it, so it cannot break every later report of its scenario.
    """
    from pivotal.report.registry import usable_analysis

    usable: dict = {}
    for record in records:
        if record.kind not in usable and usable_analysis(record.kind, record.result):
            usable[record.kind] = record
    return usable
