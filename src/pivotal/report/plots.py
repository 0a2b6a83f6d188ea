"""The report's charts drawn with matplotlib: one function per chart.

Every ``plot_*`` function takes ``ax=None`` (a new figure of a fitting size) and returns the axes
it drew on; none prints or computes model numbers.  Figures are drawn on the Agg canvas directly,
never through pyplot, so nothing here changes the caller's matplotlib backend or figure list.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from pivotal.report.data import COMMITMENT_KINDS, actor_name, ties
from pivotal.report.network import plot_network
from pivotal.report.plot_parts import (
    check_summary,
    decimal_year,
    legend_below,
    metric_line,
    new_axes,
    record_strip,
    shade_simulated,
    year_axis,
)
from pivotal.report.results import analysis_result
from pivotal.report.style import GREY, KIND_COLOURS, OKABE_ITO, OUTCOME_LABELS, SCORE_METHODS, metric, styled
from pivotal.report.wording import actor_code, count, number, roles_text
from pivotal.scenario.schema import Scenario
from pivotal.scenario.timeline import as_period, boundary_before, is_year, period_label


@styled
def plot_probability_bands(
    summary: pd.DataFrame,
    metrics: tuple[str, ...] = ("p_challenge", "p_offensive", "p_intervene"),
    ax: Axes | None = None,
) -> Axes:
    """Per year, each metric's mean over draws and 90% interval, with the record marked above.

    The record strip sits above the probability scale so a reader sees at once
    whether high predicted risk went with the years something happened.
    """
    metrics = tuple(metrics)
    check_summary(summary, metrics)
    ax = new_axes(ax, (9.0, 4.8))
    simulated = shade_simulated(ax, summary)
    handles = [metric_line(ax, summary, name) for name in metrics]
    handles += record_strip(ax, summary)
    if simulated:
        handles.append((Patch(color="#EEEEEE"), "year simulated, record not used"))
    year_axis(ax, summary)
    ax.set_ylabel("Probability (0–1)")
    per = "per year" if all(is_year(p) for p in summary["period"]) else "per period"
    ax.set_title(
        f"Probabilities {per}: {roles_text(summary)}\n"
        "lines: mean over parameter draws; shading: 90% interval",
        fontsize=10,
    )
    legend_below(ax, handles)
    return ax


@styled
def plot_belief(summary: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """The observers' belief that the pivot is resolved, before and after each year's events."""
    check_summary(summary, ("belief",))
    ax = new_axes(ax, (9.0, 4.2))
    simulated = shade_simulated(ax, summary)
    handles = [metric_line(ax, summary, "belief")]
    if "belief_after" in summary.columns:
        handles.append(metric_line(ax, summary, "belief_after", dashed=True, band=False))
    handles += record_strip(ax, summary)
    if simulated:
        handles.append((Patch(color="#EEEEEE"), "year simulated, record not used"))
    year_axis(ax, summary)
    ax.set_ylabel("Probability the pivot is resolved (0–1)")
    pivot = (
        (
            "/".join(n for n in dict.fromkeys(map(actor_code, summary["pivot"])) if n != "no pivot")
            or "the pivot"
        )
        if "pivot" in summary
        else "the pivot"
    )
    ax.set_title(
        f"Belief in {pivot}'s resolve per year\nline: mean over parameter draws; shading: 90% interval",
        fontsize=10,
    )
    legend_below(ax, handles)
    return ax


def _tie_label(parties: tuple[str, ...], ident: str) -> str:
    who = " · ".join(parties[:4]) + (f" +{len(parties) - 4}" if len(parties) > 4 else "")
    return f"{who} — {ident}"


@styled
def plot_commitments(scenario: Scenario, ax: Axes | None = None) -> Axes:
    """One bar per treaty, base, arms deal, mission or patron, from its start to its end.

    Bars are coloured by kind; an arrow head at the right means the tie still held
    when the scenario ends.
    """
    rows = ties(scenario)
    ax = new_axes(ax, (9.0, 1.9 + 0.27 * max(len(rows), 1)))
    first = min([scenario.periods.start] + [t.start.year for t in rows])
    last = scenario.periods.end + 1
    if first < scenario.periods.start:
        ax.axvspan(first, scenario.periods.start, color="#F2F2F2", linewidth=0, zorder=0)
    for y, tie in enumerate(rows):
        x0 = max(decimal_year(tie.start), first)
        x1 = last if tie.end is None else min(decimal_year(tie.end), last)
        colour = KIND_COLOURS.get(tie.kind, GREY)
        ax.barh(
            y,
            max(x1 - x0, 0.05),
            left=x0,
            height=0.62,
            color=colour,
            edgecolor="#333333",
            linewidth=0.4,
            hatch="///" if tie.kind == "patronage" else None,
            zorder=2,
        )
        if tie.end is None:
            ax.plot(
                [last],
                [y],
                marker=">",
                color=colour,
                markeredgecolor="#333333",
                markersize=6,
                clip_on=False,
                zorder=3,
            )
    ax.set_yticks(range(len(rows)), [_tie_label(t.parties, t.id) for t in rows])
    ax.set_ylim(len(rows) - 0.4, -0.6)
    ax.set_xlim(first, last)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=12))
    ax.set_xlabel("Year")
    ax.grid(axis="x", color="#DDDDDD", linewidth=0.6)
    ax.set_axisbelow(True)
    kinds = list(dict.fromkeys(t.kind for t in rows))
    handles: list[tuple[Any, str]] = [
        (
            Patch(
                facecolor=KIND_COLOURS.get(k, GREY),
                edgecolor="#333333",
                linewidth=0.4,
                hatch="///" if k == "patronage" else None,
            ),
            COMMITMENT_KINDS.get(k, k),
        )
        for k in kinds
    ]
    handles.append(
        (
            Line2D([], [], marker=">", linestyle="", color=GREY, markeredgecolor="#333333"),
            "still in force at the end",
        )
    )
    if first < scenario.periods.start:
        handles.append((Patch(color="#F2F2F2"), "before the scenario's first year"))
    legend_below(ax, handles)
    ax.set_title(
        f"Commitments and patrons: who was tied to whom, {scenario.periods.start}–{scenario.periods.end}",
        fontsize=10,
    )
    return ax


@styled
def plot_network_chart(scenario: Scenario) -> Axes:
    """The network of ties at a few moments, in the report's colours (see :func:`plot_network`)."""
    return plot_network(scenario, KIND_COLOURS, GREY)


