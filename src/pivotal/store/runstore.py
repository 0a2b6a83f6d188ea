"""The run store: every run recorded in an embedded DuckDB database.

A run is written in one transaction after it has finished computing, so an
interrupted run leaves no partial record: either every row of it is there, or
none is.  DuckDB allows one writing process at a time; a second one waits for
the lock, then fails with a clear message rather than corrupting anything.
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
import os
import re
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
from filelock import FileLock, Timeout

from pivotal.store.analyses import (
    ANALYSES_SCHEMA,
    AnalysisRecord,
    delete_analysis,
    find_analysis,
    insert_analysis,
    select_all_analyses,
    select_analyses,
)
from pivotal.store.errors import RunNotFoundError, StoreBusyError, StoreError
from pivotal.store.fits import FITS_SCHEMA, FitRecord, find_fit, insert_fit, select_fits
from pivotal.store.paths import default_lock_timeout, default_store_path

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
        period DOUBLE NOT NULL,
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
        period DOUBLE NOT NULL,
        metric VARCHAR NOT NULL,
        mean DOUBLE NOT NULL,
        low DOUBLE NOT NULL,
        high DOUBLE NOT NULL,
        PRIMARY KEY (run_id, period, metric)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS sweeps (
        sweep_id VARCHAR PRIMARY KEY,
        created_at TIMESTAMP NOT NULL,
        scenario_id VARCHAR NOT NULL,
        scenario_hash VARCHAR NOT NULL,
        spec_json VARCHAR NOT NULL,
        seed BIGINT NOT NULL,
        draws BIGINT NOT NULL,
        address VARCHAR NOT NULL,
        variants INTEGER NOT NULL,
        status VARCHAR NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS sweep_tasks (
        sweep_id VARCHAR NOT NULL,
        task_index INTEGER NOT NULL,
        settings_json VARCHAR NOT NULL,
        run_id VARCHAR,
        status VARCHAR NOT NULL,
        attempts INTEGER,
        error VARCHAR,
        PRIMARY KEY (sweep_id, task_index)
    )
    """,
    ANALYSES_SCHEMA,
    FITS_SCHEMA,
    """
    CREATE TABLE IF NOT EXISTS store_info (
        key VARCHAR PRIMARY KEY,
        value VARCHAR NOT NULL
    )
    """,
)

#: Version of the store's tables.  1: stores written before ``store_info`` existed (release
#: 0.1.0), whose tables are those of version 2; 2: ``store_info`` added; 3: periods are keys that
#: can name an episode (``DOUBLE``, see :mod:`pivotal.scenario.timeline`), not only years.  A store
#: of an earlier version is brought up to date the first time it is written to (reading it
#: changes nothing); one whose version is newer than this was written by a later release and is
#: refused, not altered.  Tables added within a version (``fits``, release 0.8.0) are created when
#: a store is first written to and read as empty before; earlier releases ignore them.
SCHEMA_VERSION = 3

#: Tables whose ``period`` column held whole years (``INTEGER``) before version 3.
PERIOD_TABLES = ("run_periods", "run_results")

#: Characters in a run id (hexadecimal).
RUN_ID_LENGTH = 12

