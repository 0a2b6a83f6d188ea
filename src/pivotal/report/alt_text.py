"""What each chart shows, in words and numbers, for readers who cannot see it.

One function per chart, from the same input the chart is drawn from (an analysis chart's from
the result content); the numbers are computed from the data, so the text says what the picture
shows.  The network's is :func:`pivotal.report.network.alt_network`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from pivotal.report.data import COMMITMENT_KINDS, actor_name, ties
from pivotal.report.style import METRIC_STYLE, OUTCOME_LABELS, SCORE_METHODS
from pivotal.report.wording import count, diverges_text, number, roles_text, signed, years_text
from pivotal.scenario.schema import Scenario
from pivotal.scenario.timeline import period_label


def _peak(summary: pd.DataFrame, name: str) -> str:
    """A metric's highest mean (with its interval) and lowest mean, and their periods."""
    values = summary[name].to_numpy(dtype=float)
    top, bottom = int(np.argmax(values)), int(np.argmin(values))
    row = summary.iloc[top]
    return (
        f"{METRIC_STYLE[name][0]}: mean peaks at {values[top]:.2f} in {period_label(row['period'])} "
        f"(90% interval {row[f'{name}_low']:.2f}–{row[f'{name}_high']:.2f}), lowest {values[bottom]:.2f} "
        f"in {period_label(summary.iloc[bottom]['period'])}"
    )


def _record_text(summary: pd.DataFrame) -> str:
    """The years of recorded offensives and probes, and those with no record."""
    if "observed_challenge" not in summary.columns:
        return ""
    parts = []
    for code, words in (("offensive", "offensives"), ("probe", "probes")):
        years = summary.loc[summary["observed_challenge"] == code, "period"].astype(float).tolist()
        parts.append(f"{words} in {years_text(years)}")
    unrecorded = summary.loc[summary["observed_challenge"].isna(), "period"].astype(float).tolist()
    text = "Record: " + "; ".join(parts)
    if unrecorded:
        text += f"; no record for {years_text(unrecorded)}"
    return text + "."


def alt_probabilities(
    summary: pd.DataFrame, metrics: tuple[str, ...] = ("p_challenge", "p_offensive", "p_intervene")
) -> str:
    """The probability chart: who and when, each metric's peak and low, and the record."""
    years = summary["period"].astype(float)
    lines = [
        f"Line chart with 90% bands of the probabilities per period for {roles_text(summary)}, "
        f"{period_label(years.min())}–{period_label(years.max())}."
    ]
    lines += [_peak(summary, name)[0].upper() + _peak(summary, name)[1:] + "." for name in metrics]
    lines.append(_record_text(summary))
    return " ".join(line for line in lines if line)


def alt_belief(summary: pd.DataFrame) -> str:
    """The belief chart: first and last value, highest and lowest, the largest fall, the record."""
    years = [period_label(p) for p in summary["period"]]
    belief = summary["belief"].to_numpy(dtype=float)
    text = (
        f"Line chart of the belief that the pivot is resolved, {years[0]}–{years[-1]}: "
        f"{belief[0]:.2f} in {years[0]}, {belief[-1]:.2f} in {years[-1]}; "
        f"highest {belief.max():.2f} in {years[int(np.argmax(belief))]}, "
        f"lowest {belief.min():.2f} in {years[int(np.argmin(belief))]}."
    )
    if len(belief) > 1:
        step = int(np.argmin(np.diff(belief)))
        drop = belief[step + 1] - belief[step]
        if drop < 0:
            text += (
                f" Largest fall from one period to the next: {drop:+.2f}, {years[step]} to {years[step + 1]}."
            )
    return f"{text} {_record_text(summary)}".strip()


def alt_commitments(scenario: Scenario) -> str:
    """The commitments chart: how many ties of each kind, which still hold, and each one."""
    rows = ties(scenario)
    if not rows:
        return "The scenario lists no commitments and no patrons."
    counts: dict[str, int] = {}
    for tie in rows:
        counts[tie.kind] = counts.get(tie.kind, 0) + 1
    kinds = ", ".join(f"{n} {COMMITMENT_KINDS.get(k, k)}" for k, n in counts.items())
    ongoing = sum(tie.end is None for tie in rows)
    listed = "; ".join(
        f"{'–'.join(t.parties)} ({t.id}) {t.start.year}–{'' if t.end is None else t.end.year}".rstrip("–")
        + (" onward" if t.end is None else "")
        for t in rows
    )
    return (
        f"Timeline of {len(rows)} ties between actors, {scenario.periods.start}–{scenario.periods.end}: "
        f"{kinds}; {ongoing} still in force at the end. {listed}."
    )


