"""Kill `pivotal sweep` with SIGKILL at random moments: the store stays whole, no sweep stays 'running'.

A sweep records each variant's run, with the sweep's row for that variant, in one
transaction as the variant finishes, on a local Ray cluster the command starts.  After
every kill the store is checked as in :mod:`tests.crash_runs`, and also: every variant
row marked done links to a recorded run, and the killed sweep no longer reads 'running'
(its lease on a lock file went with its process).  The next command must work: a short
`pivotal run` after every kill, and a whole sweep after the last.  The full experiment is

    python -m tests.crash_sweeps --trials 50

``tests/test_crash_and_concurrency.py`` runs two trials.
"""

from __future__ import annotations

import random
import signal
import subprocess
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pivotal.store import RunStore
from tests.crash_runs import exit_with, experiment_arguments, pivotal_command, run_environment, store_problems

AXIS = "patron_shield=0,0.2,0.4,0.6"  # four variants


@dataclass
class SweepCrashTally:
    trials: int = 0
    finished_first: int = 0  # the sweep ended before its kill came
    variants_recorded: Counter[int] = field(default_factory=Counter)  # by a killed sweep, how many
    statuses: Counter[str] = field(default_factory=Counter)  # what a killed sweep reads as
    next_run_ok: int = 0
    next_sweep_ok: bool = False
    defects: list[str] = field(default_factory=list)


def sweep_command(draws: int, seed: int) -> list[str]:
    return pivotal_command("sweep", "--set", AXIS, "-n", str(draws), "-s", str(seed), "--cpus", "2")


def link_problems(path: Path) -> list[str]:
    """Variant rows marked done whose run is not in the store, and done rows without a run."""
    if not path.exists():
        return []
    con = duckdb.connect(str(path), read_only=True)
    try:
        dangling = con.execute(
            "SELECT count(*) FROM sweep_tasks WHERE status = 'done' AND "
            "(run_id IS NULL OR run_id NOT IN (SELECT run_id FROM runs))"
        ).fetchone()[0]
    finally:
        con.close()
    return [f"{dangling} variants marked done link to no recorded run"] if dangling else []


def timed_sweep(home: Path, draws: int) -> float:
    began = time.perf_counter()
    subprocess.run(sweep_command(draws, 0), env=run_environment(home), check=True, capture_output=True)
    return time.perf_counter() - began


def sweep_crash_trials(home: Path, trials: int, draws: int = 20000, seed: int = 0) -> SweepCrashTally:
    """Kill ``trials`` sweeps at a moment drawn over a whole sweep's duration."""
    rng = random.Random(seed)
    store_path = home / "runs.duckdb"
    duration = timed_sweep(home, draws)
    tally = SweepCrashTally()
    for trial in range(trials):
        known = {s.sweep_id for s in RunStore(store_path).list_sweeps()}
        process = subprocess.Popen(
            sweep_command(draws, trial + 1),
            env=run_environment(home),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.0, 1.0) * duration)
        killed = process.poll() is None
        if killed:
            process.send_signal(signal.SIGKILL)
        process.wait()
        runs, problems = store_problems(store_path)
        tally.defects += [f"trial {trial}: {p}" for p in problems + link_problems(store_path)]
        new = [s for s in RunStore(store_path).list_sweeps() if s.sweep_id not in known]
        if not killed:
            tally.finished_first += 1
            if [s.status for s in new] != ["done"]:
                tally.defects.append(f"trial {trial}: a sweep that ended reads {[s.status for s in new]}")
        else:
            tally.trials += 1
            for sweep in new:  # none if the kill came before the sweep was recorded
                tally.statuses[sweep.status] += 1
                tally.variants_recorded[sweep.done] += 1
                if sweep.status == "running":
                    tally.defects.append(f"trial {trial}: killed sweep {sweep.sweep_id} still reads running")
            if not new:
                tally.statuses["not recorded"] += 1
        after = subprocess.run(
            pivotal_command("run", "-n", "200", "-s", str(trial), "--csv"),
            env=run_environment(home),
            capture_output=True,
            text=True,
        )
        if after.returncode == 0 and store_problems(store_path) == (runs + 1, []):
            tally.next_run_ok += 1
        else:
            tally.defects.append(
                f"trial {trial}: the next run gave {after.returncode}: {after.stderr.strip()[-300:]}"
            )
    last = subprocess.run(sweep_command(1000, 0), env=run_environment(home), capture_output=True, text=True)
    tally.next_sweep_ok = last.returncode == 0 and not link_problems(store_path)
    if not tally.next_sweep_ok:
        tally.defects.append(f"the sweep after the last kill gave {last.returncode}: {last.stderr[-300:]}")
    return tally


def main() -> None:
    args = experiment_arguments(
        __doc__,
        trials=50,
        draws=20000,
        trials_help="sweeps started (those that end before their kill are counted apart)",
    )
    with tempfile.TemporaryDirectory() as folder:
        began = time.perf_counter()
        tally = sweep_crash_trials(Path(folder), args.trials, args.draws, args.seed)
        print(
            f"{tally.trials} sweeps of 4 variants killed with SIGKILL at random moments "
            f"({args.draws:,} draws a variant, {time.perf_counter() - began:.0f} s; "
            f"{tally.finished_first} more ended before their kill):"
        )
        print(f"  killed sweeps by status read afterwards: {dict(sorted(tally.statuses.items()))}")
        print(f"  killed sweeps by variants recorded:      {dict(sorted(tally.variants_recorded.items()))}")
        print(
            f"  the next run recorded normally:          {tally.next_run_ok} of "
            f"{tally.trials + tally.finished_first}"
        )
        print(f"  a sweep after the last kill:             {'ok' if tally.next_sweep_ok else 'FAILED'}")
    exit_with(tally.defects, "stores not whole, links broken, sweeps left running:")


if __name__ == "__main__":
    main()