PERIOD_COLUMNS = (
    "period",
    "pivot",
    "challenger",
    "target",
    "belief_source",
    "observed_challenge",
    "observed_response",
    "observed_ceasefire_days",
    "observed_appeal_answered",
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


@dataclass(frozen=True, repr=False)
class NewRun:
    """A finished run to be written: what the ``runs`` row and its per-period tables hold."""

    scenario_id: str
    scenario_title: str
    scenario_hash: str
    scenario_json: str
    draws: int
    seed: int | None
    use_record: bool
    package_version: str
    summary: pd.DataFrame
    metrics: tuple[str, ...]
    settings: dict[str, Any]


@dataclass(frozen=True, repr=False)
class StoredRun:
    """A recorded run: what the store keeps about it, its per-period table and its scenario."""

    record: RunRecord
    summary: pd.DataFrame
    scenario_json: str

    def __repr__(self) -> str:  # the scenario's JSON runs to ~100,000 characters
        r = self.record
        return (
            f"StoredRun(run_id={r.run_id!r}, scenario={r.scenario_id!r}, draws={r.draws}, "
            f"seed={r.seed}, created_at={r.created_at:%Y-%m-%d %H:%M:%S}, periods={len(self.summary)})"
        )

    def _repr_html_(self) -> str:
        r = self.record
        return summary_html(
            f"run {r.run_id} — {r.scenario_title} — {r.draws:,} draws, seed {r.seed}", self.summary
        )


def summary_html(title: str, summary: pd.DataFrame) -> str:
    """A run's per-period table under its title, as a notebook shows it."""
    table = summary.to_html(index=False, float_format="{:.3f}".format)
    return f"<div><strong>{escape(title)}</strong>{table}</div>"


class SweepNotFoundError(StoreError, KeyError):
    """No sweep, or more than one, matches the id given."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


@dataclass(frozen=True)
class SweepTask:
    """One variant of a sweep as the store keeps it; ``run_id`` is None when it failed."""

    sweep_id: str
    task_index: int
    settings: dict[str, Any]
    status: str  # 'done' or 'failed'
    attempts: int | None
    error: str | None = None
    run_id: str | None = None


@dataclass(frozen=True)
class SweepRecord:
    """What the store keeps about a sweep, with how many of its variants finished or failed."""

    sweep_id: str
    created_at: datetime
    scenario_id: str
    scenario_hash: str
    spec: dict[str, Any]
    seed: int
    draws: int
    address: str
    variants: int
    status: str
    done: int
    failed: int


@dataclass(frozen=True)
class StoredSweep:
    """A sweep and its tasks: one row per variant, one column per metric averaged over periods."""

    record: SweepRecord
    tasks: pd.DataFrame


class RunStore:
    """An embedded DuckDB file of runs.

    Parameters
    ----------
    path : file of the database; defaults to ``$PIVOTAL_HOME/runs.duckdb``.
    lock_timeout : seconds to wait for another process's lock before failing; defaults to
        ``$PIVOTAL_LOCK_TIMEOUT``, else 30.
    """

    def __init__(self, path: str | Path | None = None, lock_timeout: float | None = None) -> None:
        self.path = Path(path) if path is not None else default_store_path()
        self.lock_timeout = lock_timeout if lock_timeout is not None else default_lock_timeout()
        self._leases: dict[str, FileLock] = {}

    @contextmanager
    def connect(
        self, read_only: bool = False, schema: tuple[str, ...] = ()
    ) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection to the store, with every table of :data:`SCHEMA` and ``schema`` (the tables
        of another part that keeps its records in the same file, as the evidence store does).

        ``read_only`` access never writes to the file: it is opened read-only (so a damaged file
        is only ever read), and tables it lacks are empty temporary tables of the connection.
        Writers create the tables. Errors of the file become one :class:`StoreError`.
        """
        statements = (*SCHEMA, *schema)
        if read_only and not self.path.exists():  # nothing recorded yet: an empty store, in memory
            with _with_schema(duckdb.connect(":memory:"), statements) as connection:
                yield connection
            return
        self._check_location()
        deadline = time.monotonic() + self.lock_timeout
        try:
            with self._turn(deadline, read_only):
                if read_only:
                    reader = self._open_waiting(deadline, read_only=True)
                    try:
                        _readable(reader, statements)
                        yield reader
                    finally:
                        reader.close()
                    return
                with _with_schema(self._open_waiting(deadline), statements) as connection:
                    yield connection
        except duckdb.Error as err:
            raise self._damaged(err) from err

    def patient(self) -> RunStore:
        """The same store, waiting as long as it takes for another process to let go of it: for
        writing results already computed, which must not be thrown away for want of the lock."""
        return RunStore(self.path, lock_timeout=math.inf)

    def _check_location(self) -> None:
        """The store's folder exists or can be made, and the store is not a folder itself."""
        if self.path.is_dir():
            raise StoreError(
                f"the run store {self.path} is a folder, not a file; set PIVOTAL_HOME to the "
                f"folder that should hold runs.duckdb"
            )
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise StoreError(
                f"cannot make the folder of the run store {self.path}: "
                f"{err.strerror or err}; set PIVOTAL_HOME to a folder you can write"
            ) from err

    def check_writable(self) -> None:
        """Fail now, before any work, if results could not be recorded in this store."""
        self._check_location()
        folder = self.path.parent
        if not os.access(folder, os.W_OK) or (self.path.exists() and not os.access(self.path, os.W_OK)):
            read_only = hasattr(os, "statvfs") and bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
            reason = "its file system is mounted read-only" if read_only else "permission denied"
            raise StoreError(
                f"cannot write to the run store {self.path}: {reason}; set "
                f"PIVOTAL_HOME to a folder you can write, or use --no-store"
            )

    def _damaged(self, err: duckdb.Error) -> StoreError:
        message = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        lowered = message.lower()
        if any(
            word in lowered
            for word in (
                "corrupt",
                "checksum",
                "could not read enough bytes",
                "not a valid duckdb",
                "invalid database",
            )
        ):
            return StoreError(
                f"the run store {self.path} is damaged ({message}); move the file aside "
                f"(pivotal then starts a new store) or restore a copy"
            )
        if "no space left" in lowered or "disk full" in lowered:
            return StoreError(
                f"the run store {self.path} could not be written: the disk is full; nothing "
                f"was recorded. Free some space and run again"
            )
        return StoreError(f"the run store {self.path} could not be used: {message}")

    @contextmanager
    def _turn(self, deadline: float, read_only: bool = False) -> Iterator[None]:
        """This process's (and thread's) turn at the file, taken on a lock file beside it.

        pivotal's processes and threads take turns before DuckDB opens the file at all, so
        none of them ever meets a file another is still creating or writing.  The lock is
        reentrant within a thread.  A reader in a folder it cannot write goes on without the lock
        (no pivotal process can be writing there either).
        """
        lock = _file_lock(str(self.path))
        try:
            lock.acquire(timeout=max(deadline - time.monotonic(), 0.0))
        except Timeout as err:
            raise self._busy() from err
        except OSError as err:
            if read_only:
                yield
                return
            raise StoreError(
                f"cannot write the lock file beside the run store {self.path}: "
                f"{err.strerror or err}; set PIVOTAL_HOME to a folder you can write"
            ) from err
        try:
            yield
        finally:
            lock.release()

    def _busy(self) -> StoreBusyError:
        return StoreBusyError(
            f"the run store {self.path} is in use by another pivotal process; "
            f"waited {self.lock_timeout:g} s. Try again when it has finished."
        )

    def _open_waiting(self, deadline: float, read_only: bool = False) -> duckdb.DuckDBPyConnection:
        """Open the file, waiting for a process outside pivotal's turns that holds DuckDB's own lock."""
        delay = 0.05
        while True:
            try:
                return duckdb.connect(str(self.path), read_only=read_only)
            except duckdb.ConnectionException as err:
                if not (read_only and "different configuration" in str(err)):
                    raise
                # This process already has the file open to write (a thread reading the store it
                # holds): read through the same database; _readable() still writes nothing.
                return duckdb.connect(str(self.path))
            except duckdb.IOException as err:
                if "lock" not in str(err).lower():
                    raise StoreError(f"cannot open the run store {self.path}: {err}") from err
                if time.monotonic() >= deadline:
                    raise self._busy() from err
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
        sweep_task: SweepTask | None = None,
    ) -> str:
        """Write one finished run atomically and return its id.

        With ``sweep_task``, the sweep's row for this variant is written in the
        same transaction, so a sweep never links to a run that is not there.
        """
        run = NewRun(
            scenario_id=scenario_id,
            scenario_title=scenario_title,
            scenario_hash=scenario_hash,
            scenario_json=scenario_json,
            draws=draws,
            seed=seed,
            use_record=use_record,
            package_version=package_version,
            summary=summary,
            metrics=metrics,
            settings=settings or {},
        )
        return self.record_together([run], sweep_task=sweep_task)[0]

    def record_together(self, runs: list[NewRun], sweep_task: SweepTask | None = None) -> list[str]:
        """Write several finished runs in one transaction (a system's dyads): all of them or none;
        returns their ids in order."""
        tables = [(uuid.uuid4().hex[:RUN_ID_LENGTH], run) for run in runs]
        created = datetime.now(UTC).replace(tzinfo=None)
        with self.connect() as con:
            con.execute("BEGIN TRANSACTION")
            try:
                for run_id, run in tables:
                    _insert_run(con, run_id, created, run)
                if sweep_task is not None:
                    _insert_task(con, sweep_task, tables[0][0])
                con.execute("COMMIT")
            except BaseException:
                _roll_back(con)
                raise
        return [run_id for run_id, _ in tables]

    def list_runs(self, scenario_id: str | None = None, limit: int | None = None) -> list[RunRecord]:
        """Runs, newest first: all of them, or those of one scenario id, or the latest ``limit``."""
        if limit is not None and limit < 0:
            raise ValueError(f"limit must be 0 or more, got {limit}")
        where = "WHERE scenario_id = ?" if scenario_id is not None else ""
        bound = f"LIMIT {int(limit)}" if limit is not None else ""
        with self.connect(read_only=True) as con:
            rows = con.execute(
                f"SELECT {_RECORD_COLUMNS} FROM runs {where} ORDER BY created_at DESC, run_id {bound}",
                [scenario_id] if scenario_id is not None else [],
            ).fetchall()
        return [_to_record(row) for row in rows]

    def delete_run(self, run_id: str) -> RunRecord:
        """Remove one run (any unique start of its id) and its tables; a run that a sweep
        recorded stays as long as the sweep does, so the sweep keeps every variant."""
        self.resolve(run_id)  # read-only first: a store with no such run is not opened for writing
        with self.connect() as con:
            full = self._resolve(con, run_id)
            sweeps = [
                r[0]
                for r in con.execute(
                    "SELECT DISTINCT sweep_id FROM sweep_tasks WHERE run_id = ?", [full]
                ).fetchall()
            ]
            if sweeps:
                raise StoreError(
                    f"run {full} is a variant of sweep {sweeps[0]} and stays with it; "
                    "`pivotal sweep-show` shows the sweep"
                )
            record = _to_record(
                con.execute(f"SELECT {_RECORD_COLUMNS} FROM runs WHERE run_id = ?", [full]).fetchone()
            )
            con.execute("BEGIN TRANSACTION")  # all of the run goes, or none of it
            try:
                for table in ("run_results", "run_periods", "runs"):
                    con.execute(f"DELETE FROM {table} WHERE run_id = ?", [full])
                con.execute("COMMIT")
            except BaseException:
                _roll_back(con)
                raise
        return record

    def resolve(self, run_id: str | None) -> str:
        """The full id of the one run whose id starts with ``run_id``; the latest run's for None."""
        if run_id is None:
            latest = self.list_runs(limit=1)
            if not latest:
                raise RunNotFoundError(f"no runs recorded yet in {self.path}; `pivotal run` records one")
            return latest[0].run_id
        with self.connect(read_only=True) as con:
            return self._resolve(con, run_id)

    def _resolve(self, con: duckdb.DuckDBPyConnection, run_id: str) -> str:
        prefix = run_id.strip()
        if not prefix:
            raise RunNotFoundError("no run id given")
        matches = [
            r[0]
            for r in con.execute(
                "SELECT run_id FROM runs WHERE starts_with(run_id, ?) ORDER BY run_id", [prefix]
            ).fetchall()
        ]
        if not matches:
            raise RunNotFoundError(f"no run with id {prefix!r}; `pivotal runs` lists them")
        if len(matches) > 1:
            raise RunNotFoundError(
                f"{len(matches)} runs start with {prefix!r} ({', '.join(matches[:5])}); give more of the id"
            )
        return matches[0]

    def get(self, run_id: str) -> StoredRun:
        """One run and its per-period summary (wide, as :func:`summarise` returns it)."""
        with self.connect(read_only=True) as con:
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

    def record_analysis(
        self,
        *,
        kind: str,
        scenario_id: str,
        scenario_hash: str,
        draws: int,
        seed: int | None,
        settings: dict[str, Any],
        result: dict[str, Any],
    ) -> str:
        """Keep a score, what-if or sensitivity result (its JSON content) so reports can show it."""
        with self.connect() as con:
            return insert_analysis(
                con,
                kind=kind,
                scenario_id=scenario_id,
                scenario_hash=scenario_hash,
                draws=draws,
                seed=seed,
                settings=settings,
                result=result,
            )

    def list_analyses(self) -> list[AnalysisRecord]:
        """Every recorded analysis, latest first."""
        with self.connect(read_only=True) as con:
            return select_all_analyses(con)

    def get_analysis(self, analysis_id: str) -> AnalysisRecord:
        """One analysis by id or any unique start of one."""
        with self.connect(read_only=True) as con:
            return find_analysis(con, analysis_id)

    def delete_analysis(self, analysis_id: str) -> AnalysisRecord:
        """Remove one analysis (any unique start of its id); reports then show the one before it."""
        with self.connect() as con:
            return delete_analysis(con, analysis_id)

    def record_fit(
        self,
        *,
        method: str,
        terms: list[str],
        scenarios: dict[str, str],
        settings: dict[str, Any],
        result: dict[str, Any],
    ) -> str:
        """Keep a fit (:mod:`pivotal.store.fits`)."""
        with self.connect() as con:
            return insert_fit(
                con, method=method, terms=terms, scenarios=scenarios, settings=settings, result=result
            )

    def list_fits(self) -> list[FitRecord]:
        """Every recorded fit, latest first."""
        with self.connect(read_only=True) as con:
            return select_fits(con)

    def get_fit(self, fit_id: str) -> FitRecord:
        """One fit by id or any unique start of one."""
        with self.connect(read_only=True) as con:
            return find_fit(con, fit_id)

    def analyses_for(self, scenario_hash: str) -> list[AnalysisRecord]:
        """Analyses of the scenario content with this hash, latest first."""
        with self.connect(read_only=True) as con:
            return select_analyses(con, scenario_hash)

    def start_sweep(
        self,
        *,
        scenario_id: str,
        scenario_hash: str,
        spec: dict[str, Any],
        seed: int,
        draws: int,
        address: str,
        variants: int,
    ) -> str:
        """Record a sweep as running before its tasks are submitted; returns its id.

        This process holds the sweep's lease (a lock file beside the store) until
        :meth:`finish_sweep`.  The operating system lets go of it when the process ends
        however it ends, so a sweep whose process was killed reads as 'interrupted'.
        """
        sweep_id = uuid.uuid4().hex[:12]
        created = datetime.now(UTC).replace(tzinfo=None)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lease = _sweep_lease(self.path, sweep_id)
        lease.acquire(timeout=0)
        try:
            with self.connect() as con:
                _mark_abandoned_sweeps(con, self.path)
                con.execute(
                    "INSERT INTO sweeps VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'running')",
                    [
                        sweep_id,
                        created,
                        scenario_id,
                        scenario_hash,
                        json.dumps(spec),
                        seed,
                        draws,
                        address,
                        variants,
                    ],
                )
        except BaseException:
            _let_go(lease)
            raise
        self._leases[sweep_id] = lease
        return sweep_id

    def record_failed_task(self, task: SweepTask) -> None:
        """Keep a variant that failed for good, with its error, so it is never silently lost."""
        with self.connect() as con:
            _insert_task(con, task, None)

    def finish_sweep(self, sweep_id: str, status: str) -> None:
        """Mark a sweep 'done', 'failed' (some variants failed) or 'interrupted', and give up its lease."""
        try:
            with self.connect() as con:
                con.execute("UPDATE sweeps SET status = ? WHERE sweep_id = ?", [status, sweep_id])
        finally:
            lease = self._leases.pop(sweep_id, None)
            if lease is not None:
                _let_go(lease)

    def list_sweeps(self) -> list[SweepRecord]:
        """All sweeps, newest first."""
        with self.connect(read_only=True) as con:
            rows = con.execute(
                f"SELECT {_SWEEP_QUERY} GROUP BY ALL ORDER BY s.created_at DESC, s.sweep_id"
            ).fetchall()
            return [self._to_sweep(row) for row in rows]  # inside: see _to_sweep

    def get_sweep(self, sweep_id: str, periods: tuple[int, int] | None = None) -> StoredSweep:
        """One sweep and its variants; metrics are averaged over the years ``periods`` (first and
        last, the episodes of each included; default: all)."""
        with self.connect(read_only=True) as con:
            full_id = self._resolve_sweep(con, sweep_id)
            row = con.execute(
                f"SELECT {_SWEEP_QUERY} WHERE s.sweep_id = ? GROUP BY ALL", [full_id]
            ).fetchone()
            rows = con.execute(
                "SELECT task_index, settings_json, run_id, status, attempts, error FROM sweep_tasks "
                "WHERE sweep_id = ? ORDER BY task_index",
                [full_id],
            ).fetchall()
            first, last = periods or (-(2**31), 2**31 - 2)
            means = con.execute(
                "SELECT t.task_index, r.metric, avg(r.mean) AS value FROM sweep_tasks t "
                "JOIN run_results r ON r.run_id = t.run_id "
                "WHERE t.sweep_id = ? AND r.period >= ? AND r.period < ? GROUP BY ALL",
                [full_id, first, last + 1],
            ).df()
            record = None if row is None else self._to_sweep(row)  # inside: see _to_sweep
        if record is None:
            raise StoreError(f"sweep {full_id} vanished while being read")
        # Built from Python rows so a failed task's run id and attempts stay None, not NaN.
        tasks = pd.DataFrame(
            [(index, json.loads(settings), *rest) for index, settings, *rest in rows],
            columns=["task_index", "settings", "run_id", "status", "attempts", "error"],
            dtype=object,
        )
        tasks["task_index"] = tasks["task_index"].astype(int)
        if not means.empty:
            wide = means.pivot(index="task_index", columns="metric", values="value").reset_index()
            tasks = tasks.merge(wide, on="task_index", how="left")
        return StoredSweep(record, tasks)

    def _to_sweep(self, row: tuple) -> SweepRecord:
        """A sweep's record; one still 'running' whose lease nobody holds had its process killed.

        Called while the store is held: :meth:`finish_sweep` gives up a lease only after its
        update, so a live sweep's row cannot read 'running' here after its lease is gone.
        """
        record = _to_sweep(row)
        abandoned = (
            record.status == "running"
            and record.sweep_id not in self._leases
            and _lease_abandoned(self.path, record.sweep_id)
        )
        return replace(record, status="interrupted") if abandoned else record

    def _resolve_sweep(self, con: duckdb.DuckDBPyConnection, sweep_id: str) -> str:
        prefix = sweep_id.strip()
        if not prefix:
            raise SweepNotFoundError("no sweep id given")
        matches = [
            r[0]
            for r in con.execute(
                "SELECT sweep_id FROM sweeps WHERE starts_with(sweep_id, ?) ORDER BY sweep_id", [prefix]
            ).fetchall()
        ]
        if not matches:
            raise SweepNotFoundError(f"no sweep with id {prefix!r}; `pivotal sweeps` lists them")
        if len(matches) > 1:
            raise SweepNotFoundError(
                f"{len(matches)} sweeps start with {prefix!r} ({', '.join(matches[:5])}); give more of the id"
            )
        return matches[0]


