"""The ``../shared`` folder beside the repository: the five seed analyses some tests read.

It is not part of a clone, so the tests that need it skip, and say why, where it is missing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"
SEEDS = SHARED / "seeds"


def _missing() -> str:
    """Why the seeds cannot be read, or "" where they can."""
    if not SHARED.is_dir():
        return f"the ../shared folder is missing (looked for {SHARED}); it holds the seed analyses"
    if not SEEDS.is_dir():
        return f"the ../shared folder has no seeds/ folder (looked for {SEEDS})"
    return ""


#: Skips a test, or with ``pytestmark`` a module, where the seed analyses are not beside the repository.
needs_seeds = pytest.mark.skipif(bool(_missing()), reason=_missing() or "the seed analyses are present")
