"""Analyses in the run store: scores, counterfactuals and Sobol indices, kept as JSON.

A report shows the latest analysis of each kind made on the same scenario
content as its run, so analyses are keyed by the scenario's content hash rather
than by run: ``pivotal score`` does not belong to any one run.
"""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import duckdb

from pivotal.store.errors import AnalysisNotFoundError
from pivotal.store.schema import ANALYSES

#: The kinds of analysis the store keeps, as the commands that make them are named.
ANALYSIS_KINDS = ("score", "whatif", "sensitivity")

#: The ``CREATE`` statement of the table (declared in :mod:`pivotal.store.schema`).
ANALYSES_SCHEMA = ANALYSES.create()


@dataclass(frozen=True)
class AnalysisRecord:
    """One recorded analysis; ``result`` is the command's ``--json`` content."""

    analysis_id: str
    created_at: datetime
    kind: str
    scenario_id: str
    scenario_hash: str
    draws: int
    seed: int | None
    settings: dict[str, Any]
    result: dict[str, Any]


def strict_json(value: Any) -> str:
    """JSON without NaN or infinities (they become null), so any JSON reader accepts it."""
    return json.dumps(_finite(value), default=str, allow_nan=False)


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    if hasattr(value, "tolist") and callable(value.tolist):  # NumPy scalars and arrays
        return _finite(value.tolist())
    return value


def insert_analysis(
    con: duckdb.DuckDBPyConnection,
    *,
    kind: str,
    scenario_id: str,
    scenario_hash: str,
    draws: int,
    seed: int | None,
    settings: dict[str, Any],
    result: dict[str, Any],
) -> str:
    """Write one analysis in one statement (so it is there whole or not at all); returns its id."""
    if kind not in ANALYSIS_KINDS:
        raise ValueError(f"kind must be one of {', '.join(ANALYSIS_KINDS)}, got {kind!r}")
    analysis_id = uuid.uuid4().hex[:12]
    created = datetime.now(UTC).replace(tzinfo=None)
    row = {
        "analysis_id": analysis_id,
        "created_at": created,
        "kind": kind,
        "scenario_id": scenario_id,
        "scenario_hash": scenario_hash,
        "draws": int(draws),
        "seed": seed,
        "settings_json": strict_json(settings),
        "result_json": strict_json(result),
    }
    con.execute(*ANALYSES.insert_row(row))
    return analysis_id


def select_analyses(con: duckdb.DuckDBPyConnection, scenario_hash: str) -> list[AnalysisRecord]:
    """Every analysis of the scenario content with this hash, latest first."""
    rows = con.execute(
        "SELECT analysis_id, created_at, kind, scenario_id, scenario_hash, draws, seed, settings_json, "
        "result_json FROM analyses WHERE scenario_hash = ? ORDER BY created_at DESC, analysis_id DESC",
        [scenario_hash],
    ).fetchall()
    return [
        AnalysisRecord(
            analysis_id=r[0],
            created_at=r[1],
            kind=r[2],
            scenario_id=r[3],
            scenario_hash=r[4],
            draws=int(r[5]),
            seed=None if r[6] is None else int(r[6]),
            settings=json.loads(r[7]),
            result=json.loads(r[8]),
        )
        for r in rows
    ]


def select_all_analyses(con: duckdb.DuckDBPyConnection) -> list[AnalysisRecord]:
    """Every analysis in the store, latest first."""
    hashes = [r[0] for r in con.execute("SELECT DISTINCT scenario_hash FROM analyses").fetchall()]
    records = [record for h in hashes for record in select_analyses(con, h)]
    return sorted(records, key=lambda r: (r.created_at, r.analysis_id), reverse=True)


def find_analysis(con: duckdb.DuckDBPyConnection, prefix: str) -> AnalysisRecord:
    """The one analysis whose id starts with ``prefix``."""
    return single_by_prefix(
        select_all_analyses(con),
        lambda r: r.analysis_id,
        prefix,
        AnalysisNotFoundError,
        "analysis",
        "pivotal analyses",
    )


R = TypeVar("R")


def single_by_prefix(
    records: list[R],
    id_of: Callable[[R], str],
    prefix: str,
    missing: type[Exception],
    noun: str,
    command: str,
) -> R:
    """The one record whose id starts with ``prefix``; ``missing`` raised, naming up to five
    candidates and the command that lists them, when none or several do."""
    prefix = prefix.strip()
    matches = [r for r in records if prefix and id_of(r).startswith(prefix)]
    if len(matches) != 1:
        found = "none" if not matches else f"{len(matches)} ({', '.join(id_of(r) for r in matches[:5])})"
        raise missing(f"no single {noun} with an id starting {prefix!r}: {found}; `{command}` lists them")
    return matches[0]


def delete_analysis(con: duckdb.DuckDBPyConnection, prefix: str) -> AnalysisRecord:
    """Remove the one analysis whose id starts with ``prefix``; returns what was removed."""
    found = find_analysis(con, prefix)
    con.execute("DELETE FROM analyses WHERE analysis_id = ?", [found.analysis_id])
    return found


def latest_by_kind(records: list[AnalysisRecord]) -> dict[str, AnalysisRecord]:
    """The first (latest) record of each kind from a latest-first list."""
    latest: dict[str, AnalysisRecord] = {}
    for record in records:
        latest.setdefault(record.kind, record)
    return latest
