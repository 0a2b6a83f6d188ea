"""The report's charts: one matplotlib function per chart, and SVG, PNG and alt text of each.

Every ``plot_*`` function takes ``ax=None`` (a new figure of a fitting size)
and returns the axes it drew on; none prints or computes model numbers.
:func:`chart_svg`, :func:`chart_alt_text` and :func:`save_chart` address the
charts by name (:data:`CHART_NAMES`) for the HTML report and the web app.

Figures are drawn on the Agg canvas directly, never through pyplot, so nothing
here changes the caller's matplotlib backend or global figure list.  Drawing is
serialised by a lock because matplotlib's settings are process-wide.  SVG output
is deterministic: a fixed hash salt for its ids and no date in its metadata.
"""

from __future__ import annotations

import contextlib
import functools
import io
import math
import os
import re
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, Literal, TypeVar, cast
from xml.sax.saxutils import escape

import matplotlib
import numpy as np
import pandas as pd
from cycler import cycler
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.legend_handler import HandlerTuple
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import ScaledTranslation

from pivotal.report.data import COMMITMENT_KINDS, actor_name, ties
from pivotal.report.network import alt_network, plot_network
from pivotal.scenario.schema import Scenario
from pivotal.scenario.timeline import (
    Period,
    as_period,
    boundary_before,
    is_year,
    period_extents,
    period_label,
    periods_text,
)

CHART_NAMES: tuple[str, ...] = (
    "probabilities",
    "belief",
    "commitments",
    "network",
    "episodes",
    "score",
    "whatif",
    "sensitivity",
)
#: Charts drawn from the scenario alone.
SCENARIO_CHARTS: tuple[str, ...] = ("commitments", "network", "episodes")

#: Okabe and Ito's palette, distinguishable with the common forms of colour blindness.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
GREY = "#8C8C8C"

#: Metric: (words for it, colour).
METRIC_STYLE = {
    "p_challenge": ("challenge (probe or offensive)", OKABE_ITO["blue"]),
    "p_offensive": ("major offensive", OKABE_ITO["vermillion"]),
    "p_probe": ("limited probe", OKABE_ITO["orange"]),
    "p_intervene": ("pivot acts if challenged (restrains or mediates)", OKABE_ITO["bluish_green"]),
    "p_restrain": ("pivot restrains if challenged", OKABE_ITO["reddish_purple"]),
    "p_deterred": ("challenger keeps the status quo", OKABE_ITO["sky_blue"]),
    "p_hedge": ("target hedges", OKABE_ITO["orange"]),
    "p_intervene_probe": ("pivot acts after a probe", OKABE_ITO["bluish_green"]),
    "p_intervene_offensive": ("pivot acts after an offensive", OKABE_ITO["reddish_purple"]),
    "belief": ("belief that the pivot is resolved (start of the year)", OKABE_ITO["black"]),
    "belief_after": ("belief after the year's events", GREY),
}

KIND_COLOURS = {
    "alliance": OKABE_ITO["blue"],
    "basing": OKABE_ITO["vermillion"],
    "arms_supply": OKABE_ITO["orange"],
    "peacekeeping": OKABE_ITO["bluish_green"],
    "mediation": OKABE_ITO["sky_blue"],
    "partnership": OKABE_ITO["reddish_purple"],
    "monitoring": OKABE_ITO["yellow"],
    "patronage": GREY,
    # Kinds beyond Okabe and Ito's eight: Paul Tol's "muted" scheme, also safe for colour blindness.
    "sanctions": "#882255",
    "embargo": "#AA4499",
    "guarantee": "#332288",
    "declaration": "#DDCC77",
    "statute": "#999933",
    "neutrality": "#88CCEE",
    "peace_settlement": "#117733",
}

