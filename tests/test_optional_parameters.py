"""Optional parameters: defaults, parameters that follow another, and overlays over either."""

from __future__ import annotations

import numpy as np
import pytest

from pivotal.model.parameters import PARAMETERS_BY_NAME
from pivotal.scenario import ScenarioError, builtin_scenario, load_scenario
from pivotal.scenario.overlay import apply_overlay, overlay_from_settings
from pivotal.simulation.engine import simulate
from pivotal.simulation.sampling import parameter_values
from tests.stage_inputs import stage


@pytest.fixture
def tiny(tiny_path):
    return load_scenario(tiny_path)


def test_a_file_without_the_optional_parameters_names_the_defaults_it_relies_on(tiny):
    assert tiny.defaults_used() == [name for name, spec in PARAMETERS_BY_NAME.items() if not spec.required]


def test_left_out_parameters_take_their_defaults_and_role_precisions_equal_precision(tiny):
    run = simulate(tiny, draws=300, seed=3)
    values = parameter_values(tiny, run.quantiles)
    for name in ("status_quo_value", "force_cost", "peacekeeper_tripwire", "ceasefire_fragility"):
        assert np.all(values[name] == 0.0)
    for role in ("precision_challenger", "precision_pivot", "precision_target"):
        np.testing.assert_array_equal(values[role], values["precision"])


def test_an_overlay_on_part_of_a_following_parameter_leaves_the_rest_following():
    base = builtin_scenario()
    changed = apply_overlay(base, overlay_from_settings(["precision_challenger=5@2019"], base))
    run = simulate(changed, draws=200, seed=1)
    values = parameter_values(changed, run.quantiles)
    for year in (1994, 2010, 2025):
        t = changed.timeline.index(year)
        np.testing.assert_array_equal(values["precision_challenger"][t], values["precision"][t])
    assert np.all(values["precision_challenger"][changed.timeline.index(2019)] == 5.0)


def test_changing_a_recorded_mediation_drops_the_ceasefire_it_brokered():
    base = builtin_scenario()
    war = base.span("war2020").start
    assert base.record_for(war).ceasefire_held is True
    changed = apply_overlay(base, overlay_from_settings(["record.pivot_response=restrain@war2020"], base))
    assert changed.record_for(war).pivot_response == "restrain"
    assert changed.record_for(war).ceasefire_held is None


def test_a_ceasefire_is_recorded_only_after_a_mediation_and_an_answered_appeal_needs_it_held(tiny_text):
    from pivotal.scenario.loader import parse_scenario

    recorded = "pivot_response: acquiesce\n    appeal_answered: false"
    assert recorded in tiny_text
    mediated = "pivot_response: mediate\n    ceasefire_held: false\n    appeal_answered: {}"
    parse_scenario(tiny_text.replace(recorded, mediated.format("false")), "ok.yaml")
    with pytest.raises(ScenarioError, match="a ceasefire that held"):
        parse_scenario(tiny_text.replace(recorded, mediated.format("true")), "answered.yaml")
    acquiesced = recorded.replace("\n", "\n    ceasefire_held: true\n", 1)
    with pytest.raises(ScenarioError, match="only after a `pivot_response` of mediate"):
        parse_scenario(tiny_text.replace(recorded, acquiesced), "acquiesced.yaml")


def test_replacing_the_common_precision_sets_every_role_and_unknown_names_are_refused():
    changed = stage().replace(precision=1.5, precision_target=4.0)
    assert (changed.precision_challenger[0], changed.precision_pivot[0], changed.precision_target[0]) == (
        1.5,
        1.5,
        4.0,
    )
    with pytest.raises(TypeError, match="not a stage parameter: prior_resolve"):
        stage().replace(prior_resolve=0.5)
