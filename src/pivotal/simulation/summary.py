"""Per-period summaries of a run as a pandas DataFrame, beside the record."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pivotal.scenario.schema import Scenario
from pivotal.scenario.timeline import Period
from pivotal.simulation.engine import METRICS, SimulationResult
from pivotal.simulation.streaming import RunSummary

#: Lower and upper quantiles of the reported 90% intervals.
INTERVAL = (0.05, 0.95)


def summarise(result: SimulationResult | RunSummary) -> pd.DataFrame:
    """One row per period: mean and 90% interval of each metric, and what was observed.

    Intervals are over parameter uncertainty (and, in simulated periods, over
    simulated histories), not sampling error of the mean.  From a
    :class:`SimulationResult` they are exact sample quantiles; from a streamed
    :class:`RunSummary` they come from its histograms.

    Returns
    -------
    pandas.DataFrame
        One row per period: ``period``, the roles, ``belief_source``; for each metric its mean and
        ``_low`` and ``_high`` ends; then the record (``observed_challenge``, ``observed_response``,
        ...), empty where the scenario records nothing.

    Examples
    --------
    >>> import pivotal
    >>> scenario = pivotal.builtin_scenario("south-caucasus")
    >>> table = pivotal.summarise(pivotal.simulate(scenario, draws=200, seed=1))
    >>> len(table)
    40
    >>> row = table.set_index("period").loc[2010]
    >>> row["observed_challenge"], row["observed_response"]
    ('probe', 'acquiesce')
    >>> print(f"{row['p_challenge']:.3f} in [{row['p_challenge_low']:.3f}, {row['p_challenge_high']:.3f}]")
    0.141 in [0.011, 0.365]
    """
    if isinstance(result, RunSummary):
        return summary_frame(
            result.scenario, result.periods, result.belief_source, result.mean, result.low, result.high
        )
    values = np.stack([result.metrics[name] for name in METRICS], axis=1)  # (T, metrics, draws)
    low, high = np.quantile(values, INTERVAL, axis=2)
    return summary_frame(
        result.scenario, result.periods, result.belief_source, values.mean(axis=2), low, high
    )


def summary_frame(
    scenario: Scenario,
    periods: list[Period],
    belief_source: list[str],
    mean: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
) -> pd.DataFrame:
    """The summary table from per-(period, metric) means and interval ends."""
    rows = []
    for t, period in enumerate(periods):
        roles = scenario.roles_in(period)
        row: dict[str, object] = {
            "period": period,
            "pivot": roles.pivot,
            "challenger": roles.challenger,
            "target": roles.target,
            "belief_source": belief_source[t],
        }
        for m, name in enumerate(METRICS):
            row[name] = float(mean[t, m])
            row[f"{name}_low"] = float(low[t, m])
            row[f"{name}_high"] = float(high[t, m])
        entry = scenario.record_for(period)
        row["observed_challenge"] = entry.challenge if entry else None
        row["observed_response"] = entry.pivot_response if entry else None
        row["observed_ceasefire_days"] = entry.ceasefire_days if entry else None
        # The store keeps a yes or no; a partial answer is neither (the scenario file says which).
        answered = entry.appeal_answered if entry else None
        row["observed_appeal_answered"] = None if answered == "partial" else answered
        row["observed_target_hedged"] = entry.target_hedged if entry else None
        rows.append(row)
    frame = pd.DataFrame(rows)
    if not all(isinstance(p, int) for p in periods):  # years as integers beside episodes' decimal keys
        frame["period"] = pd.Series(list(periods), dtype=object)
    frame["observed_ceasefire_days"] = frame["observed_ceasefire_days"].astype("Int64")
    for column in ("observed_appeal_answered", "observed_target_hedged"):
        frame[column] = frame[column].astype("boolean")
    return frame
