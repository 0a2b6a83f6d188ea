"""The web app's interactive charts, as Plotly figures the page draws with the bundled plotly.js.

One function per chart, named as the report's charts are (:data:`FIGURES`), from the
same inputs: a run's summary, its scenario, or an analysis result.  The report keeps
its static matplotlib charts for print and papers; these add hover values, zoom and
legends that switch a line off.  Actors appear by name and commitments by what they
are, never by the scenario's codes; colours are the report's colour-blind-safe ones.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from pivotal.report.charts import (
    CHART_TITLES,
    GREY,
    KIND_COLOURS,
    METRIC_STYLE,
    OKABE_ITO,
    OUTCOME_LABELS,
    SCORE_METHODS,
    actor_code,
    pivots_text,
)
from pivotal.report.data import COMMITMENT_KINDS, Tie, actor_name, ties
from pivotal.report.network import actor_places, ties_in_force
from pivotal.scenario.schema import Scenario
from pivotal.scenario.timeline import as_period, boundary_before, period_extents, period_label

#: Charts of a run's summary, of its scenario, and of the analyses of that scenario.
SUMMARY_FIGURES = ("probabilities", "belief")
SCENARIO_FIGURES = ("commitments", "network", "episodes")
ANALYSIS_FIGURES = ("whatif", "score", "sensitivity")
FIGURES = SUMMARY_FIGURES + SCENARIO_FIGURES + ANALYSIS_FIGURES

CHALLENGES = {
    "offensive": ("triangle-up", OKABE_ITO["vermillion"], "offensive recorded"),
    "probe": ("triangle-up-open", OKABE_ITO["orange"], "probe recorded"),
    "none": ("circle", GREY, "no challenge recorded"),
}
RESPONSES = {
    "restrain": ("square", OKABE_ITO["bluish_green"], "pivot restrained"),
    "mediate": ("diamond", OKABE_ITO["sky_blue"], "pivot mediated"),
    "acquiesce": ("x", OKABE_ITO["black"], "pivot acquiesced"),
}


def _layout(title: str, **extra: Any) -> dict[str, Any]:
    return {
        "title": {"text": title, "x": 0, "xanchor": "left", "font": {"size": 14}},
        "template": "simple_white",
        "font": {"family": "system-ui, sans-serif", "size": 12},
        "margin": {"l": 60, "r": 20, "t": 60, "b": 40},
        "hovermode": "x unified",
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.15, "x": 0},
        "height": 460,
        **extra,
    }


def _plain(figure: go.Figure) -> dict[str, Any]:
    """The figure as plain JSON data (NumPy values converted by Plotly's own encoder)."""
    return json.loads(figure.to_json())


def _roles_text(summary: pd.DataFrame, scenario: Scenario | None) -> str:
    def names(column: str) -> str:
        return "/".join(dict.fromkeys(_name(scenario, v) for v in summary[column]))

    pivots = pivots_text([_name(scenario, v) for v in summary["pivot"]])
    return f"{names('challenger')} and {names('target')}, {pivots}"


#: Colours of outputs the report has no style for (a what-if may ask for any metric).
OTHER_COLOURS = list(OKABE_ITO.values())


def _plain_text(text: str) -> str:
    """Scenario text as Plotly shows it literally: its markup (<b>, <br>, <a href>) escaped, so a
    title or scope in an uploaded file cannot put a link or formatting into a chart."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _name(scenario: Scenario | None, code: Any) -> str:
    if actor_code(code) == "no pivot":
        return "no pivot"
    return _plain_text(actor_name(scenario, code) if scenario is not None else code)


def _bands(
    figure: go.Figure, summary: pd.DataFrame, name: str, *, dashed: bool = False, band: bool = True
) -> None:
    label, colour = METRIC_STYLE.get(name, (name, OTHER_COLOURS[sum(map(ord, name)) % len(OTHER_COLOURS)]))
    years = summary["period"].astype(float).tolist()
    if band:
        low, high = summary[f"{name}_low"].tolist(), summary[f"{name}_high"].tolist()
        figure.add_scatter(
            x=years + years[::-1],
            y=high + low[::-1],
            fill="toself",
            fillcolor=colour,
            opacity=0.18,
            line={"width": 0},
            hoverinfo="skip",
            legendgroup=name,
            showlegend=False,
            name=f"{label}: 90% interval",
        )
        custom = list(zip(low, high, strict=True))
        template = f"{label}: %{{y:.3f}} (90%: %{{customdata[0]:.2f}}–%{{customdata[1]:.2f}})<extra></extra>"
    else:
        custom, template = None, f"{label}: %{{y:.3f}}<extra></extra>"
    figure.add_scatter(
        x=years,
        y=summary[name].tolist(),
        mode="lines" if dashed else "lines+markers",
        line={"color": colour, "width": 2, "dash": "dash" if dashed else "solid"},
        marker={"size": 5},
        name=label,
        legendgroup=name,
        customdata=custom,
        hovertemplate=template,
    )


def _record(figure: go.Figure, summary: pd.DataFrame) -> None:
    """The record as marks above the probability scale: challenges at 1.07, the pivot's answers at 1.15."""
    for column, height, marks in (
        ("observed_challenge", 1.07, CHALLENGES),
        ("observed_response", 1.15, RESPONSES),
    ):
        if column not in summary.columns:
            continue
        for code, (symbol, colour, words) in marks.items():
            years = summary.loc[summary[column] == code, "period"].astype(float).tolist()
            if years:
                figure.add_scatter(
                    x=years,
                    y=[height] * len(years),
                    mode="markers",
                    name=words,
                    marker={"symbol": symbol, "color": colour, "size": 9},
                    hovertemplate=f"{words}<extra></extra>",
                )


def _probability_axis(figure: go.Figure, title: str) -> None:
    """A probability scale with the record's two rows of marks (see :func:`_record`) above it."""
    figure.update_yaxes(
        range=[-0.02, 1.2],
        title=title,
        tickvals=[0, 0.25, 0.5, 0.75, 1, 1.07, 1.15],
        ticktext=["0", "0.25", "0.5", "0.75", "1", "challenge", "pivot"],
    )


def _simulated(figure: go.Figure, summary: pd.DataFrame) -> None:
    if "belief_source" in summary.columns:
        extents = period_extents(summary["period"].astype(float).tolist())
        for (left, right), source in zip(extents, summary["belief_source"], strict=True):
            if source == "simulated":
                figure.add_vrect(x0=left, x1=right, fillcolor="#EEEEEE", line_width=0, layer="below")


def probabilities(
    summary: pd.DataFrame,
    scenario: Scenario | None = None,
    metrics: tuple[str, ...] = ("p_challenge", "p_offensive", "p_intervene"),
) -> dict[str, Any]:
    """Each metric's mean per year with its 90% interval over parameter draws, the record above."""
    figure = go.Figure()
    _simulated(figure, summary)
    for name in metrics:
        _bands(figure, summary, name)
    _record(figure, summary)
    per = "per year" if all(float(p).is_integer() for p in summary["period"]) else "per period"
    figure.update_layout(**_layout(f"Probabilities {per}: {_roles_text(summary, scenario)}"))
    _probability_axis(figure, "probability")
    figure.update_xaxes(title="year (grey: simulated, record not used)", dtick=2)
    return _plain(figure)


def belief(summary: pd.DataFrame, scenario: Scenario | None = None) -> dict[str, Any]:
    """The belief that the pivot is resolved, at the start of each year and after its events."""
    figure = go.Figure()
    _simulated(figure, summary)
    _bands(figure, summary, "belief")
    if "belief_after" in summary.columns:
        _bands(figure, summary, "belief_after", dashed=True, band=False)
    _record(figure, summary)
    pivots = "/".join(
        n for n in dict.fromkeys(_name(scenario, v) for v in summary["pivot"]) if n != "no pivot"
    )
    pivots = pivots or "the pivot"
    figure.update_layout(**_layout(f"Belief that {pivots} would act"))
    _probability_axis(figure, "probability the pivot is resolved")
    figure.update_xaxes(title="year", dtick=2)
    return _plain(figure)


def tie_label(scenario: Scenario, tie: Tie, width: int = 40) -> str:
    """What a tie is, in words: its start year and its scope's first clause, on two lines at most
    (the whole scope is in the hover text); a patron by the actors' names."""
    what = _scope(scenario, tie).split(";")[0].split(". ")[0].split(" (")[0].rstrip(".")
    return "<br>".join(
        _plain_text(line)
        for line in textwrap.wrap(
            textwrap.shorten(f"{tie.start.year} · {what}", 2 * width - 4, placeholder=" …"), width
        )
    )


def _scope(scenario: Scenario, tie: Tie) -> str:
    if tie.kind != "patronage":
        return tie.scope
    patron, client = (actor_name(scenario, p) for p in tie.parties)
    return f"{patron} backs {client} (a patron as the scenario's roles name it)"


def _unique(labels: list[str]) -> list[str]:
    """The labels with a count added to repeats, since a chart's categories must differ."""
    seen: dict[str, int] = {}
    found = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        found.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return found


def _parties(scenario: Scenario, tie: Tie) -> str:
    return ", ".join(_name(scenario, p) for p in tie.parties)


def commitments(scenario: Scenario) -> dict[str, Any]:
    """One bar per commitment or patron, from its start to its end, coloured by kind."""
    rows = ties(scenario)
    figure = go.Figure()
    last = f"{scenario.periods.end + 1}-01-01"
    labels = _unique([tie_label(scenario, t) for t in rows])
    for kind in dict.fromkeys(t.kind for t in rows):
        chosen = [(label, t) for label, t in zip(labels, rows, strict=True) if t.kind == kind]
        figure.add_trace(
            go.Bar(
                base=[t.start.isoformat() for _, t in chosen],
                x=[
                    (pd.Timestamp(t.end.isoformat() if t.end else last) - pd.Timestamp(t.start)).days
                    * 86_400_000
                    for _, t in chosen
                ],
                y=[label for label, _ in chosen],
                orientation="h",
                name=COMMITMENT_KINDS.get(kind, kind),
                marker={"color": KIND_COLOURS.get(kind, GREY), "line": {"color": "#333", "width": 0.5}},
                customdata=[
                    [
                        _parties(scenario, t),
                        t.start.isoformat(),
                        t.end.isoformat() if t.end else "in force",
                        _plain_text(_scope(scenario, t)),
                    ]
                    for _, t in chosen
                ],
                hovertemplate="<b>%{customdata[3]}</b><br>%{customdata[0]}<br>%{customdata[1]} to "
                "%{customdata[2]}<extra></extra>",
            )
        )
    _timeline(figure, f"Commitments and patrons, {scenario.periods.start}–{scenario.periods.end}", labels, 36)
    figure.update_xaxes(type="date", title="year")
    return _plain(figure)


def network(scenario: Scenario) -> dict[str, Any]:
    """The ties in force on 1 July of a year, with a slider over the years: one readable graph.

    One line (or hub with spokes) per tie, shown in the years it holds, so the figure grows with
    the ties plus the years, not with their product.
    """
    places = actor_places(scenario)
    years = list(range(scenario.periods.start, scenario.periods.end + 1))
    every = ties(scenario)
    held = [{t.id for t in ties_in_force(scenario, year)} for year in years]
    figure = go.Figure()
    for tie in every:
        xs, ys = _tie_lines(tie, places)
        figure.add_scatter(
            x=xs,
            y=ys,
            mode="lines",
            line={"color": KIND_COLOURS.get(tie.kind, GREY), "width": 3},
            name=COMMITMENT_KINDS.get(tie.kind, tie.kind),
            legendgroup=tie.kind,
            showlegend=False,
            hoverinfo="text",
            hovertext=f"{tie_label(scenario, tie, 70)}<br>{_parties(scenario, tie)}",
            visible=tie.id in held[-1],
        )
    people = sorted(places)
    names = [_name(scenario, p) for p in people]
    figure.add_scatter(
        x=[places[p][0] for p in people],
        y=[places[p][1] for p in people],
        mode="markers+text",
        text=names,
        textposition="top center",
        marker={"size": 12, "color": "#ffffff", "line": {"color": "#333", "width": 1.5}},
        hoverinfo="text",
        hovertext=names,
        showlegend=False,
    )
    for kind in dict.fromkeys(t.kind for t in every):
        figure.add_scatter(
            x=[None],
            y=[None],
            mode="lines",
            name=COMMITMENT_KINDS.get(kind, kind),
            line={"color": KIND_COLOURS.get(kind, GREY), "width": 3},
        )
    others = len(figure.data) - len(every)  # the actors and the legend: always shown
    start = len(years) - 1
    steps = [
        {
            "label": str(year),
            "method": "update",
            "args": [
                {"visible": [t.id in held[index] for t in every] + [True] * others},
                {"title.text": f"Ties in force on 1 July {year}"},
            ],
        }
        for index, year in enumerate(years)
    ]
    figure.update_layout(
        **_layout(
            f"Ties in force on 1 July {years[start]}",
            hovermode="closest",
            height=600,
            legend={"orientation": "v", "x": 1.0, "xanchor": "left", "y": 1.0},
            margin={"l": 20, "r": 20, "t": 60, "b": 20},
            sliders=[
                {
                    "active": start,
                    "steps": steps,
                    "pad": {"t": 10},
                    "y": 0,
                    "yanchor": "top",
                    "currentvalue": {"prefix": "year "},
                }
            ],
        )
    )
    figure.update_xaxes(visible=False, range=[-1.35, 1.35])
    figure.update_yaxes(visible=False, range=[-1.25, 1.25], scaleanchor="x")
    return _plain(figure)


def _timeline(figure: go.Figure, title: str, labels: list[str], row_height: int) -> None:
    """Lay a timeline out: one labelled row per item, first at the top, tall enough to read."""
    figure.update_layout(
        **_layout(
            title, hovermode="closest", barmode="overlay", height=160 + row_height * max(len(labels), 1)
        )
    )
    figure.update_yaxes(
        categoryorder="array", categoryarray=labels[::-1], automargin=True, tickfont={"size": 11}
    )


def _tie_lines(tie: Tie, places: dict[str, tuple[float, float]]) -> tuple[list, list]:
    """A tie's line: between two parties, or spokes from their centre to each of three or more."""
    hub = (
        sum(places[p][0] for p in tie.parties) / len(tie.parties),
        sum(places[p][1] for p in tie.parties) / len(tie.parties),
    )
    ends = (
        [places[p] for p in tie.parties]
        if len(tie.parties) == 2
        else [c for p in tie.parties for c in (hub, places[p])]
    )
    xs: list[float | None] = []
    ys: list[float | None] = []
    for a, b in zip(ends[::2], ends[1::2], strict=True):
        xs += [a[0], b[0], None]
        ys += [a[1], b[1], None]
    return xs, ys


def episodes(scenario: Scenario) -> dict[str, Any]:
    """The crisis episodes on a time line, each labelled in full (wrapped), coloured by who began it."""
    found = sorted(scenario.episodes, key=lambda e: (e.start, e.id))
    figure = go.Figure()
    labels = _unique(
        ["<br>".join(_plain_text(x) for x in textwrap.wrap(f"{e.start.year} · {e.title}", 48)) for e in found]
    )
    palette = [c for k, c in OKABE_ITO.items() if k not in ("black", "yellow")]
    initiators = list(dict.fromkeys(e.initiator for e in found))
    for index, who in enumerate(initiators):
        chosen = [(label, e) for label, e in zip(labels, found, strict=True) if e.initiator == who]
        colour = GREY if who is None else palette[index % len(palette)]
        figure.add_trace(
            go.Bar(
                base=[e.start.isoformat() for _, e in chosen],
                x=[
                    max((pd.Timestamp(e.end or e.start) - pd.Timestamp(e.start)).days, 30) * 86_400_000
                    for _, e in chosen
                ],
                y=[label for label, _ in chosen],
                orientation="h",
                name="initiator not attributed" if who is None else f"begun by {_name(scenario, who)}",
                marker={"color": colour, "line": {"color": "#333", "width": 0.5}},
                customdata=[
                    [_plain_text(e.title), e.start.isoformat(), (e.end or e.start).isoformat()]
                    for _, e in chosen
                ],
                hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]} to %{customdata[2]}"
                "<extra></extra>",
            )
        )
    _timeline(figure, f"Crisis episodes, {scenario.periods.start}–{scenario.periods.end}", labels, 44)
    figure.update_xaxes(
        type="date",
        title="year",
        range=[f"{scenario.periods.start}-01-01", f"{scenario.periods.end + 1}-01-01"],
    )
    return _plain(figure)


