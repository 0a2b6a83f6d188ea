"""The command line starts without loading what its commands do not need yet."""

from __future__ import annotations

import subprocess
import sys


def test_the_command_line_loads_no_numerical_library_to_start():
    heavy = "('numpy', 'pandas', 'scipy', 'duckdb', 'pydantic', 'numba', 'sklearn')"
    code = (
        f"import sys; import pivotal, pivotal.cli.app; "
        f"print(' '.join(m for m in {heavy} if m in sys.modules))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == ""


def test_the_api_names_are_there_when_asked_for():
    import pivotal

    assert pivotal.resolve_scenario(None).id == "south-caucasus"
    assert pivotal.METRICS[0] == "p_challenge" and callable(pivotal.simulate) and callable(pivotal.what_if)


def test_the_evidence_commands_show_the_librarys_defaults():
    from pivotal.cli import evidence
    from pivotal.evidence import parameters

    assert (evidence.DEFAULT_K, evidence.MIN_SCORE) == (parameters.DEFAULT_K, parameters.MIN_SCORE)
