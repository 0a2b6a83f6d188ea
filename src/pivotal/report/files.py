"""Write a run's report to disk: one HTML file, or one image per chart in a folder.

Every file goes through a temporary file and a rename, so an interrupted or
failed write never leaves half a report where a reader would open it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pivotal.report.data import analyses_of_run, stored_scenario
from pivotal.report.export import save_chart, write_atomic
from pivotal.report.html import build_report
from pivotal.report.registry import CHARTS
from pivotal.store import RunStore


def default_name(run_id: str) -> str:
    """``pivotal-report-<run id>``: the default file stem (HTML) or folder (images)."""
    return f"pivotal-report-{run_id}"


def write_report(run_id: str, path: str | Path | None = None, store: RunStore | None = None) -> Path:
    """Write the HTML report of a run; ``path`` may be a file, an existing folder or None (here)."""
    store = store or RunStore()
    full_id = store.resolve(run_id)
    target = Path(path) if path is not None else Path(f"{default_name(full_id)}.html")
    if target.is_dir():
        target = target / f"{default_name(full_id)}.html"
    text = build_report(full_id, store)
    write_atomic(target, text.encode("utf-8"))
    return target


def write_figures(
    run_id: str,
    folder: str | Path | None = None,
    fmt: Literal["png", "svg"] = "png",
    store: RunStore | None = None,
) -> list[Path]:
    """Write each of the report's charts as ``<folder>/<chart>.<fmt>``; returns the files in chart order.

    The analysis charts are written only when the store holds such an analysis
    of the run's scenario, as in the HTML report.
    """
    store = store or RunStore()
    stored = store.get(run_id)
    target = Path(folder) if folder is not None else Path(default_name(stored.record.run_id))
    target.mkdir(parents=True, exist_ok=True)
    scenario = stored_scenario(stored)
    analyses = analyses_of_run(store, stored.record)
    written = []
    for name, chart in CHARTS.items():
        inputs = chart.run_inputs(stored.summary, scenario, analyses)
        if inputs is not None:
            written.append(save_chart(name, target / f"{name}.{fmt}", fmt, **inputs))
    return written
