"""Rich tables for runs; presentation only, no numerics."""

from __future__ import annotations

import math

import pandas as pd
from rich import box
from rich.table import Table

from pivotal.scenario.timeline import period_label
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
    """One line per period: each output's mean and 90% interval side by side (about 130 columns)."""
    table = Table(
        title=title,
        caption="each cell: mean, then 90% interval over parameter draws. "
        "Src: belief updated from the record (r) or the simulation (s)",
    )
    table.add_column("Period", justify="right", no_wrap=True)
    for _, label in SHOWN:
        table.add_column(label, justify="right", no_wrap=True)
    table.add_column("Src", no_wrap=True)
    table.add_column("Observed")
    for _, row in summary.iterrows():
        source = "r" if row["belief_source"] == "record" else "s"
        cells = [_band(row, name) for name, _ in SHOWN]
        table.add_row(period_label(row["period"]), *cells, source, observed_text(row))
    return table


def narrow_summary_table(summary: pd.DataFrame, title: str) -> Table:
    """The same for an 80-column terminal: two lines per period, the mean above its interval,
    probabilities without their leading zero (as tables in the field print them)."""
    table = Table(
        title=title,
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
        caption=(
            "each cell: mean over parameter draws, under it the 90% interval; r/s: belief updated from "
            "the record or the simulation"
        ),
    )
    table.add_column("Period", justify="right", no_wrap=True)
    for _, label in SHOWN:
        table.add_column(NARROW_LABELS.get(label, label), justify="right", no_wrap=True)
    table.add_column("", no_wrap=True)
    table.add_column("Observed", min_width=12, overflow="fold")
    for _, row in summary.iterrows():
        source = "r" if row["belief_source"] == "record" else "s"
        cells = [
            f"{_short(row[name])}\n{_short(row[f'{name}_low'])}–{_short(row[f'{name}_high'])}"
            for name, _ in SHOWN
        ]
        table.add_row(period_label(row["period"]), *cells, source, observed_text(row))
    return table


NARROW_LABELS = {"Pivot acts": "Pivot\nacts", "Belief in resolve": "Belief in\nresolve"}


def _short(value: float) -> str:
    """A probability with two decimals and no leading zero: .06, 1.00."""
    return f"{value:.2f}".removeprefix("0")


def runs_table(records: list[RunRecord]) -> Table:
    table = Table(title="Recorded runs")
    for column in ("Run", "Created (UTC)", "Scenario", "Draws", "Seed", "Record", "Hash", "Version"):
        table.add_column(column, no_wrap=column in ("Run", "Created (UTC)"))
    for r in records:
        system = r.settings.get("system")
        scenario = r.scenario_id + (f" (system {system.get('id')})" if isinstance(system, dict) else "")
        table.add_row(
            r.run_id,
            r.created_at.strftime("%Y-%m-%d %H:%M:%S"),
            scenario,
            str(r.draws),
            str(r.seed),
            "yes" if r.use_record else "no",
            r.scenario_hash[:12],
            r.package_version,
        )
    return table
