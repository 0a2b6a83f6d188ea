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
