"""Per-period summaries of a run as a pandas DataFrame, beside the record."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pivotal.simulation.engine import METRICS, SimulationResult

#: Lower and upper quantiles of the reported 90% intervals.
INTERVAL = (0.05, 0.95)


def summarise(result: SimulationResult) -> pd.DataFrame:
    """One row per period: mean and 90% interval of each metric, and what was observed.

    Intervals are over parameter uncertainty (and, in simulated periods, over
    simulated histories), not sampling error of the mean.
    """
    scenario = result.scenario
    rows = []
    for t, period in enumerate(result.periods):
        roles = scenario.roles_in(period)
        row: dict[str, object] = {
            "period": period,
            "pivot": roles.pivot,
            "challenger": roles.challenger,
            "target": roles.target,
            "belief_source": result.belief_source[t],
        }
        for name in METRICS:
            values = result.metrics[name][t]
            low, high = np.quantile(values, INTERVAL)
            row[name] = float(values.mean())
            row[f"{name}_low"] = float(low)
            row[f"{name}_high"] = float(high)
        entry = scenario.record_for(period)
        row["observed_challenge"] = entry.challenge if entry else None
        row["observed_response"] = entry.pivot_response if entry else None
        row["observed_ceasefire_days"] = entry.ceasefire_days if entry else None
        row["observed_appeal_answered"] = entry.appeal_answered if entry else None
        row["observed_target_hedged"] = entry.target_hedged if entry else None
        rows.append(row)
    frame = pd.DataFrame(rows)
    for column in ("observed_ceasefire_days",):
        frame[column] = frame[column].astype("Int64")
    for column in ("observed_appeal_answered", "observed_target_hedged"):
        frame[column] = frame[column].astype("boolean")
    return frame