@styled
def plot_episodes(scenario: Scenario, ax: Axes | None = None) -> Axes:
    """The scenario's crisis episodes on a time line, one row each, coloured by who began them."""
    episodes = sorted(scenario.episodes, key=lambda e: (e.start, e.id))
    ax = new_axes(ax, (9.0, 1.6 + 0.3 * max(len(episodes), 1)))
    first, last = scenario.periods.start, scenario.periods.end + 1
    palette = [c for k, c in OKABE_ITO.items() if k not in ("black", "yellow")]
    initiators = list(dict.fromkeys(e.initiator for e in episodes if e.initiator))
    colours = {code: palette[i % len(palette)] for i, code in enumerate(initiators)}
    middle = (first + last) / 2
    for y, episode in enumerate(episodes):
        x0 = decimal_year(episode.start)
        x1 = decimal_year(episode.end) if episode.end else x0
        colour = colours.get(episode.initiator or "", GREY)
        ax.barh(
            y,
            max(x1 - x0, 0.12),
            left=x0,
            height=0.6,
            color=colour,
            edgecolor="#333333",
            linewidth=0.4,
            zorder=2,
        )
        title = episode.title if len(episode.title) <= 60 else episode.title[:59] + "…"
        last_year = episode.end.year if episode.end else episode.start.year
        when = str(last_year) if last_year == episode.start.year else f"{episode.start.year}–{last_year}"
        if x0 < middle:
            ax.text(max(x1, x0 + 0.12) + 0.3, y, f"{title} ({when})", va="center", ha="left", fontsize=7.5)
        else:
            ax.text(x0 - 0.3, y, f"{title} ({when})", va="center", ha="right", fontsize=7.5)
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    ax.set_ylim(max(len(episodes), 1) - 0.4, -0.6)
    ax.set_xlim(first, last)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=12))
    ax.set_xlabel("Year")
    ax.grid(axis="x", color="#DDDDDD", linewidth=0.6)
    ax.set_axisbelow(True)
    handles = [
        (
            Patch(facecolor=colours[c], edgecolor="#333333", linewidth=0.4),
            f"begun by {actor_name(scenario, c)}",
        )
        for c in initiators
    ]
    if any(e.initiator is None for e in episodes):
        handles.append(
            (Patch(facecolor=GREY, edgecolor="#333333", linewidth=0.4), "initiator not attributed")
        )
    if handles:
        legend_below(ax, handles, columns=4)
    if not episodes:
        ax.text(0.5, 0.5, "The scenario lists no crisis episodes.", transform=ax.transAxes, ha="center")
    ax.set_title(f"Crisis episodes, {scenario.periods.start}–{scenario.periods.end}", fontsize=10)
    return ax