def _insert_run(con: duckdb.DuckDBPyConnection, run_id: str, created: datetime, run: NewRun) -> None:
    """One run's rows, inside the caller's transaction."""
    summary = run.summary
    periods = summary.loc[:, list(PERIOD_COLUMNS)].copy()
    periods["period"] = periods["period"].astype(float)
    periods.insert(0, "run_id", run_id)
    results = pd.concat(
        [
            pd.DataFrame(
                {
                    "run_id": run_id,
                    "period": summary["period"].astype(float),
                    "metric": name,
                    "mean": summary[name].astype(float),
                    "low": summary[f"{name}_low"].astype(float),
                    "high": summary[f"{name}_high"].astype(float),
                }
            )
            for name in run.metrics
        ],
        ignore_index=True,
    )
    con.execute(
        "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            run_id,
            created,
            run.scenario_id,
            run.scenario_title,
            run.scenario_hash,
            run.scenario_json,
            run.draws,
            run.seed,
            run.use_record,
            run.package_version,
            json.dumps(run.settings),
        ],
    )
    con.register("new_periods", periods)
    con.execute("INSERT INTO run_periods SELECT * FROM new_periods")
    con.unregister("new_periods")
    con.register("new_results", results)
    con.execute("INSERT INTO run_results SELECT * FROM new_results")
    con.unregister("new_results")


