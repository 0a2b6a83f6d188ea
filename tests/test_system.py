"""Systems of dyads sharing one pivot: what observers learn in one dyad carries to the others.

Two invented dyads with the same pivot: in the first the pivot lets a probe pass in 2002 (the
record says so), in the second nothing happens.  With contagion 0 each dyad is its scenario run
alone; with contagion above 0 the second dyad's observers learn from the first's crisis.
"""

from __future__ import annotations

import numpy as np
import pytest

from pivotal.scenario import ScenarioError, parse_scenario
from pivotal.scenario.overlay import overlay_from_settings
from pivotal.scenario.system import load_system
from pivotal.simulation import simulate
from pivotal.simulation.system import simulate_system
from tests.conftest import SYSTEM_TEXT


def test_without_contagion_each_dyad_is_its_scenario_alone(system_path, tiny_text):
    loaded = load_system(system_path)
    together = simulate_system(loaded, draws=300, seed=7, contagion=0.0)
    alone = simulate(loaded.scenarios[0], draws=300, seed=7)
    for name in ("belief", "p_challenge", "p_intervene", "belief_after"):
        assert np.array_equal(together.dyads[0].metrics[name], alone.metrics[name]), name


def test_over_years_of_a_quiet_record_elsewhere_the_first_dyad_is_its_scenario_alone(tmp_path, tiny_text):
    """The pivot's one type is drawn again only where the record taught something: six years in
    which the other dyad's record says nothing happened leave the first dyad as it is alone."""
    wide = tiny_text.replace("periods: {start: 2001, end: 2003}", "periods: {start: 2001, end: 2006}")
    wide = wide.replace("'2001-2003'", "'2001-2006'")
    head, _ = wide.replace("id: tiny-triangle", "id: tiny-quiet").split("record:\n")
    nothing = "".join(
        f"  - periods: {y}\n    challenge: none\n    sources: [{{ref: note-a, at: '¶5'}}]\n"
        for y in range(2001, 2007)
    )
    quiet = head + "record:\n" + nothing
    (tmp_path / "watched.yaml").write_text(wide, encoding="utf-8")
    (tmp_path / "quiet.yaml").write_text(quiet, encoding="utf-8")
    (tmp_path / "system.yaml").write_text(SYSTEM_TEXT.replace("'2001-2003'", "'2001-2006'"), encoding="utf-8")
    loaded = load_system(tmp_path / "system.yaml")
    together = simulate_system(loaded, draws=300, seed=7, contagion=0.0)
    alone = simulate(loaded.scenarios[0], draws=300, seed=7)
    assert np.array_equal(together.dyads[0].challenge, alone.challenge)
    for name in ("belief", "p_challenge", "p_intervene", "belief_after"):
        assert np.array_equal(together.dyads[0].metrics[name], alone.metrics[name]), name


def test_a_pivot_that_lets_a_probe_pass_is_believed_weaker_in_the_other_dyad(system_path):
    loaded = load_system(system_path)
    quiet = [
        simulate_system(loaded, draws=500, seed=3, contagion=w).dyad("tiny-quiet").metrics["belief"][2]
        for w in (0.0, 0.5, 1.0)
    ]
    watched = simulate_system(loaded, draws=500, seed=3, contagion=0.0).dyad("tiny-triangle")
    assert np.all(watched.metrics["belief_after"][1] <= watched.metrics["belief"][1])  # acquiescence
    assert np.all(quiet[1] <= quiet[0]) and np.all(quiet[2] <= quiet[1])
    assert quiet[2].mean() < quiet[0].mean() - 0.01


def test_the_pivots_parameters_are_one_draw_across_dyads_and_the_rivals_are_not(system_path):
    loaded = load_system(system_path)
    result = simulate_system(loaded, draws=400, seed=5)
    first, second = (r.quantiles for r in result.dyads)
    from pivotal.model.parameters import PARAMETER_NAMES

    same = PARAMETER_NAMES.index("pivot_distraction")
    assert np.array_equal(first[same], second[same])
    for name in ("war_cost", "restraint_cost", "patron_shield"):  # the rivals', and the theatre's
        own = PARAMETER_NAMES.index(name)
        assert abs(np.corrcoef(first[own], second[own])[0, 1]) < 0.15, name
    assert result.contagion.shape == (3, 400)
    assert result.contagion.min() >= 0.2 and result.contagion.max() <= 0.9


def test_the_pivot_has_one_type_drawn_from_every_dyads_evidence(system_path):
    """The type is one variable of the system: drawn at the first simulated period from the belief
    that counts all the evidence, whatever share of it each dyad's observers hear."""
    loaded = load_system(system_path)
    result = simulate_system(loaded, draws=4000, seed=9, contagion=0.0, record_periods=[2001, 2002])
    assert np.all(result.pivot_type[:2] == -1)  # periods of record: no type simulated
    assert set(np.unique(result.pivot_type[2])) == {0, 1}
    taught = result.dyad("tiny-triangle").metrics["belief"][2]  # saw the pivot let a probe pass
    unaware = result.dyad("tiny-quiet").metrics["belief"][2]  # heard nothing of it (contagion 0)
    resolved = result.pivot_type[2].mean()
    assert abs(resolved - taught.mean()) < 4 * np.sqrt(taught.mean() * (1 - taught.mean()) / 4000)
    assert resolved < unaware.mean() - 0.1


