"""pivotal's backward pass against Gambit's logit path tracer, on the exported game tree.

The export is checked on its own first (pure text, no pygambit); then Gambit
solves games drawn from the built-in scenario and every choice probability and
belief must agree with :func:`pivotal.model.solve_stage` to 1e-6.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

import numpy as np
import pytest

import pivotal
from pivotal.model import challenger_payoffs, pivot_payoffs, solve_stage
from pivotal.model.stage_game import ceasefire_hold_probability, ceasefire_payoffs
from pivotal.simulation.engine import stage_for_draw
from pivotal.verify.efg import PLAYERS, stage_efg
from tests.stage_inputs import stage

TOLERANCE = 1e-6
CROSSCHECKED_GAMES = 240

#: The golden case of tests/test_stage_game_golden.py, solved there on paper.
HAND_CASE = {
    "prize": 1.0,
    "balance": 0.5,
    "probe_gain": 0.1,
    "war_cost": 0.2,
    "third_party_deterrence": 0.0,
    "probe_cost": 0.05,
    "mediated_share": 0.5,
    "pivot_distraction": 0.0,
    "patron_shield": 0.0,
    "pivot_punishment": 1.0,
    "pivot_stake_target": 0.0,
    "pivot_stake_challenger": 0.0,
    "restraint_cost": 0.0,
    "mediation_cost": 0.0,
    "peacekeepers": 0.0,
    "resolve_value": math.log(4.0),
    "mediation_credit": 0.5,
    "precision": 1.0,
    "protection_value": 1.0,
    "alt_patron_support": 0.5,
    "pivot_leverage": 0.0,
}


def _terminal_payoffs(text: str) -> dict[str, list[float]]:
    """Outcome label -> payoffs, read straight off the ``t`` lines of the file."""
    found = re.findall(r'^t "" \d+ "([^"]+)" \{ ([^}]*) \}$', text, flags=re.MULTILINE)
    return {label: [float(x) for x in numbers.split(",")] for label, numbers in found}


def _chance(text: str) -> tuple[str, str]:
    pattern = r'^c "" 1 "[^"]*" \{ "resolved" (\S+) "irresolute" (\S+) \} 0$'
    match = re.search(pattern, text, flags=re.MULTILINE)
    assert match, text[:400]
    return match.group(1), match.group(2)


# --- the exported text, without pygambit ---------------------------------------------------------------


def test_export_lays_out_the_tree_of_the_model():
    text = stage_efg(stage(), 0.3)
    header = text.splitlines()[0]
    assert header.startswith("EFG 2 R ") and header.endswith('{ "challenger" "pivot" "target" }')
    nodes = [line.split()[0] for line in text.splitlines()[3:]]
    # 1 chance node for the type and, per type, 4 for the ceasefire (after each mediation and
    # target move); per type 1 challenger, 2 pivot and 7 target nodes; 18 outcomes per type.
    assert (nodes.count("c"), nodes.count("p"), nodes.count("t")) == (9, 20, 36)
    player_infosets = re.findall(r'^p "[^"]*" (\d) (\d+) ', text, flags=re.MULTILINE)
    assert {player: len({i for p, i in player_infosets if p == player}) for player, _ in player_infosets} == {
        "1": 1,
        "2": 4,
        "3": 7,
    }
    assert "precision_challenger=8.0" in text.splitlines()[1]
    assert "belief (prior that the pivot is resolved)=0.3" in text


def test_exported_payoffs_are_the_model_payoffs_to_the_last_bit():
    params = stage(ceasefire_fragility=0.5)
    payoffs = _terminal_payoffs(stage_efg(params, 0.3))
    challenger = challenger_payoffs(params)[0]
    base, bonus = pivot_payoffs(params)
    gap = 0.3 - 0.2  # alt_patron_support - pivot_leverage
    for kind, pivot, hedge in (("resolved", base[0] + bonus[0], gap - 1.0), ("irresolute", base[0], gap)):
        assert payoffs[f"{kind}, status quo, hold"] == [0.0, 0.0, 0.0]
        assert payoffs[f"{kind}, status quo, hedge"] == [0.0, 0.0, hedge]
        for a, challenge in enumerate(("probe", "offensive")):
            for r, response in enumerate(("restrain", "acquiesce")):
                seen = f"{kind}, {challenge}, {response}"
                r = 0 if response == "restrain" else 2
                assert payoffs[f"{seen}, hold"] == [challenger[a, r], pivot[a, r], 0.0]
                assert payoffs[f"{seen}, hedge"] == [challenger[a, r], pivot[a, r], hedge]
            seen = f"{kind}, {challenge}, mediate"
            bonus_m = bonus[0, 0, 1] if kind == "resolved" else 0.0
            for move, target in (("hold", 0.0), ("hedge", hedge)):
                for held, word in ((True, "holds"), (False, "breaks")):
                    c_end, p_end = ceasefire_payoffs(params, held)
                    assert payoffs[f"{seen}, {move}, ceasefire {word}"] == [
                        c_end[0, a],
                        p_end[0, a] + bonus_m,
                        target,
                    ]
                chi = ceasefire_hold_probability(params)[0]
                ends = [payoffs[f"{seen}, {move}, ceasefire {w}"] for w in ("holds", "breaks")]
                expected = [chi * x + (1 - chi) * y for x, y in zip(*ends, strict=True)]
                np.testing.assert_allclose(expected[:2], [challenger[a, 1], pivot[a, 1]], rtol=0, atol=1e-15)


@pytest.mark.parametrize(
    "belief", [0.0, 1.0, 0.3, 0.1 + 0.2, 1e-12, 3.6090609272451e-12, 1 - 1e-12, 0.9999999672488173, 1e-300]
)
def test_chance_probabilities_add_up_exactly_and_are_the_models_doubles(belief):
    resolved, irresolute = (Fraction(x) for x in _chance(stage_efg(stage(), belief)))
    assert resolved + irresolute == 1
    assert float(resolved) == belief and float(irresolute) == 1.0 - belief


def test_precision_zero_is_a_game_like_any_other():
    text = stage_efg(stage(precision=0.0), 0.5)
    assert "precision_pivot=0.0" in text and _chance(text) == ("0.5", "0.5")


def test_export_refuses_more_than_one_draw_and_impossible_beliefs():
    two = stage().replace(prize=np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="one draw"):
        stage_efg(two, 0.5)
    with pytest.raises(ValueError, match=r"belief must lie in \[0, 1\]"):
        stage_efg(stage(), 1.5)


# --- Gambit reads and solves it ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def gambit():
    return pytest.importorskip("pygambit")


def test_gambit_reads_the_export_with_the_expected_information_sets(gambit):
    from pivotal.verify.gambit import read_game

    game = read_game(stage_efg(stage(), 0.3))
    assert list(game.players) == list(PLAYERS)
    assert {player: len(game.get_infosets(player)) for player in PLAYERS} == {
        "challenger": 1,
        "pivot": 4,
        "target": 7,
    }
    # Every target information set spans both types; the challenger's spans both chance nodes.
    for history in game.get_infosets("target") + game.get_infosets("challenger"):
        members = game.get_members(gambit.H.path(*history.actions))
        assert sorted(m.actions[0] for m in members) == ["irresolute", "resolved"]
    for history in game.get_infosets("pivot"):
        assert len(game.get_members(gambit.H.path(*history.actions))) == 1


@pytest.mark.parametrize("belief", [1e-12, 3.6090609272451e-12, 1 - 1e-12, 0.3])
def test_gambit_computes_with_exactly_the_models_prior(gambit, belief):
    # Gambit turns a rational with a denominator above 2**53 into a double with an absolute
    # error near 1e-16; the export avoids that, so its prior is the model's to the last bit.
    from pivotal.verify.gambit import read_game

    profile = read_game(stage_efg(stage(), belief)).mixed_behavior_profile()
    beliefs = {history.actions: value for history, value in profile.beliefs}
    assert beliefs["resolved", "status quo"] == pytest.approx(belief, rel=1e-15, abs=0)


def test_hand_case_through_the_file_matches_the_numbers_worked_out_on_paper(gambit):
    from pivotal.verify.gambit import solve_with_gambit

    solved = solve_with_gambit(stage(**HAND_CASE), 0.5)
    np.testing.assert_allclose(solved.pivot_irresolute, [[1 / 3] * 3] * 2, atol=TOLERANCE)
    np.testing.assert_allclose(solved.pivot_resolved, [[4 / 7, 2 / 7, 1 / 7]] * 2, atol=TOLERANCE)
    np.testing.assert_allclose(solved.posterior, [[12 / 19, 6 / 13, 3 / 10]] * 2, atol=TOLERANCE)
    assert solved.hedge_after_status_quo == pytest.approx(0.5, abs=TOLERANCE)
    assert solved.hedge_after_response[0, 2] == pytest.approx(1 / (1 + math.exp(-0.2)), abs=TOLERANCE)


def test_precision_zero_gives_uniform_play_and_no_learning(gambit):
    from pivotal.verify.gambit import solve_with_gambit

    solved = solve_with_gambit(stage(precision=0.0), 0.3)
    assert solved.lam == 0.0
    np.testing.assert_allclose(solved.challenger, [1 / 3] * 3)
    np.testing.assert_allclose(solved.pivot_resolved, [[1 / 3] * 3] * 2)
    np.testing.assert_allclose(solved.posterior, [[0.3] * 3] * 2)
    np.testing.assert_allclose(solved.hedge_after_response, [[0.5] * 3] * 2)


def test_a_tracer_that_stops_short_is_an_error_not_an_answer(gambit):
    # Payoff gaps of several units at precision 200 push some paths below 1e-300.
    from pivotal.verify.gambit import TracerStoppedShort, solve_with_gambit

    extreme = stage(precision=200.0, prize=5.0, war_cost=2.5, restraint_cost=2.5, pivot_stake_challenger=1.5)
    with pytest.raises(TracerStoppedShort, match="short of the requested 200"):
        solve_with_gambit(extreme, 0.5)


def _scenario_games(count: int, seed: int):
    """``count`` distinct (period, draw) games of the built-in scenario, with beliefs of every kind.

    A quarter keep the belief the run reached, a quarter get a uniform one, and
    the rest lie within 1e-3 to 1e-12 of 0 or of 1.
    """
    scenario = pivotal.resolve_scenario(None)
    run = pivotal.simulate(scenario, draws=60, seed=seed)
    rng = np.random.default_rng(seed)
    picks = rng.choice(len(run.periods) * run.draws, size=count, replace=False)
    for i, pick in enumerate(picks):
        period, draw = run.periods[int(pick) // run.draws], int(pick) % run.draws
        params, belief = stage_for_draw(run, period, draw)
        kind = i % 4
        if kind == 1:
            belief = float(rng.uniform(0.0, 1.0))
        elif kind == 2:
            belief = float(10.0 ** -rng.uniform(3.0, 12.0))
        elif kind == 3:
            belief = float(1.0 - 10.0 ** -rng.uniform(3.0, 12.0))
        yield period, draw, params, belief


def test_gambit_and_pivotal_agree_on_games_of_the_built_in_scenario(gambit):
    from pivotal.verify.gambit import largest_differences, solve_with_gambit

    worst: dict[str, float] = {}
    for period, draw, params, belief in _scenario_games(CROSSCHECKED_GAMES, seed=20240601):
        solved = solve_with_gambit(params, belief)
        differences = largest_differences(solved, solve_stage(params, np.array([belief])))
        for name, gap in differences.items():
            assert not math.isnan(gap), f"{period} draw {draw} belief {belief!r}: {name} undefined in Gambit"
            assert gap <= TOLERANCE, f"{period} draw {draw} belief {belief!r}: {name} differs by {gap:.2e}"
            worst[name] = max(worst.get(name, 0.0), gap)
    print(
        "largest differences over",
        CROSSCHECKED_GAMES,
        "games:",
        ", ".join(f"{name} {gap:.1e}" for name, gap in worst.items()),
    )


@pytest.mark.parametrize("precisions", [(2.0, 8.0, 0.5), (12.0, 3.0, 6.0), (0.3, 0.3, 20.0)])
def test_gambit_agrees_with_a_precision_per_role_and_fragile_ceasefires(gambit, precisions):
    """Payoffs scaled by each player's precision over the largest give each player its own precision."""
    from pivotal.verify.gambit import largest_differences, solve_with_gambit

    challenger, pivot, target = precisions
    params = stage(
        precision_challenger=challenger,
        precision_pivot=pivot,
        precision_target=target,
        ceasefire_fragility=0.7,
        pivot_distraction=0.4,
        status_quo_value=0.1,
        force_cost=0.05,
        peacekeeper_tripwire=0.03,
        peacekeepers=0.2,
    )
    for belief in (0.2, 0.75):
        ours = solve_stage(params, np.array([belief]))
        differences = largest_differences(solve_with_gambit(params, belief), ours)
        assert max(differences.values()) <= TOLERANCE, differences
