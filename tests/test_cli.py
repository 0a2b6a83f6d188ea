"""End-to-end tests of the command line, as a user types it."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pandas as pd
import pytest
from typer.testing import CliRunner

from pivotal.cli.app import app

runner = CliRunner()


def pivotal_cli(*args: str, env_home) -> subprocess.CompletedProcess:
    env = {**os.environ, "PIVOTAL_HOME": str(env_home), "COLUMNS": "160"}
    return subprocess.run(
        [sys.executable, "-m", "pivotal", *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_run_prints_a_table_and_records_the_run(tiny_path, isolated_home):
    result = pivotal_cli("run", str(tiny_path), "--draws", "200", "--seed", "7", env_home=isolated_home)
    assert result.returncode == 0, result.stderr
    assert "Tiny triangle — 200 draws, seed 7" in result.stdout
    assert "probe → acquiesce, appeal unanswered" in result.stdout
    assert "recorded run" in result.stderr
    listed = pivotal_cli("runs", env_home=isolated_home)
    assert "tiny-triangle" in listed.stdout


def test_json_output_is_machine_readable_and_matches_show(tiny_path):
    ran = runner.invoke(app, ["run", str(tiny_path), "-n", "100", "-s", "3", "--json"])
    assert ran.exit_code == 0, ran.output
    payload = json.loads(ran.stdout)
    assert payload["run"]["seed"] == 3
    assert [p["period"] for p in payload["periods"]] == [2001, 2002, 2003]
    shown = runner.invoke(app, ["show", payload["run"]["run_id"][:7], "--json"])
    assert shown.exit_code == 0, shown.output
    again = json.loads(shown.stdout)
    assert again["periods"][1]["p_challenge"] == pytest.approx(payload["periods"][1]["p_challenge"])


def test_csv_output(tiny_path):
    ran = runner.invoke(app, ["run", str(tiny_path), "-n", "50", "-s", "1", "--csv", "--no-store"])
    assert ran.exit_code == 0, ran.output
    table = pd.read_csv(io.StringIO(ran.stdout))
    assert list(table["period"]) == [2001, 2002, 2003]
    assert {"p_challenge", "p_challenge_low", "p_challenge_high", "observed_challenge"} <= set(table)


def test_same_seed_same_output(tiny_path):
    first = runner.invoke(app, ["run", str(tiny_path), "-n", "80", "-s", "4", "--csv", "--no-store"])
    second = runner.invoke(app, ["run", str(tiny_path), "-n", "80", "-s", "4", "--csv", "--no-store"])
    assert first.stdout == second.stdout


def test_validate_good_file(tiny_path):
    result = runner.invoke(app, ["validate", str(tiny_path)])
    assert result.exit_code == 0
    assert "ok:" in result.stdout and "tiny-triangle" in result.stdout


def test_validate_bad_file_prints_located_error_without_traceback(tmp_path, tiny_text, isolated_home):
    bad = tmp_path / "bad.yaml"
    bad.write_text(tiny_text.replace("initiator: CHA", "initiator: XYZ"), encoding="utf-8")
    result = pivotal_cli("validate", str(bad), env_home=isolated_home)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert (
        f"error: {bad}:28:5: episodes[0].initiator: expected an actor defined under `actors` "
        "(CHA, PAT, PIV, TAR), found 'XYZ'"
    ) in " ".join(result.stderr.split())


def test_run_on_a_bad_file_records_nothing(tmp_path, tiny_text):
    bad = tmp_path / "bad.yaml"
    bad.write_text(tiny_text.replace("high: 0.7", "high: 0.1", 1), encoding="utf-8")
    result = runner.invoke(app, ["run", str(bad), "-n", "10"])
    assert result.exit_code == 1
    assert "parameters.balance[0].high" in result.output
    assert "no runs recorded yet" in runner.invoke(app, ["runs"]).stdout


def test_show_unknown_run():
    result = runner.invoke(app, ["show", "feedface"])
    assert result.exit_code == 1
    assert "no run with id 'feedface'" in result.output


def test_unknown_scenario_name():
    result = runner.invoke(app, ["run", "atlantis", "-n", "10"])
    assert result.exit_code == 1
    assert "or an existing YAML file, found neither" in result.output


def test_every_command_has_help_text():
    for command in app.registered_commands:
        assert command.callback.__doc__, f"{command.name or command.callback.__name__} lacks help"
