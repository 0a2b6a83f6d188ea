"""Property tests of the stage game's invariants over random admissible inputs."""

from __future__ import annotations

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from pivotal.model import StageParameters, solve_stage
from tests.stage_inputs import BASELINE, as_stage, beliefs, stage_values

TOLERANCE = 1e-9


@settings(max_examples=300, deadline=None)
@given(values=stage_values, belief=beliefs)
def test_probabilities_are_finite_and_sum_to_one(values, belief):
    s = solve_stage(as_stage(values), np.array([belief]))
    for array in (
        s.challenger,
        s.pivot_resolved,
        s.pivot_irresolute,
        s.posterior,
        s.hedge_after_response,
        s.p_intervene,
        s.p_hedge,
    ):
        assert np.all(np.isfinite(array))
        assert np.all((array >= 0.0) & (array <= 1.0 + TOLERANCE))
    np.testing.assert_allclose(s.challenger.sum(axis=-1), 1.0)
    np.testing.assert_allclose(s.pivot_resolved.sum(axis=-1), 1.0)


@settings(max_examples=300, deadline=None)
@given(values=stage_values, belief=beliefs, shields=st.tuples(st.floats(0, 1), st.floats(0, 1)))
def test_more_patron_shielding_never_lowers_the_challenge_probability(values, belief, shields):
    low, high = sorted(shields)
    less = solve_stage(as_stage({**values, "patron_shield": low}), np.array([belief]))
    more = solve_stage(as_stage({**values, "patron_shield": high}), np.array([belief]))
    assert more.p_challenge[0] >= less.p_challenge[0] - TOLERANCE


@settings(max_examples=300, deadline=None)
@given(values=stage_values, belief=beliefs, distraction=st.tuples(st.floats(0, 1), st.floats(0, 1)))
def test_more_pivot_capacity_never_raises_the_challenge_probability(values, belief, distraction):
    # Proposition 4's condition (docs/model.md section 5); no ceasefire fragility in these draws.
    assume(values["mediation_cost"] <= values["restraint_cost"] * (1.0 + values["patron_shield"]))
    calm, busy = sorted(distraction)  # less distraction = more capacity
    capable = solve_stage(as_stage({**values, "pivot_distraction": calm}), np.array([belief]))
    drained = solve_stage(as_stage({**values, "pivot_distraction": busy}), np.array([belief]))
    assert capable.p_challenge[0] <= drained.p_challenge[0] + TOLERANCE


@settings(max_examples=300, deadline=None)
@given(values=stage_values, belief=beliefs)
def test_a_pivot_that_acquiesces_never_raises_belief_in_its_resolve(values, belief):
    s = solve_stage(as_stage(values), np.array([belief]))
    assert np.all(s.posterior[0, :, 2] <= belief + TOLERANCE)


@settings(max_examples=200, deadline=None)
@given(values=stage_values, belief=beliefs)
def test_restraint_is_never_evidence_against_resolve(values, belief):
    s = solve_stage(as_stage(values), np.array([belief]))
    assert np.all(s.posterior[0, :, 0] >= belief - TOLERANCE)


@settings(max_examples=100, deadline=None)
@given(values=stage_values, belief=beliefs)
def test_vectorised_solution_equals_one_by_one(values, belief):
    stacked = StageParameters.from_mapping({k: np.array([v, v]) for k, v in values.items()})
    pair = solve_stage(stacked, np.array([belief, belief]))
    single = solve_stage(as_stage(values), np.array([belief]))
    np.testing.assert_allclose(pair.challenger, np.vstack([single.challenger] * 2))


def test_equal_types_leave_the_belief_unchanged_even_when_restraint_underflows():
    """Regression: with no resolve bonus both types play alike, so no move is evidence."""
    values = {
        **BASELINE,
        "resolve_value": 0.0,
        "pivot_distraction": 0.85,
        "patron_shield": 0.18,
        "pivot_stake_challenger": 3.75,
        "restraint_cost": 5.0,
        "precision": 18.0,
    }
    s = solve_stage(as_stage(values), np.array([0.25]))
    np.testing.assert_allclose(s.posterior, 0.25, rtol=0, atol=1e-15)
