"""``pivotal explain`` end to end, as a user types it."""

from __future__ import annotations

import sys

import pytest
from typer.testing import CliRunner

from pivotal.cli.app import app

runner = CliRunner()


def explain(*args: str):
    return runner.invoke(app, ["explain", *args], env={"COLUMNS": "160"})


def one_line(text: str) -> str:
    return " ".join(text.split())


def test_explain_prints_the_draw_its_belief_and_its_equilibrium():
    result = explain("--period", "war2020", "--draw", "3", "--draws", "20", "--seed", "5")
    assert result.exit_code == 0, result.output
    text = one_line(result.output)
    assert "the stage game of 2020-09-27 war2020, draw 3 of 20 (seed 5)" in text
    assert "Parameters of this draw" in text and "patron_shield" in text and "precision" in text
    assert "Belief that the pivot is resolved, at the start of 2020-09-27 war2020:" in text
    for heading in ("Challenger", "Pivot's response", "Target"):
        assert heading in text
    assert "wrote" not in text and "Gambit" not in text


def test_explain_writes_a_file_gambit_reads(tmp_path):
    gambit = pytest.importorskip("pygambit")
    path = tmp_path / "game.efg"
    result = explain("--period", "2008", "--draws", "10", "--out", str(path))
    assert result.exit_code == 0, result.output
    assert f"wrote {path}" in one_line(result.output)
    game = gambit.read_efg(str(path))
    assert list(game.players) == ["challenger", "pivot", "target"]
    # The built-in scenario has the moves before the crisis: the whole period is written.
    # Challenger: one information set per context (3 postures x 4); pivot: the posture, its answer
    # under each posture and 12 x 2 types x 2 challenges responses; target: its first move under
    # each posture and 12 x 7 hedging sets.
    assert [len(game.get_infosets(p)) for p in game.players] == [12, 1 + 3 + 48, 3 + 84]
    assert "the whole period of 2008, draw 0" in game.title
    assert "scenario south-caucasus, period 2008, draw 0 of 10, seed 0" in game.description
    assert [p.name for p in tmp_path.iterdir()] == ["game.efg"]  # no temporary file left behind


def test_explain_replaces_an_existing_file_whole(tmp_path):
    path = tmp_path / "game.efg"
    path.write_text("old\n" * 10_000, encoding="utf-8")
    assert explain("--period", "2008", "--draws", "10", "--out", str(path)).exit_code == 0
    assert path.read_text(encoding="utf-8").startswith("EFG 2 R ")
    assert "old\n" not in path.read_text(encoding="utf-8")


def test_explain_check_reports_agreement_with_gambit():
    pytest.importorskip("pygambit")
    result = explain("--period", "war2020", "--draw", "1", "--draws", "10", "--check")
    assert result.exit_code == 0, result.output
    text = one_line(result.output)
    assert "largest |Gambit - pivotal|" in text
    assert "Gambit and pivotal agree within 1e-06." in text


def test_explain_check_without_pygambit_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "pygambit", None)  # makes `import pygambit` fail
    result = explain("--period", "war2020", "--draws", "10", "--check")
    assert result.exit_code == 1
    assert "Parameters of this draw" not in result.output  # refused before any work
    assert (
        'error: --check: checking against Gambit needs pygambit 17.0.0b2: pip install "pivotal[verify]"'
        in one_line(result.output)
    )
    assert "Traceback" not in result.output


def test_a_period_outside_the_scenario_is_a_located_error():
    result = explain("--period", "1900", "--draws", "10")
    assert result.exit_code == 1
    expected = "error: --period: expected one period of south-caucasus (1994-2025), found 1900"
    assert expected in one_line(result.output)
    assert "Traceback" not in result.output


def test_a_draw_outside_the_run_is_a_located_error(tiny_path):
    result = explain(str(tiny_path), "--period", "2002", "--draws", "5", "--draw", "5")
    assert result.exit_code == 1
    assert "error: --draw: expected a draw from 0 to 4 (--draws 5), found 5" in one_line(result.output)
    assert "Traceback" not in result.output


def test_a_missing_scenario_is_a_located_error():
    result = explain("atlantis", "--period", "2002")
    assert result.exit_code == 1
    assert "error: atlantis:" in result.output and "found neither" in result.output


def test_an_output_folder_that_does_not_exist_is_a_located_error(tmp_path):
    target = tmp_path / "missing" / "game.efg"
    result = explain("--period", "2002", "--draws", "5", "--out", str(target))
    assert result.exit_code == 1
    assert f"error: --out: expected a file in an existing folder, found {target}" in one_line(result.output)


def test_the_period_is_required():
    result = explain("--draws", "5")
    assert result.exit_code == 2
    assert "--period" in result.output


def test_explain_writes_the_crisis_alone_for_a_scenario_without_early_moves(tmp_path, tiny_path):
    gambit = pytest.importorskip("pygambit")
    path = tmp_path / "game.efg"
    result = explain("--period", "2002", str(tiny_path), "--draws", "5", "--out", str(path), "--check")
    assert result.exit_code == 0, result.output
    game = gambit.read_efg(str(path))
    assert [len(game.get_infosets(p)) for p in game.players] == [1, 4, 7]
    assert "whole period" not in one_line(result.output)
