"""Counterfactual overlays: validation with located errors, merging, and paired differences."""

from __future__ import annotations

import numpy as np
import pytest

from pivotal import ScenarioError, builtin_scenario
from pivotal.analysis import what_if
from pivotal.scenario import PeriodRange
from pivotal.scenario.checks import find_problems
from pivotal.scenario.overlay import (
    apply_overlay,
    builtin_overlay_names,
    check_overlay,
    overlay_from_settings,
    read_overlay,
    resolve_overlay,
)

SHIELD = """\
id: less-shield
title: Less shield
scenario: south-caucasus
parameters:
  patron_shield:
    - {periods: 2000-2005, low: 0, mode: 0, high: 0}
"""


@pytest.fixture(scope="module")
def caucasus():
    return builtin_scenario("south-caucasus")


def _overlay(text: str, base, source: str = "overlay.yaml"):
    overlay, positions = read_overlay(text, source)
    check_overlay(overlay, base, source, positions)
    return overlay


def test_overlay_replaces_pieces_only_over_its_periods(caucasus):
    merged = apply_overlay(caucasus, _overlay(SHIELD, caucasus))
    spans = [(str(p.periods), p.high) for p in merged.parameters["patron_shield"]][:3]
    assert spans == [("1994-1999", 0.15), ("2000-2005", 0.0), ("2006-2009", 0.15)]
    assert find_problems(merged) == []
    assert merged.record == caucasus.record


@pytest.mark.parametrize("name", builtin_overlay_names())
def test_every_shipped_counterfactual_fits_its_scenario(name):
    overlay, positions, source = resolve_overlay(name)
    base = builtin_scenario(overlay.scenario)
    check_overlay(overlay, base, source, positions)
    assert find_problems(apply_overlay(base, overlay)) == []


def test_shipped_examples_cover_the_questions_asked():
    assert {
        "no-turkish-backing-2020",
        "no-ukraine-war-2022",
        "russia-answers-2022",
        "hold-artsakh-syunik",
    } <= set(builtin_overlay_names())


def test_differences_are_exactly_zero_before_the_change(caucasus):
    result = what_if(caucasus, [_overlay(SHIELD, caucasus)], draws=300, seed=4)
    frame = result.differences()
    assert result.diverges == 2000
    before = frame[frame["period"] < 2000]
    assert (before["difference"] == 0).all() and (before["low"] == 0).all() and (before["high"] == 0).all()
    assert not np.allclose(frame[frame["period"] == 2000]["difference"], 0)


def test_an_average_over_one_period_is_that_period_and_over_several_is_their_mean(caucasus):
    result = what_if(caucasus, [_overlay(SHIELD, caucasus)], draws=300, seed=4)
    frame = result.differences(("p_offensive",)).set_index("period")
    one = result.averages(("p_offensive",), PeriodRange(2000, 2000)).iloc[0]
    for column in ("baseline", "difference", "low", "high"):
        assert one[column] == pytest.approx(frame.loc[2000, column], abs=1e-12)
    span = result.averages(("p_offensive",), PeriodRange(2000, 2003)).iloc[0]
    assert span["difference"] == pytest.approx(frame.loc[2000:2003, "difference"].mean(), abs=1e-12)
    assert span["low"] <= span["difference"] <= span["high"]


def test_an_overlay_that_restates_the_scenario_changes_nothing(caucasus):
    same = caucasus.parameters["war_cost"][1]
    piece = f"{{periods: {same.periods}, low: {same.low}, mode: {same.mode}, high: {same.high}}}"
    text = f"id: same\ntitle: Same\nparameters:\n  war_cost:\n    - {piece}\n"
    result = what_if(caucasus, [_overlay(text, caucasus)], draws=200, seed=1)
    assert (result.differences()["difference"] == 0).all()


def test_a_costlier_offensive_is_chosen_less_often_in_every_draw(caucasus):
    overlay = overlay_from_settings(["third_party_deterrence=0.6@war2020"], caucasus)
    result = what_if(caucasus, [overlay], draws=400, seed=2)
    t = result.baseline.periods.index(caucasus.span("war2020").start)
    assert np.all(result.counterfactual.metrics["p_offensive"][t] < result.baseline.metrics["p_offensive"][t])


def test_an_answered_appeal_raises_the_belief_in_resolve(caucasus):
    """Restraint, against an attack left unanswered: observers think the pivot more resolved in every draw."""
    overlay, _, _ = resolve_overlay("russia-answers-2022")
    unanswered = apply_overlay(
        caucasus, overlay_from_settings(["record.pivot_response=acquiesce@jermuk2022"], caucasus)
    )
    result = what_if(unanswered, [overlay], draws=400, seed=3)
    jermuk = caucasus.span("jermuk2022").start
    assert result.record_periods[-1] == jermuk
    t = result.baseline.periods.index(jermuk)
    answered = result.counterfactual.metrics["belief_after"][t]
    ignored = result.baseline.metrics["belief_after"][t]
    assert np.all(answered >= ignored)
    assert answered.mean() > ignored.mean()


