"""Whole commands as a user runs them: wall time and peak memory of ``pivotal run``.

Run: ``python benchmarks/end_to_end.py [--draws 1000000 ...] [--repeats 3]``.

Each measurement is a fresh ``pivotal run --draws N --seed 1`` process with
its own empty store (so recording the run is included), timed from start to
exit; its peak resident memory comes from the operating system.  The
reference, measured in the same run, is the same command with ``--draws 1``:
start-up, import and store costs with almost no simulation.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import tempfile
import time


def run_once(draws: int, extra: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident MiB of one ``pivotal run`` in a fresh store."""
    home = tempfile.mkdtemp(prefix="pivotal-bench-")
    try:
        env = {**os.environ, "PIVOTAL_HOME": home}
        command = [shutil.which("pivotal") or "pivotal", "run", "--draws", str(draws), "--seed", "1",
                   "--csv", *extra]
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        start = time.perf_counter()
        subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        seconds = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        # ru_maxrss of children is the largest child so far; report it only when it grew.
        return seconds, max(peak, before) / 1024
    finally:
        shutil.rmtree(home, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--backend", default="numpy")
    args = parser.parse_args()
    extra = ["--backend", args.backend]
    reference = min(run_once(1, extra)[0] for _ in range(args.repeats))
    print(f"reference: pivotal run --draws 1: {reference:.2f} s (start-up, imports, store)")
    for draws in sorted(args.draws):
        timings = [run_once(draws, extra) for _ in range(args.repeats)]
        best = min(t for t, _ in timings)
        peak = max(m for _, m in timings)
        print(f"pivotal run --draws {draws:,} --backend {args.backend}: best of {args.repeats} "
              f"{best:.2f} s (all: {', '.join(f'{t:.2f}' for t, _ in timings)}), "
              f"{best / reference:.1f}x the reference; peak resident memory <= {peak:,.0f} MiB",
              flush=True)


if __name__ == "__main__":
    main()
