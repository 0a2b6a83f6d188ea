"""The code base stays ruff-clean and the model core imports no outer layer."""

from __future__ import annotations

import ast
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORE = ROOT / "src" / "pivotal" / "model"
OUTER = ("pivotal.scenario", "pivotal.simulation", "pivotal.store", "pivotal.cli", "pivotal.runner")


@pytest.mark.skipif(shutil.which("ruff") is None, reason="ruff is installed with the test extra")
def test_ruff_is_clean():
    result = subprocess.run(["ruff", "check", "src", "tests", "benchmarks", "scripts"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_model_core_imports_no_outer_layer():
    for path in CORE.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                assert not name.startswith(OUTER), f"{path.name} imports {name}"


def _imports(folder: Path) -> list[tuple[str, str]]:
    found = []
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                found.append((path.name, node.module))
            elif isinstance(node, ast.Import):
                found.extend((path.name, alias.name) for alias in node.names)
    return found


def test_estimation_sits_on_the_core_and_below_the_interfaces():
    """The estimation layer may use the model core; the core, scenarios and the engine do not use
    it, and it uses none of the interfaces (command line, web app, store, report)."""
    source = ROOT / "src" / "pivotal"
    for layer in ("model", "scenario", "simulation"):
        for name, module in _imports(source / layer):
            assert not module.startswith("pivotal.estimation"), f"{layer}/{name} imports {module}"
    interfaces = ("pivotal.cli", "pivotal.web", "pivotal.store", "pivotal.report", "pivotal.runner")
    for name, module in _imports(source / "estimation"):
        assert not module.startswith(interfaces), f"estimation/{name} imports {module}"
