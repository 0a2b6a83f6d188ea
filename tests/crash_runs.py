"""Kill `pivotal run` with SIGKILL at random moments: the store must always open whole.

Half the kills fall anywhere in a run, half in its last 40%, where it writes.

After every kill the store is opened as the next `pivotal` would open it and checked:
every recorded run has all its period rows and all its results, no row belongs to a run
that is not there, and a new run started straight after records normally.  The full
experiment is

    python -m tests.crash_runs --trials 60

which prints how many kills landed before the run was recorded and how many after, and
how many left DuckDB's write-ahead log behind (a kill during or just after the write).
``tests/test_crash_and_concurrency.py`` runs a few trials.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

import duckdb

from pivotal.report.data import scenario_from_json
from pivotal.simulation import METRICS


@dataclass
class CrashTally:
    trials: int = 0
    finished_first: int = 0  # the run ended before its kill came: not counted as killed
    before_record: int = 0  # the killed run left nothing
    after_record: int = 0  # the killed run was recorded whole
    left_wal: int = 0
    next_run_ok: int = 0
    defects: list[str] = field(default_factory=list)


def pivotal_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "pivotal", *args]


def run_environment(home: Path) -> dict[str, str]:
    return {**os.environ, "PIVOTAL_HOME": str(home), "MPLCONFIGDIR": str(home / "mpl")}


def store_problems(path: Path) -> tuple[int, list[str]]:
    """Open the store read-write (replaying its log, as pivotal would) and list what is not whole."""
    if not path.exists():
        return 0, []
    con = duckdb.connect(str(path))
    try:
        tables = {
            row[0] for row in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
        }
        if "runs" not in tables:
            return 0, []
        problems = []
        runs = con.execute("SELECT run_id, scenario_json FROM runs").fetchall()
        for run_id, scenario_json in runs:
            expected = len(scenario_from_json(scenario_json).timeline)  # years, or episodes split out
            rows = con.execute("SELECT count(*) FROM run_periods WHERE run_id = ?", [run_id]).fetchone()[0]
            results = con.execute("SELECT count(*) FROM run_results WHERE run_id = ?", [run_id]).fetchone()[0]
            if rows != expected or results != expected * len(METRICS):
                problems.append(
                    f"run {run_id}: {rows} period rows and {results} results, expected "
                    f"{expected} and {expected * len(METRICS)}"
                )
        for table in ("run_periods", "run_results"):
            orphans = con.execute(
                f"SELECT count(*) FROM {table} WHERE run_id NOT IN (SELECT run_id FROM runs)"
            ).fetchone()[0]
            if orphans:
                problems.append(f"{orphans} rows of {table} belong to no run")
        return len(runs), problems
    finally:
        con.close()


def timed_run(home: Path, draws: int, seed: int) -> float:
    """Seconds a whole `pivotal run` takes here, start-up and store write included."""
    began = time.perf_counter()
    subprocess.run(
        pivotal_command("run", "-n", str(draws), "-s", str(seed), "--csv"),
        env=run_environment(home),
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - began


def crash_trials(
    home: Path, trials: int, draws: int = 2000, seed: int = 0, check_next_run: bool = True
) -> CrashTally:
    """Kill ``trials`` runs: even trials at a moment drawn over a whole run's duration, odd ones
    over its last 40%, where the results are written."""
    rng = random.Random(seed)
    store = home / "runs.duckdb"
    duration = min(timed_run(home, draws, seed) for _ in range(2))  # the second without cold caches
    tally = CrashTally()
    for trial in range(trials):
        before, _ = store_problems(store)
        process = subprocess.Popen(
            pivotal_command("run", "-n", str(draws), "-s", str(trial), "--csv"),
            env=run_environment(home),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.0, 1.0) * duration if trial % 2 == 0 else rng.uniform(0.6, 1.0) * duration)
        killed = process.poll() is None
        if killed:
            process.send_signal(signal.SIGKILL)
            tally.trials += 1
        else:
            tally.finished_first += 1
        process.wait()
        if Path(f"{store}.wal").exists():
            tally.left_wal += 1
        after, problems = store_problems(store)
        tally.defects += [f"trial {trial}: {p}" for p in problems]
        if not killed:
            if after != before + 1:
                tally.defects.append(f"trial {trial}: a run that ended left {after - before} new runs")
        elif after == before:
            tally.before_record += 1
        elif after == before + 1:
            tally.after_record += 1
        else:
            tally.defects.append(f"trial {trial}: {before} runs before the kill, {after} after")
        if check_next_run:
            finished = subprocess.run(
                pivotal_command("run", "-n", "200", "-s", str(trial), "--csv"),
                env=run_environment(home),
                capture_output=True,
                text=True,
            )
            count, problems = store_problems(store)
            if finished.returncode == 0 and count == after + 1 and not problems:
                tally.next_run_ok += 1
            else:
                tally.defects.append(
                    f"trial {trial}: the next run gave {finished.returncode}: "
                    f"{finished.stderr.strip()[-300:]}"
                )
    return tally


def experiment_arguments(doc: str, trials: int, draws: int, trials_help: str) -> argparse.Namespace:
    """The options every crash experiment takes: how many trials, draws and which seed."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=trials, help=trials_help)
    parser.add_argument("--draws", type=int, default=draws)
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args()


def exit_with(defects: list[str], label: str) -> NoReturn:
    """Print how many defects (and each), then exit non-zero if there were any."""
    print(f"  {label} {len(defects)}")
    for defect in defects:
        print(f"    {defect}")
    sys.exit(1 if defects else 0)


def main() -> None:
    import tempfile

    args = experiment_arguments(
        __doc__,
        trials=60,
        draws=2000,
        trials_help="runs started (those that end before their kill are counted apart)",
    )
    with tempfile.TemporaryDirectory() as folder:
        began = time.perf_counter()
        tally = crash_trials(Path(folder), args.trials, args.draws, args.seed)
        print(
            f"{tally.trials} runs killed with SIGKILL at random moments ({args.draws:,} draws each, "
            f"{time.perf_counter() - began:.0f} s; {tally.finished_first} more ended before their kill):"
        )
        print(f"  killed before the run was recorded: {tally.before_record}")
        print(f"  killed after the run was recorded:  {tally.after_record}")
        print(f"  kills that left a write-ahead log:  {tally.left_wal}")
        started = tally.trials + tally.finished_first
        print(f"  the next run recorded normally:     {tally.next_run_ok} of {started}")
    exit_with(tally.defects, "stores not whole, or runs lost:    ")


if __name__ == "__main__":
    main()
