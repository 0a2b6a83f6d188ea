"""Where runs are stored: ``$PIVOTAL_HOME`` when set, else a per-user data folder."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

STORE_FILE = "runs.duckdb"


def pivotal_home() -> Path:
    """The folder that holds pivotal's run store."""
    configured = os.environ.get("PIVOTAL_HOME")
    if configured:
        return Path(configured).expanduser()
    return Path(platformdirs.user_data_dir("pivotal", appauthor=False))


def default_store_path() -> Path:
    return pivotal_home() / STORE_FILE