def test_the_pivots_type_persists_across_periods_and_dyads_without_turnover(system_path):
    loaded = load_system(system_path)
    still = {"tiny-triangle": overlay_from_settings(["resolve_turnover=0"], loaded.scenarios[0])}
    result = simulate_system(loaded, draws=500, seed=4, contagion=0.3, use_record=False, overlays=still)
    assert np.all(result.pivot_type >= 0)
    assert np.all(result.pivot_type == result.pivot_type[0])


def test_a_what_if_in_one_dyad_reaches_the_other_only_through_contagion(system_path):
    loaded = load_system(system_path)
    watched = loaded.scenarios[0]
    change = {"tiny-triangle": overlay_from_settings(["record.pivot_response=restrain@2002"], watched)}
    for w, moves in ((0.0, False), (0.8, True)):
        base = simulate_system(loaded, draws=300, seed=2, contagion=w, record_periods=[2001, 2002])
        other = simulate_system(
            loaded, draws=300, seed=2, contagion=w, record_periods=[2001, 2002], overlays=change
        )
        before = base.dyad("tiny-quiet").metrics["belief"][2]
        after = other.dyad("tiny-quiet").metrics["belief"][2]
        assert np.all(after >= before - 1e-12)
        assert bool(after.mean() > before.mean() + 0.01) is moves


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ("pivot: PIV", "pivot: CHA"),
        ("high: 0.9", "high: 1.5"),
        ("ref: judgement", "ref: nobody"),
        ("{scenario: quiet.yaml}", "{scenario: missing.yaml}"),
    ],
)
def test_a_broken_system_is_refused_where_it_is_broken(system_path, change, says):
    text = system_path.read_text(encoding="utf-8")
    assert change in text
    system_path.write_text(text.replace(change, says), encoding="utf-8")
    with pytest.raises(ScenarioError) as refused:
        load_system(system_path)
    message = str(refused.value)
    assert message.startswith(str(system_path)) and ":" in message
    expected = {
        "pivot: CHA": "pivot: expected the actor code the dyads' roles name as pivot (PIV)",
        "high: 1.5": "contagion[0].high",
        "ref: nobody": "contagion[0].sources[0].ref",
        "{scenario: missing.yaml}": "dyads[1].scenario",
    }
    assert expected[says] in message, message


def test_the_dyads_must_differ(system_path):
    text = system_path.read_text(encoding="utf-8")
    text = text.replace("{scenario: quiet.yaml}", "{scenario: watched.yaml}")
    system_path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError, match="each dyad a different scenario"):
        load_system(system_path)


def test_a_scenario_file_is_not_a_system(tiny_path):
    with pytest.raises(ScenarioError):
        load_system(tiny_path)
    parse_scenario(tiny_path.read_text(encoding="utf-8"))


def test_the_system_commands_as_a_user_types_them(system_path):
    import json

    from typer.testing import CliRunner

    from pivotal.cli.app import app

    runner = CliRunner()
    checked = runner.invoke(app, ["system", "validate", str(system_path)])
    assert checked.exit_code == 0
    assert checked.output.strip() == (
        f"ok: {system_path}: system 'tiny-system' of 2 dyads sharing PIV: "
        "tiny-triangle (2001-2003), tiny-quiet (2001-2003)"
    )
    ran = runner.invoke(app, ["system", "run", str(system_path), "-n", "100", "--json"])
    assert ran.exit_code == 0, ran.output
    content = json.loads(ran.stdout)
    assert list(content["dyads"]) == ["tiny-triangle", "tiny-quiet"]
    assert len(content["dyads"]["tiny-quiet"]) == 3
    asked = runner.invoke(
        app,
        [
            "system",
            "whatif",
            str(system_path),
            "--dyad",
            "tiny-triangle",
            "--set",
            "record.pivot_response=restrain@2002",
            "-n",
            "100",
            "--contagion",
            "0",
        ],
    )
    assert asked.exit_code == 0, asked.output
    assert "reached from tiny-triangle" in asked.stdout
    assert (
        "contagion: fixed at 0; records used in both runs before 2002 and for the changed entries"
        in asked.stderr
    )
    wrong = runner.invoke(
        app,
        [
            "system",
            "whatif",
            str(system_path),
            "--dyad",
            "nobody",
            "--set",
            "record.pivot_response=restrain@2002",
        ],
    )
    assert wrong.exit_code == 2
    assert "expected one of tiny-triangle, tiny-quiet, found 'nobody'" in wrong.output


