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

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pivotal.scenario.overlay import Overlay, apply_overlay
from pivotal.scenario.schema import PeriodRange, Scenario
from pivotal.simulation.engine import METRICS, SimulationResult, simulate
from pivotal.simulation.summary import INTERVAL


@dataclass(frozen=True)
class WhatIf:
    """A baseline and a counterfactual run paired draw by draw."""

    overlays: list[Overlay]
    baseline: SimulationResult
    counterfactual: SimulationResult
    diverges: int
    record_periods: list[int]

    def differences(self, metrics: tuple[str, ...] = METRICS) -> pd.DataFrame:
        """Per period and metric: both means, the mean difference, its 90% interval and standard error.

        The interval is the 5-95% range of the per-draw differences (how much
        the effect varies with the uncertain parameters); the standard error is
        the Monte Carlo error of the mean difference.
        """
        return pd.DataFrame([
            {"period": period, "metric": name, **self._paired(name, [t])}
            for t, period in enumerate(self.baseline.periods) for name in metrics
        ])

    def averages(self, metrics: tuple[str, ...], periods: PeriodRange) -> pd.DataFrame:
        """Each metric averaged over ``periods`` draw by draw, then compared as in :meth:`differences`."""
        rows = [self.baseline.periods.index(year) for year in periods.years()]
        return pd.DataFrame([{"periods": str(periods), "metric": name, **self._paired(name, rows)}
                             for name in metrics])

    def _paired(self, metric: str, rows: list[int]) -> dict[str, float]:
        base = self.baseline.metrics[metric][rows].mean(axis=0)
        delta = self.counterfactual.metrics[metric][rows].mean(axis=0) - base
        low, high = np.quantile(delta, INTERVAL)
        stderr = delta.std(ddof=1) / np.sqrt(delta.size) if delta.size > 1 else np.nan
        return {"baseline": float(base.mean()), "counterfactual": float(base.mean() + delta.mean()),
                "difference": float(delta.mean()), "low": float(low), "high": float(high),
                "stderr": float(stderr)}

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
        return content


def what_if(base: Scenario, overlays: list[Overlay], *, draws: int = 2000, seed: int = 0,
            shared_record: Iterable[int] = ()) -> WhatIf:
    """Run ``base`` and ``base`` with ``overlays`` applied in order, paired by common random numbers.

    Parameters
    ----------
    base : the factual scenario.
    overlays : validated overlays (see :mod:`pivotal.scenario.overlay`), at least one change in all.
    draws, seed : shared by both runs.
    shared_record : further years whose record both runs use even after they diverge (a record
        entry assumed for both, as ``pivotal whatif --assume`` gives).
    """
    starts = [o.first_period for o in overlays if o.first_period is not None]
    if not starts:
        raise ValueError("the overlays change nothing")
    diverges = min(starts)
    rewritten = set().union(*(o.record_periods for o in overlays))
    record_periods = sorted({p for p in base.years if p < diverges} | rewritten | set(shared_record))
    counterfactual = base
    for overlay in overlays:
        counterfactual = apply_overlay(counterfactual, overlay)
    runs = [simulate(s, draws=draws, seed=seed, record_periods=record_periods)
            for s in (base, counterfactual)]
    return WhatIf(overlays=overlays, baseline=runs[0], counterfactual=runs[1], diverges=diverges,
                  record_periods=record_periods)
