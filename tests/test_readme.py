"""Every command the README's tour shows runs as written, in order, from the repository's root, and
so does its Python API."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pivotal.cli.app import app

ROOT = Path(__file__).resolve().parents[1]
COMMAND = re.compile(r"^(pivotal|python) (.*?)(?:\s+#.*)?$")


def tour_commands() -> list[str]:
    """The command lines of the README's bash blocks that begin with the tour (comments cut off)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("## A short tour of the command line")
    blocks = re.findall(r"```bash\n(.*?)```", text[start:], flags=re.S)
    lines = [line.strip() for block in blocks for line in block.splitlines()]
    return [m.group(1) + " " + m.group(2).strip() for line in lines if (m := COMMAND.match(line))]


def test_the_tour_is_what_this_test_runs():
    commands = tour_commands()
    assert commands[0] == "pivotal scenarios" and len(commands) >= 20
    assert "python scripts/claims.py" in commands  # run by tests/test_claims.py


def _serve_answers(home: Path, cwd: Path) -> None:
    """`pivotal serve` as written: it starts, answers on 127.0.0.1:8000, and stops on a signal."""
    env = {**os.environ, "PIVOTAL_HOME": str(home)}
    server = subprocess.Popen(
        [sys.executable, "-m", "pivotal", "serve"],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through a proxy
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with direct.open("http://127.0.0.1:8000/api/scenarios", timeout=2) as answer:
                    listed = json.load(answer)
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"pivotal serve did not answer: {server.stderr.read()!r}") from None
                time.sleep(0.5)
        # It is this server that answered (not another on the port), with the built-in scenarios.
        assert server.poll() is None and any(item["name"] == "south-caucasus" for item in listed)
    finally:
        server.terminate()
        server.wait(30)


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # Ray's fork warning for the sweep
def test_every_tour_command_runs_as_written(tmp_path, monkeypatch):
    home = tmp_path / "home"
    work = tmp_path / "work"
    work.mkdir()
    (work / "examples").symlink_to(ROOT / "examples")
    monkeypatch.setenv("PIVOTAL_HOME", str(home))
    monkeypatch.chdir(work)
    runner = CliRunner()
    for line in tour_commands():
        if line == "python scripts/claims.py":
            continue  # tests/test_claims.py runs it and checks docs/claims.md against it
        if line == "pivotal serve":
            _serve_answers(home, work)
            continue
        words = shlex.split(line)
        target = None
        if ">" in words:  # the one redirection the tour shows
            words, target = words[: words.index(">")], words[words.index(">") + 1]
        result = runner.invoke(app, words[1:], env={"COLUMNS": "120"})
        assert result.exit_code == 0, f"{line}\n{result.output}"
        assert "Traceback" not in result.output, line
        if target is not None:
            (work / target).write_text(result.stdout, encoding="utf-8")
    assert (work / "run.json").stat().st_size > 1000
    assert (work / "g.efg").exists() and any(work.glob("pivotal-report-*.html"))


def python_blocks() -> list[str]:
    """The README's Python code blocks."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def test_the_python_api_block_is_python():
    blocks = python_blocks()
    assert blocks and blocks[0].startswith("import pivotal\n")
    for number, block in enumerate(blocks):
        compile(block, f"README.md, Python block {number + 1}", "exec")


@pytest.mark.slow
def test_the_python_api_runs_as_written():
    """The README's Python block as a script (about a minute: 5,000 draws, N = 1,024, a score)."""
    import matplotlib
    import matplotlib.pyplot as plt

    matplotlib.use("Agg")
    names: dict = {}
    try:
        for number, block in enumerate(python_blocks()):
            exec(compile(block, f"README.md, Python block {number + 1}", "exec"), names)
    finally:
        plt.close("all")
    assert len(names["table"]) == len(names["scenario"].timeline)
    assert names["run"].run_id is not None and names["whatif"].diverges == 2020
    assert names["sobol"].samples == 1024 and not names["score"].table.empty
    latest = names["pivotal"].load_run()
    assert latest.record.run_id == names["run"].run_id
