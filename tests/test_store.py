"""The DuckDB run store: round trips, id prefixes and atomic writes."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pivotal import load_scenario, run_scenario
from pivotal.store import RunNotFoundError, RunStore


@pytest.fixture
def store(tmp_path):
    return RunStore(tmp_path / "runs.duckdb")


def test_run_round_trips_through_the_store(tiny_path, store):
    run = run_scenario(load_scenario(tiny_path), draws=100, seed=5, store=store)
    stored = store.get(run.run_id)
    assert stored.record.seed == 5 and stored.record.draws == 100
    assert stored.record.scenario_id == "tiny-triangle"
    pd.testing.assert_frame_equal(
        stored.summary.reset_index(drop=True),
        run.summary.reset_index(drop=True),
        check_dtype=False,
        check_like=True,
    )


def test_runs_are_listed_newest_first_and_found_by_prefix(tiny_path, store):
    scenario = load_scenario(tiny_path)
    ids = [run_scenario(scenario, draws=20, seed=i, store=store).run_id for i in range(3)]
    listed = [r.run_id for r in store.list_runs()]
    assert sorted(listed) == sorted(ids)
    assert store.resolve(ids[0][:8]) == ids[0]


def test_unknown_run_is_reported(store):
    with pytest.raises(RunNotFoundError, match="no run with id 'abc'"):
        store.get("abc")


def test_seed_is_chosen_and_recorded_when_not_given(tiny_path, store):
    run = run_scenario(load_scenario(tiny_path), draws=20, store=store)
    assert store.get(run.run_id).record.seed == run.seed


def test_failed_write_leaves_no_partial_run(tiny_path, store, monkeypatch):
    scenario = load_scenario(tiny_path)
    run_scenario(scenario, draws=20, seed=1, store=store)

    original = duckdb.DuckDBPyConnection.register

    def fail_on_results(self, name, frame):
        if name == "new_results":
            raise RuntimeError("interrupted")
        return original(self, name, frame)

    monkeypatch.setattr(duckdb.DuckDBPyConnection, "register", fail_on_results)
    with pytest.raises(RuntimeError, match="interrupted"):
        run_scenario(scenario, draws=20, seed=2, store=store)
    monkeypatch.undo()

    con = duckdb.connect(str(store.path))
    counts = [
        con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("runs", "run_periods", "run_results")
    ]
    con.close()
    assert counts[0] == 1
    assert counts[1] == 3  # one run's periods only
    assert counts[2] % 3 == 0 and counts[2] > 0
    assert len(store.list_runs()) == 1


def test_threads_take_turns_and_a_thread_may_reopen_the_store_it_holds(tiny_path, store):
    from concurrent.futures import ThreadPoolExecutor

    scenario = load_scenario(tiny_path)
    with ThreadPoolExecutor(max_workers=4) as pool:
        ids = list(
            pool.map(lambda seed: run_scenario(scenario, draws=50, seed=seed, store=store).run_id, range(8))
        )
        listed = list(pool.map(lambda _: len(store.list_runs()), range(8)))
    assert sorted(r.run_id for r in store.list_runs()) == sorted(ids)
    assert all(0 <= n <= 8 for n in listed)
    with store.connect() as outer, store.connect(read_only=True) as inner:  # reentrant in one thread
        assert (
            outer.execute("SELECT count(*) FROM runs").fetchone()
            == inner.execute("SELECT count(*) FROM runs").fetchone()
            == (8,)
        )


def _start_sweep(store: RunStore) -> str:
    return store.start_sweep(
        scenario_id="tiny", scenario_hash="h", spec={}, seed=1, draws=10, address="local", variants=2
    )


def test_a_sweep_reads_running_while_its_process_holds_it_and_its_status_once_finished(store):
    sweep_id = _start_sweep(store)
    assert RunStore(store.path).get_sweep(sweep_id).record.status == "running"  # another reader
    assert store.list_sweeps()[0].status == "running"
    store.finish_sweep(sweep_id, "done")
    assert [s.status for s in RunStore(store.path).list_sweeps()] == ["done"]
    assert not Path(f"{store.path}.sweep-{sweep_id}.lock").exists()


def test_a_sweep_whose_process_was_killed_reads_interrupted(store):
    """The process starts a sweep, then is killed with SIGKILL before it can finish it."""
    code = (
        f"import os, signal; from pivotal.store import RunStore\n"
        f"s = RunStore({str(store.path)!r})\n"
        f"print(s.start_sweep(scenario_id='tiny', scenario_hash='h', spec={{}}, seed=1, draws=10, "
        f"address='local', variants=2), flush=True)\n"
        f"os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    killed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert killed.returncode == -signal.SIGKILL
    sweep_id = killed.stdout.strip()
    assert Path(f"{store.path}.sweep-{sweep_id}.lock").exists()  # left by the killed process
    assert [(s.sweep_id, s.status) for s in store.list_sweeps()] == [(sweep_id, "interrupted")]
    assert store.get_sweep(sweep_id).record.status == "interrupted"
    assert not Path(f"{store.path}.sweep-{sweep_id}.lock").exists()  # removed by the reader


def test_the_next_sweep_writes_down_that_a_killed_one_was_interrupted(store):
    code = (
        f"import os, signal; from pivotal.store import RunStore\n"
        f"RunStore({str(store.path)!r}).start_sweep(scenario_id='tiny', scenario_hash='h', spec={{}}, "
        f"seed=1, draws=10, address='local', variants=2)\n"
        f"os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=False)
    later = _start_sweep(store)
    with duckdb.connect(str(store.path), read_only=True) as con:
        statuses = con.execute("SELECT sweep_id = ?, status FROM sweeps ORDER BY 1", [later]).fetchall()
    assert statuses == [(False, "interrupted"), (True, "running")]
    store.finish_sweep(later, "done")
