"""The worked India–Pakistan scenario is built in: listed, validated, run and scored by name, and
examples/README.md describes it with the scores the code gives."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from pivotal import builtin_names, builtin_scenario, simulate
from pivotal.cli.app import app
from pivotal.evaluation import score_scenario

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
WORKED = [name for name in builtin_names() if name != "south-caucasus"]

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args), env={"COLUMNS": "200"})


def test_there_is_a_second_region_and_the_default_comes_first():
    assert builtin_names()[0] == "south-caucasus"  # the web app and `pivotal scenarios` start on it
    assert "india-pakistan" in WORKED
    assert not list(EXAMPLES.glob("*.yaml")), "the worked scenarios moved to src/pivotal/scenarios/"


@pytest.mark.parametrize("name", WORKED)
def test_example_validates_runs_and_scores(name):
    scenario = builtin_scenario(name)
    assert scenario.record, "a worked example must carry a record to score"
    result = simulate(scenario, draws=200, seed=1)
    for values in result.metrics.values():
        assert ((values >= 0) & (values <= 1)).all()
    report = score_scenario(scenario, draws=100, seed=1)
    # A verdict per coded outcome (scored, or said to have no settled period), + the outcomes not coded.
    assert len(report.verdicts) >= len(set(report.table["outcome"])) + 1
    assert report.verdicts[-1].startswith("not coded in this scenario's record")
    assert report.table["brier"].between(0, 1).all()


def test_the_documented_scores_are_what_the_code_gives():
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    report = score_scenario(builtin_scenario("india-pakistan"), draws=1000, seed=0, start=2001)
    for line in report.verdicts:
        assert f"- {line}\n" in readme, f"examples/README.md is stale for: {line}"


def test_pivotal_scenarios_lists_every_built_in_with_title_and_periods():
    result = invoke("scenarios")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    names = [line.split()[0] for line in lines]
    assert names[0] == "south-caucasus" and names[1:] == sorted(names[1:])
    assert set(names) >= {
        "india-pakistan",
        "kazakhstan-2022",
        "kyrgyzstan-tajikistan",
        "beagle-channel",
        "gulf-qatar",
        "peru-ecuador",
        "sudan-south-sudan",
    }
    india = lines[names.index("india-pakistan")]
    assert india.split(None, 1)[1] == (
        "India and Pakistan, 1999-2019 - the United States between two nuclear-armed rivals (1999–2019)"
    )


def test_validate_and_run_take_its_name(monkeypatch):
    validated = invoke("validate", "india-pakistan")
    assert validated.exit_code == 0, validated.output
    assert validated.stdout.startswith(
        "ok: india-pakistan (built-in): scenario 'india-pakistan' with 24 periods"
    )
    monkeypatch.chdir(ROOT)  # as the file's own path, from a clone: its `file:` sources are found
    by_path = invoke("validate", "src/pivotal/scenarios/india-pakistan.yaml")
    assert by_path.exit_code == 0 and "warning" not in by_path.output, by_path.output
    ran = invoke("run", "india-pakistan", "-n", "100", "-s", "3")
    assert ran.exit_code == 0, ran.output
    assert "India and Pakistan" in ran.stdout and "2019" in ran.stdout


@pytest.mark.parametrize(
    ("name", "start"),
    [("peru-ecuador", 1981), ("beagle-channel", 1978), ("gulf-qatar", 2014), ("sudan-south-sudan", 2012)],
)
def test_the_case_library_scores_are_what_the_code_gives(name, start):
    cases = (ROOT / "docs" / "cases.md").read_text(encoding="utf-8")
    section = cases.split(f"### `{name}`, from {start}\n", 1)[1].split("###", 1)[0]
    report = score_scenario(builtin_scenario(name), draws=300, seed=0, start=start)
    for line in report.verdicts:
        assert f"- {line}\n" in section, f"docs/cases.md is stale for {name}: {line}"