def alt_episodes(scenario: Scenario) -> str:
    """The episodes chart: each crisis with its start and who began it."""
    episodes = sorted(scenario.episodes, key=lambda e: (e.start, e.id))
    if not episodes:
        return "The scenario lists no crisis episodes."
    listed = "; ".join(
        f"{e.start.isoformat()}: {e.title}"
        + (f" (begun by {actor_name(scenario, e.initiator)})" if e.initiator else "")
        for e in episodes
    )
    return f"Timeline of {len(episodes)} crisis episodes. {listed}."


def alt_score(result: dict[str, Any]) -> str:
    """The score chart: per outcome, the fitted model's Brier score beside the best baseline's."""
    scores = pd.DataFrame(result["scores"])
    text = (
        f"Bar chart of Brier scores (lower is better) by outcome, forecasting {result.get('start', '?')} "
        "onward, for the fitted model, the model as written, a base rate, persistence and a logistic "
        "regression."
    )
    honest = {(method, fit) for method, fit, _ in SCORE_METHODS}
    if not scores.empty:
        keep = [(m, f) in honest for m, f in zip(scores["method"], scores["fit"], strict=True)]
        scores = scores[np.array(keep, dtype=bool)]
    for outcome in dict.fromkeys(scores["outcome"]) if not scores.empty else []:
        rows = scores[scores["outcome"] == outcome]
        rows = rows.assign(brier=rows["brier"].map(number)).dropna(subset=["brier"])
        if rows.empty:
            continue
        model = rows[rows["method"] == SCORE_METHODS[0][0]]
        others = rows[~rows["method"].str.startswith("model")].sort_values("brier")
        first = rows.iloc[0]
        text += (
            f" {OUTCOME_LABELS.get(outcome, outcome).capitalize()} ({count(int(first['n']), 'year')}, "
            f"{count(int(first['events']), 'event')}):"
        )
        if not model.empty:
            text += f" fitted model {model.iloc[0]['brier']:.3f}"
        if not others.empty:
            text += f", best baseline {others.iloc[0]['method']} {others.iloc[0]['brier']:.3f}"
        text += "."
    return text


def alt_whatif(result: dict[str, Any]) -> str:
    """The what-if chart: the change, where the worlds part and each metric's largest change."""
    frame = pd.DataFrame(result["differences"])
    titles = " + ".join(result.get("titles") or result.get("overlays") or ["a counterfactual"])
    text = (
        f"Line chart of counterfactual minus baseline per year under {titles}; the worlds diverge in "
        f"{diverges_text(result)}."
    )
    for name in dict.fromkeys(frame["metric"]) if not frame.empty else []:
        rows = frame[frame["metric"] == name].reset_index(drop=True)
        values = rows["difference"].map(number).fillna(0.0)
        row = rows.iloc[int(values.abs().to_numpy().argmax())]
        label = METRIC_STYLE.get(name, (name, ""))[0]
        text += (
            f" {label[0].upper() + label[1:]}: largest mean change "
            f"{signed(number(row['difference']))} in {period_label(row['period'])} "
            f"(90% of draws {signed(number(row['low']))} to "
            f"{signed(number(row['high']))})."
        )
    return text


def alt_sensitivity(result: dict[str, Any]) -> str:
    """The sensitivity chart: the output and the five parameters with the largest indices."""
    indices = pd.DataFrame(result["indices"])
    head = (
        f"Bar chart of total and first-order Sobol indices of mean {result.get('metric', '?')} over "
        f"{result.get('periods', '?')}."
    )
    if indices.empty or indices["ST"].map(number).isna().all():
        return head + " The output does not vary with the uncertain parameters; the indices are undefined."
    top = "; ".join(
        f"{r['parameter']} ST {number(r['ST']):.2f}, S1 {number(r['S1']):.2f}"
        for _, r in indices.head(5).iterrows()
    )
    return f"{head} Largest: {top}."
