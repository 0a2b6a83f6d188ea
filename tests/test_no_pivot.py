"""Periods without a pivot: the challenger faces the target and the patrons alone.

Such a period is played as one whose pivot cannot act (docs/model.md): it acquiesces with
probability 1, nothing is learnt about any pivot, and the belief waits through it unchanged.
"""

from __future__ import annotations

import numpy as np
import pytest

from pivotal.report.charts import chart_svg
from pivotal.scenario import ScenarioError, parse_scenario
from pivotal.simulation import simulate, summarise
from pivotal.web.figures import figure
from tests.test_pivot_change import with_pivots


@pytest.fixture
def gap(tiny_text):
    return parse_scenario(with_pivots(tiny_text, "PIV", "null", "PIV"), source="gap.yaml")


@pytest.fixture
def full(tiny_text):
    return parse_scenario(with_pivots(tiny_text, "PIV", "PIV", "PIV"), source="full.yaml")


def test_no_pivot_acts_and_nothing_is_learnt(gap):
    result = simulate(gap, draws=400, seed=1, use_record=False)
    for name in ("p_intervene", "p_restrain", "p_act", "p_lean_target", "p_lean_challenger"):
        assert np.all(result.metrics[name][1] == 0.0), name
    assert np.array_equal(result.metrics["belief_after"][1], result.metrics["belief"][1])
    assert np.array_equal(result.metrics["belief"][2], result.metrics["belief"][1])


def test_without_a_pivot_the_challenger_is_not_less_tempted(gap, full):
    """The pivot's only moves against a challenge restrain it or split the gains: taking them away
    cannot make a challenge less attractive."""
    alone = simulate(gap, draws=2000, seed=2, use_record=False).metrics["p_challenge"][1]
    watched = simulate(full, draws=2000, seed=2, use_record=False).metrics["p_challenge"][1]
    assert np.all(alone >= watched - 1e-12)
    assert alone.mean() > watched.mean()


def test_a_period_without_a_pivot_is_charted_and_summarised(gap):
    summary = summarise(simulate(gap, draws=100, seed=3))
    assert summary["pivot"].isna().tolist() == [False, True, False]
    assert "no pivot" in chart_svg("probabilities", summary=summary)
    assert "no pivot" in figure("probabilities", summary=summary, scenario=gap)["layout"]["title"]["text"]
    figure("network", scenario=gap)


def test_a_recorded_restraint_in_a_period_without_a_pivot_is_refused(tiny_text):
    text = with_pivots(tiny_text, "PIV", "null", "PIV").replace(
        "    pivot_response: acquiesce\n    appeal_answered: false", "    pivot_response: restrain", 1)
    with pytest.raises(ScenarioError) as refused:
        parse_scenario(text, source="gap.yaml")
    assert "no pivot response other than acquiesce in 2002" in str(refused.value)
