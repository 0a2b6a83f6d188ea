from __future__ import annotations

import os
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"

#: Set by a terminal, or by GNU readline once imported (pytest imports it at start): readline writes
#: COLUMNS=80 and LINES=24 into the process's environment, which pytest-xdist's workers and any
#: subprocess inherit.  The tests read the consoles' output as a pipe gives it (lines of
#: cli.common.PIPED_WIDTH) unless a test names its own COLUMNS.
TERMINAL_SIZE = ("COLUMNS", "LINES")
for _name in TERMINAL_SIZE:  # before any fixture, module- and session-wide ones included
    os.environ.pop(_name, None)
    os.unsetenv(_name)  # also where readline set it behind os.environ's back


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own empty run store, and output as wide as a pipe's."""
    home = tmp_path / "pivotal-home"
    monkeypatch.setenv("PIVOTAL_HOME", str(home))
    monkeypatch.setenv("MPLCONFIGDIR", str(tmp_path / "mpl"))
    for name in TERMINAL_SIZE:  # a test may have set them and left them behind
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture
def tiny_path() -> Path:
    return DATA / "tiny.yaml"


@pytest.fixture
def tiny_text(tiny_path: Path) -> str:
    return tiny_path.read_text(encoding="utf-8")


@pytest.fixture
def tiny_scenario(tiny_path: Path):
    from pivotal import load_scenario

    return load_scenario(tiny_path)


#: The test system: the tiny scenario (its pivot lets a probe pass in 2002) beside a copy in which
#: nothing happens that year, sharing the pivot PIV (tests/test_system*.py).
SYSTEM_QUIET = """  - periods: 2002
    challenge: probe
    pivot_response: acquiesce
    appeal_answered: false
    episodes: [clash2002]
    sources: [{ref: note-a, at: '¶5'}]"""

SYSTEM_TEXT = """id: tiny-system
title: Two invented dyads and one pivot
pivot: PIV
dyads:
  - {scenario: watched.yaml}
  - {scenario: quiet.yaml}
contagion:
  - {periods: '2001-2003', low: 0.2, mode: 0.5, high: 0.9, sources: [{ref: judgement, at: 'all'}]}
sources:
  judgement: {kind: method, title: Invented judgement for a test}
"""


@pytest.fixture
def system_path(tmp_path: Path, tiny_text: str) -> Path:
    assert SYSTEM_QUIET in tiny_text
    quiet = tiny_text.replace("id: tiny-triangle", "id: tiny-quiet")
    quiet = quiet.replace(
        SYSTEM_QUIET,
        """  - periods: 2002
    challenge: none
    sources: [{ref: note-a, at: '¶5'}]""",
    )
    (tmp_path / "watched.yaml").write_text(tiny_text, encoding="utf-8")
    (tmp_path / "quiet.yaml").write_text(quiet, encoding="utf-8")
    (tmp_path / "system.yaml").write_text(SYSTEM_TEXT, encoding="utf-8")
    return tmp_path / "system.yaml"