@styled
def plot_score(score_result_dict: dict[str, Any], ax: Axes | None = None) -> Axes:
    """Brier score of each forecaster on each outcome; out-of-sample and unfitted methods only.

    In-sample rows saw the years they forecast, so they are left out: comparing
    them with honest forecasts would flatter them.
    """
    result = analysis_result(score_result_dict, "scores", "score")
    scores = pd.DataFrame(result["scores"])
    ax = new_axes(ax, (8.0, 4.8))
    outcomes = list(dict.fromkeys(scores["outcome"])) if not scores.empty else []
    width = 0.8 / len(SCORE_METHODS)
    handles = []
    for m, (method, fit, colour) in enumerate(SCORE_METHODS):
        rows = scores[(scores["method"] == method) & (scores["fit"] == fit)].set_index("outcome")
        values = [number(rows.loc[o, "brier"]) if o in rows.index else math.nan for o in outcomes]
        positions = np.arange(len(outcomes)) - 0.4 + width * (m + 0.5)
        bars = ax.barh(
            positions, values, height=width * 0.92, color=colour, edgecolor="#333333", linewidth=0.3
        )
        handles.append((bars, f"{method} ({fit})"))
    labels = []
    for outcome in outcomes:
        row = scores[scores["outcome"] == outcome].iloc[0]
        labels.append(
            f"{OUTCOME_LABELS.get(outcome, outcome)}\n{count(int(row['n']), 'year')}, "
            f"{count(int(row['events']), 'event')}"
        )
    ax.set_yticks(range(len(outcomes)), labels)
    ax.set_ylim(len(outcomes) - 0.5, -0.5)
    ax.set_xlim(left=0)
    ax.set_xlabel(
        "Brier score (mean squared error of the forecast probability; 0 is perfect, lower is better)"
    )
    ax.grid(axis="x", color="#DDDDDD", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.set_title(
        f"Forecasts scored against the record, {result.get('start', '?')} onward "
        f"({result.get('draws', '?')} draws, seed {result.get('seed', '?')})",
        fontsize=10,
    )
    legend_below(ax, handles, columns=2)
    return ax


@styled
def plot_whatif(whatif_result_dict: dict[str, Any], ax: Axes | None = None) -> Axes:
    """Counterfactual minus baseline per year, paired draw by draw: mean and 90% of draws."""
    result = analysis_result(whatif_result_dict, "differences", "whatif")
    frame = pd.DataFrame(result["differences"])
    ax = new_axes(ax, (9.0, 4.4))
    handles: list[tuple[Any, str]] = []
    for name in dict.fromkeys(frame["metric"]) if not frame.empty else []:
        rows = frame[frame["metric"] == name].sort_values("period")
        label, colour = metric(name)
        years = rows["period"].astype(float).to_numpy()
        band = ax.fill_between(
            years, rows["low"].map(number), rows["high"].map(number), color=colour, alpha=0.2, linewidth=0
        )
        (line,) = ax.plot(
            years, rows["difference"].map(number), color=colour, marker="o", markersize=3, linewidth=1.8
        )
        handles.append(((band, line), label))
    ax.axhline(0, color="#333333", linewidth=0.8)
    diverges = result.get("diverges")
    if diverges is not None:
        periods = frame["period"].astype(float).tolist() if not frame.empty else []
        ax.axvline(boundary_before(periods, as_period(diverges)), color=GREY, linestyle=":", linewidth=1.2)
        handles.append(
            (
                Line2D([], [], color=GREY, linestyle=":"),
                f"worlds diverge in {period_label(as_period(diverges))}",
            )
        )
    if not frame.empty:
        years = frame["period"].astype(float)
        ax.set_xlim(years.min() - 0.5, years.max() + 0.5)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=12))
    ax.set_xlabel("Year")
    ax.set_ylabel("Counterfactual − baseline\n(difference in probability)")
    ax.grid(axis="y", color="#DDDDDD", linewidth=0.6)
    titles = " + ".join(result.get("titles") or result.get("overlays") or ["counterfactual"])
    ax.set_title(f"What if: {titles}\nline: mean paired difference; shading: 90% of draws", fontsize=10)
    legend_below(ax, handles)
    return ax


