"""The store's database file: the one place that opens it, takes turns at it and migrates it.

DuckDB allows one writing process at a time; pivotal's processes and threads also take turns on
a lock file beside the store before DuckDB opens it at all, so none ever meets a file another
is still creating or writing, and one that waits too long fails with a clear message rather than
corrupting anything.  A writer's connection has every table, the store being migrated first
(:mod:`pivotal.store.migrations`); a reader's never writes to the file.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
from filelock import FileLock, Timeout

from pivotal.store.errors import StoreBusyError, StoreError
from pivotal.store.migrations import migrate, refuse_later_release, stored_tables
from pivotal.store.schema import RUN_TABLES, Table


@dataclass(frozen=True)
class Database:
    """The store's DuckDB file.

    Parameters
    ----------
    path : the file.
    lock_timeout : seconds to wait for another process's turn before failing.
    """

    path: Path
    lock_timeout: float

    @contextmanager
    def connect(
        self, read_only: bool = False, tables: Sequence[Table] = ()
    ) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection with every run table and ``tables`` (another part's, kept in the same file).

        A writer's store is migrated and then given any of ``tables`` it lacks.  A reader opens
        the file read-only (so a damaged file is only ever read), and tables it lacks are empty
        temporary tables of the connection.  Errors of the file become one :class:`StoreError`.
        """
        if read_only and not self.path.exists():  # nothing recorded yet: an empty store, in memory
            with _closing(duckdb.connect(":memory:")) as connection:
                _prepare(connection, tables)
                yield connection
            return
        self.check_location()
        deadline = time.monotonic() + self.lock_timeout
        try:
            with self._turn(deadline, read_only), _closing(self._open(deadline, read_only)) as connection:
                if read_only:
                    _readable(connection, (*RUN_TABLES, *tables))
                else:
                    _prepare(connection, tables)
                yield connection
        except duckdb.Error as err:
            raise self._damaged(err) from err

    def check_location(self) -> None:
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
        self.check_location()
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

        The lock is reentrant within a thread.  A reader in a folder it cannot write goes on
        without the lock (no pivotal process can be writing there either).
        """
        lock = file_lock(str(self.path))
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

    def _open(self, deadline: float, read_only: bool = False) -> duckdb.DuckDBPyConnection:
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


def _prepare(connection: duckdb.DuckDBPyConnection, tables: Sequence[Table]) -> None:
    """A writer's connection: the store migrated, then given any table it lacks, its own or
    another part's ``tables`` (a table dropped or never made since its migration was recorded is
    made again, empty, as it would be in a new store)."""
    migrate(connection)
    for table in (*RUN_TABLES, *tables):
        connection.execute(table.create())


def _readable(connection: duckdb.DuckDBPyConnection, tables: Sequence[Table]) -> None:
    """Make a read-only connection answer every query of this release without writing the file.

    Tables the file lacks (a store of an earlier release, or one no document was ever added to)
    are made as empty temporary tables of this connection; a store of a later release is refused.
    """
    refuse_later_release(connection)
    present = stored_tables(connection)
    for table in tables:
        if table.name not in present:
            connection.execute(table.create(temporary=True))


@contextmanager
def _closing(connection: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    try:
        yield connection
    finally:
        connection.close()


@functools.cache
def file_lock(path: str) -> FileLock:
    """One lock object per store file in this process: reentrant in a thread, exclusive across threads."""
    return FileLock(f"{path}.lock", thread_local=True)
