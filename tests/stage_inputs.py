"""Stage-game inputs for tests: a plain baseline and a Hypothesis strategy."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from pivotal.model import PARAMETERS, StageParameters

BASELINE = {
    "prize": 1.0,
    "balance": 0.6,
    "war_cost": 0.5,
    "probe_gain": 0.05,
    "probe_cost": 0.03,
    "third_party_deterrence": 0.05,
    "pivot_distraction": 0.2,
    "pivot_punishment": 1.0,
    "patron_shield": 0.2,
    "pivot_stake_target": 1.0,
    "target_alignment": 0.9,
    "pivot_stake_challenger": 0.3,
    "restraint_cost": 0.5,
    "mediation_cost": 0.1,
    "mediated_share": 0.5,
    "peacekeepers": 0.0,
    "resolve_value": 0.8,
    "mediation_credit": 0.5,
    "protection_value": 1.0,
    "alt_patron_support": 0.3,
    "pivot_leverage": 0.2,
    "precision": 8.0,
}

#: Largest value drawn for parameters without an upper bound.
UNBOUNDED_MAX = 5.0


def stage(**changes: float) -> StageParameters:
    return StageParameters.from_mapping({**BASELINE, **changes})


def _value(spec) -> st.SearchStrategy[float]:
    upper = min(spec.upper, UNBOUNDED_MAX)
    if spec.name == "precision":
        return st.floats(0.05, 50.0)
    return st.floats(spec.lower, upper, allow_nan=False)


stage_values = st.fixed_dictionaries(
    {spec.name: _value(spec) for spec in PARAMETERS if spec.name in BASELINE}
)
#: Every stage parameter, the optional ones and the per-role precisions included.
full_stage_values = st.fixed_dictionaries(
    {
        spec.name: (st.floats(0.05, 50.0) if spec.name.startswith("precision") else _value(spec))
        for spec in PARAMETERS
        if spec.name not in ("prior_resolve", "resolve_turnover", "precision")
    }
)
beliefs = st.floats(0.0, 1.0)


def as_stage(values: dict[str, float]) -> StageParameters:
    return StageParameters.from_mapping({k: np.array([v]) for k, v in values.items()})