def whatif(result: dict[str, Any]) -> dict[str, Any]:
    """Counterfactual minus baseline per year, paired draw by draw: mean and 90% of draws."""
    frame = pd.DataFrame(result["differences"])
    figure = go.Figure()
    for name in dict.fromkeys(frame["metric"]) if not frame.empty else []:
        rows = (
            frame[frame["metric"] == name]
            .sort_values("period")
            .rename(columns={"difference": name, "low": f"{name}_low", "high": f"{name}_high"})
        )
        _bands(figure, rows, name)
    figure.add_hline(y=0, line={"color": "#333", "width": 1})
    if result.get("diverges") is not None:
        diverges = as_period(result["diverges"])
        figure.add_vline(
            x=boundary_before(frame["period"].astype(float).tolist() if not frame.empty else [], diverges),
            line={"color": GREY, "dash": "dot"},
            annotation_text=f"worlds diverge in {period_label(diverges)}",
        )
    titles = " + ".join(result.get("titles") or result.get("overlays") or ["counterfactual"])
    figure.update_layout(**_layout(f"What if: {titles}"))
    figure.update_yaxes(title="counterfactual − baseline", zeroline=True)
    figure.update_xaxes(title="year", dtick=2)
    return _plain(figure)


def score(result: dict[str, Any]) -> dict[str, Any]:
    """Brier score of each out-of-sample or unfitted forecaster on each outcome (lower is better)."""
    scores = pd.DataFrame(result["scores"])
    figure = go.Figure()
    for method, fit, colour in SCORE_METHODS:  # forecasts that never saw the years they forecast
        rows = scores[(scores["method"] == method) & (scores["fit"] == fit)]
        if rows.empty:
            continue
        figure.add_trace(
            go.Bar(
                y=[OUTCOME_LABELS.get(o, o) for o in rows["outcome"]],
                x=rows["brier"].tolist(),
                orientation="h",
                name=f"{method} ({fit})",
                marker={"color": colour},
                customdata=rows[["n", "events"]].to_numpy().tolist(),
                hovertemplate="%{x:.3f} (%{customdata[0]} years, %{customdata[1]} events)"
                "<extra>%{fullData.name}</extra>",
            )
        )
    figure.update_layout(
        **_layout(
            f"Forecasts scored against the record, {result.get('start', '?')} onward "
            f"({result.get('draws', '?')} draws)",
            hovermode="closest",
            barmode="group",
            height=200 + 60 * max(scores["outcome"].nunique() if not scores.empty else 1, 1),
        )
    )
    figure.update_xaxes(title="Brier score (0 is perfect; lower is better)", rangemode="tozero")
    figure.update_yaxes(automargin=True, autorange="reversed")
    return _plain(figure)