def _roll_back(con: duckdb.DuckDBPyConnection) -> None:
    """Undo the open transaction; when the failure already ended it, say nothing, so the error
    that matters (a full disk, say) is the one raised."""
    with contextlib.suppress(duckdb.Error):
        con.execute("ROLLBACK")


def _readable(connection: duckdb.DuckDBPyConnection, statements: tuple[str, ...]) -> None:
    """Make a read-only connection answer every query of this release without writing the file.

    Tables the file lacks (a store of an earlier release, or one no document was ever added to)
    are made as empty temporary tables of this connection; a store of a later release is refused.
    """
    tables = {
        name
        for (name,) in connection.execute(
            "SELECT table_name FROM duckdb_tables() WHERE NOT temporary"
        ).fetchall()
    }
    for statement in statements:
        if _table_name(statement) not in tables:
            temporary = statement.replace("CREATE TABLE IF NOT EXISTS", "CREATE TEMP TABLE IF NOT EXISTS", 1)
            connection.execute(temporary)
    version = _stored_version(connection) if "store_info" in tables else None
    if version is not None and version > SCHEMA_VERSION:
        raise StoreError(
            f"the run store was written by a later release of pivotal (schema version "
            f"{version}, this release reads up to {SCHEMA_VERSION}); upgrade pivotal to open it"
        )


