"""Interrupted and simultaneous runs: the store always opens whole, and nothing is lost.

Real processes of the command line against one DuckDB file: runs, sweeps and the web app
killed with SIGKILL at random moments (the full experiments are ``python -m tests.crash_runs``,
``tests.crash_sweeps`` and ``tests.crash_web``), several runs recording at once, and a store
held by another process for longer than a run will wait.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pivotal.store import RunStore
from tests.crash_runs import crash_trials, pivotal_command, run_environment, store_problems
from tests.crash_sweeps import link_problems, sweep_command, sweep_crash_trials
from tests.crash_web import web_crash_trials


@pytest.mark.slow
def test_runs_killed_at_random_moments_leave_the_store_whole(tmp_path):
    tally = crash_trials(tmp_path, trials=6, draws=1000, seed=3)
    assert tally.defects == []
    assert tally.trials + tally.finished_first == 6 and tally.trials >= 1
    assert tally.before_record + tally.after_record == tally.trials
    assert tally.next_run_ok == 6


def test_runs_recording_at_once_are_all_recorded(tmp_path):
    processes = [
        subprocess.Popen(
            pivotal_command("run", "-n", "3000", "-s", str(seed), "--csv"),
            env=run_environment(tmp_path),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for seed in range(4)
    ]
    for process in processes:
        _, errors = process.communicate(timeout=300)
        assert process.returncode == 0, errors
    count, problems = store_problems(tmp_path / "runs.duckdb")
    assert count == 4 and problems == []


HOLD = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("held", flush=True)
time.sleep(120)
"""


def test_a_store_held_by_another_process_gives_a_clear_message_and_loses_nothing(tmp_path):
    """A finished run that finds the store held past the timeout says so and waits for it."""
    first = subprocess.run(
        pivotal_command("run", "-n", "200", "--csv"),
        env=run_environment(tmp_path),
        capture_output=True,
        text=True,
    )
    assert first.returncode == 0, first.stderr
    store = tmp_path / "runs.duckdb"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(store)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        blocked = subprocess.Popen(
            pivotal_command("run", "-n", "200", "--csv"),
            env={**run_environment(tmp_path), "PIVOTAL_LOCK_TIMEOUT": "1"},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        said = []
        for line in blocked.stderr:  # until it says it is waiting
            said.append(line)
            if "waits to be recorded" in " ".join("".join(said).split()):
                break
    finally:
        holder.kill()
        holder.wait()
    _, rest = blocked.communicate(timeout=120)
    message = " ".join(("".join(said) + rest).split())
    assert blocked.returncode == 0, message
    assert "Traceback" not in message
    assert f"the run store {store} is in use by another pivotal process; waited 1 s" in message
    assert "recorded run" in message
    assert store_problems(store) == (2, [])


def test_a_bad_lock_timeout_setting_is_named(tmp_path: Path):
    result = subprocess.run(
        pivotal_command("runs"),
        env={**run_environment(tmp_path), "PIVOTAL_LOCK_TIMEOUT": "soon"},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "PIVOTAL_LOCK_TIMEOUT must be a number of seconds >= 0, found 'soon'" in result.stderr


@pytest.mark.slow
def test_sweeps_killed_at_random_moments_leave_the_store_whole_and_read_interrupted(tmp_path):
    pytest.importorskip("ray")
    tally = sweep_crash_trials(tmp_path, trials=2, draws=5000, seed=1)
    assert tally.defects == []
    assert tally.trials + tally.finished_first == 2
    assert "running" not in tally.statuses
    assert tally.next_run_ok == 2 and tally.next_sweep_ok


@pytest.mark.slow
def test_web_apps_killed_while_running_leave_the_store_whole(tmp_path):
    tally = web_crash_trials(tmp_path, trials=2, draws=20000, seed=2)
    assert tally.defects == []
    assert tally.before_record + tally.after_record == tally.trials == 2
    assert tally.next_run_ok == 2


def test_a_sweep_killed_while_it_runs_reads_interrupted_and_keeps_what_finished(tmp_path):
    pytest.importorskip("ray")
    store = RunStore(tmp_path / "runs.duckdb")
    process = subprocess.Popen(
        sweep_command(20000, 5),
        env=run_environment(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while not store.list_sweeps() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [s.status for s in store.list_sweeps()] == ["running"]
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    [sweep] = store.list_sweeps()
    assert sweep.status == "interrupted"
    count, problems = store_problems(store.path)
    assert count == sweep.done and problems == [] and link_problems(store.path) == []