#: Record codes: (marker, colour, filled, words).
CHALLENGE_MARKS = {
    "offensive": ("^", OKABE_ITO["vermillion"], True, "offensive recorded"),
    "probe": ("^", OKABE_ITO["orange"], False, "probe recorded"),
    "none": (".", GREY, True, "no challenge recorded"),
}
RESPONSE_MARKS = {
    "restrain": ("s", OKABE_ITO["bluish_green"], True, "pivot restrained"),
    "mediate": ("D", OKABE_ITO["sky_blue"], True, "pivot mediated"),
    "acquiesce": ("X", OKABE_ITO["black"], True, "pivot acquiesced"),
}

#: Score methods shown (out of sample or not fitted), with their colours.
SCORE_METHODS = (
    ("model, fitted precision", "rolling-origin", OKABE_ITO["blue"]),
    ("model, precision as written", "not fitted", OKABE_ITO["sky_blue"]),
    ("base rate", "rolling-origin", OKABE_ITO["orange"]),
    ("persistence", "not fitted", GREY),
    ("logistic regression", "rolling-origin", OKABE_ITO["reddish_purple"]),
)
OUTCOME_LABELS = {
    "offensive": "major offensive",
    "probe": "limited probe",
    "intervention": "pivot intervenes",
    "appeal_answered": "appeal answered",
    "ceasefire_held": "ceasefire holds",
    "hedge": "target hedges",
    "provoke": "target provokes",
    "concede": "target concedes",
    "rein": "pivot reins in the target",
    "lean_target": "pivot leans to target",
    "lean_challenger": "pivot leans to challenger",
}

STYLE: dict[str, Any] = {
    "svg.hashsalt": "pivotal-report",
    "svg.fonttype": "none",  # real text: searchable and selectable; generic sans-serif fallback
    "font.family": "sans-serif",
    "font.size": 9.0,
    "axes.titlesize": 11.0,
    "axes.titlelocation": "left",
    "axes.labelsize": 9.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": cycler(color=list(OKABE_ITO.values())[1:]),
    "legend.frameon": False,
    "legend.fontsize": 8.0,
    "xtick.labelsize": 8.0,
    "ytick.labelsize": 8.0,
    "figure.dpi": 100.0,
}

PNG_DPI = 200
_LOCK = threading.RLock()
F = TypeVar("F", bound=Callable[..., Any])


@contextlib.contextmanager
def _styled(extra: Mapping[str, Any] | None = None) -> Iterator[None]:
    with _LOCK, matplotlib.rc_context(cast(Any, {**STYLE, **(extra or {})})):
        yield


