"""What an analyst meets at the terminal: the first run at 80 columns and in a pipe."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from pivotal.cli.app import app

runner = CliRunner()


def _run_output(monkeypatch: pytest.MonkeyPatch, columns: str | None) -> str:
    monkeypatch.delenv("COLUMNS", raising=False)
    env = {} if columns is None else {"COLUMNS": columns}
    result = runner.invoke(app, ["run", "-n", "200", "-s", "1", "--no-store"], env=env)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_first_run_reads_whole_at_80_columns(monkeypatch):
    text = _run_output(monkeypatch, "80")
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "…" not in text
    for year in range(1994, 2026):
        assert any(line.lstrip().startswith(str(year)) for line in lines), year
    assert "Observed" in text and "offensive →" in text  # the record is shown beside the model
    assert "90% interval" in " ".join(text.split())


def test_piped_output_is_never_cut(monkeypatch):
    text = _run_output(monkeypatch, None)
    assert "…" not in text
    rows = [line for line in text.splitlines() if line.startswith("│")]
    assert len(rows) == 32, "one line per period"
    assert "offensive → mediate" in text and "Belief in resolve" in text


TINY = "tests/data/tiny.yaml"


def _lines(*args: str) -> list[str]:
    result = runner.invoke(app, [*args, "--no-store"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return [line.strip() for line in result.stdout.splitlines()]


def test_a_whatif_that_changes_nothing_says_so_and_why():
    lines = _lines("whatif", "--scenario", TINY, "--set", "ultimatum_gain=1@2003", "-m", "p_challenge",
                   "--over", "2003", "-n", "200")
    assert ("p_challenge does not change over 2003: on average and in 90% of draws the change is "
            "under 0.0005.") in lines
    assert ("The overlay changes numbers whose moves this scenario leaves out: ultimatum_gain "
            "(needs game: {pivot_posture: true}).") in lines
    assert any("relative change under 1%)" in line for line in lines)
    assert not any("-0%" in line or "+0%" in line for line in lines)


def test_a_whatif_asked_about_periods_before_its_change_says_so():
    lines = _lines("whatif", "--scenario", TINY, "--set", "prize=0.5@2003", "-m", "p_challenge",
                   "--over", "2001-2002", "-n", "200")
    assert ("The overlay's first change is in 2003, after these periods; a what-if changes only what "
            "comes after its first change.") in lines


def test_a_whatif_that_moves_its_metric_adds_no_explanation():
    lines = _lines("whatif", "--scenario", TINY, "--set", "war_cost=0@2002-2003", "-m", "p_challenge",
                   "--over", "2002-2003", "-n", "300")
    assert not any("does not change" in line for line in lines)
