"""Named migrations that bring a store of any earlier release up to this one's tables.

Each migration is applied once per store, in the order listed, and recorded by name in the
table ``store_migrations``.  The first time a store is written to, every migration it has not
recorded is applied, in one transaction with the record of it: a failure leaves the store as it
was.  Reading a store never migrates it.

Stores written before ``store_migrations`` existed (release 0.7 and earlier) recorded nothing,
so every migration is written to look at the store first and do only what is missing: tables
are created if absent, in their current shape (:mod:`pivotal.store.schema`), and a change to an
existing table checks that it is still to be made.  A new migration goes at the end of the list
under a new name; one already released is never renamed, reordered or removed.

``store_info.schema_version`` is kept for the releases before this one, which read it and
refuse a store whose version is above theirs.  Each migration says the version a store has once
it is applied: an additive change that older releases can read through (a new table) keeps the
version, a change they cannot read raises it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

from pivotal.store.errors import StoreError
from pivotal.store.schema import (
    ANALYSES,
    FITS,
    RUN_PERIODS,
    RUN_RESULTS,
    RUNS,
    STORE_INFO,
    STORE_MIGRATIONS,
    SWEEP_TASKS,
    SWEEPS,
    Table,
)
from pivotal.store.transaction import transaction


@dataclass(frozen=True)
class Migration:
    """A named change to the store; ``version`` is the store's schema version once it is applied."""

    name: str
    version: int
    apply: Callable[[duckdb.DuckDBPyConnection], None]


def _create(*tables: Table) -> Callable[[duckdb.DuckDBPyConnection], None]:
    """A migration that creates tables a store lacks."""

    def create(connection: duckdb.DuckDBPyConnection) -> None:
        for table in tables:
            connection.execute(table.create())

    return create


def _period_keys_double(connection: duckdb.DuckDBPyConnection) -> None:
    """Period columns holding whole years (``INTEGER``, before release 0.6) become ``DOUBLE`` keys
    that can name an episode.  DuckDB cannot change the type of a key column, so each such table
    is copied into a new one of the current shape, by column name, and takes the old one's name."""
    for table in (RUN_PERIODS, RUN_RESULTS):
        if column_types(connection, table.name).get("period") != "INTEGER":
            continue
        copy = dataclasses.replace(table, name=f"{table.name}_v3")
        kept = tuple(name for name in column_types(connection, table.name) if name in table.column_names)
        connection.execute(copy.create())
        connection.execute(copy.insert_from(table.name, columns=kept))
        connection.execute(f"DROP TABLE {table.name}")
        connection.execute(f"ALTER TABLE {copy.name} RENAME TO {table.name}")


#: Every migration, in the order they are applied.  Append only.
MIGRATIONS = (
    # The tables of release 0.1.0, the first to keep a store.
    Migration("0001_run_tables", 1, _create(RUNS, RUN_PERIODS, RUN_RESULTS, SWEEPS, SWEEP_TASKS, ANALYSES)),
    # Release 0.2.0: the store says which version of its tables it holds.
    Migration("0002_store_info", 2, _create(STORE_INFO)),
    # Release 0.6.0: a period is a key that can name an episode, not only a year.
    Migration("0003_period_keys_double", 3, _period_keys_double),
    # Release 0.8.0: fits of the game's coefficients; older releases read the store as before.
    Migration("0004_fits_table", 3, _create(FITS)),
)

#: The schema version of a store this release has written (older releases read it).
SCHEMA_VERSION = max(migration.version for migration in MIGRATIONS)


def migrate(connection: duckdb.DuckDBPyConnection) -> None:
    """Apply, in one transaction, every migration the store has not recorded, and record them.

    A store written by a later release is refused before anything is written.  Names recorded
    that this release does not know are a later release's additive changes, and are left alone.
    """
    refuse_later_release(connection)
    pending = pending_migrations(connection)
    if not pending:
        return
    with transaction(connection):
        connection.execute(STORE_MIGRATIONS.create())
        for migration in pending:
            migration.apply(connection)
            applied = datetime.now(UTC).replace(tzinfo=None)
            connection.execute(*STORE_MIGRATIONS.insert_row({"name": migration.name, "applied_at": applied}))
        version = {"key": "schema_version", "value": str(SCHEMA_VERSION)}
        connection.execute(*STORE_INFO.insert_row(version, verb="INSERT OR REPLACE"))


def pending_migrations(connection: duckdb.DuckDBPyConnection) -> list[Migration]:
    """The migrations not recorded in the store, in order (all of them for a store without a record)."""
    if STORE_MIGRATIONS.name not in stored_tables(connection):
        return list(MIGRATIONS)
    recorded = {name for (name,) in connection.execute("SELECT name FROM store_migrations").fetchall()}
    return [migration for migration in MIGRATIONS if migration.name not in recorded]


def refuse_later_release(connection: duckdb.DuckDBPyConnection) -> None:
    """Raise when the store's schema version is one this release cannot read (or is not a number)."""
    if STORE_INFO.name not in stored_tables(connection):
        return
    rows = connection.execute("SELECT value FROM store_info WHERE key = 'schema_version'").fetchall()
    if not rows:
        return
    found = str(rows[0][0])
    if not found.isdigit() or int(found) > SCHEMA_VERSION:
        raise StoreError(
            f"the run store was written by a later release of pivotal (schema version "
            f"{found}, this release reads up to {SCHEMA_VERSION}); upgrade pivotal to open it"
        )


def stored_tables(connection: duckdb.DuckDBPyConnection) -> set[str]:
    """The tables of the store's file (not a connection's temporary ones)."""
    rows = connection.execute(
        "SELECT table_name FROM duckdb_tables() WHERE NOT temporary AND database_name = current_database()"
    ).fetchall()
    return {name for (name,) in rows}


def column_types(connection: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    """A stored table's columns in their order in the file, with their types."""
    rows = connection.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ? "
        "AND database_name = current_database() ORDER BY column_index",
        [table],
    ).fetchall()
    return dict(rows)
