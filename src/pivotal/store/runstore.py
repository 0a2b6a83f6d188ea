"""The run store: every run recorded in an embedded DuckDB database.

A run is written in one transaction after it has finished computing, so an
interrupted run leaves no partial record: either every row of it is there, or
none is.  DuckDB allows one writing process at a time; a second one waits for
the lock, then fails with a clear message rather than corrupting anything.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from pivotal.store.errors import RunNotFoundError, StoreBusyError, StoreError
from pivotal.store.paths import default_store_path

SCHEMA = (
    """
    CREATE TABLE IF NOT EXISTS runs (
        run_id VARCHAR PRIMARY KEY,
        created_at TIMESTAMP NOT NULL,
        scenario_id VARCHAR NOT NULL,
        scenario_title VARCHAR NOT NULL,
        scenario_hash VARCHAR NOT NULL,
        scenario_json VARCHAR NOT NULL,
        draws BIGINT NOT NULL,
        seed BIGINT,
        use_record BOOLEAN NOT NULL,
        package_version VARCHAR NOT NULL,
        settings_json VARCHAR NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS run_periods (
        run_id VARCHAR NOT NULL,
        period INTEGER NOT NULL,
        "pivot" VARCHAR, challenger VARCHAR, target VARCHAR,
        belief_source VARCHAR NOT NULL,
        observed_challenge VARCHAR, observed_response VARCHAR,
        observed_ceasefire_days INTEGER, observed_appeal_answered BOOLEAN,
        observed_target_hedged BOOLEAN,
        PRIMARY KEY (run_id, period)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS run_results (
        run_id VARCHAR NOT NULL,
        period INTEGER NOT NULL,
        metric VARCHAR NOT NULL,
        mean DOUBLE NOT NULL,
        low DOUBLE NOT NULL,
        high DOUBLE NOT NULL,
        PRIMARY KEY (run_id, period, metric)
    )
    """,
)

PERIOD_COLUMNS = (
    "period", "pivot", "challenger", "target", "belief_source", "observed_challenge",
    "observed_response", "observed_ceasefire_days", "observed_appeal_answered",
    "observed_target_hedged",
)


@dataclass(frozen=True)
class RunRecord:
    """What the store keeps about a run, apart from its per-period table."""

    run_id: str
    created_at: datetime
    scenario_id: str
    scenario_title: str
    scenario_hash: str
    draws: int
    seed: int | None
    use_record: bool
    package_version: str
    settings: dict[str, Any]


@dataclass(frozen=True)
class StoredRun:
    record: RunRecord
    summary: pd.DataFrame
    scenario_json: str


class RunStore:
    """An embedded DuckDB file of runs.

    Parameters
    ----------
    path : file of the database; defaults to ``$PIVOTAL_HOME/runs.duckdb``.
    lock_timeout : seconds to wait for another process's lock before failing.
    """

    def __init__(self, path: str | Path | None = None, lock_timeout: float = 30.0) -> None:
        self.path = Path(path) if path is not None else default_store_path()
        self.lock_timeout = lock_timeout

    @contextmanager
    def _connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        if read_only and not self.path.exists():
            connection = duckdb.connect(":memory:")
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = self._open_waiting()
        try:
            for statement in SCHEMA:
                connection.execute(statement)
            yield connection
        finally:
            connection.close()

    def _open_waiting(self) -> duckdb.DuckDBPyConnection:
        deadline = time.monotonic() + self.lock_timeout
        delay = 0.05
        while True:
            try:
                return duckdb.connect(str(self.path))
            except duckdb.IOException as err:
                if "lock" not in str(err).lower():
                    raise StoreError(f"cannot open the run store {self.path}: {err}") from err
                if time.monotonic() >= deadline:
                    raise StoreBusyError(
                        f"the run store {self.path} is in use by another pivotal process; "
                        f"waited {self.lock_timeout:g} s. Try again when it has finished."
                    ) from err
                time.sleep(delay)
                delay = min(delay * 2, 1.0)

    def record(
        self,
        *,
        scenario_id: str,
        scenario_title: str,
        scenario_hash: str,
        scenario_json: str,
        draws: int,
        seed: int | None,
        use_record: bool,
        package_version: str,
        summary: pd.DataFrame,
        metrics: tuple[str, ...],
        settings: dict[str, Any] | None = None,
    ) -> str:
        """Write one finished run atomically and return its id."""
        run_id = uuid.uuid4().hex[:12]
        periods = summary.loc[:, list(PERIOD_COLUMNS)].copy()
        periods.insert(0, "run_id", run_id)
        results = pd.concat(
            [
                pd.DataFrame({
                    "run_id": run_id,
                    "period": summary["period"].astype("int32"),
                    "metric": name,
                    "mean": summary[name].astype(float),
                    "low": summary[f"{name}_low"].astype(float),
                    "high": summary[f"{name}_high"].astype(float),
                })
                for name in metrics
            ],
            ignore_index=True,
        )
        created = datetime.now(UTC).replace(tzinfo=None)
        with self._connect() as con:
            con.execute("BEGIN TRANSACTION")
            try:
                con.execute(
                    "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [run_id, created, scenario_id, scenario_title, scenario_hash, scenario_json,
                     draws, seed, use_record, package_version, json.dumps(settings or {})],
                )
                con.register("new_periods", periods)
                con.execute("INSERT INTO run_periods SELECT * FROM new_periods")
                con.register("new_results", results)
                con.execute("INSERT INTO run_results SELECT * FROM new_results")
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        return run_id

    def list_runs(self) -> list[RunRecord]:
        """All runs, newest first."""
        with self._connect(read_only=True) as con:
            rows = con.execute(
                f"SELECT {_RECORD_COLUMNS} FROM runs ORDER BY created_at DESC, run_id"
            ).fetchall()
        return [_to_record(row) for row in rows]

    def resolve(self, run_id: str) -> str:
        """The full id of the one run whose id starts with ``run_id``."""
        with self._connect(read_only=True) as con:
            return self._resolve(con, run_id)

    def _resolve(self, con: duckdb.DuckDBPyConnection, run_id: str) -> str:
        prefix = run_id.strip()
        if not prefix:
            raise RunNotFoundError("no run id given")
        matches = [r[0] for r in con.execute(
            "SELECT run_id FROM runs WHERE starts_with(run_id, ?) ORDER BY run_id", [prefix]
        ).fetchall()]
        if not matches:
            raise RunNotFoundError(f"no run with id {prefix!r}; `pivotal runs` lists them")
        if len(matches) > 1:
            raise RunNotFoundError(
                f"{len(matches)} runs start with {prefix!r} ({', '.join(matches[:5])}); give more of the id"
            )
        return matches[0]

    def get(self, run_id: str) -> StoredRun:
        """One run and its per-period summary (wide, as :func:`summarise` returns it)."""
        with self._connect(read_only=True) as con:
            full_id = self._resolve(con, run_id)
            row = con.execute(
                f"SELECT {_RECORD_COLUMNS}, scenario_json FROM runs WHERE run_id = ?", [full_id]
            ).fetchone()
            periods = con.execute(
                "SELECT * EXCLUDE (run_id) FROM run_periods WHERE run_id = ? ORDER BY period",
                [full_id],
            ).df()
            results = con.execute(
                "SELECT period, metric, mean, low, high FROM run_results WHERE run_id = ?",
                [full_id],
            ).df()
        if row is None:
            raise StoreError(f"run {full_id} vanished while being read")
        return StoredRun(_to_record(row[:-1]), _widen(periods, results), row[-1])


_RECORD_COLUMNS = (
    "run_id, created_at, scenario_id, scenario_title, scenario_hash, draws, seed, use_record, "
    "package_version, settings_json"
)


def _to_record(row: tuple) -> RunRecord:
    return RunRecord(
        run_id=row[0], created_at=row[1], scenario_id=row[2], scenario_title=row[3],
        scenario_hash=row[4], draws=int(row[5]), seed=None if row[6] is None else int(row[6]),
        use_record=bool(row[7]), package_version=row[8], settings=json.loads(row[9]),
    )


def _widen(periods: pd.DataFrame, results: pd.DataFrame) -> pd.DataFrame:
    """Back from the long result table to one column per metric and bound."""
    wide = results.pivot(index="period", columns="metric", values=["mean", "low", "high"])
    table = pd.DataFrame(index=wide.index)
    metrics = list(dict.fromkeys(results["metric"]))
    for name in metrics:
        table[name] = wide[("mean", name)]
        table[f"{name}_low"] = wide[("low", name)]
        table[f"{name}_high"] = wide[("high", name)]
    merged = periods.merge(table.reset_index(), on="period", how="left")
    head = [c for c in PERIOD_COLUMNS if not c.startswith("observed")]
    observed = [c for c in PERIOD_COLUMNS if c.startswith("observed")]
    rest = [c for c in merged.columns if c not in PERIOD_COLUMNS]
    return merged[head + rest + observed]
