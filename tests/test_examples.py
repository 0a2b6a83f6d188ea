"""The worked examples validate, run and score like the built-in scenario."""

from __future__ import annotations

from pathlib import Path

import pytest

from pivotal import load_scenario, simulate
from pivotal.evaluation import score_scenario

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.yaml"))


def test_there_is_a_second_region():
    assert any(path.stem == "india-pakistan" for path in EXAMPLES)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_validates_runs_and_scores(path):
    scenario = load_scenario(path)
    assert scenario.record, "a worked example must carry a record to score"
    result = simulate(scenario, draws=200, seed=1)
    for values in result.metrics.values():
        assert ((values >= 0) & (values <= 1)).all()
    report = score_scenario(scenario, draws=100, seed=1)
    assert len(report.verdicts) == len(set(report.table["outcome"])) + 1  # + the outcomes not coded
    assert report.table["brier"].between(0, 1).all()


def test_the_documented_scores_are_what_the_code_gives():
    readme = (EXAMPLES[0].parent / "README.md").read_text(encoding="utf-8")
    scenario = load_scenario(EXAMPLES[0].parent / "india-pakistan.yaml")
    report = score_scenario(scenario, draws=1000, seed=0, start=2001)
    for line in report.verdicts:
        assert f"- {line}\n" in readme, f"examples/README.md is stale for: {line}"
