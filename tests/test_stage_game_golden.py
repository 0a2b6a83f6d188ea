"""Golden tests: the stage game's solution on cases solved by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pivotal.model import logit_choice, posterior_resolve, solve_stage
from tests.stage_inputs import stage


def test_logit_is_uniform_at_zero_precision():
    probs = logit_choice(np.array([[1.0, -3.0, 7.0]]), np.array([0.0]))
    np.testing.assert_allclose(probs, [[1 / 3, 1 / 3, 1 / 3]])


def test_logit_matches_closed_form():
    # exp(0) : exp(ln 2) = 1 : 2
    probs = logit_choice(np.array([[0.0, math.log(2.0)]]), np.array([1.0]))
    np.testing.assert_allclose(probs, [[1 / 3, 2 / 3]])


def test_bayes_rule_by_hand():
    # prior 1/2, likelihoods 1/7 (resolved) and 1/3 (irresolute): (1/14) / (1/14 + 1/6) = 3/10
    assert posterior_resolve(np.array(0.5), np.log(1 / 7), np.log(1 / 3)) == pytest.approx(0.3)


@pytest.fixture
def hand_case():
    """A case whose equilibrium is computed on paper.

    The irresolute pivot is indifferent among its three responses (all its
    payoffs are zero), so it mixes 1/3 each.  The resolved pivot's bonus is
    (ln 4, ln 2, 0) at precision 1, so it mixes 4/7, 2/7, 1/7.
    """
    params = stage(
        prize=1.0,
        balance=0.5,
        probe_gain=0.1,
        war_cost=0.2,
        third_party_deterrence=0.0,
        probe_cost=0.05,
        mediated_share=0.5,
        pivot_distraction=0.0,
        patron_shield=0.0,
        pivot_punishment=1.0,
        pivot_stake_target=0.0,
        pivot_stake_challenger=0.0,
        restraint_cost=0.0,
        mediation_cost=0.0,
        peacekeepers=0.0,
        resolve_value=math.log(4.0),
        mediation_credit=0.5,
        precision=1.0,
        protection_value=1.0,
        alt_patron_support=0.5,
        pivot_leverage=0.0,
    )
    return solve_stage(params, np.array([0.5]))


def test_pivot_mixes_as_computed_by_hand(hand_case):
    np.testing.assert_allclose(hand_case.pivot_irresolute[0], [[1 / 3] * 3] * 2)
    np.testing.assert_allclose(hand_case.pivot_resolved[0], [[4 / 7, 2 / 7, 1 / 7]] * 2)


def test_posteriors_by_hand(hand_case):
    # restrain: (4/7)/(4/7 + 1/3) = 12/19; mediate: (2/7)/(2/7+1/3) = 6/13; acquiesce: 3/10
    np.testing.assert_allclose(hand_case.posterior[0], [[12 / 19, 6 / 13, 3 / 10]] * 2)


def test_challenger_mixes_as_computed_by_hand(hand_case):
    # Challenger payoffs with e = 1, phi = 1/2, k = 1:
    #   probe:     R = -0.05 - 1 = -1.05, M = 0.05 - 0.05 = 0,  A = 0.10 - 0.05 = 0.05
    #   offensive: R = -0.20 - 1 = -1.20, M = 0.25 - 0.20 = 0.05, A = 0.50 - 0.20 = 0.30
    # Responses mixed at belief 1/2: (4/7+1/3)/2, (2/7+1/3)/2, (1/7+1/3)/2.
    mix = [(4 / 7 + 1 / 3) / 2, (2 / 7 + 1 / 3) / 2, (1 / 7 + 1 / 3) / 2]
    probe = mix[0] * -1.05 + mix[1] * 0.0 + mix[2] * 0.05
    offensive = mix[0] * -1.20 + mix[1] * 0.05 + mix[2] * 0.30
    weights = np.exp([0.0, probe, offensive])
    np.testing.assert_allclose(hand_case.challenger[0], weights / weights.sum())


def test_target_hedges_as_computed_by_hand(hand_case):
    # hedge advantage = w - l - mu' v: 0.5 - 0.5 = 0 after the status quo -> 1/2;
    # after an acquiesced probe mu' = 3/10 -> advantage 0.2.
    assert hand_case.hedge_after_status_quo[0] == pytest.approx(0.5)
    assert hand_case.hedge_after_response[0, 0, 2] == pytest.approx(1 / (1 + math.exp(-0.2)))


def test_high_precision_approaches_best_response():
    # Every challenge loses (huge war cost, tiny gains) so a nearly rational challenger keeps the peace.
    solution = solve_stage(stage(war_cost=3.0, probe_cost=0.5, precision=200.0), np.array([0.7]))
    assert solution.p_deterred[0] == pytest.approx(1.0, abs=1e-9)


def test_fully_shielded_cheap_offensive_is_taken():
    # Patron fully shields, the pivot cannot hurt the challenger, the offensive is worth 0.9 - 0.1.
    solution = solve_stage(
        stage(patron_shield=1.0, balance=0.9, war_cost=0.1, third_party_deterrence=0.0, precision=100.0),
        np.array([0.9]),
    )
    assert solution.p_offensive[0] > 0.99