def test_a_what_if_lets_the_other_dyads_simulate_the_changed_years(system_path):
    from pivotal.analysis.system_whatif import system_what_if

    loaded = load_system(system_path)
    change = overlay_from_settings(["record.pivot_response=restrain@2002"], loaded.scenarios[0])
    compared = system_what_if(loaded, "tiny-triangle", change, draws=50, seed=1, contagion=0.0)
    assert compared["tiny-triangle"].record_periods == [2001, 2002]
    assert compared["tiny-quiet"].record_periods == [2001]
    quiet = compared["tiny-quiet"]
    assert np.array_equal(quiet.baseline.metrics["belief"], quiet.counterfactual.metrics["belief"])


def test_simulate_system_refuses_what_it_cannot_do(system_path):
    loaded = load_system(system_path)
    with pytest.raises(ValueError, match="contagion must lie in"):
        simulate_system(loaded, draws=10, contagion=1.5)
    with pytest.raises(ValueError, match="no dyad 'elsewhere'"):
        simulate_system(loaded, draws=10, overlays={"elsewhere": None})
    result = simulate_system(loaded, draws=10, seed=4)
    assert [r.seed for r in result.dyads] == [4, None]  # the second dyad's numbers are its own stream


def test_a_contagion_outside_the_dyads_years_and_a_scenario_as_system_are_refused(system_path, tiny_path):
    text = system_path.read_text(encoding="utf-8")
    system_path.write_text(text.replace("periods: '2001-2003'", "periods: '2001-2004'"), encoding="utf-8")
    with pytest.raises(ScenarioError, match="periods within the dyads' 2001-2003"):
        load_system(system_path)
    with pytest.raises(ScenarioError, match="check it with `pivotal validate`"):
        load_system(tiny_path)
    with pytest.raises(ScenarioError, match="check it with `pivotal system validate`"):
        parse_scenario(text)


def test_the_built_in_russian_system_links_the_south_caucasus_and_the_kyrgyz_tajik_border():
    from pivotal.scenario.system import builtin_system_names, resolve_system

    assert builtin_system_names() == ["russia-allies"]
    loaded = resolve_system("russia-allies")
    assert [s.id for s in loaded.scenarios] == ["south-caucasus", "kyrgyzstan-tajikistan", "kazakhstan-2022"]
    assert loaded.system.pivot == "RUS"
    assert (loaded.periods.start, loaded.periods.end) == (1994, 2025)
    result = simulate_system(loaded, draws=200, seed=1)
    alone = simulate(loaded.scenarios[0], draws=200, seed=1)
    # The Kyrgyz-Tajik observers start in 2010 having watched the Caucasus since 1994.
    later = result.dyad("kyrgyzstan-tajikistan")
    assert later.periods[0] == 2010 and np.isfinite(later.metrics["belief"]).all()
    assert result.contagion.min() >= 0 and result.contagion.max() <= 1
    assert alone.metrics["belief"].shape == result.dyads[0].metrics["belief"].shape
    # Kazakhstan's observers saw Russia's alliance deploy on their government's appeal in January 2022.
    kazakh = result.dyad("kazakhstan-2022")
    january = kazakh.periods.index(kazakh.scenario.span("january2022").start)
    assert np.all(kazakh.metrics["belief_after"][january] >= kazakh.metrics["belief"][january])


def test_a_dyad_with_another_pivot_is_the_one_blamed(system_path):
    quiet = system_path.parent / "quiet.yaml"
    text = quiet.read_text(encoding="utf-8")
    assert "pivot: PIV," in text
    quiet.write_text(text.replace("pivot: PIV,", "pivot: PAT,"), encoding="utf-8")
    with pytest.raises(ScenarioError) as refused:
        load_system(system_path)
    assert (
        "dyads[1].scenario: expected a scenario whose roles name `PIV` as the pivot throughout, found "
        "tiny-quiet: pivots PAT" in str(refused.value)
    )


def test_a_system_run_is_determined_by_its_seed_and_its_blocks_do_not_matter(system_path):
    """The same seed gives the same numbers, the pivot's type included, however many draws a run
    holds: a shorter run is the first draws of a longer one."""
    loaded = load_system(system_path)
    first = simulate_system(loaded, draws=5000, seed=11, use_record=False)
    again = simulate_system(loaded, draws=5000, seed=11, use_record=False)
    short = simulate_system(loaded, draws=300, seed=11, use_record=False)
    assert np.array_equal(first.pivot_type, again.pivot_type)
    assert np.array_equal(first.pivot_type[:, :300], short.pivot_type)
    for a, b, c in zip(first.dyads, again.dyads, short.dyads, strict=True):
        assert np.array_equal(a.metrics["belief"], b.metrics["belief"])
        assert np.array_equal(a.metrics["belief"][:, :300], c.metrics["belief"])
    other = simulate_system(loaded, draws=300, seed=12, use_record=False)
    assert not np.array_equal(other.pivot_type, short.pivot_type)
