"""Tables and JSON for sweeps; presentation only, the numbers come from the store."""

from __future__ import annotations

import json
import math
from typing import Any

import pandas as pd
from rich.console import Group
from rich.table import Table
from rich.text import Text

from pivotal.store.runstore import StoredSweep, SweepRecord


def value_text(value: Any) -> str:
    """A variant's value for a table cell: 4 significant digits for sampled floats."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def sweeps_table(records: list[SweepRecord]) -> Table:
    table = Table(title="Recorded sweeps")
    for column in (
        "Sweep",
        "Created (UTC)",
        "Scenario",
        "Variants",
        "Failed",
        "Draws",
        "Seed",
        "Cluster",
        "Status",
    ):
        table.add_column(column, no_wrap=column in ("Sweep", "Created (UTC)"))
    for s in records:
        table.add_row(
            s.sweep_id,
            s.created_at.strftime("%Y-%m-%d %H:%M:%S"),
            s.scenario_id,
            f"{s.done}/{s.variants}",
            str(s.failed),
            str(s.draws),
            str(s.seed),
            s.address,
            s.status,
        )
    return table


def sweep_table(stored: StoredSweep, metric: str, over: str) -> Group:
    """One row per variant: its values by axis, the metric's mean over ``over``, its run and tries.

    The heading and the note are lines of their own, so a narrow table does not wrap them.
    """
    r = stored.record
    tasks = stored.tasks
    labels = list(dict.fromkeys(k for settings in tasks["settings"] for k in settings.get("values", {})))
    heading = Text(
        f"sweep {r.sweep_id} — {r.scenario_id} — {r.variants} variants, {r.draws:,} draws, "
        f"seed {r.seed} (shared), {r.status}",
        style="italic",
    )
    note = Text(f"{metric}: mean over parameter draws, averaged over {over}", style="dim")
    table = Table()
    table.add_column("#", justify="right")
    for label in labels:
        table.add_column(label, justify="right", overflow="fold")
    table.add_column(metric, justify="right")
    table.add_column("Run", no_wrap=True)
    table.add_column("Tries", justify="right")
    failed = bool((tasks["status"] == "failed").any())
    if failed:
        table.add_column("Error")
    for _, row in tasks.iterrows():
        values = row["settings"].get("values", {})
        cells = [str(row["task_index"]), *(value_text(values.get(label)) for label in labels)]
        result = row.get(metric)
        cells.append("—" if _missing(result) else f"{result:.3f}")
        cells.append(row["run_id"] if isinstance(row["run_id"], str) else "failed")
        cells.append("?" if _missing(row["attempts"]) else str(int(row["attempts"])))
        if failed:
            cells.append(row["error"] if isinstance(row["error"], str) else "")
        table.add_row(*cells)
    return Group(heading, table, note)


def sweep_json(stored: StoredSweep, metrics: tuple[str, ...]) -> str:
    r = stored.record
    head = {
        "sweep_id": r.sweep_id,
        "created_at": r.created_at.isoformat(),
        "scenario_id": r.scenario_id,
        "scenario_hash": r.scenario_hash,
        "seed": r.seed,
        "draws": r.draws,
        "address": r.address,
        "variants": r.variants,
        "status": r.status,
        "spec": r.spec,
    }
    tasks = []
    for _, row in stored.tasks.iterrows():
        tasks.append(
            {
                "task_index": int(row["task_index"]),
                "values": row["settings"].get("values", {}),
                "settings": row["settings"].get("settings", []),
                "run_id": _plain(row["run_id"]),
                "status": row["status"],
                "attempts": _plain(row["attempts"]),
                "error": _plain(row["error"]),
                "means": {m: _plain(row.get(m)) for m in metrics},
            }
        )
    return json.dumps({"sweep": head, "tasks": tasks}, indent=2)


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _plain(value: Any) -> Any:
    """NaN and NumPy scalars as JSON takes them."""
    if _missing(value):
        return None
    return value.item() if hasattr(value, "item") else value
