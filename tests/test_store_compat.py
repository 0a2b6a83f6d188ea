"""Run stores written by earlier releases (0.1.0, and 0.7.0 the one before this) open, show what
they hold unchanged, are brought up to date by their first write, and keep working."""

from __future__ import annotations

import gzip
import hashlib
import shutil
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from pivotal.cli.app import app
from pivotal.evidence import EvidenceStore
from pivotal.store import RunStore
from pivotal.store.errors import StoreError
from pivotal.store.migrations import MIGRATIONS
from pivotal.store.runstore import SCHEMA_VERSION, applied_migrations, schema_version

#: A store made by ``pivotal run tests/data/tiny.yaml -n 200 -s 7`` with pivotal 0.1.0.
OLD_STORE = Path(__file__).parent / "data" / "store-0.1.0.duckdb.gz"
OLD_RUN = "bde21aa9af3c"


@pytest.fixture
def old_store(tmp_path: Path) -> Path:
    path = tmp_path / "runs.duckdb"
    with gzip.open(OLD_STORE, "rb") as packed, path.open("wb") as unpacked:
        shutil.copyfileobj(packed, unpacked)
    return path


def test_a_store_from_0_1_0_lists_and_shows_its_runs(old_store):
    assert schema_version(old_store) is None  # written before stores had versions
    store = RunStore(old_store)
    [record] = store.list_runs()
    assert (record.run_id, record.package_version, record.draws, record.seed) == (OLD_RUN, "0.1.0", 200, 7)
    stored = store.get(OLD_RUN[:6])
    assert list(stored.summary["period"]) == [2001, 2002, 2003]
    assert 0.0 < stored.summary.loc[0, "p_challenge"] < 1.0
    assert "p_act" not in stored.summary  # metrics added later are simply absent
    assert schema_version(old_store) is None  # reading never writes into a store


def test_the_cli_shows_an_old_run_and_records_new_ones_beside_it(old_store, monkeypatch):
    monkeypatch.setenv("PIVOTAL_HOME", str(old_store.parent))
    runner = CliRunner()
    shown = runner.invoke(app, ["show", OLD_RUN, "--json"])
    assert shown.exit_code == 0, shown.output
    assert OLD_RUN in shown.output
    tiny = Path(__file__).parent / "data" / "tiny.yaml"
    assert runner.invoke(app, ["run", str(tiny), "-n", "50", "-s", "1"]).exit_code == 0
    assert len(RunStore(old_store).list_runs()) == 2
    assert schema_version(old_store) == SCHEMA_VERSION  # the first write brought its tables up to date
    assert applied_migrations(old_store) == [m.name for m in MIGRATIONS]


