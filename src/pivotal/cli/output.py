"""Machine-readable output of runs: JSON and CSV on standard output."""

from __future__ import annotations

import json
from dataclasses import asdict

import pandas as pd

from pivotal.store import RunRecord


def summary_records(summary: pd.DataFrame) -> list[dict]:
    """Rows as plain JSON-ready dicts (missing values become null)."""
    return json.loads(summary.to_json(orient="records"))


def run_record_json(record: RunRecord) -> dict:
    """A run's record as JSON values: times in ISO 8601."""
    return {**asdict(record), "created_at": record.created_at.isoformat() + "+00:00"}  # stored in UTC


def run_json(record: dict | RunRecord, summary: pd.DataFrame) -> str:
    meta = asdict(record) if isinstance(record, RunRecord) else record
    return json.dumps({"run": meta, "periods": summary_records(summary)}, indent=2, default=str)


def summary_csv(summary: pd.DataFrame) -> str:
    return summary.to_csv(index=False)
