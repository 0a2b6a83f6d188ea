"""The examples in the public API's docstrings run and give what they show.

Each docstring with examples is one test, so a failure names the function.  The examples use the
built-in scenarios with a few hundred draws and fixed seeds; the run store they write to is the
test's own (``conftest.isolated_home``).
"""

from __future__ import annotations

import doctest
import importlib
import inspect
import re

import pytest

import pivotal

#: The modules of the public API whose docstrings hold examples.
MODULES = (
    "pivotal",
    "pivotal.scenario.loader",
    "pivotal.simulation.engine",
    "pivotal.simulation.summary",
    "pivotal.analysis.counterfactual",
    "pivotal.analysis.sensitivity",
    "pivotal.evaluation.score",
    "pivotal.service.run",
)

FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def docstring_examples() -> list[doctest.DocTest]:
    finder = doctest.DocTestFinder()
    found = [test for name in MODULES for test in finder.find(importlib.import_module(name))]
    return sorted((test for test in found if test.examples), key=lambda test: test.name)


@pytest.fixture(autouse=True)
def _no_windows():
    """Examples that draw a chart draw it off screen, and close it."""
    import matplotlib
    import matplotlib.pyplot as plt

    backend = matplotlib.get_backend()
    matplotlib.use("Agg")
    yield
    plt.close("all")
    matplotlib.use(backend)


@pytest.mark.parametrize("test", docstring_examples(), ids=lambda test: test.name)
def test_docstring_examples(test: doctest.DocTest):
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    report: list[str] = []
    result = runner.run(test, out=report.append)
    assert result.failed == 0, "".join(report)


def test_public_functions_say_what_they_return_and_show_it():
    """Every function ``pivotal`` exports has numpy-style Returns and Examples sections."""
    for name in sorted(pivotal.__all__):
        value = getattr(pivotal, name)
        if not inspect.isfunction(value):
            continue
        text = inspect.getdoc(value) or ""
        for section in ("Returns", "Examples"):
            assert re.search(rf"^{section}\n-{{{len(section)}}}$", text, flags=re.M), (
                f"pivotal.{name} has no {section} section"
            )
