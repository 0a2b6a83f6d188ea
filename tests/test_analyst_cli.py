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