def styled(function: F) -> F:
    """Draw under the report's style and the drawing lock."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with _styled():
            return function(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _axes(ax: Axes | None, size: tuple[float, float]) -> Axes:
    if ax is not None:
        return ax
    figure = Figure(figsize=size, layout="constrained")
    FigureCanvasAgg(figure)
    return figure.add_subplot()


def _decimal_year(day: Any) -> float:
    start = pd.Timestamp(year=day.year, month=1, day=1)
    length = 366 if pd.Timestamp(day).is_leap_year else 365
    return day.year + (pd.Timestamp(day) - start).days / length


def _years_text(periods: list[Period]) -> str:
    """Periods as compact ranges of years, episodes by date: 1994–1996, 2001, 2022-08-01."""
    return periods_text(periods, dash="–") or "none"


def _metric(name: str) -> tuple[str, str]:
    if name not in METRIC_STYLE:
        raise ValueError(f"unknown metric {name!r}; expected one of {', '.join(METRIC_STYLE)}")
    return METRIC_STYLE[name]


def _roles_text(summary: pd.DataFrame) -> str:
    def names(column: str) -> str:
        return "/".join(dict.fromkeys(actor_code(v) for v in summary[column]))

    pivots = pivots_text(list(map(actor_code, summary["pivot"])))
    return f"{names('challenger')} and {names('target')}, {pivots}"


def pivots_text(names: list[str]) -> str:
    """The pivots of a run in words: ``Russia as pivot``, ``Russia as pivot (none in some years)``."""
    present = [n for n in dict.fromkeys(names) if n != "no pivot"]
    if not present:
        return "no pivot"
    return f"{'/'.join(present)} as pivot" + (" (none in some years)" if "no pivot" in names else "")


def actor_code(value: Any) -> str:
    """An actor code from a summary column; a period without a pivot has none."""
    return "no pivot" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def _check_summary(summary: pd.DataFrame, metrics: tuple[str, ...]) -> None:
    missing = [c for m in metrics for c in (m, f"{m}_low", f"{m}_high") if c not in summary.columns]
    if "period" not in summary.columns or missing:
        raise ValueError(f"the summary lacks columns {', '.join(missing or ['period'])}")
    if summary.empty:
        raise ValueError("the summary has no periods")


def _shade_simulated(ax: Axes, summary: pd.DataFrame) -> bool:
    """Grey behind years whose belief came from simulation rather than the record."""
    if "belief_source" not in summary.columns:
        return False
    extents = period_extents(summary["period"].astype(float).tolist())
    simulated = [
        extent
        for extent, source in zip(extents, summary["belief_source"], strict=True)
        if source == "simulated"
    ]
    for left, right in simulated:
        ax.axvspan(left, right, color="#EEEEEE", linewidth=0, zorder=0)
    return bool(simulated)


def _record_strip(ax: Axes, summary: pd.DataFrame) -> list[tuple[Any, str]]:
    """The record above the probability scale: one row of challenges, one of the pivot's responses."""
    ax.axhspan(1.025, 1.2, color="#F7F7F7", linewidth=0, zorder=0)
    handles: list[tuple[Any, str]] = []
    for column, row_y, marks in (
        ("observed_challenge", 1.07, CHALLENGE_MARKS),
        ("observed_response", 1.15, RESPONSE_MARKS),
    ):
        if column not in summary.columns:
            continue
        for code, (marker, colour, filled, words) in marks.items():
            years = summary.loc[summary[column] == code, "period"].astype(float).to_numpy()
            if years.size == 0:
                continue
            face = colour if filled else "white"
            ax.scatter(
                years,
                np.full(years.size, row_y),
                marker=marker,
                s=28,
                facecolors=face,
                edgecolors=colour,
                linewidths=1.2,
                zorder=4,
                clip_on=False,
            )
            handles.append(
                (
                    Line2D(
                        [],
                        [],
                        marker=marker,
                        linestyle="",
                        markersize=6,
                        markerfacecolor=face,
                        markeredgecolor=colour,
                        color=colour,
                    ),
                    words,
                )
            )
    ax.set_ylim(-0.02, 1.2)
    ax.set_yticks(
        [0, 0.25, 0.5, 0.75, 1.0, 1.07, 1.15],
        ["0", "0.25", "0.5", "0.75", "1", "record: challenge", "record: pivot's response"],
    )
    return handles


def _band(
    ax: Axes, summary: pd.DataFrame, name: str, *, dashed: bool = False, band: bool = True
) -> tuple[Any, str]:
    label, colour = _metric(name)
    years = summary["period"].astype(float).to_numpy()
    mean = summary[name].to_numpy(dtype=float)
    parts: list[Any] = []
    if band:
        parts.append(
            ax.fill_between(
                years,
                summary[f"{name}_low"].to_numpy(dtype=float),
                summary[f"{name}_high"].to_numpy(dtype=float),
                color=colour,
                alpha=0.2,
                linewidth=0,
                zorder=1,
            )
        )
    (line,) = ax.plot(
        years,
        mean,
        color=colour,
        linewidth=1.8,
        linestyle="--" if dashed else "-",
        marker=None if dashed else "o",
        markersize=3,
        zorder=3,
    )
    parts.append(line)
    return (tuple(parts) if len(parts) > 1 else parts[0]), label


def _year_axis(ax: Axes, summary: pd.DataFrame) -> None:
    years = summary["period"].astype(float)
    ax.set_xlim(years.min() - 0.5, years.max() + 0.5)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=12))
    whole = all(is_year(p) for p in years)
    ax.set_xlabel(
        "Year (one stage game per year)"
        if whole
        else "Year (one stage game per year, or per episode in a year played episode by episode)"
    )
    ax.grid(axis="y", color="#DDDDDD", linewidth=0.6)
    ax.set_axisbelow(True)