def _table_name(statement: str) -> str:
    return re.search(r"CREATE TABLE IF NOT EXISTS\s+(\w+)", statement).group(1)  # type: ignore[union-attr]


def _stored_version(connection: duckdb.DuckDBPyConnection) -> int | None:
    rows = connection.execute("SELECT value FROM store_info WHERE key = 'schema_version'").fetchall()
    return int(rows[0][0]) if rows and str(rows[0][0]).isdigit() else None


@contextmanager
def _with_schema(
    connection: duckdb.DuckDBPyConnection, statements: tuple[str, ...] = SCHEMA
) -> Iterator[duckdb.DuckDBPyConnection]:
    """The connection with every table created, closed on the way out."""
    try:
        for statement in statements:
            connection.execute(statement)
        _check_version(connection)
        _period_keys(connection)
        yield connection
    finally:
        connection.close()


def _check_version(connection: duckdb.DuckDBPyConnection) -> None:
    """Write this release's schema version into a store that has none; refuse a newer store."""
    rows = connection.execute("SELECT value FROM store_info WHERE key = 'schema_version'").fetchall()
    row = rows[0] if rows else None
    if row is None:  # a new store, or one of 0.1.0: the latter is stamped 3 once its periods are keys
        version = 2 if _year_tables(connection) else SCHEMA_VERSION
        connection.execute("INSERT INTO store_info VALUES ('schema_version', ?)", [str(version)])
        return
    found = int(row[0]) if str(row[0]).isdigit() else None
    if found is None or found > SCHEMA_VERSION:
        connection.close()
        raise StoreError(
            f"the run store was written by a later release of pivotal (schema version "
            f"{row[0]}, this release reads up to {SCHEMA_VERSION}); upgrade pivotal to open it"
        )


