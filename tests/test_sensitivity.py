"""Sobol indices: an analytic case, the convergence check and argument checks."""

from __future__ import annotations

import numpy as np
import pytest

from pivotal.analysis import sobol_indices
from pivotal.scenario import PeriodRange


def test_first_period_belief_is_all_prior(tiny_scenario):
    """Before any update the belief is the prior itself: S1 = ST = 1 for it, 0 for the rest."""
    result = sobol_indices(tiny_scenario, metric="belief", periods=PeriodRange(2001, 2001), samples=8192)
    table = result.indices.set_index("parameter")
    assert table.loc["prior_resolve", "S1"] == pytest.approx(1.0, abs=0.05)
    assert table.loc["prior_resolve", "ST"] == pytest.approx(1.0, abs=0.05)
    others = table.drop(index="prior_resolve")
    assert np.allclose(others["ST"], 0.0, atol=1e-9)
    assert result.converged


def test_indices_are_ranked_and_bounded(tiny_scenario):
    result = sobol_indices(tiny_scenario, metric="p_offensive", samples=128)
    st = result.indices["ST"].to_numpy()
    assert np.all(np.diff(st) <= 0)
    assert np.all(st > -0.05) and result.indices["S1"].sum() <= 1.1
    assert result.evaluations == 128 * (len(result.indices) + 2)


def test_a_small_sample_is_called_too_small(tiny_scenario):
    result = sobol_indices(tiny_scenario, metric="p_offensive", samples=8)
    assert not result.converged
    assert "too small" in result.verdict()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"metric": "p_war"}, "metric must be one of"),
        ({"samples": 100}, "power of two"),
        ({"periods": PeriodRange(1990, 2001)}, "periods must lie within"),
    ],
)
def test_bad_arguments_are_refused(tiny_scenario, kwargs, message):
    with pytest.raises(ValueError, match=message):
        sobol_indices(tiny_scenario, **kwargs)


@pytest.mark.slow
def test_without_a_sample_size_n_doubles_until_converged_and_reuses_what_it_ran(tiny_scenario):
    """The default keeps the smaller samples' runs (a Sobol sample of N begins with that of N/2, and
    draw i has the same numbers in any run), so it ends where an explicit N gives the same indices."""
    tried: list[int] = []
    auto = sobol_indices(tiny_scenario, metric="p_offensive", tolerance=0.02, progress=tried.append)
    assert tried[0] == 1024 and tried == [1024 * 2**i for i in range(len(tried))] and len(tried) >= 2
    assert auto.samples == tried[-1] and (auto.converged or auto.samples == 16384)
    fixed = sobol_indices(tiny_scenario, metric="p_offensive", samples=auto.samples, tolerance=0.02)
    np.testing.assert_array_equal(auto.indices["ST"].to_numpy(), fixed.indices["ST"].to_numpy())
    assert auto.evaluations == fixed.evaluations