def _legend_below(ax: Axes, handles: list[tuple[Any, str]], columns: int = 3) -> None:
    """The legend under the x axis, a fixed distance below it whatever the figure's height."""
    if handles:
        below = ax.transAxes + ScaledTranslation(0, -0.5, ax.figure.dpi_scale_trans)
        ax.legend(
            [h for h, _ in handles],
            [t for _, t in handles],
            loc="upper left",
            bbox_to_anchor=(0, 0),
            bbox_transform=below,
            ncols=columns,
            handler_map={tuple: HandlerTuple(ndivide=1)},
        )


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
    _check_summary(summary, metrics)
    ax = _axes(ax, (9.0, 4.8))
    simulated = _shade_simulated(ax, summary)
    handles = [_band(ax, summary, name) for name in metrics]
    handles += _record_strip(ax, summary)
    if simulated:
        handles.append((Patch(color="#EEEEEE"), "year simulated, record not used"))
    _year_axis(ax, summary)
    ax.set_ylabel("Probability (0–1)")
    per = "per year" if all(is_year(p) for p in summary["period"]) else "per period"
    ax.set_title(
        f"Probabilities {per}: {_roles_text(summary)}\n"
        "lines: mean over parameter draws; shading: 90% interval",
        fontsize=10,
    )
    _legend_below(ax, handles)
    return ax


