"""The double edge: the pivot's posture, the target's first move and the pivot's answer to it.

Properties over random admissible draws for every channel (docs/model.md section 5), a case
solved by hand, the whole period checked against Gambit, and the engine's use of recorded
early moves and of hedging that erodes alignment.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from pivotal.model import solve_stage
from pivotal.model.period_game import (
    AMBIGUOUS,
    CONCEDE,
    HOLD,
    LEAN_CHALLENGER,
    LEAN_TARGET,
    PROVOKE,
    REIN,
    TOLERATE,
    Context,
    GameOptions,
    context_stage,
    solve_period,
)
from tests.stage_inputs import as_stage, beliefs, full_stage_values, stage

TOLERANCE = 1e-12
EXAMPLES = settings(max_examples=200, deadline=None)
BOTH = GameOptions(target_moves_first=True, pivot_posture=True)


def _challenge_in(values: dict, belief: float, context: Context) -> float:
    params = context_stage(as_stage(values), context)
    return float(solve_stage(params, np.array([belief])).p_challenge[0])


def _period(values: dict, belief: float, options: GameOptions = BOTH):
    return solve_period(as_stage(values), np.array([belief]), options)


# --- properties -----------------------------------------------------------------------------------


@EXAMPLES
@given(values=full_stage_values, belief=beliefs)
def test_reining_in_a_provocation_never_invites_a_challenge(values, belief):
    reined = _challenge_in(values, belief, Context(AMBIGUOUS, PROVOKE, REIN))
    tolerated = _challenge_in(values, belief, Context(AMBIGUOUS, PROVOKE, TOLERATE))
    held = _challenge_in(values, belief, Context(AMBIGUOUS, HOLD, None))
    assert held - TOLERANCE <= reined <= tolerated + TOLERANCE


@EXAMPLES
@given(values=full_stage_values, belief=beliefs)
def test_a_tilt_toward_the_target_deters_and_one_toward_the_challenger_invites(values, belief):
    ambiguous = _challenge_in(values, belief, Context(AMBIGUOUS, HOLD, None))
    assert _challenge_in(values, belief, Context(LEAN_TARGET, HOLD, None)) <= ambiguous + TOLERANCE
    assert _challenge_in(values, belief, Context(LEAN_CHALLENGER, HOLD, None)) >= ambiguous - TOLERANCE


@EXAMPLES
@given(values=full_stage_values, belief=beliefs)
def test_a_concession_deters_a_challenger_facing_a_pivot_without_a_stake(values, belief):
    # Proposition 7's conditions: nothing to gain by waiting, and a pivot whose responses do not
    # depend on what is at stake.
    values = {**values, "status_quo_value": 0.0, "pivot_stake_target": 0.0}
    conceded = _challenge_in(values, belief, Context(AMBIGUOUS, CONCEDE, None))
    assert conceded <= _challenge_in(values, belief, Context(AMBIGUOUS, HOLD, None)) + TOLERANCE


@EXAMPLES
@given(values=full_stage_values, belief=beliefs, data=st.data())
def test_what_a_provocation_is_worth_to_the_target_makes_it_more_likely(values, belief, data):
    low, high = sorted(data.draw(st.floats(0.0, 5.0)) for _ in range(2))
    before = _period({**values, "provocation_value": low}, belief).first_move[:, PROVOKE, 0]
    after = _period({**values, "provocation_value": high}, belief).first_move[:, PROVOKE, 0]
    assert np.all(after >= before - TOLERANCE)


@EXAMPLES
@given(values=full_stage_values, belief=beliefs, data=st.data())
def test_a_costlier_rein_is_used_less(values, belief, data):
    low, high = sorted(data.draw(st.floats(0.0, 5.0)) for _ in range(2))
    before = _period({**values, "target_restraint_cost": low}, belief).answer[:, REIN, 0]
    after = _period({**values, "target_restraint_cost": high}, belief).answer[:, REIN, 0]
    assert np.all(after <= before + TOLERANCE)


@EXAMPLES
@given(values=full_stage_values, belief=beliefs, data=st.data())
def test_the_ultimatums_gain_draws_the_pivot_away_from_ambiguity(values, belief, data):
    low, high = sorted(data.draw(st.floats(0.0, 5.0)) for _ in range(2))
    before = _period({**values, "ultimatum_gain": low}, belief).posture[AMBIGUOUS, 0]
    after = _period({**values, "ultimatum_gain": high}, belief).posture[AMBIGUOUS, 0]
    assert after <= before + TOLERANCE


@EXAMPLES
@given(values=full_stage_values, belief=beliefs, data=st.data())
def test_a_target_less_aligned_with_the_pivot_invites_challenges(values, belief, data):
    """Proposition 8: the channel through which hedging feeds back (via alignment)."""
    low, high = sorted(data.draw(st.floats(0.0, 1.0)) for _ in range(2))
    assume(values["pivot_stake_target"] > 0)
    drifted = _challenge_in({**values, "target_alignment": low}, belief, Context(AMBIGUOUS, HOLD, None))
    loyal = _challenge_in({**values, "target_alignment": high}, belief, Context(AMBIGUOUS, HOLD, None))
    assert drifted >= loyal - TOLERANCE


@EXAMPLES
@given(values=full_stage_values, belief=beliefs)
def test_probabilities_of_the_early_moves_are_distributions(values, belief):
    period = _period(values, belief)
    assert period.posture[:, 0].sum() == pytest.approx(1.0)
    assert np.allclose(period.first_move[:, :, 0].sum(axis=1), 1.0)
    assert np.allclose(period.answer[:, :, 0].sum(axis=1), 1.0)
    assert period.weights[:, 0].sum() == pytest.approx(1.0)


def test_a_game_without_early_moves_is_the_crisis_itself():
    params = stage()
    period = solve_period(params, np.array([0.4]))
    crisis = solve_stage(params, np.array([0.4]))
    np.testing.assert_array_equal(period.crisis.challenger_by_move, crisis.challenger_by_move)
    assert len(period.contexts) == 1 and period.weights[0, 0] == 1.0


# --- a case solved by hand ------------------------------------------------------------------------


def test_the_early_moves_on_a_case_solved_by_hand():
    """The target moves first; the pivot takes no posture.

    The challenger is indifferent to everything (precision 0) and mixes 1/3 each; the pivot's
    responses cost nothing and it has no stake, so at precision 0 it mixes 1/3 each too.  Then:
    a crisis takes from the target, in expectation, (1/3)(1/3)[(1-L) + (1-(1-phi)L chi) + 1]
    of each challenge's gain, with L = 1 - delta (no shield) and chi = 1 - beta(1-L).
    The target's hedging pays w - l - mu' v = 0 at every information set (w = v mu, l = 0 chosen
    so), so only losses, concessions and provocations move its first move.
    """
    delta, beta, phi, prize = 0.4, 0.5, 0.5, 1.0
    probe_gain, balance, share, value = 0.1, 0.6, 0.2, 0.05
    params = stage(
        prize=prize,
        probe_gain=probe_gain,
        balance=balance,
        pivot_distraction=delta,
        patron_shield=0.0,
        mediated_share=phi,
        ceasefire_fragility=beta,
        pivot_stake_target=0.0,
        pivot_stake_challenger=0.0,
        restraint_cost=0.0,
        mediation_cost=0.0,
        peacekeepers=0.0,
        resolve_value=0.0,
        precision_challenger=0.0,
        precision_pivot=0.0,
        precision_target=2.0,
        protection_value=0.0,
        alt_patron_support=0.0,
        pivot_leverage=0.0,
        concession_share=share,
        provocation_value=value,
        provocation_pressure=0.3,
        target_restraint_cost=0.1,
    )
    leverage, chi = 1 - delta, 1 - beta * delta
    kept = ((1 - leverage) + (1 - (1 - phi) * leverage * chi) + 1) / 3

    def loss(contested: float) -> float:
        return (kept * probe_gain * contested + kept * balance * contested) / 3

    concede = -share * prize - loss((1 - share) * prize)
    hold = -loss(prize)
    provoke = 0.5 * (delta * value) + 0.5 * value - loss(prize)  # the pivot answers 1/2 each
    weights = [math.exp(2.0 * u) for u in (concede, hold, provoke)]
    expected = [w / sum(weights) for w in weights]
    period = solve_period(params, np.array([0.5]), GameOptions(target_moves_first=True))
    np.testing.assert_allclose(period.first_move[AMBIGUOUS, :, 0], expected, rtol=0, atol=1e-12)
    np.testing.assert_allclose(period.answer[AMBIGUOUS, :, 0], [0.5, 0.5], atol=1e-15)


# --- Gambit on the whole period -------------------------------------------------------------------


@pytest.mark.parametrize("options", [GameOptions(True, False), GameOptions(False, True), BOTH])
def test_gambit_agrees_on_the_whole_period(options):
    pytest.importorskip("pygambit")
    from pivotal.verify.period_efg import (
        largest_period_difference,
        pivotal_period_quantities,
        solve_period_with_gambit,
    )

    params = stage(
        concession_share=0.2,
        provocation_pressure=0.15,
        provocation_value=0.08,
        target_restraint_cost=0.05,
        tilt_commitment=0.2,
        ultimatum_gain=0.05,
        ceasefire_fragility=0.5,
        precision_target=3.0,
        precision_pivot=5.0,
        status_quo_value=0.05,
        peacekeepers=0.1,
    )
    for belief in (0.15, 0.7):
        ours = pivotal_period_quantities(solve_period(params, np.array([belief]), options))
        gap = largest_period_difference(solve_period_with_gambit(params, belief, options), ours, options)
        assert gap <= 1e-6


# --- the engine with the early moves -------------------------------------------------------------


def _tiny_game(tiny_text: str, settings: list[str], record_2002: str = ""):
    """The tiny scenario with both early moves on, ``settings`` as --set gives them, and extra
    record fields for 2002."""
    from pivotal.scenario.loader import parse_scenario
    from pivotal.scenario.overlay import apply_overlay, overlay_from_settings

    switch = "\ngame: {target_moves_first: true, pivot_posture: true}\nrecord:"
    text = tiny_text.replace("\nrecord:", switch, 1)
    if record_2002:
        anchor = "    appeal_answered: false\n"  # in the 2002 entry only
        assert text.count(anchor) == 1
        text = text.replace(anchor, anchor + record_2002, 1)
    scenario = parse_scenario(text, "tiny-game.yaml")
    return apply_overlay(scenario, overlay_from_settings(settings, scenario)) if settings else scenario


def test_a_recorded_move_the_model_rules_out_leaves_the_period_whole(tiny_text):
    from pivotal.simulation import simulate

    # A concession the target would never make: the whole prize, at high precision.
    scenario = _tiny_game(
        tiny_text, ["concession_share=1", "prize=30", "precision=50"], "    target_move: concede\n"
    )
    run = simulate(scenario, draws=50, seed=1)
    t = run.periods.index(2002)
    total = run.metrics["p_challenge"][t] + run.metrics["p_deterred"][t]
    np.testing.assert_allclose(total, 1.0, atol=1e-12)


def test_bayes_rule_over_contexts_stays_exact_when_responses_underflow(tiny_text):
    """A restraint the irresolute pivot all but never chooses proves resolve, early moves or not."""
    from pivotal.simulation import simulate

    extreme = ["restraint_cost=16", "resolve_value=8", "precision=50"]
    record = "    pivot_posture: ambiguous\n"
    crisis_text = tiny_text.replace("pivot_response: acquiesce", "pivot_response: restrain", 1)
    with_moves = _tiny_game(crisis_text, extreme, record)
    from pivotal.scenario.loader import parse_scenario
    from pivotal.scenario.overlay import apply_overlay, overlay_from_settings

    plain = parse_scenario(crisis_text, "tiny.yaml")
    plain = apply_overlay(plain, overlay_from_settings(extreme, plain))
    t = 1
    after_moves = simulate(with_moves, draws=20, seed=3).metrics["belief_after"][t]
    after_crisis = simulate(plain, draws=20, seed=3).metrics["belief_after"][t]
    assert np.all(after_crisis > 0.999)
    assert np.all(after_moves > 0.999)


def test_hedging_erodes_the_alignment_carried_into_the_next_period(tiny_text):
    from pivotal.simulation import simulate

    recorded = "    target_hedged: true\n"
    eroding = _tiny_game(tiny_text, ["hedge_erosion=0.5", "target_alignment=0.8"], recorded)
    steady = _tiny_game(tiny_text, ["hedge_erosion=0", "target_alignment=0.8"], recorded)
    a, b = simulate(eroding, draws=30, seed=2), simulate(steady, draws=30, seed=2)
    assert np.allclose(a.metrics["alignment"][0], 0.8) and np.allclose(b.metrics["alignment"], 0.8)
    # 2001 does not say whether the target hedged: its chance of hedging erodes the alignment.
    assert np.all(a.metrics["alignment"][1] < 0.8)
    # Hedged in 2002: half its alignment kept into 2003.
    np.testing.assert_allclose(a.metrics["alignment"][2], 0.5 * a.metrics["alignment"][1])
    assert a.metrics["p_act"][2].mean() <= b.metrics["p_act"][2].mean() + 1e-12
