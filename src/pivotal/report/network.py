"""The alliance and commitment network at a few moments: who was tied to whom, and by what.

Small multiples of one graph: the actors sit at the same places in every panel (the
pivot, the challenger and the target in a triangle in the middle, every other actor on
a circle around them), and each panel draws the ties in force on 1 July of its year,
coloured by kind as in the commitments timeline.  A tie between two parties is a line;
a tie among more (a treaty organisation, a mediating group) is a small hub with a spoke
to each party.
"""

from __future__ import annotations

import datetime as dt
import math

from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, Patch

from pivotal.report.data import COMMITMENT_KINDS, Tie, ties
from pivotal.scenario.schema import Scenario

PANELS = 4


def network_years(scenario: Scenario, panels: int = PANELS) -> list[int]:
    """Evenly spaced years from the scenario's first to its last, at most ``panels`` of them."""
    first, last = scenario.periods.start, scenario.periods.end
    if last - first + 1 <= panels:
        return list(range(first, last + 1))
    return sorted({round(first + i * (last - first) / (panels - 1)) for i in range(panels)})


def ties_in_force(scenario: Scenario, year: int) -> list[Tie]:
    """The ties that held on 1 July of ``year``."""
    middle = dt.date(year, 7, 1)
    return [t for t in ties(scenario) if t.start <= middle and (t.end is None or t.end >= middle)]


def actor_places(scenario: Scenario) -> dict[str, tuple[float, float]]:
    """A fixed place for every actor: the first roles' triangle inside, the others on a circle."""
    first = next((r for r in scenario.roles if r.pivot is not None), scenario.roles[0])
    core = [a for a in (first.pivot, first.challenger, first.target) if a is not None]
    everyone = {p for t in ties(scenario) for p in t.parties} | {
        a for r in scenario.roles for a in (r.pivot, r.challenger, r.target) if a is not None
    }
    others = sorted(everyone - set(core))
    places = {
        actor: _on_circle(0.45, angle)
        for actor, angle in zip(core, (90.0, 210.0, 330.0)[-len(core) :], strict=True)
    }
    for i, actor in enumerate(others):
        places[actor] = _on_circle(1.0, 90.0 + 360.0 * (i + 0.5) / len(others))
    return places


def _on_circle(radius: float, degrees: float) -> tuple[float, float]:
    return radius * math.cos(math.radians(degrees)), radius * math.sin(math.radians(degrees))


def plot_network(
    scenario: Scenario, colours: dict[str, str], fallback: str, years: list[int] | None = None
) -> Axes:
    """One panel per year; returns the first panel's axes (its figure holds them all)."""
    years = years or network_years(scenario)
    places = actor_places(scenario)
    figure = Figure(figsize=(2.5 * len(years) + 0.6, 3.6), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots(1, len(years), squeeze=False)[0]
    kinds_seen: list[str] = []
    for ax, year in zip(axes, years, strict=True):
        in_force = ties_in_force(scenario, year)
        drawn: dict[tuple[str, str], int] = {}
        for tie in in_force:
            colour = colours.get(tie.kind, fallback)
            style = "--" if tie.kind == "patronage" else "-"
            kinds_seen.append(tie.kind)
            if len(tie.parties) == 2:
                first, second = sorted(tie.parties)
                pair = (first, second)
                bend = 0.18 * drawn.get(pair, 0)
                drawn[pair] = drawn.get(pair, 0) + 1
                ax.add_patch(
                    FancyArrowPatch(
                        places[tie.parties[0]],
                        places[tie.parties[1]],
                        arrowstyle="-",
                        connectionstyle=f"arc3,rad={bend}",
                        color=colour,
                        linewidth=1.8,
                        linestyle=style,
                        shrinkA=9,
                        shrinkB=9,
                        zorder=2,
                    )
                )
            elif len(tie.parties) > 2:
                hub = _hub(tie, places)
                for party in tie.parties:
                    ax.add_patch(
                        FancyArrowPatch(
                            hub,
                            places[party],
                            arrowstyle="-",
                            color=colour,
                            linewidth=1.0,
                            linestyle=style,
                            shrinkB=9,
                            zorder=1,
                        )
                    )
                ax.plot(
                    [hub[0]],
                    [hub[1]],
                    marker="D",
                    markersize=5,
                    color=colour,
                    markeredgecolor="#333333",
                    markeredgewidth=0.5,
                    zorder=2,
                )
        involved = {p for t in in_force for p in t.parties}
        for actor, (x, y) in places.items():
            active = actor in involved
            ax.plot(
                [x],
                [y],
                marker="o",
                markersize=15,
                color="#FFFFFF" if active else "#F2F2F2",
                markeredgecolor="#333333" if active else "#BBBBBB",
                zorder=3,
            )
            ax.text(
                x,
                y,
                actor,
                ha="center",
                va="center",
                fontsize=6.5,
                zorder=4,
                color="#000000" if active else "#999999",
            )
        ax.set_title(f"{year}: {len(in_force)} tie{'s' * (len(in_force) != 1)}", fontsize=9)
        ax.set_xlim(-1.3, 1.3)
        ax.set_ylim(-1.3, 1.3)
        ax.set_aspect("equal")
        ax.axis("off")
    kinds = list(dict.fromkeys(kinds_seen))
    handles: list[Artist] = [
        Line2D(
            [], [], color=colours.get(k, fallback), linewidth=1.8, linestyle="--" if k == "patronage" else "-"
        )
        for k in kinds
    ]
    handles += [
        Line2D([], [], marker="D", linestyle="", color="#FFFFFF", markeredgecolor="#333333"),
        Patch(facecolor="#F2F2F2", edgecolor="#BBBBBB"),
    ]
    labels = [COMMITMENT_KINDS.get(k, k) for k in kinds] + ["tie of three or more", "no tie that year"]
    figure.legend(
        handles, labels, loc="outside lower center", ncols=min(len(labels), 5), fontsize=7.5, frameon=False
    )
    figure.suptitle(
        f"Who was tied to whom on 1 July of {', '.join(map(str, years))}", fontsize=10, x=0.01, ha="left"
    )
    return axes[0]


def _hub(tie: Tie, places: dict[str, tuple[float, float]]) -> tuple[float, float]:
    """Where a tie of three or more parties meets: their centre, pulled outward off the middle."""
    x = sum(places[p][0] for p in tie.parties) / len(tie.parties)
    y = sum(places[p][1] for p in tie.parties) / len(tie.parties)
    norm = math.hypot(x, y)
    scale = 0.25 / norm if norm < 0.25 and norm > 0 else 1.0
    return x * scale, y * scale


def alt_network(scenario: Scenario, years: list[int] | None = None) -> str:
    """The network panels in words: each year's ties, by kind and parties."""
    years = years or network_years(scenario)
    parts = []
    for year in years:
        in_force = ties_in_force(scenario, year)
        listed = ", ".join(
            f"{'–'.join(t.parties)} ({COMMITMENT_KINDS.get(t.kind, t.kind)})" for t in in_force
        )
        parts.append(f"{year}: {listed or 'no ties'}")
    return f"Network of ties between actors on 1 July of {len(years)} years. " + "; ".join(parts) + "."