def test_record_settings_start_from_the_recorded_entry(caucasus):
    overlay = overlay_from_settings(["record.pivot_response=restrain@jermuk2022"], caucasus)
    entry = overlay.record[0]
    assert (entry.challenge, entry.pivot_response, entry.appeal_answered) == ("probe", "restrain", "partial")


def test_a_record_setting_changes_each_period_of_its_span_in_its_own_entry(caucasus):
    """2021 held an incursion and two clashes whose initiators are not shown: a response set over the
    year answers the incursion, and the clashes, left as they were, are no part of the change (so
    the counterfactual simulates them as before)."""
    overlay = overlay_from_settings(["record.pivot_response=restrain@2021"], caucasus)
    codes = [(r.challenge, r.pivot_response, r.appeal_answered) for r in overlay.record]
    assert codes == [("probe", "restrain", False)]
    assert overlay.record_periods(caucasus) == {caucasus.span("sevlich2021").start}
    restrain = overlay_from_settings(["record.pivot_response=restrain@jermuk2022"], caucasus)
    restrained = apply_overlay(caucasus, restrain).record_for(caucasus.span("jermuk2022").start)
    assert (restrained.ceasefire_days, restrained.ceasefire_held) == (None, None)  # no mediation now
    with pytest.raises(ScenarioError) as caught:
        overlay_from_settings(["record.target_hedged=true@2021"], _without_2021_record(caucasus))
    assert "expected a record.challenge for 2021-05-12 too" in str(caught.value)
    with pytest.raises(ScenarioError) as caught:
        overlay_from_settings(["record.pivot_response=restrain@gegharkunik2021"], caucasus)
    assert "expected periods with a challenge to answer" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            SHIELD.replace("patron_shield", "patron_shieldd"),
            "overlay.yaml:5:3: parameters.patron_shieldd: expected a model parameter",
        ),
        (
            SHIELD.replace("mode: 0,", "mode: 0.5,"),
            "overlay.yaml:6:36: parameters.patron_shield[0].mode: "
            "expected low <= mode <= high (0 to 0), found 0.5",
        ),
        (
            SHIELD.replace("2000-2005", "2030-2031"),
            "overlay.yaml:6:8: parameters.patron_shield[0].periods: "
            "expected periods within 1994-2025, "
            "found '2030-2031'",
        ),
        (
            SHIELD.replace("scenario: south-caucasus", "scenario: balkans"),
            "overlay.yaml:3:1: scenario: expected the id of the scenario it is applied to "
            "('south-caucasus'), "
            "found 'balkans'",
        ),
        (
            SHIELD.replace("high: 0}", "high: 0, sources: [{ref: nowhere, at: '¶1'}]}"),
            "overlay.yaml:6:65: parameters.patron_shield[0].sources[0].ref: "
            "expected a source id of the scenario",
        ),
        (
            SHIELD + "colour: red\n",
            "overlay.yaml:7:1: colour: expected one of the known keys: id, title, "
            "description, scenario, sources, parameters, record, found unknown key `colour`",
        ),
    ],
)
def test_overlay_mistakes_are_located(caucasus, text, message):
    with pytest.raises(ScenarioError) as caught:
        _overlay(text, caucasus)
    assert str(caught.value).startswith(message), str(caught.value)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (["patron_shield=abc"], "--set patron_shield=abc: patron_shield: expected a number or low,mode,high"),
        (["record.mood=angry@2022"], "--set record.mood=angry@2022: record.mood: expected a record field"),
        (["patron_shield"], "--set patron_shield: (document): expected PATH=VALUE"),
        (
            ["record.challenge=war@2022"],
            "--set: record[0].challenge: expected 'none', 'probe' or 'offensive', found 'war'",
        ),
        (["precision=-1"], "--set: parameters.precision[0].low: expected a value of `precision`"),
    ],
)
def test_setting_mistakes_are_named(caucasus, settings, message):
    with pytest.raises(ScenarioError) as caught:
        overlay_from_settings(settings, caucasus)
    assert str(caught.value).startswith(message), str(caught.value)


def _without_2021_record(scenario):
    of_2021 = scenario.periods_in(scenario.span("2021"))
    kept = [r for r in scenario.record if not any(p in r.periods for p in of_2021)]
    return scenario.model_copy(update={"record": kept})
