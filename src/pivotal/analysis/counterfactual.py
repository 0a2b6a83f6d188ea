r"""Counterfactuals: the same draws run with and without a change, and the difference.

Both runs use the same seed and number of draws, so each parameter draw and
each simulated move is shared (common random numbers) and the per-draw
difference :math:`\Delta_i = y_i^{cf} - y_i^{base}` isolates the change.
Both runs use the record only where the counterfactual world shares it:
every period before the first changed one, plus the periods whose record the
overlay rewrites (the baseline keeps what happened there).  Everything after is
simulated in both, so the baseline is the model's own continuation, not the
observed history.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from pivotal.scenario.overlay import Overlay, apply_overlay
from pivotal.scenario.schema import PeriodRange, Scenario
from pivotal.scenario.timeline import Period, boundary_before, period_label
from pivotal.simulation.engine import METRICS, Progress, SimulationResult, simulate
from pivotal.simulation.fitted import FittedValues
from pivotal.simulation.summary import INTERVAL


@dataclass(frozen=True, repr=False)
class WhatIf:
    """A baseline and a counterfactual run paired draw by draw."""

    overlays: list[Overlay]
    baseline: SimulationResult
    counterfactual: SimulationResult
    diverges: Period
    record_periods: list[Period]

    def differences(self, metrics: tuple[str, ...] = METRICS) -> pd.DataFrame:
        """Per period and metric: both means, the mean difference, its 90% interval and standard error.

        The interval is the 5-95% range of the per-draw differences (how much
        the effect varies with the uncertain parameters); the standard error is
        the Monte Carlo error of the mean difference.

        Returns
        -------
        pandas.DataFrame
            One row per period and metric: ``period``, ``metric``, ``baseline``,
            ``counterfactual``, ``difference``, ``low``, ``high``, ``stderr``.
        """
        return pd.DataFrame(
            [
                {"period": period, "metric": name, **self._paired(name, [t])}
                for t, period in enumerate(self.baseline.periods)
                for name in metrics
            ]
        )

    def averages(self, metrics: tuple[str, ...], periods: PeriodRange) -> pd.DataFrame:
        """Each metric averaged over ``periods`` draw by draw, then compared as in :meth:`differences`.

        Returns
        -------
        pandas.DataFrame
            One row per metric, with the columns of :meth:`differences` (``periods`` in place of
            ``period``).
        """
        rows = [t for t, period in enumerate(self.baseline.periods) if period in periods]
        return pd.DataFrame(
            [{"periods": str(periods), "metric": name, **self._paired(name, rows)} for name in metrics]
        )

    def _paired(self, metric: str, rows: list[int]) -> dict[str, float]:
        base = self.baseline.metrics[metric][rows].mean(axis=0)
        delta = self.counterfactual.metrics[metric][rows].mean(axis=0) - base
        low, high = np.quantile(delta, INTERVAL)
        stderr = delta.std(ddof=1) / np.sqrt(delta.size) if delta.size > 1 else np.nan
        return {
            "baseline": float(base.mean()),
            "counterfactual": float(base.mean() + delta.mean()),
            "difference": float(delta.mean()),
            "low": float(low),
            "high": float(high),
            "stderr": float(stderr),
        }

    @property
    def shown_from(self) -> Period:
        """Where a table of the change starts: the period before the first change, for context."""
        before = [p for p in self.baseline.periods if p < self.diverges]
        return before[-1] if before else self.diverges

    def unchanged(self, metrics: tuple[str, ...], periods: PeriodRange | None = None) -> list[str]:
        """Why ``metrics`` do not move over ``periods`` (default: from the divergence on), in a few
        plain sentences; empty when each of them moves.

        Only the periods from the first change on are judged (before it the two runs are the same
        draw by draw, and averaging them in would hide a change).  A metric does not move when in
        none of those periods its mean change or either end of its 90% interval reaches
        :data:`NEGLIGIBLE`.  The reasons are read off the runs: a window that ends before the first
        change, a changed number whose channel the scenario switches off, and the outputs that do
        move, where the change stops.
        """
        last = self.baseline.periods[-1]
        span = periods or PeriodRange(min(self.diverges, last), last)
        if not any(p >= self.diverges for p in self.baseline.periods if p in span):
            verb = "does" if len(metrics) == 1 else "do"
            return [
                f"{', '.join(metrics)} {verb} not change over {span}: the overlay's first change is in "
                f"{period_label(self.diverges)}, after these periods, and a what-if changes only what "
                "comes after its first change."
            ]
        judged = PeriodRange(max(span.start, self.diverges), span.end)
        still = [m for m in metrics if not self._moves(m, judged)]
        if not still:
            return []
        verb = "does" if len(still) == 1 else "do"
        lines = [
            f"{', '.join(still)} {verb} not change over {judged}: in no period is the mean change, "
            f"or either end of the 90% interval of the draws' changes, as large as {NEGLIGIBLE:g}."
        ]
        options = self.baseline.scenario.game
        switched_off = sorted(
            {
                f"{name} (needs game: {{{option}: true}})"
                for overlay in self.overlays
                for name in overlay.parameters
                if (option := NEEDS_OPTION.get(name)) and not getattr(options, option)
            }
        )
        if switched_off:
            lines.append(
                "The overlay changes numbers whose moves this scenario leaves out: "
                f"{'; '.join(switched_off)}."
            )
        moved = [m for m in METRICS if m not in still and self._moves(m, judged)]
        if not moved:
            lines.append(
                f"No output of the model moves over {judged}: the changed numbers reach no choice there."
            )
        else:
            sizes = self.averages(tuple(moved), judged).set_index("metric")["difference"]
            shown = ", ".join(
                f"{name} {sizes[name]:+.3f}" for name in sorted(moved, key=lambda m: -abs(sizes[m]))[:4]
            )
            lines.append(
                f"What does move over {judged} (mean change): {shown}; the change stops "
                f"there, before {', '.join(still)}."
            )
        return lines

    def _moves(self, metric: str, periods: PeriodRange) -> bool:
        """Whether ``metric`` changes by :data:`NEGLIGIBLE` or more in some period of ``periods``."""
        rows = self.differences((metric,))
        rows = rows[[period in periods for period in rows["period"]]]
        return bool((rows[["difference", "low", "high"]].abs() >= NEGLIGIBLE).any(axis=None))

    def to_frame(self, metrics: tuple[str, ...] = METRICS) -> pd.DataFrame:
        """The per-period comparison as a table (:meth:`differences`), for a notebook.

        Returns
        -------
        pandas.DataFrame
            The table :meth:`differences` gives.
        """
        return self.differences(metrics)

    def plot(self, metric: str = "p_offensive", ax: Any = None) -> Any:
        """Each period's mean change in ``metric`` with the 5-95% band of the per-draw changes.

        Returns
        -------
        matplotlib.axes.Axes
            ``ax``, or new axes on a new figure when ``ax`` is None.
        """
        import matplotlib.pyplot as plt

        ax = ax if ax is not None else plt.subplots(figsize=(7, 3.5))[1]
        rows = self.differences((metric,))
        ax.fill_between(rows["period"], rows["low"], rows["high"], alpha=0.25, label="90% of draws")
        ax.plot(rows["period"], rows["difference"], marker="o", label="mean change")
        ax.axhline(0.0, color="grey", linewidth=0.8)
        ax.axvline(
            boundary_before(self.baseline.periods, self.diverges), color="grey", linestyle=":", linewidth=0.8
        )
        ax.set(
            xlabel="period",
            ylabel=f"change in {metric}",
            title=f"{' + '.join(o.title for o in self.overlays)}: {metric}",
        )
        ax.legend(loc="best", frameon=False)
        return ax

    def to_dict(self, metrics: tuple[str, ...] = METRICS, over: PeriodRange | None = None) -> dict:
        content = {
            "scenario_id": self.baseline.scenario.id,
            "overlays": [o.id for o in self.overlays],
            "titles": [o.title for o in self.overlays],
            "draws": self.baseline.draws,
            "seed": self.baseline.seed,
            "diverges": self.diverges,
            "record_periods": self.record_periods,
            "differences": self.differences(metrics).to_dict(orient="records"),
        }
        if over is not None:
            content["averages"] = self.averages(metrics, over).to_dict(orient="records")
        content["unchanged"] = self.unchanged(metrics, over)
        return content


#: A change smaller than this, in the mean and in the 90% interval of every period, is no change.
NEGLIGIBLE = 0.0005
#: Parameters that enter the model only through a move the scenario must switch on (``game``).
NEEDS_OPTION = {
    "concession_share": "target_moves_first",
    "provocation_pressure": "target_moves_first",
    "provocation_value": "target_moves_first",
    "target_restraint_cost": "target_moves_first",
    "tilt_commitment": "pivot_posture",
    "ultimatum_gain": "pivot_posture",
}


def fitted_clash(overlays: list[Overlay], fitted: FittedValues) -> str | None:
    """Why a what-if cannot use ``fitted``: it changes a parameter the fit estimated (the fit's
    values would undo the change); None when it can."""
    changed = {name for o in overlays for name in o.parameters}
    if "precision" in changed:
        changed |= {"precision_challenger", "precision_pivot", "precision_target"}
    clash = sorted(changed & set(fitted.values))
    if not clash:
        return None
    return (
        f"the fit estimated {', '.join(clash)}, which the what-if changes: run it without --fit, or "
        "with a fit that leaves those parameters free"
    )


def what_if(
    base: Scenario,
    overlays: list[Overlay],
    *,
    draws: int = 2000,
    seed: int = 0,
    shared_record: Iterable[Period] = (),
    progress: Progress | None = None,
    fitted: FittedValues | Callable[[Scenario], FittedValues] | None = None,
) -> WhatIf:
    """Run ``base`` and ``base`` with ``overlays`` applied in order, paired by common random numbers.

    Parameters
    ----------
    base : the factual scenario.
    overlays : validated overlays (see :mod:`pivotal.scenario.overlay`), at least one change in all.
    draws, seed : shared by both runs.
    shared_record : further years whose record both runs use even after they diverge (a record
        entry assumed for both, as ``pivotal whatif --assume`` gives).
    progress : told (draws done, 2 * draws) as the two runs go.
    fitted : a fit's values, used by both runs in place of their parameters' ranges, or a function
        giving each run's scenario its own (so that a covariate the overlays change moves the
        fitted parameters); an overlay may not change a parameter the fit estimated (the fit's
        values would undo the change).

    Returns
    -------
    WhatIf
        The two runs, paired draw by draw, with the first changed period (``diverges``) and the
        periods whose record both used; its :meth:`WhatIf.differences` and :meth:`WhatIf.averages`
        compare them.

    Raises
    ------
    ValueError
        The overlays change nothing, or change a parameter that ``fitted`` estimated.

    Examples
    --------
    Without Russia's war in Ukraine from 2022, Azerbaijan challenges a little less often in
    2022-2023 (mean and 5-95% range of the per-draw changes):

    >>> import pivotal
    >>> from pivotal.scenario import PeriodRange
    >>> base = pivotal.builtin_scenario("south-caucasus")
    >>> result = pivotal.what_if(base, pivotal.counterfactual(base, "no-ukraine-war-2022"), draws=200)
    >>> result.diverges
    2022
    >>> row = result.averages(("p_challenge",), PeriodRange(2022, 2023)).iloc[0]
    >>> print(f"{row.baseline:.3f} -> {row.counterfactual:.3f}: {row.difference:+.3f} "
    ...       f"[{row.low:+.3f}, {row.high:+.3f}]")
    0.332 -> 0.321: -0.011 [-0.022, -0.002]
    >>> result.plot("p_challenge").get_ylabel()
    'change in p_challenge'
    """

    def values(scenario: Scenario) -> FittedValues | None:
        return fitted(scenario) if callable(fitted) else fitted

    if fitted is not None:
        clash = fitted_clash(overlays, fitted(base) if callable(fitted) else fitted)
        if clash:
            raise ValueError(clash)
    starts = [o.first_period for o in overlays if o.first_period is not None]
    if not starts:
        raise ValueError("the overlays change nothing")
    diverges = min(starts)
    rewritten = set().union(*(o.record_periods(base) for o in overlays))
    record_periods = sorted({p for p in base.timeline if p < diverges} | rewritten | set(shared_record))
    counterfactual = base
    for overlay in overlays:
        counterfactual = apply_overlay(counterfactual, overlay)
    runs = [
        simulate(
            s,
            draws=draws,
            seed=seed,
            record_periods=record_periods,
            fitted=values(s),
            progress=None if progress is None else _offset(progress, index * draws, 2 * draws),
        )
        for index, s in enumerate((base, counterfactual))
    ]
    return WhatIf(
        overlays=overlays,
        baseline=runs[0],
        counterfactual=runs[1],
        diverges=diverges,
        record_periods=record_periods,
    )


def _offset(progress: Progress, before: int, total: int) -> Progress:
    """Progress of one of several runs, told as progress of them all."""
    return lambda done, _: progress(before + done, total)
