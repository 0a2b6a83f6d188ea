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


def without_pivot_in_2002(tiny_text: str) -> str:
    """The tiny scenario with no pivot in 2002 (its record then says nothing of an appeal)."""
    return with_pivots(tiny_text, "PIV", "null", "PIV").replace("    appeal_answered: false\n", "", 1)


@pytest.fixture
def gap(tiny_text):
    return parse_scenario(without_pivot_in_2002(tiny_text), source="gap.yaml")


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
    assert "PIV as pivot (none in some years)" in chart_svg("probabilities", summary=summary)
    title = figure("probabilities", summary=summary, scenario=gap)["layout"]["title"]["text"]
    assert title == "Probabilities per year: Challengia and Targetia, Pivotia as pivot (none in some years)"
    figure("network", scenario=gap)


def test_a_recorded_restraint_in_a_period_without_a_pivot_is_refused(tiny_text):
    text = with_pivots(tiny_text, "PIV", "null", "PIV").replace(
        "    pivot_response: acquiesce\n    appeal_answered: false", "    pivot_response: restrain", 1
    )
    with pytest.raises(ScenarioError) as refused:
        parse_scenario(text, source="gap.yaml")
    assert "no pivot response other than acquiesce in 2002" in str(refused.value)


def test_no_pivot_acts_whatever_its_precision_and_the_target_keeps_its_tie(tiny_text):
    text = without_pivot_in_2002(tiny_text)
    cite = "sources: [{ref: note-a, at: '¶3'}]"
    text = text.replace(
        "parameters:\n",
        "parameters:\n  precision_pivot:\n    - {periods: '2001-2003', "
        f"low: 0.0000001, mode: 0.0000001, high: 0.0000001, {cite}}}\n"
        "  hedge_erosion:\n    - {periods: '2001-2003', low: 0.5, mode: 0.5, high: 0.5, "
        f"{cite}}}\n",
        1,
    )
    result = simulate(parse_scenario(text, source="gap.yaml"), draws=300, seed=4, use_record=False)
    assert np.all(result.metrics["p_intervene"][1] == 0.0)
    assert np.array_equal(result.metrics["alignment"][2], result.metrics["alignment"][1])


def test_the_pivots_outcomes_are_not_scored_where_there_is_no_pivot(tiny_text):
    from pivotal.evaluation.outcomes import observed_table

    scenario = parse_scenario(without_pivot_in_2002(tiny_text), source="gap.yaml")
    table = observed_table(simulate(scenario, draws=20, seed=1)).set_index("period")
    assert np.isnan(table.loc[2002, "intervention"]) and table.loc[2002, "probe"] == 1.0
    with pytest.raises(ScenarioError, match="no `appeal_answered` in 2002, a period without a pivot"):
        parse_scenario(with_pivots(tiny_text, "PIV", "null", "PIV"), source="gap.yaml")
