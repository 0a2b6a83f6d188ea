"""The run store: runs recorded in an embedded DuckDB database."""

from pivotal.store.analyses import ANALYSIS_KINDS, AnalysisRecord
from pivotal.store.errors import RunNotFoundError, StoreBusyError, StoreError
from pivotal.store.paths import default_store_path, pivotal_home
from pivotal.store.runstore import RUN_ID_LENGTH, RunRecord, RunStore, StoredRun

__all__ = [
    "ANALYSIS_KINDS",
    "RUN_ID_LENGTH",
    "AnalysisRecord",
    "RunNotFoundError",
    "RunRecord",
    "RunStore",
    "StoreBusyError",
    "StoreError",
    "StoredRun",
    "default_store_path",
    "pivotal_home",
]