def test_a_store_from_a_later_release_is_refused_untouched(old_store):
    RunStore(old_store).record_analysis(
        kind="score", scenario_id="tiny", scenario_hash="x", draws=1, seed=0, settings={}, result={}
    )
    with duckdb.connect(str(old_store)) as connection:
        connection.execute("UPDATE store_info SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match="later release"):
        RunStore(old_store).list_runs()
    with pytest.raises(StoreError, match="later release"):
        RunStore(old_store).record_analysis(
            kind="score", scenario_id="tiny", scenario_hash="x", draws=1, seed=0, settings={}, result={}
        )
    assert schema_version(old_store) == 99


def test_the_web_app_compares_an_old_run_on_a_metric_it_never_recorded(old_store):
    from fastapi.testclient import TestClient

    from pivotal.web.app import create_app

    with TestClient(create_app(old_store)) as client:
        answer = client.get("/api/compare", params={"a": OLD_RUN, "b": OLD_RUN, "metric": "p_act"})
        assert answer.status_code == 200, answer.text
        assert [row["a"] for row in answer.json()["rows"]] == [None, None, None]
        kept = client.get("/api/compare", params={"a": OLD_RUN, "b": OLD_RUN, "metric": "p_challenge"})
        assert all(0 < row["a"] < 1 and row["difference"] == 0 for row in kept.json()["rows"])


# ---- release 0.7.0 ------------------------------------------------------------------------------

#: A store made by pivotal 0.7.0 (the source of tag v0.7.0, with package metadata saying 0.7.0),
#: with $PIVOTAL_HOME set to an empty folder, by:
#:   pivotal run tests/data/tiny.yaml -n 200 -s 7
#:   pivotal score tests/data/tiny.yaml -n 100 -s 7 --start 2002
#:   pivotal whatif --scenario tests/data/tiny.yaml --set patron_shield=0.1@2002-2003 -n 100 -s 7
#:   pivotal sweep tests/data/tiny.yaml --set patron_shield=0.1,0.3 -n 50 -s 3 --cpus 1
#:   pivotal evidence add tests/data/evidence/briefing.md --scenario tests/data/tiny.yaml
#: then gzip -9 -n of runs.duckdb.  It has schema version 3, no fits table and no migrations table.
STORE_070 = Path(__file__).parent / "data" / "store-0.7.0.duckdb.gz"
RUN_070 = "e92f6aebc570"
SWEEP_070 = "174175dbe9d7"
SWEEP_RUNS_070 = ["13960e276017", "63ccb6ee3016"]
ANALYSES_070 = {"25cb9d8fddaa": "score", "7c4976bc1ca6": "whatif"}
DOCUMENT_070 = "ade864f3c0e9"


@pytest.fixture
def store_070(tmp_path: Path) -> Path:
    path = tmp_path / "runs.duckdb"
    with gzip.open(STORE_070, "rb") as packed, path.open("wb") as unpacked:
        shutil.copyfileobj(packed, unpacked)
    return path


def _fingerprint(path: Path) -> tuple[bytes, int]:
    return hashlib.sha256(path.read_bytes()).digest(), path.stat().st_mtime_ns


def _everything(path: Path) -> dict:
    """What a store of 0.7.0 holds, as this release reads it."""
    store = RunStore(path)
    return {
        "runs": store.list_runs(),
        "summaries": {r.run_id: store.get(r.run_id).summary for r in store.list_runs()},
        "analyses": store.list_analyses(),
        "sweeps": store.list_sweeps(),
        "sweep": store.get_sweep(SWEEP_070).tasks,
        "documents": EvidenceStore(path).documents(),
        "passages": EvidenceStore(path).passages(),
    }


def test_a_store_from_0_7_0_shows_its_runs_analyses_sweeps_and_documents(store_070):
    held = _everything(store_070)
    assert {r.run_id for r in held["runs"]} == {RUN_070, *SWEEP_RUNS_070}
    assert {r.package_version for r in held["runs"]} == {"0.7.0"}
    summary = held["summaries"][RUN_070]
    assert list(summary["period"]) == [2001, 2002, 2003]
    assert summary["p_challenge"].tolist() == pytest.approx([0.513268, 0.513268, 0.557254], abs=1e-6)
    assert summary["belief"].tolist() == pytest.approx([0.695615, 0.695615, 0.267812], abs=1e-6)
    assert {a.analysis_id: a.kind for a in held["analyses"]} == ANALYSES_070
    [sweep] = held["sweeps"]
    assert (sweep.sweep_id, sweep.status, sweep.done, sweep.failed) == (SWEEP_070, "done", 2, 0)
    assert held["sweep"]["run_id"].tolist() == SWEEP_RUNS_070
    assert held["sweep"]["p_offensive"].tolist() == pytest.approx([0.073759, 0.120706], abs=1e-6)
    assert [(d.document_id, d.corpora) for d in held["documents"]] == [(DOCUMENT_070, ("default",))]
    assert len(held["passages"]) == 6
    assert RunStore(store_070).list_fits() == []  # 0.7.0 had no fits table: read as empty


def test_reading_a_store_from_0_7_0_writes_nothing(store_070):
    before = _fingerprint(store_070)
    _everything(store_070)
    RunStore(store_070).list_fits()
    assert _fingerprint(store_070) == before
    assert applied_migrations(store_070) == []


def test_the_first_write_to_a_store_from_0_7_0_applies_and_records_the_migrations(store_070):
    before = _everything(store_070)
    with duckdb.connect(str(store_070), read_only=True) as connection:
        assert not connection.execute("SELECT * FROM duckdb_tables() WHERE table_name = 'fits'").fetchall()
    RunStore(store_070).record_analysis(
        kind="score", scenario_id="tiny", scenario_hash="x", draws=1, seed=0, settings={}, result={}
    )
    assert applied_migrations(store_070) == [m.name for m in MIGRATIONS]
    assert schema_version(store_070) == SCHEMA_VERSION == 3  # still readable by 0.7.0
    after = _everything(store_070)
    assert after["runs"] == before["runs"]
    for run_id, summary in before["summaries"].items():
        assert after["summaries"][run_id].equals(summary), run_id
    assert after["analyses"][1:] == before["analyses"]  # the new one first
    assert after["sweeps"] == before["sweeps"] and after["sweep"].equals(before["sweep"])
    assert after["documents"] == before["documents"] and after["passages"] == before["passages"]
    RunStore(store_070).record_fit(method="mle", terms=["a"], scenarios={"tiny": "x"}, settings={}, result={})
    assert len(RunStore(store_070).list_fits()) == 1


def test_new_runs_and_documents_go_in_beside_those_of_0_7_0(store_070, monkeypatch, tmp_path):
    monkeypatch.setenv("PIVOTAL_HOME", str(store_070.parent))
    runner = CliRunner()
    tiny = Path(__file__).parent / "data" / "tiny.yaml"
    assert runner.invoke(app, ["run", str(tiny), "-n", "50", "-s", "1"]).exit_code == 0
    note = tmp_path / "note.md"
    note.write_text("# A note\n\nThe ridge was quiet.\n", encoding="utf-8")
    added = runner.invoke(app, ["evidence", "add", str(note), "--scenario", str(tiny)])
    assert added.exit_code == 0, added.output
    runs = RunStore(store_070).list_runs()
    assert len(runs) == 4 and runs[-1].run_id in {RUN_070, *SWEEP_RUNS_070}
    assert len(EvidenceStore(store_070).documents()) == 2
    shown = runner.invoke(app, ["show", RUN_070, "--json"])
    assert shown.exit_code == 0 and RUN_070 in shown.output


def test_a_store_from_a_later_release_is_refused_and_left_as_it_is(store_070):
    with duckdb.connect(str(store_070)) as connection:
        connection.execute("UPDATE store_info SET value = '4' WHERE key = 'schema_version'")
    before = _fingerprint(store_070)
    with pytest.raises(StoreError, match="later release"):
        RunStore(store_070).list_runs()
    with pytest.raises(StoreError, match="later release"):
        RunStore(store_070).record_analysis(
            kind="score", scenario_id="tiny", scenario_hash="x", draws=1, seed=0, settings={}, result={}
        )
    with pytest.raises(StoreError, match="later release"):
        EvidenceStore(store_070).documents()
    assert _fingerprint(store_070) == before
    assert schema_version(store_070) == 4 and applied_migrations(store_070) == []


def test_a_later_releases_additive_migration_is_left_alone(store_070):
    """A later release that adds a table keeps the schema version: this release still uses the store."""
    RunStore(store_070).record_analysis(
        kind="score", scenario_id="tiny", scenario_hash="x", draws=1, seed=0, settings={}, result={}
    )
    with duckdb.connect(str(store_070)) as connection:
        connection.execute("CREATE TABLE later_things (thing VARCHAR)")
        connection.execute(
            "INSERT INTO store_migrations SELECT '0099_later_things', max(applied_at) + INTERVAL 1 SECOND "
            "FROM store_migrations"
        )
    RunStore(store_070).record_analysis(
        kind="whatif", scenario_id="tiny", scenario_hash="x", draws=1, seed=0, settings={}, result={}
    )
    assert applied_migrations(store_070) == [m.name for m in MIGRATIONS] + ["0099_later_things"]
    assert len(RunStore(store_070).list_analyses()) == 4
