from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own empty run store."""
    home = tmp_path / "pivotal-home"
    monkeypatch.setenv("PIVOTAL_HOME", str(home))
    monkeypatch.setenv("MPLCONFIGDIR", str(tmp_path / "mpl"))
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
