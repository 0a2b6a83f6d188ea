"""Pieces the report's plots share: a new axes, the year axis, the record strip, a band, a legend.

Each takes the axes to draw on and draws under whatever style the caller holds (the plots hold
the report's, see :mod:`pivotal.report.style`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.legend_handler import HandlerTuple
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import ScaledTranslation

from pivotal.report.style import CHALLENGE_MARKS, RESPONSE_MARKS, metric
from pivotal.scenario.timeline import is_year, period_extents


def new_axes(ax: Axes | None, size: tuple[float, float]) -> Axes:
    """``ax`` itself, or the axes of a new figure of ``size`` inches on the Agg canvas (no pyplot)."""
    if ax is not None:
        return ax
    figure = Figure(figsize=size, layout="constrained")
    FigureCanvasAgg(figure)
    return figure.add_subplot()


def decimal_year(day: Any) -> float:
    """A date as a year and its fraction, so a bar can start part way through a year."""
    start = pd.Timestamp(year=day.year, month=1, day=1)
    length = 366 if pd.Timestamp(day).is_leap_year else 365
    return day.year + (pd.Timestamp(day) - start).days / length


def check_summary(summary: pd.DataFrame, metrics: tuple[str, ...]) -> None:
    """ValueError unless the summary has periods and each metric's mean and interval columns."""
    missing = [c for m in metrics for c in (m, f"{m}_low", f"{m}_high") if c not in summary.columns]
    if "period" not in summary.columns or missing:
        raise ValueError(f"the summary lacks columns {', '.join(missing or ['period'])}")
    if summary.empty:
        raise ValueError("the summary has no periods")


def shade_simulated(ax: Axes, summary: pd.DataFrame) -> bool:
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


def record_strip(ax: Axes, summary: pd.DataFrame) -> list[tuple[Any, str]]:
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


def metric_line(
    ax: Axes, summary: pd.DataFrame, name: str, *, dashed: bool = False, band: bool = True
) -> tuple[Any, str]:
    """A metric's mean per period, with its 90% band unless ``band`` is False; its legend entry."""
    label, colour = metric(name)
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


def year_axis(ax: Axes, summary: pd.DataFrame) -> None:
    """The x axis over the summary's periods, whole years as ticks, with a horizontal grid."""
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


def legend_below(ax: Axes, handles: list[tuple[Any, str]], columns: int = 3) -> None:
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
