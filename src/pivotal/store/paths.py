"""Where runs are stored: ``$PIVOTAL_HOME`` when set, else a per-user data folder."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from pivotal.store.errors import StoreError

STORE_FILE = "runs.duckdb"


def pivotal_home() -> Path:
    """The folder that holds pivotal's run store."""
    configured = os.environ.get("PIVOTAL_HOME")
    if configured:
        try:
            home = Path(configured).expanduser()
        except RuntimeError as err:  # ~user of no such user
            raise StoreError(
                f"PIVOTAL_HOME={configured!r} cannot be used: {err}; set it to a folder"
            ) from err
        if home.is_file():
            raise StoreError(
                f"PIVOTAL_HOME={configured!r} is a file, not a folder; set it to the folder "
                f"that should hold runs.duckdb"
            )
        return home
    return Path(platformdirs.user_data_dir("pivotal", appauthor=False))


def default_store_path() -> Path:
    return pivotal_home() / STORE_FILE


DEFAULT_LOCK_TIMEOUT = 30.0


def default_lock_timeout() -> float:
    """Seconds to wait for another process's hold on the store: ``$PIVOTAL_LOCK_TIMEOUT``, else 30."""
    configured = os.environ.get("PIVOTAL_LOCK_TIMEOUT", "").strip()
    if not configured:
        return DEFAULT_LOCK_TIMEOUT
    try:
        seconds = float(configured)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < float("inf"):
        raise StoreError(f"PIVOTAL_LOCK_TIMEOUT must be a number of seconds >= 0, found {configured!r}")
    return seconds
