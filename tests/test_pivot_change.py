"""A scenario whose pivot changes: each pivot has its own reputation, prior and parameter draws.

The observers' belief about a pivot is about that power: when another power takes the pivot's
place, belief in the newcomer starts from its own prior, and when the first comes back the
observers remember what they had learnt of it.  The parameters that describe the pivot are drawn
afresh for each pivot; the rivals' parameters keep one draw.
"""

from __future__ import annotations

import numpy as np
import pytest

from pivotal.model.parameters import OF_PIVOT, PARAMETER_NAMES
from pivotal.scenario import parse_scenario
from pivotal.simulation import simulate
from pivotal.simulation.kernel import UNIFORMS_PER_PERIOD, make_plan
from pivotal.simulation.sampling import parameter_values

ONE_ROLE = "  - {periods: '2001-2003', pivot: PIV, challenger: CHA, target: TAR, challenger_patrons: [PAT]}"


def with_pivots(tiny_text: str, *pivots: str) -> str:
    """The tiny scenario with the pivot of 2001, 2002 and 2003 given."""
    assert ONE_ROLE in tiny_text
    roles = "\n".join(
        f"  - {{periods: '{year}', pivot: {pivot}, challenger: CHA, target: TAR}}"
        for year, pivot in zip((2001, 2002, 2003), pivots, strict=True)
    )
    return tiny_text.replace(ONE_ROLE, roles)


@pytest.fixture
def three(tiny_text):
    return {
        name: parse_scenario(with_pivots(tiny_text, *pivots), source=f"{name}.yaml")
        for name, pivots in (("aaa", "PIV PIV PIV"), ("aab", "PIV PIV PAT"), ("aba", "PIV PAT PIV"))
        for pivots in [pivots.split()]
    }


def test_a_scenario_with_one_pivot_is_laid_out_as_before(three, tiny_scenario):
    for scenario in (tiny_scenario, three["aaa"]):
        plan = make_plan(scenario)
        assert plan.pivots == 1 and [s.pivot for s in plan.steps] == [0, 0, 0]
        assert plan.uniform_rows == len(PARAMETER_NAMES) + UNIFORMS_PER_PERIOD * 3
    same = simulate(three["aaa"], draws=300, seed=4)
    before = simulate(tiny_scenario, draws=300, seed=4)
    for name in ("p_offensive", "belief", "p_intervene"):  # roles differ only in the patron
        assert same.metrics[name].shape == before.metrics[name].shape


def test_the_pivots_parameters_are_drawn_afresh_and_the_rivals_are_not(three):
    result = simulate(three["aab"], draws=2000, seed=1)
    assert result.quantiles.shape == (2 * len(PARAMETER_NAMES), 2000)
    values = parameter_values(three["aab"], result.quantiles)
    pivots = [name for name in ("pivot_punishment", "restraint_cost", "prior_resolve") if name in OF_PIVOT]
    assert len(pivots) == 3
    for name in pivots:
        assert abs(np.corrcoef(values[name][1], values[name][2])[0, 1]) < 0.1, name
    for name in ("war_cost", "balance", "prize"):
        assert name not in OF_PIVOT
        assert np.array_equal(values[name][1], values[name][2]), name


def test_a_new_pivot_starts_from_its_own_prior(three):
    result = simulate(three["aab"], draws=500, seed=2)
    prior = parameter_values(three["aab"], result.quantiles)["prior_resolve"]
    assert np.allclose(result.metrics["belief"][2], prior[2])
    assert not np.allclose(result.metrics["belief"][2], result.metrics["belief_after"][1])


def test_a_pivot_that_returns_is_remembered(three):
    """PIV, then PAT, then PIV again: belief in PIV in 2003 is what it was when PAT took over."""
    returned = simulate(three["aba"], draws=500, seed=3)
    stayed = simulate(three["aaa"], draws=500, seed=3)
    assert np.array_equal(returned.metrics["belief"][2], stayed.metrics["belief"][1])
    assert np.array_equal(returned.metrics["belief"][0], stayed.metrics["belief"][0])


def test_the_first_pivots_draws_do_not_change_when_another_pivot_is_added(three):
    """The later pivots' quantiles come after every other random number of a draw."""
    two = simulate(three["aab"], draws=300, seed=5)
    one = simulate(three["aaa"], draws=300, seed=5)
    n = len(PARAMETER_NAMES)
    assert np.array_equal(two.quantiles[:n], one.quantiles)
    for name in ("p_offensive", "belief", "p_intervene"):
        assert np.array_equal(two.metrics[name][:2], one.metrics[name][:2]), name


def test_given_quantiles_are_shared_by_every_pivot(three):
    """Sensitivity analysis gives one quantile a parameter: every pivot takes it."""
    quantiles = np.random.default_rng(0).random((len(PARAMETER_NAMES), 64))
    result = simulate(three["aab"], draws=64, seed=6, quantiles=quantiles)
    assert np.array_equal(result.quantiles, np.tile(quantiles, (2, 1)))


def test_sensitivity_varies_each_pivot_on_its_own_as_the_engine_draws_them(three):
    """One factor a parameter, but an input per pivot for the pivot's parameters (SALib groups),
    so the variance it breaks down is that of the model the engine runs."""
    from pivotal.analysis import sobol_indices
    from pivotal.analysis.sensitivity import sobol_inputs, uncertain_parameters
    from pivotal.scenario.schema import PeriodRange

    scenario = three["aab"]
    names = uncertain_parameters(scenario, 2003)
    rows, groups = sobol_inputs(scenario, names)
    extra = [name for name in names if name in OF_PIVOT]
    assert len(rows) == len(names) + len(extra) and groups == names + extra
    assert sorted(set(rows)) == sorted(rows)  # every input sets its own quantile
    span = PeriodRange(2003, 2003)
    result = sobol_indices(scenario, metric="p_offensive", periods=span, samples=512, seed=1)
    assert list(result.indices["parameter"].sort_values()) == sorted(names)
    engine = simulate(scenario, draws=20_000, seed=9).metrics["p_offensive"][2]
    assert abs(result.variance / engine.var() - 1) < 0.08
    _, one_groups = sobol_inputs(three["aaa"], uncertain_parameters(three["aaa"], 2003))
    assert one_groups == uncertain_parameters(three["aaa"], 2003)  # one pivot: no groups, as before