def sensitivity(result: dict[str, Any], top: int = 12) -> dict[str, Any]:
    """Total and first-order Sobol indices of the most influential parameters, with 95% intervals."""
    indices = pd.DataFrame(result["indices"]).head(top)
    figure = go.Figure()
    for column, colour, words in (
        ("ST", OKABE_ITO["blue"], "total index (ST)"),
        ("S1", OKABE_ITO["orange"], "first-order index (S1)"),
    ):
        figure.add_trace(
            go.Bar(
                y=indices["parameter"].tolist(),
                x=indices[column].tolist(),
                orientation="h",
                name=words,
                marker={"color": colour},
                error_x={"type": "data", "array": indices[f"{column}_conf"].fillna(0).tolist()},
                hovertemplate="%{y}: %{x:.3f}<extra>" + words + "</extra>",
            )
        )
    figure.update_layout(
        **_layout(
            f"What drives mean {result.get('metric', '?')} over "
            f"{result.get('periods', '?')} (N = {result.get('samples', '?')})",
            hovermode="closest",
            barmode="group",
            height=160 + 44 * max(len(indices), 1),
        )
    )
    figure.update_xaxes(title="Sobol index (share of the output's variance; bars: 95% interval)")
    figure.update_yaxes(automargin=True, autorange="reversed")
    return _plain(figure)


