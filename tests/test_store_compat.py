"""A run store written by release 0.1.0 opens, shows its runs, and gets a schema version."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from pivotal.cli.app import app
from pivotal.store import RunStore
from pivotal.store.errors import StoreError
from pivotal.store.runstore import SCHEMA_VERSION, schema_version

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
