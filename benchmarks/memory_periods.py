"""Peak memory of ``pivotal run`` as periods and threads grow, on both engines.

Run: ``python benchmarks/memory_periods.py [--periods 40 100 250 500] [--threads 1 2 8]
[--draws 1000000] [--backends numba numpy]``.

The scenario is the test suite's tiny scenario stretched to the number of periods asked for (one
piece per parameter, so its parameter table stays small and what grows is the engine's own
state).  Each run is a fresh ``pivotal run --no-store --csv`` process; its peak resident memory,
imports and all, comes from the operating system.  The reference, in the same run, is the same
process with ``--draws 1``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TINY = Path(__file__).resolve().parent.parent / "tests" / "data" / "tiny.yaml"


def stretched(periods: int, folder: Path) -> Path:
    """The tiny scenario over 2001 to 2000 + ``periods``."""
    last = 2000 + periods
    text = (
        TINY.read_text(encoding="utf-8")
        .replace("end: 2003}", f"end: {last}}}")
        .replace("'2001-2003'", f"'2001-{last}'")
    )
    path = folder / f"stretched-{periods}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def peak_of(path: Path, draws: int, threads: int, backend: str) -> tuple[float, float]:
    """Seconds and peak resident MiB of one run, in a process of its own."""
    command = [
        sys.executable,
        "-c",
        "import resource, sys; from pivotal.cli.app import main; "
        "sys.argv = ['pivotal'] + sys.argv[1:]\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)",
        "run",
        str(path),
        "--draws",
        str(draws),
        "--seed",
        "1",
        "--threads",
        str(threads),
        "--backend",
        backend,
        "--no-store",
        "--csv",
    ]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - start
    return seconds, int(done.stderr.strip().splitlines()[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--periods", type=int, nargs="+", default=[40, 100, 250, 500])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2, 8])
    parser.add_argument("--draws", type=int, default=1_000_000)
    parser.add_argument("--backends", nargs="+", default=["numba"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        os.environ.setdefault("PIVOTAL_HOME", folder)
        base = stretched(3, Path(folder))
        _, reference = peak_of(base, 1, 1, args.backends[0])
        print(f"reference, --draws 1: peak {reference:,.0f} MiB (Python, libraries, store)", flush=True)
        for backend in args.backends:
            for periods in args.periods:
                path = stretched(periods, Path(folder))
                for threads in args.threads:
                    seconds, peak = peak_of(path, args.draws, threads, backend)
                    print(
                        f"{backend}, {periods} periods, {args.draws:,} draws, --threads {threads}: "
                        f"peak {peak:,.0f} MiB ({peak - reference:+,.0f} over the reference), "
                        f"{seconds:.1f} s",
                        flush=True,
                    )


if __name__ == "__main__":
    main()
