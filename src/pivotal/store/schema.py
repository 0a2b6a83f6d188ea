"""Every table of the store's file, each declared once: its columns in order and its key.

The ``CREATE`` statements and the column list of every ``INSERT`` are generated from these
declarations, so a row is always written by column name and the order of a table's columns in
a file (which an older release may have made differently) never matters.  A table's shape here
is its shape in a new store; how an older store reaches it is :mod:`pivotal.store.migrations`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Column:
    """One column: its name, its DuckDB type as DuckDB reports it, and its constraints."""

    name: str
    type: str
    not_null: bool = False
    unique: bool = False

    def definition(self) -> str:
        parts = [quote(self.name), self.type]
        if self.not_null:
            parts.append("NOT NULL")
        if self.unique:
            parts.append("UNIQUE")
        return " ".join(parts)


def required(name: str, type_: str, *, unique: bool = False) -> Column:
    """A column that must have a value."""
    return Column(name, type_, not_null=True, unique=unique)


def optional(name: str, type_: str) -> Column:
    """A column that may be empty (NULL)."""
    return Column(name, type_)


@dataclass(frozen=True)
class Table:
    """A table: its name, its columns in order and the columns of its primary key."""

    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        names = self.column_names
        if len(set(names)) != len(names):
            raise ValueError(f"table {self.name} names a column twice")
        if not set(self.primary_key) <= set(names):
            raise ValueError(f"the key of table {self.name} names a column it does not have")

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    def create(self, *, temporary: bool = False) -> str:
        """``CREATE TABLE IF NOT EXISTS``; a temporary table of the connection with ``temporary``."""
        lines = [column.definition() for column in self.columns]
        if self.primary_key:
            lines.append(f"PRIMARY KEY ({_list(self.primary_key)})")
        kind = "TEMP TABLE" if temporary else "TABLE"
        return f"CREATE {kind} IF NOT EXISTS {self.name} ({', '.join(lines)})"

    def insert_row(self, row: Mapping[str, Any], verb: str = "INSERT") -> tuple[str, list[Any]]:
        """An insert of one row given by column name (columns left out take NULL): the statement
        and its parameters, for ``connection.execute(*table.insert_row(...))``."""
        unknown = sorted(set(row) - set(self.column_names))
        if unknown:
            raise ValueError(f"table {self.name} has no column {', '.join(unknown)}")
        placeholders = ", ".join("?" * len(row))
        return f"{verb} INTO {self.name} ({_list(tuple(row))}) VALUES ({placeholders})", list(row.values())

    def insert_from(self, source: str, verb: str = "INSERT", columns: tuple[str, ...] | None = None) -> str:
        """An insert of every row of ``source`` (a registered data frame or a table), by column
        name; ``columns`` limits it to those (the rest take their default, NULL)."""
        names = _list(self.column_names if columns is None else columns)
        return f"{verb} INTO {self.name} ({names}) SELECT {names} FROM {source}"


def quote(name: str) -> str:
    """A column name as SQL reads it whatever it is (``pivot`` is a DuckDB keyword)."""
    return '"' + name.replace('"', '""') + '"'


def _list(names: tuple[str, ...]) -> str:
    return ", ".join(quote(name) for name in names)


# ---- runs -------------------------------------------------------------------------------------

RUNS = Table(
    "runs",
    (
        required("run_id", "VARCHAR"),
        required("created_at", "TIMESTAMP"),
        required("scenario_id", "VARCHAR"),
        required("scenario_title", "VARCHAR"),
        required("scenario_hash", "VARCHAR"),
        required("scenario_json", "VARCHAR"),
        required("draws", "BIGINT"),
        optional("seed", "BIGINT"),
        required("use_record", "BOOLEAN"),
        required("package_version", "VARCHAR"),
        required("settings_json", "VARCHAR"),
    ),
    primary_key=("run_id",),
)

#: One row per period of a run: who held each role and what the record says happened.  A
#: period is a ``DOUBLE`` so it can name an episode (:mod:`pivotal.scenario.timeline`), not
#: only a year.
RUN_PERIODS = Table(
    "run_periods",
    (
        required("run_id", "VARCHAR"),
        required("period", "DOUBLE"),
        optional("pivot", "VARCHAR"),
        optional("challenger", "VARCHAR"),
        optional("target", "VARCHAR"),
        required("belief_source", "VARCHAR"),
        optional("observed_challenge", "VARCHAR"),
        optional("observed_response", "VARCHAR"),
        optional("observed_ceasefire_days", "INTEGER"),
        optional("observed_appeal_answered", "BOOLEAN"),
        optional("observed_target_hedged", "BOOLEAN"),
    ),
    primary_key=("run_id", "period"),
)

#: One row per period and metric of a run: its mean over draws and its interval.
RUN_RESULTS = Table(
    "run_results",
    (
        required("run_id", "VARCHAR"),
        required("period", "DOUBLE"),
        required("metric", "VARCHAR"),
        required("mean", "DOUBLE"),
        required("low", "DOUBLE"),
        required("high", "DOUBLE"),
    ),
    primary_key=("run_id", "period", "metric"),
)

# ---- sweeps -----------------------------------------------------------------------------------

SWEEPS = Table(
    "sweeps",
    (
        required("sweep_id", "VARCHAR"),
        required("created_at", "TIMESTAMP"),
        required("scenario_id", "VARCHAR"),
        required("scenario_hash", "VARCHAR"),
        required("spec_json", "VARCHAR"),
        required("seed", "BIGINT"),
        required("draws", "BIGINT"),
        required("address", "VARCHAR"),
        required("variants", "INTEGER"),
        required("status", "VARCHAR"),
    ),
    primary_key=("sweep_id",),
)

#: One row per variant of a sweep; ``run_id`` is empty for a variant that failed.
SWEEP_TASKS = Table(
    "sweep_tasks",
    (
        required("sweep_id", "VARCHAR"),
        required("task_index", "INTEGER"),
        required("settings_json", "VARCHAR"),
        optional("run_id", "VARCHAR"),
        required("status", "VARCHAR"),
        optional("attempts", "INTEGER"),
        optional("error", "VARCHAR"),
    ),
    primary_key=("sweep_id", "task_index"),
)

# ---- analyses and fits ------------------------------------------------------------------------

ANALYSES = Table(
    "analyses",
    (
        required("analysis_id", "VARCHAR"),
        required("created_at", "TIMESTAMP"),
        required("kind", "VARCHAR"),
        required("scenario_id", "VARCHAR"),
        required("scenario_hash", "VARCHAR"),
        required("draws", "BIGINT"),
        optional("seed", "BIGINT"),
        required("settings_json", "VARCHAR"),
        required("result_json", "VARCHAR"),
    ),
    primary_key=("analysis_id",),
)

FITS = Table(
    "fits",
    (
        required("fit_id", "VARCHAR"),
        required("created_at", "TIMESTAMP"),
        required("method", "VARCHAR"),
        required("terms_json", "VARCHAR"),
        required("scenarios_json", "VARCHAR"),
        required("settings_json", "VARCHAR"),
        required("result_json", "VARCHAR"),
    ),
    primary_key=("fit_id",),
)

# ---- the store's own bookkeeping --------------------------------------------------------------

#: Keys and values about the store; ``schema_version`` is the one every release reads.
STORE_INFO = Table(
    "store_info",
    (required("key", "VARCHAR"), required("value", "VARCHAR")),
    primary_key=("key",),
)

#: The migrations applied to the store (:mod:`pivotal.store.migrations`), each once.
STORE_MIGRATIONS = Table(
    "store_migrations",
    (required("name", "VARCHAR"), required("applied_at", "TIMESTAMP")),
    primary_key=("name",),
)

# ---- evidence (created when the evidence store first writes) -----------------------------------

DOCUMENTS = Table(
    "documents",
    (
        required("document_id", "VARCHAR"),
        required("content_hash", "VARCHAR", unique=True),
        required("path", "VARCHAR"),
        required("file_name", "VARCHAR"),
        required("format", "VARCHAR"),
        required("title", "VARCHAR"),
        optional("outlet", "VARCHAR"),
        optional("author", "VARCHAR"),
        optional("published", "VARCHAR"),
        required("added_at", "TIMESTAMP"),
        required("paragraphs", "INTEGER"),
    ),
    primary_key=("document_id",),
)

PASSAGES = Table(
    "passages",
    (
        required("document_id", "VARCHAR"),
        required("paragraph", "INTEGER"),
        required("line_start", "INTEGER"),
        required("line_end", "INTEGER"),
        optional("page", "INTEGER"),
        required("text", "VARCHAR"),
    ),
    primary_key=("document_id", "paragraph"),
)

EVIDENCE_ACTORS = Table(
    "evidence_actors",
    (
        required("scenario_id", "VARCHAR"),
        required("actor_id", "VARCHAR"),
        required("name", "VARCHAR"),
        required("aliases", "VARCHAR[]"),
    ),
    primary_key=("scenario_id", "actor_id"),
)

PASSAGE_ACTORS = Table(
    "passage_actors",
    (
        required("document_id", "VARCHAR"),
        required("paragraph", "INTEGER"),
        required("scenario_id", "VARCHAR"),
        required("actor_id", "VARCHAR"),
    ),
    primary_key=("document_id", "paragraph", "scenario_id", "actor_id"),
)

#: The corpora a document belongs to; one with no row here is in the default corpus.
DOCUMENT_CORPORA = Table(
    "document_corpora",
    (required("document_id", "VARCHAR"), required("corpus", "VARCHAR")),
    primary_key=("document_id", "corpus"),
)

PASSAGE_DATES = Table(
    "passage_dates",
    (
        required("document_id", "VARCHAR"),
        required("paragraph", "INTEGER"),
        required("mention", "VARCHAR"),
        required("date_start", "DATE"),
        required("date_end", "DATE"),
        required("precision", "VARCHAR"),
    ),
)

#: The tables every connection to the store has (a writer's by migration, a reader's as empty
#: temporary tables where an older file lacks them).
RUN_TABLES = (
    RUNS,
    RUN_PERIODS,
    RUN_RESULTS,
    SWEEPS,
    SWEEP_TASKS,
    ANALYSES,
    FITS,
    STORE_INFO,
    STORE_MIGRATIONS,
)

#: The evidence store's tables, which it asks for when it connects (``RunStore.connect(schema=...)``).
EVIDENCE_TABLES = (DOCUMENTS, PASSAGES, EVIDENCE_ACTORS, PASSAGE_ACTORS, DOCUMENT_CORPORA, PASSAGE_DATES)

#: Every table of the store's file.
TABLES = RUN_TABLES + EVIDENCE_TABLES