@styled
def plot_belief(summary: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """The observers' belief that the pivot is resolved, before and after each year's events."""
    _check_summary(summary, ("belief",))
    ax = _axes(ax, (9.0, 4.2))
    simulated = _shade_simulated(ax, summary)
    handles = [_band(ax, summary, "belief")]
    if "belief_after" in summary.columns:
        handles.append(_band(ax, summary, "belief_after", dashed=True, band=False))
    handles += _record_strip(ax, summary)
    if simulated:
        handles.append((Patch(color="#EEEEEE"), "year simulated, record not used"))
    _year_axis(ax, summary)
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
    _legend_below(ax, handles)
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
    ax = _axes(ax, (9.0, 1.9 + 0.27 * max(len(rows), 1)))
    first = min([scenario.periods.start] + [t.start.year for t in rows])
    last = scenario.periods.end + 1
    if first < scenario.periods.start:
        ax.axvspan(first, scenario.periods.start, color="#F2F2F2", linewidth=0, zorder=0)
    for y, tie in enumerate(rows):
        x0 = max(_decimal_year(tie.start), first)
        x1 = last if tie.end is None else min(_decimal_year(tie.end), last)
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
    _legend_below(ax, handles)
    ax.set_title(
        f"Commitments and patrons: who was tied to whom, {scenario.periods.start}–{scenario.periods.end}",
        fontsize=10,
    )
    return ax


@styled
def _plot_network(scenario: Scenario) -> Axes:
    return plot_network(scenario, KIND_COLOURS, GREY)


@styled
def plot_episodes(scenario: Scenario, ax: Axes | None = None) -> Axes:
    """The scenario's crisis episodes on a time line, one row each, coloured by who began them."""
    episodes = sorted(scenario.episodes, key=lambda e: (e.start, e.id))
    ax = _axes(ax, (9.0, 1.6 + 0.3 * max(len(episodes), 1)))
    first, last = scenario.periods.start, scenario.periods.end + 1
    palette = [c for k, c in OKABE_ITO.items() if k not in ("black", "yellow")]
    initiators = list(dict.fromkeys(e.initiator for e in episodes if e.initiator))
    colours = {code: palette[i % len(palette)] for i, code in enumerate(initiators)}
    middle = (first + last) / 2
    for y, episode in enumerate(episodes):
        x0 = _decimal_year(episode.start)
        x1 = _decimal_year(episode.end) if episode.end else x0
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
        _legend_below(ax, handles, columns=4)
    if not episodes:
        ax.text(0.5, 0.5, "The scenario lists no crisis episodes.", transform=ax.transAxes, ha="center")
    ax.set_title(f"Crisis episodes, {scenario.periods.start}–{scenario.periods.end}", fontsize=10)
    return ax


def _number(value: Any) -> float:
    return math.nan if value is None else float(value)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' * (n != 1)}"


def _signed(value: float, digits: int = 3) -> str:
    """A signed number that stays readable when it is very small: +0.012, -2.8e-05."""
    if value != 0 and abs(value) < 10**-digits:
        return f"{value:+.1e}"
    return f"{value:+.{digits}f}"


@styled
def plot_score(score_result_dict: dict[str, Any], ax: Axes | None = None) -> Axes:
    """Brier score of each forecaster on each outcome; out-of-sample and unfitted methods only.

    In-sample rows saw the years they forecast, so they are left out: comparing
    them with honest forecasts would flatter them.
    """
    result = _result(score_result_dict, "scores", "score")
    scores = pd.DataFrame(result["scores"])
    ax = _axes(ax, (8.0, 4.8))
    outcomes = list(dict.fromkeys(scores["outcome"])) if not scores.empty else []
    width = 0.8 / len(SCORE_METHODS)
    handles = []
    for m, (method, fit, colour) in enumerate(SCORE_METHODS):
        rows = scores[(scores["method"] == method) & (scores["fit"] == fit)].set_index("outcome")
        values = [_number(rows.loc[o, "brier"]) if o in rows.index else math.nan for o in outcomes]
        positions = np.arange(len(outcomes)) - 0.4 + width * (m + 0.5)
        bars = ax.barh(
            positions, values, height=width * 0.92, color=colour, edgecolor="#333333", linewidth=0.3
        )
        handles.append((bars, f"{method} ({fit})"))
    labels = []
    for outcome in outcomes:
        row = scores[scores["outcome"] == outcome].iloc[0]
        labels.append(
            f"{OUTCOME_LABELS.get(outcome, outcome)}\n{_count(int(row['n']), 'year')}, "
            f"{_count(int(row['events']), 'event')}"
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
    _legend_below(ax, handles, columns=2)
    return ax


@styled
def plot_whatif(whatif_result_dict: dict[str, Any], ax: Axes | None = None) -> Axes:
    """Counterfactual minus baseline per year, paired draw by draw: mean and 90% of draws."""
    result = _result(whatif_result_dict, "differences", "whatif")
    frame = pd.DataFrame(result["differences"])
    ax = _axes(ax, (9.0, 4.4))
    handles: list[tuple[Any, str]] = []
    for name in dict.fromkeys(frame["metric"]) if not frame.empty else []:
        rows = frame[frame["metric"] == name].sort_values("period")
        label, colour = _metric(name)
        years = rows["period"].astype(float).to_numpy()
        band = ax.fill_between(
            years, rows["low"].map(_number), rows["high"].map(_number), color=colour, alpha=0.2, linewidth=0
        )
        (line,) = ax.plot(
            years, rows["difference"].map(_number), color=colour, marker="o", markersize=3, linewidth=1.8
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
    _legend_below(ax, handles)
    return ax


@styled
def plot_sensitivity(sensitivity_result_dict: dict[str, Any], ax: Axes | None = None, top: int = 12) -> Axes:
    """Total and first-order Sobol indices of the most influential parameters, with 95% intervals."""
    result = _result(sensitivity_result_dict, "indices", "sensitivity")
    indices = pd.DataFrame(result["indices"]).head(top)
    ax = _axes(ax, (8.0, 1.6 + 0.34 * max(len(indices), 1)))
    title = f"What drives mean {result.get('metric', '?')} over {result.get('periods', '?')}"
    if indices.empty or indices["ST"].map(_number).isna().all():
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
        values = indices[column].map(_number).to_numpy()
        errors = indices[f"{column}_conf"].map(_number).fillna(0).to_numpy()
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
    _legend_below(ax, handles, columns=2)
    return ax


# ---------------------------------------------------------------- by name: SVG, alt text, files


def _result(analysis: Any, key: str, kind: str) -> dict[str, Any]:
    """The result content of an analysis: its ``--json`` dict, or a stored record holding one."""
    if analysis is None:
        raise ValueError(f"chart {kind!r} needs analysis= (the {kind} result)")
    if hasattr(analysis, "result") and not isinstance(analysis, dict):
        analysis = analysis.result
    if isinstance(analysis, dict) and key not in analysis and isinstance(analysis.get("result"), dict):
        analysis = analysis["result"]
    if not isinstance(analysis, dict) or key not in analysis:
        raise ValueError(f"chart {kind!r} needs a {kind} result with {key!r}; got something else")
    if not analysis[key]:
        raise ValueError(f"chart {kind!r} has nothing to plot: the {kind} result holds no {key}")
    return analysis


def usable_analysis(name: str, analysis: Any) -> bool:
    """Whether a stored analysis has what chart ``name`` draws (an old or empty one may not)."""
    key = {"score": "scores", "whatif": "differences", "sensitivity": "indices"}[name]
    try:
        _result(analysis, key, name)
    except ValueError:
        return False
    return True


def _needs(name: str, summary: pd.DataFrame | None, scenario: Scenario | None, analysis: Any) -> None:
    if name not in CHART_NAMES:
        raise ValueError(f"unknown chart {name!r}; expected one of {', '.join(CHART_NAMES)}")
    if name in ("probabilities", "belief") and summary is None:
        raise ValueError(f"chart {name!r} needs summary= (a run's per-period summary)")
    if name in SCENARIO_CHARTS and scenario is None:
        raise ValueError(f"chart {name!r} needs scenario=")
    if name in ("score", "whatif", "sensitivity"):
        _result(analysis, {"score": "scores", "whatif": "differences", "sensitivity": "indices"}[name], name)


def _draw(name: str, summary: pd.DataFrame | None, scenario: Scenario | None, analysis: Any) -> Figure:
    _needs(name, summary, scenario, analysis)
    drawers: dict[str, Callable[[], Axes]] = {
        "probabilities": lambda: plot_probability_bands(summary),
        "belief": lambda: plot_belief(summary),
        "commitments": lambda: plot_commitments(cast(Scenario, scenario)),
        "network": lambda: _plot_network(cast(Scenario, scenario)),
        "episodes": lambda: plot_episodes(cast(Scenario, scenario)),
        "score": lambda: plot_score(analysis),
        "whatif": lambda: plot_whatif(analysis),
        "sensitivity": lambda: plot_sensitivity(analysis),
    }
    return cast(Figure, drawers[name]().figure)  # a new top-level figure, never a subfigure


CHART_TITLES = {
    "probabilities": "Probabilities per year against the record",
    "belief": "Belief in the pivot's resolve over time",
    "commitments": "Commitments and patrons over time",
    "network": "The network of ties at a few moments",
    "episodes": "Crisis episodes",
    "score": "Forecast scores against the record",
    "whatif": "Counterfactual against the baseline",
    "sensitivity": "Sensitivity: Sobol indices",
}


def chart_svg(
    name: str,
    *,
    summary: pd.DataFrame | None = None,
    scenario: Scenario | None = None,
    analysis: dict[str, Any] | None = None,
) -> str:
    """The chart as an ``<svg>`` element ready to inline in HTML, with ``<title>`` and ``<desc>``.

    Raises ValueError for an unknown name or a missing input.  The same inputs
    give the same text.
    """
    alt = chart_alt_text(name, summary=summary, scenario=scenario, analysis=analysis)
    with _styled({"svg.id": f"chart-{name}"}):
        figure = _draw(name, summary, scenario, analysis)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return _inline_svg(buffer.getvalue(), name, CHART_TITLES[name], alt)


def _inline_svg(text: str, name: str, title: str, alt: str) -> str:
    text = text[text.index("<svg") :]
    text = re.sub(r"\s*<metadata>.*?</metadata>", "", text, count=1, flags=re.DOTALL)
    head_end = text.index(">") + 1
    ident = f"chart-{name}"
    head = text[:head_end].replace(
        "<svg ", f'<svg role="img" aria-labelledby="{ident}-title {ident}-desc" ', 1
    )
    labels = (
        f'\n <title id="{ident}-title">{escape(title)}</title>\n <desc id="{ident}-desc">{escape(alt)}</desc>'
    )
    return head + labels + text[head_end:].rstrip() + "\n"


def save_chart(
    name: str,
    path: str | Path,
    fmt: Literal["png", "svg"],
    *,
    summary: pd.DataFrame | None = None,
    scenario: Scenario | None = None,
    analysis: dict[str, Any] | None = None,
) -> Path:
    """Write one chart as a PNG (for papers, 200 dpi) or a standalone SVG file; returns the path.

    The file is written to a temporary name beside ``path`` and then moved into
    place, so a reader never sees half a file.  A PNG carries the title and the
    alt text in its metadata.
    """
    if fmt not in ("png", "svg"):
        raise ValueError(f"format must be 'png' or 'svg', got {fmt!r}")
    path = Path(path)
    if fmt == "svg":
        text = chart_svg(name, summary=summary, scenario=scenario, analysis=analysis)
        data = ('<?xml version="1.0" encoding="utf-8" standalone="no"?>\n' + text).encode("utf-8")
    else:
        alt = chart_alt_text(name, summary=summary, scenario=scenario, analysis=analysis)
        with _styled():
            figure = _draw(name, summary, scenario, analysis)
            buffer = io.BytesIO()
            figure.savefig(
                buffer, format="png", dpi=PNG_DPI, metadata={"Title": CHART_TITLES[name], "Description": alt}
            )
        data = buffer.getvalue()
    write_atomic(path, data)
    return path


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename.

    The temporary file is created with the usual permissions (0o666 less the
    umask), not mkstemp's private 0o600, so the result reads like any other file.
    """
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as error:  # name the file asked for, not the temporary one
        raise OSError(error.errno, error.strerror, str(path)) from error
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


# ---------------------------------------------------------------- alt text


def chart_alt_text(
    name: str,
    *,
    summary: pd.DataFrame | None = None,
    scenario: Scenario | None = None,
    analysis: dict[str, Any] | None = None,
) -> str:
    """What the chart shows, in words and numbers, for readers who cannot see it."""
    _needs(name, summary, scenario, analysis)
    if name == "probabilities":
        return _alt_probabilities(summary)  # type: ignore[arg-type]
    if name == "belief":
        return _alt_belief(summary)  # type: ignore[arg-type]
    if name == "commitments":
        return _alt_commitments(scenario)  # type: ignore[arg-type]
    if name == "network":
        return alt_network(scenario)  # type: ignore[arg-type]
    if name == "episodes":
        return _alt_episodes(scenario)  # type: ignore[arg-type]
    if name == "score":
        return _alt_score(_result(analysis, "scores", name))
    if name == "whatif":
        return _alt_whatif(_result(analysis, "differences", name))
    return _alt_sensitivity(_result(analysis, "indices", name))


def _peak(summary: pd.DataFrame, name: str) -> str:
    values = summary[name].to_numpy(dtype=float)
    top, bottom = int(np.argmax(values)), int(np.argmin(values))
    row = summary.iloc[top]
    return (
        f"{METRIC_STYLE[name][0]}: mean peaks at {values[top]:.2f} in {period_label(row['period'])} "
        f"(90% interval {row[f'{name}_low']:.2f}–{row[f'{name}_high']:.2f}), lowest {values[bottom]:.2f} "
        f"in {period_label(summary.iloc[bottom]['period'])}"
    )


def _record_text(summary: pd.DataFrame) -> str:
    if "observed_challenge" not in summary.columns:
        return ""
    parts = []
    for code, words in (("offensive", "offensives"), ("probe", "probes")):
        years = summary.loc[summary["observed_challenge"] == code, "period"].astype(float).tolist()
        parts.append(f"{words} in {_years_text(years)}")
    unrecorded = summary.loc[summary["observed_challenge"].isna(), "period"].astype(float).tolist()
    text = "Record: " + "; ".join(parts)
    if unrecorded:
        text += f"; no record for {_years_text(unrecorded)}"
    return text + "."


def _alt_probabilities(
    summary: pd.DataFrame, metrics: tuple[str, ...] = ("p_challenge", "p_offensive", "p_intervene")
) -> str:
    years = summary["period"].astype(float)
    lines = [
        f"Line chart with 90% bands of the probabilities per period for {_roles_text(summary)}, "
        f"{period_label(years.min())}–{period_label(years.max())}."
    ]
    lines += [_peak(summary, name)[0].upper() + _peak(summary, name)[1:] + "." for name in metrics]
    lines.append(_record_text(summary))
    return " ".join(line for line in lines if line)


def _alt_belief(summary: pd.DataFrame) -> str:
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


def diverges_text(result: dict) -> str:
    diverges = result.get("diverges")
    return "?" if diverges is None else period_label(as_period(diverges))


def _alt_commitments(scenario: Scenario) -> str:
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


def _alt_episodes(scenario: Scenario) -> str:
    episodes = sorted(scenario.episodes, key=lambda e: (e.start, e.id))
    if not episodes:
        return "The scenario lists no crisis episodes."
    listed = "; ".join(
        f"{e.start.isoformat()}: {e.title}"
        + (f" (begun by {actor_name(scenario, e.initiator)})" if e.initiator else "")
        for e in episodes
    )
    return f"Timeline of {len(episodes)} crisis episodes. {listed}."


def _alt_score(result: dict[str, Any]) -> str:
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
        rows = rows.assign(brier=rows["brier"].map(_number)).dropna(subset=["brier"])
        if rows.empty:
            continue
        model = rows[rows["method"] == SCORE_METHODS[0][0]]
        others = rows[~rows["method"].str.startswith("model")].sort_values("brier")
        first = rows.iloc[0]
        text += (
            f" {OUTCOME_LABELS.get(outcome, outcome).capitalize()} ({_count(int(first['n']), 'year')}, "
            f"{_count(int(first['events']), 'event')}):"
        )
        if not model.empty:
            text += f" fitted model {model.iloc[0]['brier']:.3f}"
        if not others.empty:
            text += f", best baseline {others.iloc[0]['method']} {others.iloc[0]['brier']:.3f}"
        text += "."
    return text


def _alt_whatif(result: dict[str, Any]) -> str:
    frame = pd.DataFrame(result["differences"])
    titles = " + ".join(result.get("titles") or result.get("overlays") or ["a counterfactual"])
    text = (
        f"Line chart of counterfactual minus baseline per year under {titles}; the worlds diverge in "
        f"{diverges_text(result)}."
    )
    for name in dict.fromkeys(frame["metric"]) if not frame.empty else []:
        rows = frame[frame["metric"] == name].reset_index(drop=True)
        values = rows["difference"].map(_number).fillna(0.0)
        row = rows.iloc[int(values.abs().to_numpy().argmax())]
        label = METRIC_STYLE.get(name, (name, ""))[0]
        text += (
            f" {label[0].upper() + label[1:]}: largest mean change "
            f"{_signed(_number(row['difference']))} in {period_label(row['period'])} "
            f"(90% of draws {_signed(_number(row['low']))} to "
            f"{_signed(_number(row['high']))})."
        )
    return text


def _alt_sensitivity(result: dict[str, Any]) -> str:
    indices = pd.DataFrame(result["indices"])
    head = (
        f"Bar chart of total and first-order Sobol indices of mean {result.get('metric', '?')} over "
        f"{result.get('periods', '?')}."
    )
    if indices.empty or indices["ST"].map(_number).isna().all():
        return head + " The output does not vary with the uncertain parameters; the indices are undefined."
    top = "; ".join(
        f"{r['parameter']} ST {_number(r['ST']):.2f}, S1 {_number(r['S1']):.2f}"
        for _, r in indices.head(5).iterrows()
    )
    return f"{head} Largest: {top}."