@styled
def plot_sensitivity(sensitivity_result_dict: dict[str, Any], ax: Axes | None = None, top: int = 12) -> Axes:
    """Total and first-order Sobol indices of the most influential parameters, with 95% intervals."""
    result = analysis_result(sensitivity_result_dict, "indices", "sensitivity")
    indices = pd.DataFrame(result["indices"]).head(top)
    ax = new_axes(ax, (8.0, 1.6 + 0.34 * max(len(indices), 1)))
    title = f"What drives mean {result.get('metric', '?')} over {result.get('periods', '?')}"
    if indices.empty or indices["ST"].map(number).isna().all():
        ax.text(
            0.5,
            0.5,
            "The output does not vary with the uncertain parameters;\nSobol indices are undefined.",
            transform=ax.transAxes,
            ha="center",
            va="center",
        )
        ax.set_axis_off()
        ax.set_title(title, fontsize=10)
        return ax
    positions = np.arange(len(indices))
    handles = []
    for offset, column, colour, words in (
        (-0.2, "ST", OKABE_ITO["blue"], "total index (ST)"),
        (0.2, "S1", OKABE_ITO["orange"], "first-order index (S1)"),
    ):
        values = indices[column].map(number).to_numpy()
        errors = indices[f"{column}_conf"].map(number).fillna(0).to_numpy()
        bars = ax.barh(
            positions + offset,
            values,
            height=0.38,
            xerr=errors,
            color=colour,
            edgecolor="#333333",
            linewidth=0.3,
            error_kw={"elinewidth": 0.8, "capsize": 2},
        )
        handles.append((bars, words))
    ax.set_yticks(positions, list(indices["parameter"]))
    ax.set_ylim(len(indices) - 0.5, -0.5)
    ax.axvline(0, color="#333333", linewidth=0.8)
    ax.set_xlabel("Sobol index (share of the output's variance; bars: ±95% bootstrap interval)")
    ax.grid(axis="x", color="#DDDDDD", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.set_title(f"{title} (N = {result.get('samples', '?')})", fontsize=10)
    legend_below(ax, handles, columns=2)
    return ax
