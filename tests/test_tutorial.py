"""The tutorial in docs/writing-a-scenario.md stays true.

Its finished scenario validates and runs, every validator line it quotes is what the validator
prints today (for the steps of the tutorial and for each broken example), and the YAML it shows
is copied from the finished file. Commands run from the folder the tutorial runs them from,
with the same relative paths, so the quoted lines can be compared exactly.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from pivotal.cli.app import app

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "writing-a-scenario.md"
TUTORIAL = "examples/tutorial"
FINISHED = f"{TUTORIAL}/northland.yaml"
BROKEN = sorted(path.stem for path in (ROOT / TUTORIAL / "broken").glob("*.yaml"))

# The tutorial validates the file it is writing just before each of these lines of the finished
# file (None: once it is complete).
STEPS = (
    "sources:",
    "actors:",
    "roles:",
    "commitments:",
    "parameters:",
    "  # ---- the pivot's means",
    "record:",
    None,
)

ANSI = re.compile(r"\x1b\[[0-9;]*m")

runner = CliRunner()


def one_line(text: str) -> str:
    """Output as one line: colour codes dropped, wrapped lines joined, paths with forward slashes."""
    return " ".join(ANSI.sub("", text).replace("\\", "/").split())


def quoted(prefix: str) -> set[str]:
    """The lines of the tutorial that start with ``prefix``, as one_line gives them."""
    lines = DOC.read_text(encoding="utf-8").splitlines()
    return {one_line(line) for line in lines if line.startswith(prefix)}


DEFAULTS = "defaults for optional parameters the file leaves out:"


PROBLEMS = re.compile(r"^\d+ problems; ")


def validate(path: str) -> tuple[int, str]:
    """The validator's verdict (its first line: ok, or the first problem), without its line on
    defaults (checked on its own); every further line it prints must be quoted as well."""
    result = runner.invoke(app, ["validate", path], env={"COLUMNS": "400"})
    lines = [one_line(line) for line in result.output.splitlines() if line.strip()]
    verdict, rest = lines[0], lines[1:]
    for line in rest:
        if line.startswith(DEFAULTS):
            assert line in quoted(DEFAULTS), "the tutorial does not quote the defaults line"
        elif PROBLEMS.match(line):
            assert line in quoted(line.split(" ", 1)[0] + " problems;"), f"not quoted: {line}"
        else:
            assert line in quoted("error: "), f"the tutorial does not quote: {line}"
    return result.exit_code, verdict


def finished_text() -> str:
    return (ROOT / FINISHED).read_text(encoding="utf-8")


def written_until(marker: str | None) -> str:
    """The finished file as the reader has it when the tutorial reaches ``marker``."""
    text = finished_text()
    return text if marker is None else text[: text.index("\n" + marker) + 1]


def test_finished_scenario_validates(monkeypatch):
    monkeypatch.chdir(ROOT)
    code, output = validate(FINISHED)
    assert code == 0, output
    assert output in quoted(f"ok: {FINISHED}:")


def test_finished_scenario_runs_beside_its_record(monkeypatch):
    monkeypatch.chdir(ROOT)
    ran = runner.invoke(app, ["run", FINISHED, "-n", "40", "-s", "1", "--no-store", "--csv"])
    assert ran.exit_code == 0, ran.output
    table = pd.read_csv(io.StringIO(ran.stdout)).set_index("period")
    assert list(table.index) == list(range(2030, 2037))
    assert table.loc[2032, "observed_challenge"] == "probe"
    assert table.loc[2035, "observed_response"] == "acquiesce"
    assert pd.isna(table.loc[2036, "observed_challenge"])
    assert table["p_challenge"].between(0, 1).all()
    shown = runner.invoke(app, ["run", FINISHED, "-n", "20", "-s", "1", "--no-store"])
    assert shown.exit_code == 0, shown.output


def beside_the_reader(folder: Path) -> None:
    """What the reader has around the file: the tutorial's brief and table beside it, and the
    repository's docs (the sources name them)."""
    for name in ("northland-brief.txt", "northland-spending.csv"):
        (folder / name).symlink_to(ROOT / TUTORIAL / name)
    (folder / "docs").symlink_to(ROOT / "docs")


@pytest.mark.parametrize("marker", STEPS, ids=lambda m: (m or "complete").strip(" #-:").replace(" ", "-"))
def test_each_step_prints_what_the_tutorial_quotes(marker, tmp_path, monkeypatch):
    (tmp_path / "northland.yaml").write_text(written_until(marker), encoding="utf-8")
    beside_the_reader(tmp_path)
    monkeypatch.chdir(tmp_path)
    code, output = validate("northland.yaml")
    assert code == (0 if output.startswith("ok:") else 1), output
    assert output in quoted("error: northland.yaml:") | quoted("ok: northland.yaml:"), (
        f"the tutorial does not quote this validator output:\n{output}"
    )


def test_the_tutorial_quotes_no_step_output_that_no_step_gives(tmp_path, monkeypatch):
    beside_the_reader(tmp_path)
    monkeypatch.chdir(tmp_path)
    given = set()
    for marker in STEPS:
        Path("northland.yaml").write_text(written_until(marker), encoding="utf-8")
        given.add(validate("northland.yaml")[1])
    assert quoted("error: northland.yaml:") | quoted("ok: northland.yaml:") == given


@pytest.mark.parametrize("name", BROKEN)
def test_broken_example_prints_the_error_the_tutorial_quotes(name, monkeypatch):
    path = f"{TUTORIAL}/broken/{name}.yaml"
    assert (ROOT / path).read_text(encoding="utf-8") != finished_text()
    monkeypatch.chdir(ROOT)
    code, output = validate(path)
    assert code == 1, output
    assert output.startswith(f"error: {path}:"), output
    assert output in quoted(f"error: {path}:"), f"the tutorial does not quote this error:\n{output}"


def test_every_broken_example_quoted_in_the_tutorial_exists():
    assert len(BROKEN) >= 4
    pattern = re.compile(rf"^error: ({re.escape(TUTORIAL)}/broken/[^:]+\.yaml):")
    named = {pattern.match(line).group(1) for line in quoted(f"error: {TUTORIAL}/broken/")}
    assert named == {f"{TUTORIAL}/broken/{name}.yaml" for name in BROKEN}


def test_yaml_shown_in_the_tutorial_is_copied_from_the_finished_file():
    blocks = re.findall(r"^```yaml\n(.*?)^```$", DOC.read_text(encoding="utf-8"), re.M | re.S)
    assert blocks
    text = finished_text()
    for block in blocks:
        assert block in text, f"not in {FINISHED}:\n{block}"


def test_cited_paragraphs_exist_in_the_invented_brief():
    brief = (ROOT / TUTORIAL / "northland-brief.txt").read_text(encoding="utf-8")
    paragraphs = sum(1 for line in brief.splitlines() if line.strip())
    cited = [int(n) for n in re.findall(r"¶(\d+)", finished_text())]
    assert cited and max(cited) <= paragraphs and min(cited) >= 1
