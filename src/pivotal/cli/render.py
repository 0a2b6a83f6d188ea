"""Rich tables for runs; presentation only, no numerics."""

from __future__ import annotations

import math

import pandas as pd
from rich.table import Table

from pivotal.store import RunRecord

SHOWN = (
    ("p_challenge", "Challenge"),
    ("p_offensive", "Offensive"),
    ("p_intervene", "Pivot acts"),
    ("p_deterred", "Deterred"),
    ("belief", "Belief in resolve"),
)


def _band(row: pd.Series, name: str) -> str:
    return f"{row[name]:.2f} {row[f'{name}_low']:.2f}–{row[f'{name}_high']:.2f}"


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def observed_text(row: pd.Series) -> str:
    """The record for a period in a few words, e.g. ``probe → mediate, 4 d``."""
    challenge = row.get("observed_challenge")
    if _missing(challenge):
        return "—"
    if challenge == "none":
        return "none"
    text = f"{challenge} → {row['observed_response']}"
    if not _missing(row.get("observed_ceasefire_days")):
        text += f", ceasefire {int(row['observed_ceasefire_days'])} d"
    if not _missing(row.get("observed_appeal_answered")):
        text += ", appeal " + ("answered" if row["observed_appeal_answered"] else "unanswered")
    return text


def summary_table(summary: pd.DataFrame, title: str) -> Table:
    table = Table(title=title, caption="each cell: mean, then 90% interval over parameter draws. "
                  "Src: belief updated from the record (r) or the simulation (s)")
    table.add_column("Period", justify="right", no_wrap=True)
    for _, label in SHOWN:
        table.add_column(label, justify="right", no_wrap=True)
    table.add_column("Src", no_wrap=True)
    table.add_column("Observed")
    for _, row in summary.iterrows():
        source = "r" if row["belief_source"] == "record" else "s"
        cells = [_band(row, name) for name, _ in SHOWN]
        table.add_row(str(row["period"]), *cells, source, observed_text(row))
    return table


def runs_table(records: list[RunRecord]) -> Table:
    table = Table(title="Recorded runs")
    for column in ("Run", "Created (UTC)", "Scenario", "Draws", "Seed", "Record", "Hash", "Version"):
        table.add_column(column, no_wrap=column in ("Run", "Created (UTC)"))
    for r in records:
        table.add_row(r.run_id, r.created_at.strftime("%Y-%m-%d %H:%M:%S"), r.scenario_id,
                      str(r.draws), str(r.seed), "yes" if r.use_record else "no",
                      r.scenario_hash[:12], r.package_version)
    return table
