"""Additive scenario keys: commitment kinds for what treaties and laws say, and a ceasefire someone
other than the pivot brokered. Older files keep validating unchanged."""

from __future__ import annotations

import numpy as np
import pytest

from pivotal.report.charts import KIND_COLOURS, chart_svg
from pivotal.report.data import COMMITMENT_KINDS
from pivotal.scenario import ScenarioError, parse_scenario
from pivotal.scenario.checks import find_warnings
from pivotal.web.figures import figure

NEW_KINDS = ("sanctions", "embargo", "guarantee", "declaration", "statute", "neutrality", "peace_settlement")


def with_commitment(tiny_text: str, kind: str) -> str:
    extra = (
        f"  - id: extra-{kind.replace('_', '-')}\n    kind: {kind}\n    parties: [PIV, CHA]\n"
        f"    scope: a {kind} between them\n    start: 2002-03-01\n"
        "    sources: [{ref: note-a, at: '¶3'}]\n"
    )
    return tiny_text.replace("commitments:\n", "commitments:\n" + extra, 1)


@pytest.mark.parametrize("kind", NEW_KINDS)
def test_each_new_commitment_kind_validates_and_is_drawn(tiny_text, kind):
    scenario = parse_scenario(with_commitment(tiny_text, kind), source="kinds.yaml")
    assert kind in {c.kind for c in scenario.commitments}
    assert kind in COMMITMENT_KINDS and kind in KIND_COLOURS
    assert COMMITMENT_KINDS[kind] in chart_svg("commitments", scenario=scenario)
    names = [t.get("name") for t in figure("network", scenario=scenario)["data"]]
    assert COMMITMENT_KINDS[kind] in names


def test_the_new_kinds_have_distinct_colours():
    assert len(set(KIND_COLOURS.values())) == len(KIND_COLOURS)  # one colour a kind


def test_an_unknown_kind_is_still_refused_with_the_kinds_named(tiny_text):
    with pytest.raises(ScenarioError) as refused:
        parse_scenario(with_commitment(tiny_text, "truce"), source="kinds.yaml")
    assert "peace_settlement" in str(refused.value)


def recorded(tiny_text: str, extra: str) -> str:
    entry = (
        "  - {periods: '2003', challenge: probe, pivot_response: acquiesce, "
        + extra
        + "sources: [{ref: note-a, at: '¶3'}]}\n"
    )
    return tiny_text.replace("record:\n", "record:\n" + entry, 1)


def test_a_ceasefire_another_power_brokered_is_said_without_a_warning(tiny_text):
    plain = parse_scenario(recorded(tiny_text, "ceasefire_days: 3, "), source="r.yaml")
    warned = [w for w in find_warnings(plain) if "ceasefire_days" in w.path]
    assert len(warned) == 1 and "or a `ceasefire_broker` naming who brokered it" in warned[0].expected
    brokered = parse_scenario(
        recorded(tiny_text, "ceasefire_days: 3, ceasefire_broker: PAT, "), source="r.yaml"
    )
    assert brokered.record_for(2003).ceasefire_broker == "PAT"
    assert not [w for w in find_warnings(brokered) if "ceasefire_days" in w.path]


@pytest.mark.parametrize(
    ("broker", "says"),
    [
        ("NOBODY", "ceasefire_broker"),
        ("PIV", "a broker other than the period's pivot"),
    ],
)
def test_a_broker_must_be_an_actor_other_than_the_pivot(tiny_text, broker, says):
    with pytest.raises(ScenarioError) as refused:
        parse_scenario(
            recorded(tiny_text, f"ceasefire_days: 3, ceasefire_broker: {broker}, "), source="r.yaml"
        )
    assert says in str(refused.value)


def test_a_partial_answer_to_an_appeal_is_recorded_but_not_scored(tiny_text):
    from pivotal.evaluation.outcomes import OUTCOMES
    from pivotal.simulation import simulate, summarise

    text = tiny_text.replace("    appeal_answered: false\n", "    appeal_answered: partial\n", 1)
    scenario = parse_scenario(text, source="partial.yaml")
    assert scenario.record_for(2002).appeal_answered == "partial"
    appeal = next(o for o in OUTCOMES if o.name == "appeal_answered")
    assert np.isnan(appeal.observed(scenario.record_for(2002)))
    assert summarise(simulate(scenario, draws=50, seed=1))["observed_appeal_answered"].isna().all()


def test_a_challenge_on_a_third_party_and_what_the_challenger_kept(tiny_text):
    text = tiny_text.replace(
        "    appeal_answered: false\n",
        "    appeal_answered: false\n    against: PAT\n    challenger_kept: 0.4\n",
        1,
    )
    entry = parse_scenario(text, source="third.yaml").record_for(2002)
    assert entry.against == "PAT" and entry.challenger_kept == 0.4
    with pytest.raises(ScenarioError, match="a third party: neither the challenger nor the pivot"):
        parse_scenario(text.replace("against: PAT", "against: CHA"), source="third.yaml")
    with pytest.raises(ScenarioError, match="challenger_kept"):
        parse_scenario(text.replace("challenger_kept: 0.4", "challenger_kept: 1.5"), source="third.yaml")


def test_what_is_contested_and_an_organisation_as_target(tiny_text):
    text = tiny_text.replace("challenger_patrons: [PAT]}", "challenger_patrons: [PAT], contested: a valley}")
    text = text.replace(
        "  TAR: {name: Targetia, kind: state}",
        "  TAR: {name: Target League, kind: organisation, members: [PAT]}",
    )
    scenario = parse_scenario(text, source="bloc.yaml")
    assert scenario.roles[0].contested == "a valley"
    assert scenario.actors["TAR"].kind == "organisation"
    from pivotal.simulation import simulate

    assert simulate(scenario, draws=50, seed=1).metrics["p_challenge"].shape == (3, 50)
