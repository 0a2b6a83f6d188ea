"""End-to-end tests of score, whatif and sensitivity, as a user types them."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from pivotal.cli.app import app

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args), env={"COLUMNS": "200"})


def test_score_prints_scores_baselines_and_verdicts(tiny_path):
    result = invoke("score", str(tiny_path), "--start", "2002", "-n", "100")
    assert result.exit_code == 0, result.output
    expected = (
        "model, fitted precision",
        "rolling-origin",
        "in-sample",
        "base rate",
        "persistence",
        "logistic regression",
        "precision multiplier fitted on the whole record",
        "major offensive:",
    )
    for text in expected:
        assert text in result.stdout


def test_score_json_is_reproducible(tiny_path):
    first = invoke("score", str(tiny_path), "--start", "2002", "-n", "100", "--json")
    second = invoke("score", str(tiny_path), "--start", "2002", "-n", "100", "--json")
    assert first.exit_code == 0, first.output
    assert first.stdout == second.stdout
    payload = json.loads(first.stdout)
    assert {row["period"] for row in payload["forecasts"]} == {2002}  # 2003 has no record
    assert len(payload["verdicts"]) == len({row["outcome"] for row in payload["scores"]}) + 1  # + uncoded


def test_score_refuses_a_start_outside_the_scenario(tiny_path):
    result = invoke("score", str(tiny_path), "--start", "1990")
    assert result.exit_code == 2
    assert "must lie in 2001-2003" in result.output


def test_whatif_with_settings_reports_paired_differences(tiny_path):
    result = invoke(
        "whatif",
        "--scenario",
        str(tiny_path),
        "--set",
        "third_party_deterrence=0.5@2002",
        "-n",
        "200",
        "--json",
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["diverges"] == 2002 and payload["record_periods"] == [2001]
    offensive = {r["period"]: r for r in payload["differences"] if r["metric"] == "p_offensive"}
    assert offensive[2001]["difference"] == 0.0
    assert offensive[2002]["difference"] < 0 and offensive[2002]["high"] <= 0


def test_whatif_runs_a_shipped_counterfactual_and_lists_them():
    listed = invoke("whatif", "--list")
    assert "hold-artsakh-syunik" in listed.stdout
    result = invoke("whatif", "russia-answers-2022", "-n", "200", "-m", "belief")
    assert result.exit_code == 0, result.output
    assert "diverges in 2022" in result.stdout
    assert "record used in both runs for 1994..2022-09-13" in result.stdout


def test_whatif_reports_a_broken_overlay_with_its_location(tmp_path):
    overlay = tmp_path / "broken.yaml"
    overlay.write_text(
        "id: broken\ntitle: Broken\nparameters:\n  war_cost:\n"
        "    - {periods: 2020, low: 0.5, mode: 0.1, high: 0.9}\n"
    )
    result = invoke("whatif", str(overlay))
    assert result.exit_code == 1
    assert f"{overlay}:5:33: parameters.war_cost[0].mode: expected low <= mode <= high" in result.output
    assert "Traceback" not in result.output


def test_whatif_names_a_bad_setting():
    result = invoke("whatif", "--set", "war_cost=lots")
    assert result.exit_code == 1
    assert "--set war_cost=lots: war_cost: expected a number or low,mode,high, found 'lots'" in result.output


def _means(payload: dict, column: str) -> dict:
    return {(r["period"], r["metric"]): r[column] for r in payload["differences"]}


def test_whatif_assumptions_apply_to_both_runs(tiny_path):
    """Each run of an assumed what-if is the run of the scenario with the assumption (and the change)."""

    def whatif(*extra: str) -> dict:
        result = invoke("whatif", "--scenario", str(tiny_path), "-n", "200", "--json", "--no-store", *extra)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    # every change starts in the first period, so no run uses the record and all are comparable
    assumed = whatif("--set", "third_party_deterrence=0.5@2001-2003", "--assume", "war_cost=0.1@2001-2003")
    assert assumed["assume"] == ["war_cost=0.1@2001-2003"]
    assumption_alone = whatif("--set", "war_cost=0.1@2001-2003")
    both_as_changes = whatif(
        "--set", "war_cost=0.1@2001-2003", "--set", "third_party_deterrence=0.5@2001-2003"
    )
    assert _means(assumed, "baseline") == pytest.approx(_means(assumption_alone, "counterfactual"), abs=1e-12)
    assert _means(assumed, "counterfactual") == pytest.approx(
        _means(both_as_changes, "counterfactual"), abs=1e-12
    )
    assert _means(assumed, "baseline") != pytest.approx(_means(assumption_alone, "baseline"), abs=1e-6)
    same = whatif("--set", "third_party_deterrence=0.5@2002", "--assume", "third_party_deterrence=0.5@2002")
    assert {r["difference"] for r in same["differences"]} == {0.0}


def test_an_assumed_record_is_used_by_both_runs_after_they_diverge():
    result = invoke(
        "whatif",
        "no-ukraine-war-2022",
        "--assume",
        "record.pivot_response=restrain@2022",
        "-n",
        "100",
        "-m",
        "belief",
        "--json",
        "--no-store",
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    from pivotal.scenario.loader import builtin_scenario

    episodes_of_2022 = builtin_scenario().periods_in(builtin_scenario().span("2022"))
    assert payload["diverges"] == 2022 and set(episodes_of_2022) <= set(payload["record_periods"])


def test_whatif_names_a_bad_assumption():
    result = invoke("whatif", "no-ukraine-war-2022", "--assume", "restraint_cost=0@1900")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert (
        "--assume: parameters.restraint_cost[0].periods: expected periods within 1994-2025, found '1900'"
        in result.output
    )


def test_sensitivity_prints_indices_and_a_verdict(tiny_path):
    result = invoke("sensitivity", str(tiny_path), "--samples", "64", "--periods", "2002", "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["periods"] == "2002" and payload["samples"] == 64
    assert {"parameter", "S1", "S1_conf", "ST", "ST_conf"} <= set(payload["indices"][0])
    assert payload["verdict"]


def test_sensitivity_refuses_bad_options(tiny_path):
    assert "power of two" in invoke("sensitivity", str(tiny_path), "--samples", "100").output
    assert (
        "expected periods within 2001-2003"
        in invoke("sensitivity", str(tiny_path), "--periods", "2010").output
    )
    assert "expected one of" in invoke("sensitivity", str(tiny_path), "--metric", "p_war").output
