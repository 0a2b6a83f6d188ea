"""The JAX backend gives the NumPy backend's numbers (float64, same random numbers)."""

from __future__ import annotations

import numpy as np
import pytest

from pivotal import resolve_scenario, simulate
from pivotal.simulation import METRICS

pytest.importorskip("jax")


@pytest.mark.parametrize(
    "mode",
    [
        {"use_record": True},
        {"use_record": False},
        {"use_record": True, "record_periods": range(1994, 2020)},
    ],
)
@pytest.mark.slow
def test_jax_equals_numpy_to_1e_12(mode):
    scenario = resolve_scenario(None)
    draws = 3000
    reference = simulate(scenario, draws=draws, seed=17, backend="numpy", **mode)
    compiled = simulate(scenario, draws=draws, seed=17, backend="jax", **mode)
    for name in METRICS:
        np.testing.assert_allclose(
            compiled.metrics[name], reference.metrics[name], rtol=0, atol=1e-12, err_msg=name
        )
    # Same uniforms and (to 1e-12) the same probabilities: the sampled moves agree
    # except where a uniform falls within 1e-12 of a cumulative probability.
    assert np.mean(compiled.challenge == reference.challenge) > 0.9999
    assert np.mean(compiled.response == reference.response) > 0.9999


@pytest.mark.slow
def test_cli_runs_on_the_jax_backend(tmp_path):
    from typer.testing import CliRunner

    from pivotal.cli.app import app

    result = CliRunner().invoke(app, ["run", "-n", "500", "--seed", "3", "--backend", "jax", "--json"])
    assert result.exit_code == 0, result.output
    assert '"draws": 500' in result.stdout
