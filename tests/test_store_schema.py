"""The store's table registry and its migrations: what DuckDB makes of them, and how they are kept."""

from __future__ import annotations

import gzip
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from pivotal.store import RunStore, StoreError
from pivotal.store import migrations as store_migrations
from pivotal.store.migrations import MIGRATIONS, SCHEMA_VERSION, Migration
from pivotal.store.runstore import applied_migrations, schema_version
from pivotal.store.schema import ANALYSES, EVIDENCE_TABLES, RUN_TABLES, TABLES, Table

DATA = Path(__file__).parent / "data"


def _columns(connection: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str, bool]]:
    return connection.execute(
        "SELECT column_name, data_type, is_nullable FROM duckdb_columns() "
        "WHERE table_name = ? AND database_name = current_database() ORDER BY column_index",
        [table],
    ).fetchall()


def _key(connection: duckdb.DuckDBPyConnection, table: str) -> tuple[str, ...]:
    rows = connection.execute(
        "SELECT constraint_column_names FROM duckdb_constraints() "
        "WHERE table_name = ? AND constraint_type = 'PRIMARY KEY' AND database_name = current_database()",
        [table],
    ).fetchall()
    return tuple(rows[0][0]) if rows else ()


def test_every_table_of_a_new_store_is_as_the_registry_declares_it(tmp_path):
    path = tmp_path / "runs.duckdb"
    RunStore(path).list_runs()  # reading makes no file
    assert not path.exists()
    with RunStore(path).connect(schema=EVIDENCE_TABLES):  # a writer, as the evidence store opens it
        pass
    with duckdb.connect(str(path), read_only=True) as connection:
        stored = {name for (name,) in connection.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        assert stored == {table.name for table in TABLES}
        for table in TABLES:
            expected = [(c.name, c.type, not c.not_null) for c in table.columns]
            assert _columns(connection, table.name) == expected, table.name
            assert _key(connection, table.name) == table.primary_key, table.name


def test_a_reader_of_a_store_without_tables_sees_them_all_empty(tmp_path):
    path = tmp_path / "runs.duckdb"
    duckdb.connect(str(path)).close()  # a DuckDB file with no table at all
    with RunStore(path).connect(read_only=True) as connection:
        for table in RUN_TABLES:
            assert _columns(connection, table.name) == []  # a temporary table, not one of the file
            assert connection.execute(f"SELECT count(*) FROM {table.name}").fetchone() == (0,)
    assert schema_version(path) is None


def test_a_new_store_records_every_migration_and_this_releases_version(tmp_path):
    path = tmp_path / "runs.duckdb"
    RunStore(path).record_analysis(
        kind="score", scenario_id="tiny", scenario_hash="x", draws=1, seed=0, settings={}, result={}
    )
    assert applied_migrations(path) == [m.name for m in MIGRATIONS]
    assert schema_version(path) == SCHEMA_VERSION


def test_migrations_are_named_once_in_order_and_never_lower_the_version():
    names = [m.name for m in MIGRATIONS]
    assert len(set(names)) == len(names)
    assert all(re.fullmatch(r"\d{4}_[a-z0-9_]+", name) for name in names), names
    numbers = [int(name[:4]) for name in names]
    assert numbers == list(range(1, len(names) + 1))
    versions = [m.version for m in MIGRATIONS]
    assert versions == sorted(versions) and versions[-1] == SCHEMA_VERSION
    # The migrations of releases already made, as they were released: append, never rewrite.
    assert names[:4] == ["0001_run_tables", "0002_store_info", "0003_period_keys_double", "0004_fits_table"]


def test_a_failed_migration_leaves_the_store_as_it_was(tmp_path, monkeypatch):
    path = tmp_path / "runs.duckdb"
    with gzip.open(DATA / "store-0.1.0.duckdb.gz", "rb") as packed, path.open("wb") as unpacked:
        shutil.copyfileobj(packed, unpacked)

    def fail(connection: duckdb.DuckDBPyConnection) -> None:
        raise duckdb.IOException("No space left on device")

    monkeypatch.setattr(store_migrations, "MIGRATIONS", (*MIGRATIONS, Migration("0099_fails", 3, fail)))
    with pytest.raises(StoreError, match="disk is full"):
        RunStore(path).record_analysis(
            kind="score", scenario_id="tiny", scenario_hash="x", draws=1, seed=0, settings={}, result={}
        )
    assert schema_version(path) is None and applied_migrations(path) == []
    with duckdb.connect(str(path), read_only=True) as connection:
        assert _columns(connection, "run_periods")[1][:2] == ("period", "INTEGER")  # not converted
    assert len(RunStore(path).list_runs()) == 1


def test_rows_are_written_by_column_name_whatever_the_files_column_order(tmp_path):
    path = tmp_path / "runs.duckdb"
    reordered = Table(ANALYSES.name, tuple(reversed(ANALYSES.columns)), ANALYSES.primary_key)
    with duckdb.connect(str(path)) as connection:
        connection.execute(reordered.create())
    store = RunStore(path)
    analysis_id = store.record_analysis(
        kind="whatif",
        scenario_id="tiny",
        scenario_hash="x",
        draws=3,
        seed=4,
        settings={"a": 1},
        result={"b": 2},
    )
    back = store.get_analysis(analysis_id)
    assert (back.kind, back.draws, back.seed, back.settings, back.result) == (
        "whatif",
        3,
        4,
        {"a": 1},
        {"b": 2},
    )


def test_a_row_naming_a_column_the_table_lacks_is_refused():
    with pytest.raises(ValueError, match="no column nonsense"):
        ANALYSES.insert_row({"analysis_id": "a", "nonsense": 1})
    statement, values = ANALYSES.insert_row({"analysis_id": "a", "kind": "score"})
    assert statement == 'INSERT INTO analyses ("analysis_id", "kind") VALUES (?, ?)'
    assert values == ["a", "score"]


def test_the_store_page_names_every_table_and_migration():
    page = (Path(__file__).parents[1] / "docs" / "store.md").read_text(encoding="utf-8")
    for name in [table.name for table in TABLES] + [m.name for m in MIGRATIONS]:
        assert f"`{name}`" in page, name