def _period_keys(connection: duckdb.DuckDBPyConnection) -> None:
    """Bring a store of version 2 or earlier to version 3: its period columns become ``DOUBLE``.

    DuckDB cannot change the type of a key column, so each table is copied into a new one and
    renamed, all in one transaction: a failure leaves the store as it was.
    """
    old = _year_tables(connection)
    if not old:
        return
    connection.execute("BEGIN TRANSACTION")
    try:
        for table in old:
            create = next(s for s in SCHEMA if _table_name(s) == table)
            connection.execute(create.replace(f"EXISTS {table}", f"EXISTS {table}_v3", 1))
            connection.execute(f"INSERT INTO {table}_v3 SELECT * FROM {table}")
            connection.execute(f"DROP TABLE {table}")
            connection.execute(f"ALTER TABLE {table}_v3 RENAME TO {table}")
        connection.execute(
            "UPDATE store_info SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION)]
        )
        connection.execute("COMMIT")
    except BaseException:
        _roll_back(connection)
        raise


def _year_tables(connection: duckdb.DuckDBPyConnection) -> list[str]:
    """The tables whose ``period`` column still holds whole years only (``INTEGER``, before version 3)."""
    return [
        table
        for table in PERIOD_TABLES
        if connection.execute(
            "SELECT data_type FROM duckdb_columns() WHERE table_name = ? AND column_name = 'period' "
            "AND database_name = current_database()",
            [table],
        ).fetchone()
        == ("INTEGER",)
    ]


