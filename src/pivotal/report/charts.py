"""The report's charts, one import away: the names users and the rest of the package import.

The work is split by job: :mod:`~pivotal.report.registry` lists every chart (name, input, drawing,
alt text, titles, how to read it), :mod:`~pivotal.report.plots` draws them with matplotlib,
:mod:`~pivotal.report.alt_text` puts them into words, :mod:`~pivotal.report.export` turns them into
SVG and PNG, and :mod:`~pivotal.report.style` holds the palette and matplotlib settings.
"""

from __future__ import annotations

from pivotal.report.export import chart_svg, save_chart, write_atomic
from pivotal.report.plots import (
    plot_belief,
    plot_commitments,
    plot_episodes,
    plot_probability_bands,
    plot_score,
    plot_sensitivity,
    plot_whatif,
)
from pivotal.report.registry import (
    CHART_NAMES,
    CHART_TITLES,
    CHARTS,
    SCENARIO_CHARTS,
    Chart,
    chart_alt_text,
    chart_named,
    usable_analysis,
)
from pivotal.report.style import (
    CHALLENGE_MARKS,
    GREY,
    KIND_COLOURS,
    METRIC_STYLE,
    OKABE_ITO,
    OUTCOME_LABELS,
    PNG_DPI,
    RESPONSE_MARKS,
    SCORE_METHODS,
    STYLE,
    styled,
)
from pivotal.report.wording import actor_code, diverges_text, pivots_text

__all__ = [
    "CHALLENGE_MARKS",
    "CHARTS",
    "CHART_NAMES",
    "CHART_TITLES",
    "GREY",
    "KIND_COLOURS",
    "METRIC_STYLE",
    "OKABE_ITO",
    "OUTCOME_LABELS",
    "PNG_DPI",
    "RESPONSE_MARKS",
    "SCENARIO_CHARTS",
    "SCORE_METHODS",
    "STYLE",
    "Chart",
    "actor_code",
    "chart_alt_text",
    "chart_named",
    "chart_svg",
    "diverges_text",
    "pivots_text",
    "plot_belief",
    "plot_commitments",
    "plot_episodes",
    "plot_probability_bands",
    "plot_score",
    "plot_sensitivity",
    "plot_whatif",
    "save_chart",
    "styled",
    "usable_analysis",
    "write_atomic",
]
