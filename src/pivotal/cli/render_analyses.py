"""Rich tables for scores, counterfactuals and sensitivity; presentation only."""

from __future__ import annotations

import pandas as pd
from rich.table import Table
from rich.text import Text

from pivotal.evaluation import OUTCOMES, ScoreReport
from pivotal.evaluation.score import IN_SAMPLE
from pivotal.scenario.timeline import Period, as_period, period_label

LABELS = {o.name: o.label for o in OUTCOMES}


def _number(value: object, digits: int = 3) -> str:
    return "—" if value is None or pd.isna(value) else f"{value:.{digits}f}"


def score_table(report: ScoreReport, title: str) -> Table:
    """Scores by outcome and method; the best out-of-sample Brier of each outcome in bold."""
    table = Table(
        title=title,
        caption="Brier and log loss: lower is better; AUC: 0.5 is chance. "
        "In-sample rows saw the periods they forecast and are shown for comparison only.",
    )
    for column in ("Outcome", "Method", "Fit", "n", "Events", "Brier", "Log loss", "AUC"):
        table.add_column(
            column, justify="right" if column in ("n", "Events", "Brier", "Log loss", "AUC") else "left"
        )
    for name, group in report.table.groupby("outcome", sort=False):
        honest = group[group["fit"] != IN_SAMPLE]
        best = honest["brier"].min()
        for i, (_, row) in enumerate(group.iterrows()):
            shown = _number(row["brier"])
            brier = Text(shown, style="bold") if row["fit"] != IN_SAMPLE and row["brier"] == best else shown
            style = "dim" if row["fit"] == IN_SAMPLE else None
            table.add_row(
                LABELS[name] if i == 0 else "",
                row["method"],
                row["fit"],
                str(row["n"]),
                str(row["events"]),
                brier,
                _number(row["log_loss"]),
                _number(row["auc"], 2),
                style=style,
                end_section=i == len(group) - 1,
            )
    return table


def reliability_table(report: ScoreReport, outcome: str) -> Table:
    table = Table(title=f"Calibration of the fitted model, rolling origin: {LABELS[outcome]}")
    for column in ("Forecast bin", "Periods", "Mean forecast", "Observed rate"):
        table.add_column(column, justify="right")
    for _, row in report.reliability(outcome).iterrows():
        table.add_row(
            f"{row['bin_low']:.1f}–{row['bin_high']:.1f}",
            str(int(row["count"])),
            _number(row["mean_forecast"], 2),
            _number(row["observed_rate"], 2),
        )
    return table


def precision_line(report: ScoreReport) -> str:
    whole = report.precision.iloc[-1]
    return (
        f"precision multiplier fitted on the whole record: median {whole['scale_median']:.2f} "
        f"(90% {whole['scale_low']:.2f}–{whole['scale_high']:.2f}); prior ln(multiplier) ~ N(0, 1); "
        "1 means the precision as the scenario states it"
    )


def score_output(report: ScoreReport, title: str) -> list[Table | str]:
    """What `score` prints for one report, in order: the scores, the fitted precision, the
    calibration of each scored outcome and the verdicts (print strings unhighlighted)."""
    scored = set(report.table["outcome"])
    return [
        score_table(report, title),
        precision_line(report),
        *(reliability_table(report, outcome.name) for outcome in OUTCOMES if outcome.name in scored),
        *(f"• {line}" for line in report.verdicts),
    ]


def whatif_table(
    frame: pd.DataFrame, metrics: tuple[str, ...], title: str, observed: dict[Period, str]
) -> Table:
    """Per period: for each metric, the baseline mean and the paired difference with its interval."""
    table = Table(
        title=title,
        caption="Δ: counterfactual minus baseline, mean over draws paired by common "
        "random numbers; [5%, 95%] of the per-draw differences",
    )
    table.add_column("Period", justify="right")
    for metric in metrics:
        table.add_column(f"{metric} baseline", justify="right")
        table.add_column(f"Δ {metric}", justify="right")
    table.add_column("Observed")
    for period, group in frame.groupby("period", sort=True):
        cells = []
        for metric in metrics:
            row = group[group["metric"] == metric].iloc[0]
            band = f"{row['difference']:+.3f} [{row['low']:+.2f}, {row['high']:+.2f}]"
            cells += [f"{row['baseline']:.3f}", band]
        table.add_row(period_label(period), *cells, observed.get(as_period(period), "—"))
    return table


def average_line(row) -> str:
    """One metric averaged over a span of periods, draw by draw: baseline, change and its spread."""
    relative = ""
    if row.baseline > 0:
        share = row.difference / row.baseline
        relative = f"; relative change {share:+.0%}" if abs(share) >= 0.005 else "; relative change under 1%"
    return (
        f"mean {row.metric} over {row.periods}: {row.baseline:.3f} in the baseline, change "
        f"{row.difference:+.3f} (90% of draws between {row.low:+.3f} and {row.high:+.3f}{relative})"
    )


def sobol_table(indices: pd.DataFrame, title: str, top: int) -> Table:
    table = Table(
        title=title,
        caption="S1: first-order index; ST: total index; ± half-width of the bootstrap 95% interval",
    )
    for column in ("Parameter", "S1", "ST", "ST at N/2"):
        table.add_column(column, justify="left" if column == "Parameter" else "right")
    for _, row in indices.head(top).iterrows():
        table.add_row(
            row["parameter"],
            f"{_number(row['S1'])} ± {_number(row['S1_conf'])}",
            f"{_number(row['ST'])} ± {_number(row['ST_conf'])}",
            _number(row["ST_half"]),
        )
    return table