def schema_version(path: str | Path) -> int | None:
    """The schema version recorded in a store file, None for a store from before versions (0.1.0)."""
    with contextlib.closing(duckdb.connect(str(path), read_only=True)) as connection:
        tables = {
            name
            for (name,) in connection.execute("SELECT table_name FROM information_schema.tables").fetchall()
        }
        if "store_info" not in tables:
            return None
        row = connection.execute("SELECT value FROM store_info WHERE key = 'schema_version'").fetchone()
        return None if row is None else int(row[0])


@functools.cache
def _file_lock(path: str) -> FileLock:
    """One lock object per store file in this process: reentrant in a thread, exclusive across threads."""
    return FileLock(f"{path}.lock", thread_local=True)


def _sweep_lease(store: Path, sweep_id: str) -> FileLock:
    """The lock file a running sweep's process holds; the operating system frees it when the process ends."""
    return FileLock(f"{store}.sweep-{sweep_id}.lock", thread_local=False)


def _let_go(lease: FileLock) -> None:
    """Release a lease and remove its file; a file that cannot be removed (held open elsewhere) stays."""
    lease.release()
    with contextlib.suppress(OSError):
        Path(lease.lock_file).unlink()


def _lease_abandoned(store: Path, sweep_id: str) -> bool:
    """True when no process holds the sweep's lease (its lock file is free or gone)."""
    lease = _sweep_lease(store, sweep_id)
    try:
        lease.acquire(timeout=0)
    except (Timeout, OSError):  # held, or a folder this process may not write to: cannot tell
        return False
    _let_go(lease)
    return True


