"""Whole commands as a user runs them: ``pivotal run`` on the compiled engine beside NumPy's.

Run: ``python benchmarks/end_to_end.py [--draws 200000 1000000] [--reference-draws 200000]
[--repeats 3] [--scenario NAME_OR_PATH]``.

Each measurement is a fresh ``pivotal run --draws N --seed 1`` process with its own empty store
(so recording the run is included), timed from start to exit (the interpreter's start-up
included); its peak resident memory is the process's own, from the operating system.  Measured
in the same run: ``--draws 1`` (start-up, imports and store with almost no simulation), and the
NumPy engine (``--backend numpy``) at ``--reference-draws``, the reference the compiled engine's
draw-periods per second are compared with.  The compiled engine is warmed up first (a run of 10
draws), so that its one-off compilation, cached on disk, is not counted; the warm-up's time is
printed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

import pivotal

#: ``pivotal`` itself, then its process's peak resident memory (KiB) on standard error.
_MEASURED = (
    "import resource, sys\nfrom pivotal.cli.app import main\nsys.argv = ['pivotal'] + sys.argv[1:]\n"
    "try:\n    main()\nexcept SystemExit as done:\n    code = done.code\nelse:\n    code = 0\n"
    "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\nsys.exit(code)\n"
)


def run_once(draws: int, extra: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident MiB of one ``pivotal run`` in a fresh store."""
    home = tempfile.mkdtemp(prefix="pivotal-bench-")
    try:
        env = {**os.environ, "PIVOTAL_HOME": home}
        command = [
            sys.executable,
            "-c",
            _MEASURED,
            "run",
            "--draws",
            str(draws),
            "--seed",
            "1",
            "--csv",
            *extra,
        ]
        start = time.perf_counter()
        done = subprocess.run(
            command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        seconds = time.perf_counter() - start
        return seconds, int(done.stderr.strip().splitlines()[-1]) / 1024
    finally:
        shutil.rmtree(home, ignore_errors=True)


def best(draws: int, extra: list[str], repeats: int) -> tuple[float, float, list[float]]:
    timings = [run_once(draws, extra) for _ in range(repeats)]
    return min(t for t, _ in timings), max(m for _, m in timings), [t for t, _ in timings]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, nargs="+", default=[200_000, 1_000_000])
    parser.add_argument("--reference-draws", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--scenario", default=None)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    scenario = [args.scenario] if args.scenario else []
    threads = ["--threads", str(args.threads)] if args.threads else []
    periods = len(pivotal.resolve_scenario(args.scenario).timeline)
    warm = run_once(10, [*scenario, *threads])[0]
    print(f"warm-up (compiles the engine unless it is cached): {warm:.2f} s", flush=True)
    startup = min(run_once(1, [*scenario, *threads])[0] for _ in range(args.repeats))
    print(f"pivotal run --draws 1: {startup:.2f} s (start-up, imports, store)", flush=True)
    seconds, peak, _ = best(args.reference_draws, [*scenario, *threads, "--backend", "numpy"], args.repeats)
    reference = args.reference_draws * periods / seconds
    print(
        f"reference, --backend numpy --draws {args.reference_draws:,}: {seconds:.2f} s, "
        f"{reference:,.0f} draw-periods/s end to end, peak {peak:,.0f} MiB",
        flush=True,
    )
    for draws in sorted(args.draws):
        seconds, peak, all_times = best(draws, [*scenario, *threads], args.repeats)
        rate = draws * periods / seconds
        print(
            f"--backend numba --draws {draws:,}: best of {args.repeats} {seconds:.2f} s "
            f"(all: {', '.join(f'{t:.2f}' for t in all_times)}), {rate:,.0f} draw-periods/s, "
            f"{rate / reference:.1f}x the reference; peak resident memory {peak:,.0f} MiB",
            flush=True,
        )


if __name__ == "__main__":
    main()
