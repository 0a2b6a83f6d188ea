"""The code base stays ruff-clean, and each layer imports only the layers beneath it."""

from __future__ import annotations

import ast
import subprocess
import sys
from graphlib import TopologicalSorter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORE = ROOT / "src" / "pivotal" / "model"
OUTER = (
    "pivotal.scenario",
    "pivotal.simulation",
    "pivotal.store",
    "pivotal.cli",
    "pivotal.runner",
    "pivotal.service",
)


CODE = ("src", "tests", "benchmarks", "scripts")


@pytest.mark.parametrize("command", [("check",), ("format", "--check")], ids=["lint", "format"])
def test_ruff_is_clean(command):
    pytest.importorskip("ruff", reason='ruff comes with the test extra: pip install -e ".[test]"')
    result = subprocess.run(
        [sys.executable, "-m", "ruff", *command, *CODE],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_mypy_is_clean():
    """The package type-checks under the configuration in pyproject.toml (pydantic plugin)."""
    pytest.importorskip("mypy", reason='mypy comes with the test extra: pip install -e ".[test]"')
    result = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True)
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
    interfaces = (
        "pivotal.cli",
        "pivotal.web",
        "pivotal.store",
        "pivotal.report",
        "pivotal.runner",
        "pivotal.service",
    )
    for name, module in _imports(source / "estimation"):
        assert not module.startswith(interfaces), f"estimation/{name} imports {module}"


#: What each layer of the package may import besides itself: the model core nothing, the engine the
#: core and the scenario format, the interfaces (command line, web app) what they present. The
#: top-level package (``__init__``, for ``__version__`` and the lazy API) counts as a layer.
ALLOWED: dict[str, set[str]] = {
    "model": set(),
    "store": set(),
    "scenarios": set(),  # the shipped scenario files
    "scenario": {"model"},
    "verify": {"model"},
    "simulation": {"model", "scenario"},
    "analysis": {"model", "scenario", "simulation"},
    "evaluation": {"model", "scenario", "simulation"},
    "estimation": {"model", "scenario", "simulation", "evaluation"},
    "evidence": {"model", "scenario", "store"},
    # The jobs (run, score, what-if, sensitivity, fit): compute with the layers beneath, record in
    # the store, return typed results to the interfaces above.
    "service": {"__init__", "analysis", "evaluation", "estimation", "scenario", "simulation", "store"},
    "runner": {"service"},  # the run job's former home, kept for the names it exports
    "report": {"__init__", "model", "scenario", "store", "evidence"},
    "sweep": {"model", "scenario", "simulation", "store", "service"},
    "web": {
        "__init__",
        "analysis",
        "evaluation",
        "evidence",
        "model",
        "report",
        "scenario",
        "service",
        "simulation",
        "store",
    },
    "cli": {
        "__init__",
        "analysis",
        "estimation",
        "evaluation",
        "evidence",
        "model",
        "report",
        "scenario",
        "service",
        "simulation",
        "store",
        "sweep",
        "verify",
        "web",
    },
    "__main__": {"cli"},
    "__init__": {"analysis", "evaluation", "report", "scenario", "service", "simulation", "store"},
}


def _layer(path: Path) -> str:
    parts = path.relative_to(ROOT / "src" / "pivotal").parts
    return parts[0] if len(parts) > 1 else parts[0].removesuffix(".py")


def test_every_layer_imports_only_what_lies_beneath_it():
    """Every import of the package's own modules, at the top of a file or inside a function."""
    source = ROOT / "src" / "pivotal"
    layers = {_layer(path) for path in source.rglob("*.py")}
    assert layers == set(ALLOWED), "a new layer needs its place in ALLOWED"
    for path in source.rglob("*.py"):
        layer = _layer(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "pivotal":  # a layer by name, or __init__
                modules = [f"pivotal.{a.name}" if a.name in ALLOWED else "pivotal" for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                modules = [node.module]
            elif isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            else:
                continue
            for module in modules:
                parts = module.split(".")
                if parts[0] != "pivotal":
                    continue
                other = parts[1] if len(parts) > 1 else "__init__"
                assert other == layer or other in ALLOWED[layer], (
                    f"{path.relative_to(ROOT)}: the {layer} layer imports {module}"
                )


def test_the_layers_form_no_cycle():
    """Only the top-level package's lazy names point back up (the interfaces read its version)."""
    graph = {layer: {other for other in imports if other != "__init__"} for layer, imports in ALLOWED.items()}
    order = list(TopologicalSorter(graph).static_order())
    assert order.index("model") < order.index("simulation") < order.index("service") < order.index("cli")
    assert order.index("store") < order.index("service") < order.index("web")


#: What records a result in the run store; the interfaces leave it to the service layer.
RECORDING = {"record_analysis", "record_fit", "record_together", "record_summary", "record"}


@pytest.mark.parametrize("interface", ["cli", "web"])
def test_the_interfaces_record_nothing_themselves(interface):
    """The command line and the web app parse and render; the service computes and records.  No call
    of theirs reaches a store's or the runner's recording directly, so no result reaches the store by
    a side route."""
    for path in (ROOT / "src" / "pivotal" / interface).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "pivotal.runner":
                raise AssertionError(f"{path.name} imports the runner, not the service")
            if isinstance(node, ast.Call):
                called = node.func
                name = called.attr if isinstance(called, ast.Attribute) else getattr(called, "id", None)
                assert name not in RECORDING, f"{path.name}:{node.lineno} calls {name} directly"