def _mark_abandoned_sweeps(con: duckdb.DuckDBPyConnection, store: Path) -> None:
    """Write 'interrupted' for good on sweeps whose process was killed, so readers stop asking."""
    for (sweep_id,) in con.execute("SELECT sweep_id FROM sweeps WHERE status = 'running'").fetchall():
        if _lease_abandoned(store, sweep_id):
            con.execute("UPDATE sweeps SET status = 'interrupted' WHERE sweep_id = ?", [sweep_id])


def _insert_task(con: duckdb.DuckDBPyConnection, task: SweepTask, run_id: str | None) -> None:
    con.execute(
        "INSERT INTO sweep_tasks VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            task.sweep_id,
            task.task_index,
            json.dumps(task.settings),
            run_id,
            task.status,
            task.attempts,
            task.error,
        ],
    )


_SWEEP_QUERY = (
    "s.sweep_id, s.created_at, s.scenario_id, s.scenario_hash, s.spec_json, s.seed, s.draws, "
    "s.address, s.variants, s.status, count(t.task_index) FILTER (WHERE t.status = 'done'), "
    "count(t.task_index) FILTER (WHERE t.status = 'failed') "
    "FROM sweeps s LEFT JOIN sweep_tasks t ON t.sweep_id = s.sweep_id"
)


def _to_sweep(row: tuple) -> SweepRecord:
    return SweepRecord(
        sweep_id=row[0],
        created_at=row[1],
        scenario_id=row[2],
        scenario_hash=row[3],
        spec=json.loads(row[4]),
        seed=int(row[5]),
        draws=int(row[6]),
        address=row[7],
        variants=int(row[8]),
        status=row[9],
        done=int(row[10]),
        failed=int(row[11]),
    )


_RECORD_COLUMNS = (
    "run_id, created_at, scenario_id, scenario_title, scenario_hash, draws, seed, use_record, "
    "package_version, settings_json"
)


def _to_record(row: tuple) -> RunRecord:
    return RunRecord(
        run_id=row[0],
        created_at=row[1],
        scenario_id=row[2],
        scenario_title=row[3],
        scenario_hash=row[4],
        draws=int(row[5]),
        seed=None if row[6] is None else int(row[6]),
        use_record=bool(row[7]),
        package_version=row[8],
        settings=json.loads(row[9]),
    )


def period_column(periods: pd.Series) -> pd.Series:
    """Period keys as read from the store, as a run's summary has them: whole years as integers,
    and beside episodes' decimal keys (see :mod:`pivotal.scenario.timeline`) in a column of both."""
    numbers = periods.astype(float)
    if (numbers % 1 == 0).all():
        return numbers.astype("int64")
    keys = [int(n) if n.is_integer() else round(n, 4) for n in numbers]
    return pd.Series(keys, index=periods.index, dtype=object)


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
    merged["period"] = period_column(merged["period"])
    head = [c for c in PERIOD_COLUMNS if not c.startswith("observed")]
    observed = [c for c in PERIOD_COLUMNS if c.startswith("observed")]
    rest = [c for c in merged.columns if c not in PERIOD_COLUMNS]
    return merged[head + rest + observed]
