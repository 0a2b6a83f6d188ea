"""Every chart of the report in one place: its name, the input it is drawn from, how it is drawn
and put into words, its titles and how to read it.

The image files, the report's captions, the web app's static charts and the by-name functions
(:func:`chart_alt_text`, :func:`pivotal.report.export.chart_svg`) read their list of charts from
:data:`CHARTS`, in its order. A new chart also needs its place in the report's template
(``report.html.j2`` lays out its sections by hand) and, to be interactive in the web app, a Plotly
drawer in :mod:`pivotal.web.figures`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, cast

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from pivotal.report.alt_text import (
    alt_belief,
    alt_commitments,
    alt_episodes,
    alt_probabilities,
    alt_score,
    alt_sensitivity,
    alt_whatif,
)
from pivotal.report.network import alt_network
from pivotal.report.plots import (
    plot_belief,
    plot_commitments,
    plot_episodes,
    plot_network_chart,
    plot_probability_bands,
    plot_score,
    plot_sensitivity,
    plot_whatif,
)
from pivotal.report.results import analysis_result

if TYPE_CHECKING:
    import pandas as pd

    from pivotal.scenario.schema import Scenario


@dataclass(frozen=True)
class Needs:
    """The one input a chart is drawn from: a run's per-period summary, its scenario, or an analysis
    of the scenario (of ``analysis_kind``, as the store names it, whose result must hold ``holds``)."""

    input: Literal["summary", "scenario", "analysis"]
    analysis_kind: str | None = None
    holds: str | None = None


SUMMARY = Needs("summary")
SCENARIO = Needs("scenario")


def analysis_of(kind: str, holds: str) -> Needs:
    """An analysis of ``kind`` whose result has a non-empty ``holds`` entry (the rows it plots)."""
    return Needs("analysis", kind, holds)


@dataclass(frozen=True)
class Chart:
    """One chart of the report.

    ``name`` is its address (``chart_svg(name)``, the file ``<name>.png``, the page's anchor);
    ``title`` the chart's own (the SVG's ``<title>``, the PNG's metadata, the web app's caption);
    ``heading`` the report's, above the chart and in its caption, followed by ``how_to_read``.
    ``draw`` and ``alt_text`` take the input ``needs`` names (an analysis's result content).
    """

    name: str
    title: str
    heading: str
    needs: Needs
    draw: Callable[[Any], Axes]
    alt_text: Callable[[Any], str]
    how_to_read: str

    def input_from(self, summary: Any, scenario: Any, analysis: Any) -> Any:
        """The one input this chart is drawn from, out of those given; ValueError when it is missing
        (or, for an analysis, is of another kind or holds nothing to plot)."""
        if self.needs.input == "summary":
            if summary is None:
                raise ValueError(f"chart {self.name!r} needs summary= (a run's per-period summary)")
            return summary
        if self.needs.input == "scenario":
            if scenario is None:
                raise ValueError(f"chart {self.name!r} needs scenario=")
            return scenario
        return analysis_result(analysis, cast(str, self.needs.holds), self.name)

    def run_inputs(self, summary: Any, scenario: Any, analyses: Mapping[str, Any]) -> dict[str, Any] | None:
        """The keyword inputs a run's report gives this chart: the run's summary or scenario, or the
        result of its analysis of this chart's kind (from ``analyses``, stored records by kind);
        None when there is no such analysis, and the report leaves the chart out."""
        if self.needs.input == "summary":
            return {"summary": summary}
        if self.needs.input == "scenario":
            return {"scenario": scenario}
        record = analyses.get(cast(str, self.needs.analysis_kind))
        return None if record is None else {"analysis": record.result}


CHARTS: dict[str, Chart] = {
    chart.name: chart
    for chart in (
        Chart(
            name="probabilities",
            title="Probabilities per year against the record",
            heading="Probabilities per year against the record",
            needs=SUMMARY,
            draw=plot_probability_bands,
            alt_text=alt_probabilities,
            how_to_read=(
                "Each line is the mean over parameter draws of a probability per period (a year, or an "
                "episode of a year played crisis by crisis) and its shaded band holds 90% of the draws. The "
                "markers above the scale are the record: the period's strongest challenge and the pivot's "
                "response. Grey columns are periods the run simulated rather than followed the record."
            ),
        ),
        Chart(
            name="belief",
            title="Belief in the pivot's resolve over time",
            heading="Belief in the pivot's resolve",
            needs=SUMMARY,
            draw=plot_belief,
            alt_text=alt_belief,
            how_to_read=(
                "The solid line is the observers' belief that the pivot is resolved when the year's game "
                "is played, with its 90% band; the dashed line is the belief after the year's events, before "
                "the pivot's type may turn over. It tends to fall after the pivot is seen to acquiesce and "
                "to rise after it restrains."
            ),
        ),
        Chart(
            name="commitments",
            title="Commitments and patrons over time",
            heading="Alliances, commitments and patrons",
            needs=SCENARIO,
            draw=plot_commitments,
            alt_text=alt_commitments,
            how_to_read=(
                "One bar per tie, from the day it began to the day it ended, coloured by kind; a hatched bar "
                "is a patron named in the scenario's roles and an arrow head means the tie still held at the "
                "end. Labels give the parties and the tie's identifier in the table below."
            ),
        ),
        Chart(
            name="network",
            title="The network of ties at a few moments",
            heading="The network of ties",
            needs=SCENARIO,
            draw=plot_network_chart,
            alt_text=alt_network,
            how_to_read=(
                "The same ties as a graph at a few moments: each panel joins the actors tied on 1 July of "
                "its year, in the colour of the tie's kind (dashed for a patron behind one side). The actors "
                "keep their places from panel to panel, the pivot on top; a greyed actor had no tie that "
                "year."
            ),
        ),
        Chart(
            name="episodes",
            title="Crisis episodes",
            heading="Crisis episodes",
            needs=SCENARIO,
            draw=plot_episodes,
            alt_text=alt_episodes,
            how_to_read=(
                "One bar per crisis episode from its first to its last day (short ones are widened to stay "
                "visible), coloured by the actor that began it."
            ),
        ),
        Chart(
            name="score",
            title="Forecast scores against the record",
            heading="Score against the record",
            needs=analysis_of("score", holds="scores"),
            draw=plot_score,
            alt_text=alt_score,
            how_to_read=(
                "Brier score of each forecaster on each outcome, for the years from the first scored one; "
                "shorter bars are better. Only forecasts that did not see the year they forecast are shown."
            ),
        ),
        Chart(
            name="whatif",
            title="Counterfactual against the baseline",
            heading="Counterfactual",
            needs=analysis_of("whatif", holds="differences"),
            draw=plot_whatif,
            alt_text=alt_whatif,
            how_to_read=(
                "Each line is the mean over draws of the counterfactual minus the baseline, paired draw by "
                "draw; the band holds 90% of the per-draw differences. Before the dotted line the two worlds "
                "are the same."
            ),
        ),
        Chart(
            name="sensitivity",
            title="Sensitivity: Sobol indices",
            heading="Sensitivity",
            needs=analysis_of("sensitivity", holds="indices"),
            draw=plot_sensitivity,
            alt_text=alt_sensitivity,
            how_to_read=(
                "Total (ST) and first-order (S1) Sobol indices: the share of the output's variance owed to "
                "each uncertain parameter, with all its interactions (ST) or alone (S1). Whiskers are 95% "
                "bootstrap intervals."
            ),
        ),
    )
}

#: The charts' names, in the report's order.
CHART_NAMES: tuple[str, ...] = tuple(CHARTS)
#: Charts drawn from the scenario alone.
SCENARIO_CHARTS: tuple[str, ...] = tuple(name for name, chart in CHARTS.items() if chart.needs == SCENARIO)
#: Each chart's own title.
CHART_TITLES: dict[str, str] = {name: chart.title for name, chart in CHARTS.items()}
#: The charts of an analysis, by the analysis's kind.
ANALYSIS_CHARTS: dict[str, Chart] = {
    cast(str, chart.needs.analysis_kind): chart
    for chart in CHARTS.values()
    if chart.needs.input == "analysis"
}


def chart_named(name: str) -> Chart:
    """The chart called ``name``; ValueError naming the charts there are for any other name."""
    if name not in CHARTS:
        raise ValueError(f"unknown chart {name!r}; expected one of {', '.join(CHART_NAMES)}")
    return CHARTS[name]


def usable_analysis(name: str, analysis: Any) -> bool:
    """Whether a stored analysis of kind ``name`` has what its chart draws (an old or empty one may not)."""
    chart = ANALYSIS_CHARTS[name]
    try:
        chart.input_from(None, None, analysis)
    except ValueError:
        return False
    return True


def chart_alt_text(
    name: str,
    *,
    summary: pd.DataFrame | None = None,
    scenario: Scenario | None = None,
    analysis: dict[str, Any] | None = None,
) -> str:
    """What the chart shows, in words and numbers, for readers who cannot see it."""
    chart = chart_named(name)
    return chart.alt_text(chart.input_from(summary, scenario, analysis))


def draw_chart(
    name: str,
    *,
    summary: pd.DataFrame | None = None,
    scenario: Scenario | None = None,
    analysis: dict[str, Any] | None = None,
) -> Figure:
    """The chart drawn on a new figure.

    Each drawer takes the drawing lock and the report's style itself; the style's save settings
    (SVG ids, hash salt, font type) hold only inside :func:`~pivotal.report.style.drawing_style`,
    so the caller must save the figure inside it.
    """
    chart = chart_named(name)
    axes = chart.draw(chart.input_from(summary, scenario, analysis))
    return cast(Figure, axes.figure)  # a new top-level figure, never a subfigure
