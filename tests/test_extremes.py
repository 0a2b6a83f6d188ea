"""Extreme but valid inputs: every probability a run reports stays finite and in [0, 1].

Scenarios are generated with every parameter at an edge (its bounds, 0, 1, 1e-300, 1e6),
one to six periods, records or none, and run with one to a few draws, through the same
loader a user's file goes through.
"""

from __future__ import annotations

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pivotal import parse_scenario, simulate, summarise
from pivotal.model.parameters import PARAMETERS
from tests.fuzz_loaders import scenario_documents


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    document=scenario_documents(extreme=True),
    draws=st.sampled_from([1, 2, 7]),
    use_record=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_edge_values_give_finite_probabilities(document, draws, use_record, seed):
    scenario = parse_scenario(yaml.safe_dump(document, sort_keys=False))
    result = simulate(scenario, draws=draws, seed=seed, use_record=use_record)
    for name, values in result.metrics.items():
        assert values.shape == (len(scenario.years), draws)
        assert np.isfinite(values).all(), f"{name} is not finite"
        assert ((values >= 0) & (values <= 1)).all(), f"{name} leaves [0, 1]: {values.min()}..{values.max()}"
    table = summarise(result)
    probabilities = table.filter(regex=r"^(p_\w+|belief|belief_after)(_low|_high)?$").to_numpy(dtype=float)
    assert np.isfinite(probabilities).all() and ((probabilities >= 0) & (probabilities <= 1)).all()


@pytest.mark.parametrize("edge", ["lowest", "highest"])
def test_one_period_one_draw_with_every_parameter_at_an_edge(tiny_text, edge):
    """Every parameter at its lowest or its highest admissible value, in a one-period scenario."""
    document = yaml.safe_load(tiny_text)
    document["periods"] = {"start": 2001, "end": 2001}
    document["roles"][0]["periods"] = "2001"
    document["record"] = document["record"][:1]
    document["episodes"] = []
    for spec in PARAMETERS:
        value = (1e-300 if spec.lower_open else spec.lower) if edge == "lowest" else spec.largest
        document["parameters"][spec.name] = [
            {
                "periods": "2001",
                "low": value,
                "mode": value,
                "high": value,
                "sources": [{"ref": "note-a", "at": "¶3"}],
            }
        ]
    scenario = parse_scenario(yaml.safe_dump(document, sort_keys=False))
    for use_record in (True, False):
        result = simulate(scenario, draws=1, seed=0, use_record=use_record)
        for name, values in result.metrics.items():
            assert np.isfinite(values).all() and ((values >= 0) & (values <= 1)).all(), name
