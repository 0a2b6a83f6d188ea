"""Every mechanism of the argument is a live channel that moves the challenger the way theory says.

For each channel (belief in the pivot's resolve, the pivot's distraction, the
alternative patron's shield, the status quo, the pivot's peacekeepers) there is
a property test over random admissible draws, under the conditions of the
proposition in docs/model.md section 5, and a golden test on a small case
solved by hand: a pivot with no stake in the target, whose mixed response
therefore follows from its costs and bonus alone, in closed form.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from pivotal.model import solve_stage
from tests.stage_inputs import as_stage, beliefs, full_stage_values

#: Slack for rounding in probabilities computed from different inputs.
TOLERANCE = 1e-12
EXAMPLES = settings(max_examples=300, deadline=None)


def _p_challenge(values: dict[str, float], belief: float, **changes: float) -> float:
    return float(solve_stage(as_stage({**values, **changes}), np.array([belief])).p_challenge[0])


def _ordered(draw: st.DataObject) -> tuple[float, float]:
    a, b = draw.draw(st.floats(0.0, 1.0)), draw.draw(st.floats(0.0, 1.0))
    return min(a, b), max(a, b)


def _ceasefire_condition(values: dict[str, float]) -> bool:
    """(1 - phi)(1 + beta) <= 1: a ceasefire never takes back more, at the margin, than a restraint."""
    return (1.0 - values["mediated_share"]) * (1.0 + values["ceasefire_fragility"]) <= 1.0


# --- properties -----------------------------------------------------------------------------------


@EXAMPLES
@given(values=full_stage_values, data=st.data())
def test_belief_in_resolve_never_invites_a_challenge(values, data):
    low, high = _ordered(data)
    assert _p_challenge(values, high) <= _p_challenge(values, low) + TOLERANCE


@EXAMPLES
@given(values=full_stage_values, belief=beliefs, data=st.data())
def test_distraction_never_deters(values, belief, data):
    assume(_ceasefire_condition(values))
    assume(values["mediation_cost"] <= values["restraint_cost"] * (1.0 + values["patron_shield"]))
    low, high = _ordered(data)
    assert (
        _p_challenge(values, belief, pivot_distraction=high)
        >= _p_challenge(values, belief, pivot_distraction=low) - TOLERANCE
    )


@EXAMPLES
@given(values=full_stage_values, belief=beliefs, data=st.data())
def test_the_patrons_shield_never_deters(values, belief, data):
    assume(_ceasefire_condition(values))
    low, high = _ordered(data)
    assert (
        _p_challenge(values, belief, patron_shield=high)
        >= _p_challenge(values, belief, patron_shield=low) - TOLERANCE
    )


@EXAMPLES
@given(values=full_stage_values, belief=beliefs, data=st.data())
def test_a_valuable_status_quo_and_a_cost_of_force_deter(values, belief, data):
    low, high = _ordered(data)
    assert (
        _p_challenge(values, belief, status_quo_value=high)
        <= _p_challenge(values, belief, status_quo_value=low) + TOLERANCE
    )
    assert (
        _p_challenge(values, belief, force_cost=5 * high)
        <= _p_challenge(values, belief, force_cost=5 * low) + TOLERANCE
    )


@EXAMPLES
@given(values=full_stage_values, belief=beliefs, data=st.data())
def test_peacekeepers_deter_through_both_the_tripwire_and_the_pivots_cost(values, belief, data):
    low, high = _ordered(data)
    assert (
        _p_challenge(values, belief, peacekeeper_tripwire=high)
        <= _p_challenge(values, belief, peacekeeper_tripwire=low) + TOLERANCE
    )
    assert (
        _p_challenge(values, belief, peacekeepers=high)
        <= _p_challenge(values, belief, peacekeepers=low) + TOLERANCE
    )


@EXAMPLES
@given(values=full_stage_values, belief=beliefs)
def test_leverage_reaches_every_response(values, belief):
    """Distraction changes what mediation and a ceasefire do to the challenger, not restraint alone."""
    from pivotal.model.stage_game import challenger_payoffs

    assume(values["patron_shield"] < 0.99 and values["balance"] * values["prize"] > 1e-3)
    assume(values["mediated_share"] < 0.99)
    free = challenger_payoffs(as_stage({**values, "pivot_distraction": 0.0}))[0]
    drained = challenger_payoffs(as_stage({**values, "pivot_distraction": 1.0}))[0]
    offensive = 1
    assert drained[offensive, 1] > free[offensive, 1]  # a ceasefire takes back less
    assert drained[offensive, 0] > free[offensive, 0]  # so does restraint


# --- golden cases solved by hand ------------------------------------------------------------------


def _logit(*utilities: float, precision: float) -> list[float]:
    weights = [math.exp(precision * u) for u in utilities]
    return [w / sum(weights) for w in weights]


def _by_hand(
    *, distraction=0.0, shield=0.0, belief=0.5, status_quo=0.0, force=0.0, tripwire=0.0, acquiesce_cost=0.0
) -> float:
    """p_challenge of the hand case, from the equations of docs/model.md written out for it.

    Prize 1, offensive share 0.5, probe gain 0.1, costs 0.05 (probe) and 0.2 (offensive),
    ceasefire share 0.5, fragility 0.5, punishment 1; the pivot has no stake in the target, a
    restraint cost of 0.1 and a mediation cost of 0.05 at full capacity, a resolve bonus of
    ln 4 (half of it for mediating); precisions 1 (pivot) and 2 (challenger).
    """
    leverage = (1 - distraction) * (1 - shield)
    capacity = max(1 - distraction, 0.05)
    holds = 1 - 0.5 * (1 - leverage)
    kept = {"R": 1 - leverage, "M": 1 - 0.5 * leverage * holds, "A": 1.0}
    value = {}
    for challenge, gain, cost in (("probe", 0.1, 0.05), ("offensive", 0.5, 0.2)):
        cost += force + tripwire
        payoff = {r: kept[r] * gain - cost for r in kept}
        payoff["R"] -= 1.0 * leverage
        irresolute = _logit(-0.1 * (1 + shield) / capacity, -0.05 / capacity, -acquiesce_cost, precision=1.0)
        resolved = _logit(
            -0.1 * (1 + shield) / capacity + math.log(4),
            -0.05 / capacity + math.log(2),
            -acquiesce_cost,
            precision=1.0,
        )
        mix = [belief * a + (1 - belief) * b for a, b in zip(resolved, irresolute, strict=True)]
        value[challenge] = sum(m * payoff[r] for m, r in zip(mix, "RMA", strict=True))
    status_quo_share = _logit(status_quo, value["probe"], value["offensive"], precision=2.0)[0]
    return 1 - status_quo_share


def _model(**changes: float) -> float:
    from tests.stage_inputs import stage

    base = dict(
        prize=1.0,
        balance=0.5,
        probe_gain=0.1,
        war_cost=0.2,
        third_party_deterrence=0.0,
        probe_cost=0.05,
        mediated_share=0.5,
        ceasefire_fragility=0.5,
        pivot_distraction=0.0,
        patron_shield=0.0,
        pivot_punishment=1.0,
        pivot_stake_target=0.0,
        pivot_stake_challenger=0.0,
        restraint_cost=0.1,
        mediation_cost=0.05,
        peacekeepers=0.0,
        resolve_value=math.log(4.0),
        mediation_credit=0.5,
        precision_pivot=1.0,
        precision_challenger=2.0,
        precision_target=1.0,
        status_quo_value=0.0,
        force_cost=0.0,
        peacekeeper_tripwire=0.0,
    )
    belief = changes.pop("belief", 0.5)
    return float(solve_stage(stage(**{**base, **changes}), np.array([belief])).p_challenge[0])


CHANNELS = {
    # channel: (model settings, hand-case settings, direction of p_challenge when switched on)
    "belief": ({"belief": 0.9}, {"belief": 0.9}, -1),
    "distraction": ({"pivot_distraction": 0.7}, {"distraction": 0.7}, +1),
    "shield": ({"patron_shield": 0.6}, {"shield": 0.6}, +1),
    "status quo": ({"status_quo_value": 0.3}, {"status_quo": 0.3}, -1),
    "cost of force": ({"force_cost": 0.2}, {"force": 0.2}, -1),
    "tripwire": ({"peacekeeper_tripwire": 0.2}, {"tripwire": 0.2}, -1),
    "peacekeepers' cost to the pivot": ({"peacekeepers": 0.5}, {"acquiesce_cost": 0.5}, -1),
}


@pytest.mark.parametrize("channel", list(CHANNELS))
def test_each_channel_on_a_case_solved_by_hand(channel):
    on_model, on_hand, direction = CHANNELS[channel]
    off = _by_hand(belief=0.1) if channel == "belief" else _by_hand()
    on = _by_hand(**on_hand)
    assert _model(**({"belief": 0.1} if channel == "belief" else {})) == pytest.approx(off, abs=1e-12)
    assert _model(**on_model) == pytest.approx(on, abs=1e-12)
    assert (on - off) * direction > 1e-3  # a live channel: it moves the choice, the right way


def test_ceasefire_durability_by_hand():
    """Half the leverage and fragility 1/2: the ceasefire holds with probability 3/4."""
    from tests.stage_inputs import stage

    solution = solve_stage(
        stage(pivot_distraction=0.5, patron_shield=0.0, ceasefire_fragility=0.5), np.array([0.5])
    )
    assert solution.ceasefire_holds[0] == pytest.approx(0.75)
    response = solution.response[0]
    # acting for the target: restrain, or mediate a ceasefire that holds
    expected = response[:, 0] + 0.75 * response[:, 1]
    np.testing.assert_allclose(solution.acts_by_challenge()[:, 0], expected)
