"""The run store: every run recorded in an embedded DuckDB database.

A run is written in one transaction after it has finished computing, so an
interrupted run leaves no partial record: either every row of it is there, or
none is.  Opening the file, taking turns at it with other processes and bringing an
older store up to date are :class:`~pivotal.store.database.Database`'s; the tables are
declared in :mod:`pivotal.store.schema`.
"""

from __future__ import annotations

import contextlib
import json
import math
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

from pivotal.store import database, migrations, transaction
from pivotal.store.analyses import (
    AnalysisRecord,
    delete_analysis,
    find_analysis,
    insert_analysis,
    select_all_analyses,
    select_analyses,
)
from pivotal.store.database import Database
from pivotal.store.errors import RunNotFoundError, StoreError
from pivotal.store.fits import FitRecord, find_fit, insert_fit, select_fits
from pivotal.store.migrations import stored_tables
from pivotal.store.paths import default_lock_timeout, default_store_path
from pivotal.store.schema import (
    RUN_PERIODS,
    RUN_RESULTS,
    RUN_TABLES,
    RUNS,
    STORE_INFO,
    STORE_MIGRATIONS,
    SWEEP_TASKS,
    SWEEPS,
    Table,
)

#: The run tables' ``CREATE`` statements, as :mod:`pivotal.store.schema` declares them (kept for
#: code that read them here; the store itself creates its tables from the registry).
SCHEMA = tuple(table.create() for table in RUN_TABLES)

#: Tables whose ``period`` column held whole years (``INTEGER``) before schema version 3 (kept for
#: code that read them here; migration ``0003_period_keys_double`` has its own list).
PERIOD_TABLES = (RUN_PERIODS.name, RUN_RESULTS.name)

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

    @property
    def database(self) -> Database:
        """The store's file, which alone opens, locks and migrates it."""
        return Database(self.path, self.lock_timeout)

    @contextmanager
    def connect(
        self, read_only: bool = False, schema: tuple[Table, ...] = ()
    ) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection to the store, with every run table and those of ``schema`` (the tables of
        another part that keeps its records in the same file, as the evidence store does).

        ``read_only`` access never writes to the file: it is opened read-only (so a damaged file
        is only ever read), and tables it lacks are empty temporary tables of the connection.
        A writer's store is first brought up to date (:mod:`pivotal.store.migrations`). Errors of
        the file become one :class:`StoreError`.
        """
        with self.database.connect(read_only=read_only, tables=schema) as connection:
            yield connection

    def patient(self) -> RunStore:
        """The same store, waiting as long as it takes for another process to let go of it: for
        writing results already computed, which must not be thrown away for want of the lock."""
        return RunStore(self.path, lock_timeout=math.inf)

    def check_writable(self) -> None:
        """Fail now, before any work, if results could not be recorded in this store."""
        self.database.check_writable()

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
        with self.connect() as con, transaction.transaction(con):
            for run_id, run in tables:
                _insert_run(con, run_id, created, run)
            if sweep_task is not None:
                _insert_task(con, sweep_task, tables[0][0])
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
            row = con.execute(f"SELECT {_RECORD_COLUMNS} FROM runs WHERE run_id = ?", [full]).fetchone()
            if row is None:  # _resolve found it in this same connection, with the store held
                raise StoreError(f"run {full} vanished while being removed")
            record = _to_record(row)
            with transaction.transaction(con):  # all of the run goes, or none of it
                for table in (RUN_RESULTS, RUN_PERIODS, RUNS):
                    con.execute(f"DELETE FROM {table.name} WHERE run_id = ?", [full])
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
                row = {
                    "sweep_id": sweep_id,
                    "created_at": created,
                    "scenario_id": scenario_id,
                    "scenario_hash": scenario_hash,
                    "spec_json": json.dumps(spec),
                    "seed": seed,
                    "draws": draws,
                    "address": address,
                    "variants": variants,
                    "status": "running",
                }
                con.execute(*SWEEPS.insert_row(row))
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
    row = {
        "run_id": run_id,
        "created_at": created,
        "scenario_id": run.scenario_id,
        "scenario_title": run.scenario_title,
        "scenario_hash": run.scenario_hash,
        "scenario_json": run.scenario_json,
        "draws": run.draws,
        "seed": run.seed,
        "use_record": run.use_record,
        "package_version": run.package_version,
        "settings_json": json.dumps(run.settings),
    }
    con.execute(*RUNS.insert_row(row))
    con.register("new_periods", periods)
    con.execute(RUN_PERIODS.insert_from("new_periods"))
    con.unregister("new_periods")
    con.register("new_results", results)
    con.execute(RUN_RESULTS.insert_from("new_results"))
    con.unregister("new_results")


def schema_version(path: str | Path) -> int | None:
    """The schema version recorded in a store file, None for a store from before versions (0.1.0)."""
    with contextlib.closing(duckdb.connect(str(path), read_only=True)) as connection:
        if STORE_INFO.name not in stored_tables(connection):
            return None
        row = connection.execute("SELECT value FROM store_info WHERE key = 'schema_version'").fetchone()
        return None if row is None else int(row[0])


def applied_migrations(path: str | Path) -> list[str]:
    """The names of the migrations recorded in a store file, in the order they were applied."""
    with contextlib.closing(duckdb.connect(str(path), read_only=True)) as connection:
        if STORE_MIGRATIONS.name not in stored_tables(connection):
            return []
        rows = connection.execute("SELECT name FROM store_migrations ORDER BY applied_at, name").fetchall()
        return [name for (name,) in rows]


#: Kept here for code that reached them here before they had modules of their own.
SCHEMA_VERSION = migrations.SCHEMA_VERSION
_file_lock = database.file_lock
_roll_back = transaction.roll_back


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
    row = {
        "sweep_id": task.sweep_id,
        "task_index": task.task_index,
        "settings_json": json.dumps(task.settings),
        "run_id": run_id,
        "status": task.status,
        "attempts": task.attempts,
        "error": task.error,
    }
    con.execute(*SWEEP_TASKS.insert_row(row))


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
