"""docs/claims.md must say what the code computes today."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_documented_claims_match_the_code():
    spec = importlib.util.spec_from_file_location("claims", ROOT / "scripts" / "claims.py")
    claims = importlib.util.module_from_spec(spec)
    sys.modules["claims"] = claims  # dataclasses look their module up
    spec.loader.exec_module(claims)
    documented = (ROOT / "docs" / "claims.md").read_text(encoding="utf-8")
    assert claims.render() == documented, "docs/claims.md is stale: run `python scripts/claims.py`"
