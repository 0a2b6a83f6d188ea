"""docs/claims.md must say what the code computes today, and its commands must print it."""

from __future__ import annotations

import importlib.util
import json
import shlex
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from pivotal.cli.app import app
from pivotal.cli.render_analyses import average_line

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def claims():
    spec = importlib.util.spec_from_file_location("claims", ROOT / "scripts" / "claims.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["claims"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_documented_claims_match_the_code(claims):
    documented = (ROOT / "docs" / "claims.md").read_text(encoding="utf-8")
    assert claims.render() == documented, "docs/claims.md is stale: run `python scripts/claims.py`"


def test_each_documented_whatif_command_prints_the_documented_average(claims, tmp_path):
    changes = [
        claims.NO_PATRON,
        claims.NO_TURKEY,
        claims.NO_UKRAINE,
        claims.NO_UKRAINE_FREE_RESTRAINT,
        claims.LESS_DRAIN_FREE_RESTRAINT,
        claims.HOLD_ON,
        claims.NO_PEACEKEEPERS,
        claims.NO_ULTIMATUM,
        claims.NO_REIN,
        claims.ANSWERED,
        *(change for _, change in claims.RESTRAINTS),
    ]
    documented = (ROOT / "docs" / "claims.md").read_text(encoding="utf-8")
    for change in changes:
        assert change.command in documented
        args = [*shlex.split(change.command)[1:], "--json", "--no-store"]
        result = CliRunner().invoke(app, args, env={"PIVOTAL_HOME": str(tmp_path)})
        assert result.exit_code == 0, result.output
        (average,) = [row for row in json.loads(result.stdout)["averages"] if row["metric"] == change.metric]
        # What the command prints is what the file says (the file itself is checked against
        # scripts/claims.py above).
        if any(change is restraint for _, restraint in claims.RESTRAINTS):
            assert f"({change.args.split()[1]}): change {average['difference']:+.3f}" in documented
        else:  # the very line the command prints
            assert average_line(SimpleNamespace(**average)) in documented
