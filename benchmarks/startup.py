"""How long the command line takes to start: ``pivotal --help`` and a few quick commands.

Run: ``python benchmarks/startup.py [--repeats 10]``.

Each command is a fresh process, timed from start to exit; the figure is the best of
``--repeats``.  The reference, in the same run, is the interpreter alone (``python -c pass``),
which no command can beat.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

COMMANDS = {
    "python -c pass (reference)": [sys.executable, "-c", "pass"],
    "python -c 'import pivotal'": [sys.executable, "-c", "import pivotal"],
    "pivotal --help": [sys.executable, "-m", "pivotal", "--help"],
    "pivotal run --help": [sys.executable, "-m", "pivotal", "run", "--help"],
    "pivotal scenarios": [sys.executable, "-m", "pivotal", "scenarios"],
    "pivotal runs (empty store)": [sys.executable, "-m", "pivotal", "runs"],
}


def best(command: list[str], repeats: int, env: dict[str, str]) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "PIVOTAL_HOME": home}
        reference = best(COMMANDS["python -c pass (reference)"], args.repeats, env)
        for label, command in COMMANDS.items():
            seconds = best(command, args.repeats, env)
            print(
                f"{label:32} {seconds:6.3f} s  ({seconds - reference:+.3f} s over the interpreter alone)",
                flush=True,
            )


if __name__ == "__main__":
    main()