def figure(
    name: str,
    *,
    summary: pd.DataFrame | None = None,
    scenario: Scenario | None = None,
    analysis: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Chart ``name`` as a Plotly figure; ValueError when an input it needs is missing."""
    if name not in FIGURES:
        raise ValueError(f"unknown chart {name!r}; expected one of {', '.join(FIGURES)}")
    if name in SUMMARY_FIGURES and summary is None:
        raise ValueError(f"chart {name!r} needs the run's summary")
    if name in SCENARIO_FIGURES and scenario is None:
        raise ValueError(f"chart {name!r} needs the run's scenario")
    if name in ANALYSIS_FIGURES and analysis is None:
        raise ValueError(f"chart {name!r} needs a {name} analysis")
    drawers: dict[str, Callable[[], dict[str, Any]]] = {
        "probabilities": lambda: probabilities(summary, scenario),  # type: ignore[arg-type]
        "belief": lambda: belief(summary, scenario),  # type: ignore[arg-type]
        "commitments": lambda: commitments(scenario),  # type: ignore[arg-type]
        "network": lambda: network(scenario),  # type: ignore[arg-type]
        "episodes": lambda: episodes(scenario),  # type: ignore[arg-type]
        "whatif": lambda: whatif(analysis),  # type: ignore[arg-type]
        "score": lambda: score(analysis),  # type: ignore[arg-type]
        "sensitivity": lambda: sensitivity(analysis),  # type: ignore[arg-type]
    }
    drawn = drawers[name]()
    drawn["layout"].setdefault("meta", {})["chart"] = name
    drawn["layout"]["meta"]["caption"] = CHART_TITLES[name]
    return drawn
