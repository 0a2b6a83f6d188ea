"""What an analyst meets at the terminal: the first run, what-ifs, validation and the commands' options."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pivotal.cli.app import app
from pivotal.scenario.loader import builtin_scenario

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
    assert len(rows) == len(builtin_scenario().timeline), "one line per period"
    assert "offensive → mediate" in text and "Belief in resolve" in text


TINY = "tests/data/tiny.yaml"


def _lines(*args: str) -> list[str]:
    result = runner.invoke(app, [*args, "--no-store"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return [line.strip() for line in result.stdout.splitlines()]


def test_a_whatif_that_changes_nothing_says_so_and_why():
    lines = _lines(
        "whatif",
        "--scenario",
        TINY,
        "--set",
        "ultimatum_gain=1@2003",
        "-m",
        "p_challenge",
        "--over",
        "2003",
        "-n",
        "200",
    )
    assert (
        "p_challenge does not change over 2003: in no period is the mean change, or either end of "
        "the 90% interval of the draws' changes, as large as 0.0005."
    ) in lines
    assert (
        "The overlay changes numbers whose moves this scenario leaves out: ultimatum_gain "
        "(needs game: {pivot_posture: true})."
    ) in lines
    assert any("relative change under 1%)" in line for line in lines)
    assert not any("-0%" in line or "+0%" in line for line in lines)


def test_a_whatif_asked_about_periods_before_its_change_says_so():
    lines = _lines(
        "whatif",
        "--scenario",
        TINY,
        "--set",
        "prize=0.5@2003",
        "-m",
        "p_challenge",
        "--over",
        "2001-2002",
        "-n",
        "200",
    )
    assert (
        "p_challenge does not change over 2001-2002: the overlay's first change is in 2003, after "
        "these periods, and a what-if changes only what comes after its first change."
    ) in lines


def test_a_change_late_in_a_long_window_is_judged_where_it_happens():
    """Averaged over years in which the two runs are the same draw by draw, a change looks smaller
    than it is: only the periods from the first change on are judged."""
    lines = _lines(
        "whatif",
        "--scenario",
        TINY,
        "--set",
        "war_cost=0@2003",
        "-m",
        "p_challenge",
        "--over",
        "2001-2003",
        "-n",
        "300",
    )
    assert not any("does not change" in line for line in lines)


def test_a_whatif_that_moves_its_metric_adds_no_explanation():
    lines = _lines(
        "whatif",
        "--scenario",
        TINY,
        "--set",
        "war_cost=0@2002-2003",
        "-m",
        "p_challenge",
        "--over",
        "2002-2003",
        "-n",
        "300",
    )
    assert not any("does not change" in line for line in lines)


def _validate(tmp_path, replacements: list[tuple[str, str]]):
    text = Path(TINY).read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "mine.yaml"
    path.write_text(text, encoding="utf-8")
    return runner.invoke(app, ["validate", str(path)], env={"COLUMNS": "200"})


def test_a_misspelt_parameter_gets_a_suggestion(tmp_path):
    result = _validate(tmp_path, [("\n  patron_shield:", "\n  patron_sheild:")])
    assert result.exit_code == 1
    line = next(x for x in result.output.splitlines() if "patron_sheild" in x)
    assert line.endswith(
        "parameters.patron_sheild: expected a model parameter (did you mean "
        "'patron_shield'?), found 'patron_sheild'"
    )


def test_validate_lists_every_problem_it_finds_at_once(tmp_path):
    result = _validate(tmp_path, [("    scope:", "    scpoe:"), ("    initiator: CHA", "    initiatr: CHA")])
    lines = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert result.exit_code == 1 and len(lines) == 3, result.output
    assert any(
        line.endswith(
            "commitments[0].scpoe: expected one of the known keys (did you mean "
            "'scope'?), found unknown key `scpoe`"
        )
        for line in lines
    )
    assert any("episodes[0].initiatr" in line and "did you mean 'initiator'?" in line for line in lines)
    assert "3 problems; the file is checked again for others once these are fixed" in result.output


def test_validate_takes_a_built_in_name():
    result = runner.invoke(app, ["validate", "south-caucasus"])
    assert result.exit_code == 0 and result.stdout.startswith("ok: south-caucasus (built-in): scenario")


def test_version_and_runs_options(tmp_path, monkeypatch):
    from pivotal import __version__

    assert runner.invoke(app, ["--version"]).stdout == f"pivotal {__version__}\n"
    monkeypatch.setenv("PIVOTAL_HOME", str(tmp_path))
    for scenario in (TINY, "south-caucasus"):
        assert runner.invoke(app, ["run", scenario, "-n", "30", "-s", "1"]).exit_code == 0
    listed = json.loads(runner.invoke(app, ["runs", "--json", "--scenario", "tiny-triangle"]).stdout)
    assert [run["scenario_id"] for run in listed] == ["tiny-triangle"]
    assert len(json.loads(runner.invoke(app, ["runs", "--json", "--limit", "1"]).stdout)) == 1
    removed = runner.invoke(app, ["runs", "--delete", listed[0]["run_id"][:6]])
    assert removed.stdout.startswith(f"removed run {listed[0]['run_id']} of tiny-triangle")
    assert json.loads(runner.invoke(app, ["runs", "--json", "--scenario", "tiny-triangle"]).stdout) == []
    assert runner.invoke(app, ["show"]).exit_code == 0  # the latest run


def test_help_names_values_not_types():
    for command in (["run"], ["whatif"], ["sensitivity"], ["sweep"], ["evidence", "add"], ["runs"]):
        text = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "120"}).stdout
        assert not re.search(r"<(int|str|bool|float|list|path|file)[^>]*>", text), (command, text)
    assert (
        "--set PATH=VALUE[@PERIODS]"
        in runner.invoke(app, ["whatif", "--help"], env={"COLUMNS": "120"}).stdout
    )


@pytest.mark.parametrize(
    ("old", "new", "line"),
    [
        (
            "periods: {start: 2001, end: 2003}",
            "periods: 2001-2003",
            "periods: expected a mapping with the keys start, end, split, found '2001-2003'",
        ),
        (
            "    start: 2002-05-01",
            "    start: 2002-13-01",
            "episodes[0].start: expected a valid date or datetime, month value is outside expected range of "
            "1-12, found '2002-13-01'",
        ),
        (
            "pivot: PIV, challenger: CHA, target: TAR",
            "pivot: TAR, challenger: CHA, target: TAR",
            "roles[0].target: expected a target other than the pivot (TAR), found 'TAR'",
        ),
    ],
)
def test_mistakes_once_accepted_or_named_after_code_are_located(tmp_path, old, new, line):
    result = _validate(tmp_path, [(old, new)])
    errors = [x for x in result.output.splitlines() if x.startswith("error:")]
    assert result.exit_code == 1 and len(errors) == 1 and errors[0].endswith(line), result.output


@pytest.mark.parametrize(
    ("old", "new", "line"),
    [
        (
            "low: 0.5, mode: 0.6, high: 0.7,",
            "low: 0.5, mode: 0.6, high: 0.7, dist: uniform,",
            "parameters.balance[0].mode: expected no `mode` for a uniform distribution, "
            "whose shape is flat from low to high (the mode is not used; "
            "drop it, or make the piece triangular or pert), found 0.6",
        ),
        (
            "    start: 2002-05-01\n    end: 2002-05-04",
            "    start: 1990-05-01\n    end: 1990-05-04",
            "episodes[0].start: expected an episode within the periods 2001-2003 (one outside them is in no "
            "period the model plays), found 1990-05-01 to 1990-05-04",
        ),
        (
            "date: 2001-01}",
            "date: 2001-01, file: nowhere.pdf}",
            "sources.note-a.file: expected a file beside the scenario or in the current folder "
            "(`pivotal "
            "evidence add` it to search its passages), found 'nowhere.pdf'",
        ),
        (
            "    pivot_response: acquiesce\n",
            "    pivot_response: acquiesce\n    ceasefire_days: 2\n",
            "record[1].ceasefire_days: expected `ceasefire_days` with a `pivot_response` of mediate "
            "(it counts the days to a ceasefire the pivot brokered), "
            "or a `ceasefire_broker` naming who brokered it, found pivot_response acquiesce",
        ),
    ],
)
def test_what_the_model_would_not_use_is_a_located_warning_and_the_file_still_runs(tmp_path, old, new, line):
    result = _validate(tmp_path, [(old, new)])
    warnings = [x for x in result.output.splitlines() if x.startswith("warning:")]
    assert result.exit_code == 0 and result.stdout.startswith("ok:"), result.output
    assert len(warnings) == 1 and warnings[0].endswith(line), result.output


def test_new_writes_a_scenario_that_validates_and_runs_and_never_overwrites(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    made = runner.invoke(app, ["new", "my-region"])
    assert made.exit_code == 0 and made.stdout.startswith("wrote my-region.yaml")
    text = (tmp_path / "my-region.yaml").read_text(encoding="utf-8")
    assert "TODO" in text and "id: my-region" in text
    assert runner.invoke(app, ["validate", "my-region.yaml"]).stdout.startswith("ok: my-region.yaml")
    assert runner.invoke(app, ["run", "my-region.yaml", "-n", "50", "--no-store"]).exit_code == 0
    again = runner.invoke(app, ["new", "my-region"])
    assert again.exit_code == 2 and "exists already" in again.output
    assert (tmp_path / "my-region.yaml").read_text(encoding="utf-8") == text
    assert runner.invoke(app, ["new", "Bad Name"]).exit_code == 2
