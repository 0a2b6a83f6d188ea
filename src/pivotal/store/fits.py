"""Fits in the run store: the coefficients estimated from cases' records, kept as JSON.

A fit belongs to no run: it is made from the records of one or many scenarios, each kept with
its id and content hash (what the fit was made from).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import duckdb

from pivotal.store.analyses import single_by_prefix, strict_json
from pivotal.store.errors import FitNotFoundError
from pivotal.store.schema import FITS

#: The ``CREATE`` statement of the table (declared in :mod:`pivotal.store.schema`).
FITS_SCHEMA = FITS.create()


@dataclass(frozen=True)
class FitRecord:
    """One recorded fit: ``scenarios`` maps each case's id to its content hash; ``result`` is the
    fit as :meth:`pivotal.estimation.fit.StructuralFit.to_dict` gives it."""

    fit_id: str
    created_at: datetime
    method: str
    terms: list[str]
    scenarios: dict[str, str]
    settings: dict[str, Any]
    result: dict[str, Any]


def insert_fit(
    con: duckdb.DuckDBPyConnection,
    *,
    method: str,
    terms: list[str],
    scenarios: dict[str, str],
    settings: dict[str, Any],
    result: dict[str, Any],
) -> str:
    """Write one fit in one statement (there whole or not at all); returns its id."""
    fit_id = uuid.uuid4().hex[:12]
    created = datetime.now(UTC).replace(tzinfo=None)
    row = {
        "fit_id": fit_id,
        "created_at": created,
        "method": method,
        "terms_json": strict_json(terms),
        "scenarios_json": strict_json(scenarios),
        "settings_json": strict_json(settings),
        "result_json": strict_json(result),
    }
    con.execute(*FITS.insert_row(row))
    return fit_id


def select_fits(con: duckdb.DuckDBPyConnection) -> list[FitRecord]:
    """Every fit, latest first."""
    rows = con.execute(
        "SELECT fit_id, created_at, method, terms_json, scenarios_json, settings_json, "
        "result_json FROM fits ORDER BY created_at DESC, fit_id DESC"
    ).fetchall()
    return [
        FitRecord(
            fit_id=r[0],
            created_at=r[1],
            method=r[2],
            terms=json.loads(r[3]),
            scenarios=json.loads(r[4]),
            settings=json.loads(r[5]),
            result=json.loads(r[6]),
        )
        for r in rows
    ]


def find_fit(con: duckdb.DuckDBPyConnection, prefix: str) -> FitRecord:
    """The one fit whose id starts with ``prefix``."""
    return single_by_prefix(
        select_fits(con), lambda r: r.fit_id, prefix, FitNotFoundError, "fit", "pivotal fits"
    )
