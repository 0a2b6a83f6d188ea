"""Kill `pivotal serve` with SIGKILL soon after it is asked for a run: the store stays whole.

The web app computes a run in a worker thread and records it with the same one-transaction
write as `pivotal run`.  Each trial starts the app on a free loopback port, asks it for a run
of the built-in scenario, and kills the app at a moment drawn over the time a run takes
there; the store is then checked as in :mod:`tests.crash_runs`, and the next trial's app,
started on the same store, must take and record a run of its own.  The full experiment is

    python -m tests.crash_web --trials 50

``tests/test_crash_and_concurrency.py`` runs two trials.
"""

from __future__ import annotations

import random
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx2

from tests.crash_runs import exit_with, experiment_arguments, pivotal_command, run_environment, store_problems


@dataclass
class WebCrashTally:
    trials: int = 0
    before_record: int = 0
    after_record: int = 0
    next_run_ok: int = 0
    defects: list[str] = field(default_factory=list)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_app(home: Path) -> tuple[subprocess.Popen, httpx2.Client]:
    """`pivotal serve` on a free port, answering; and a client for it."""
    port = free_port()
    app = subprocess.Popen(
        pivotal_command("serve", "--port", str(port)),
        env=run_environment(home),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = httpx2.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and app.poll() is None:
        try:
            if client.get("/api/meta").status_code == 200:
                return app, client
        except httpx2.HTTPError:
            pass
        time.sleep(0.1)
    app.kill()
    raise RuntimeError(f"pivotal serve did not answer (exit code {app.poll()})")


def stop(app: subprocess.Popen, client: httpx2.Client) -> None:
    client.close()
    app.send_signal(signal.SIGKILL)
    app.wait()


def ask_for_run(client: httpx2.Client, draws: int, seed: int) -> str:
    response = client.post("/api/runs", json={"scenario": "south-caucasus", "draws": draws, "seed": seed})
    response.raise_for_status()
    return response.json()["job_id"]


def wait_for_run(client: httpx2.Client, job: str, timeout: float = 300) -> dict:
    deadline = time.monotonic() + timeout
    while (status := client.get(f"/api/jobs/{job}").json())["status"] in ("queued", "running"):
        if time.monotonic() > deadline:
            break
        time.sleep(0.05)
    return status


def web_crash_trials(home: Path, trials: int, draws: int = 100_000, seed: int = 0) -> WebCrashTally:
    """Kill the app ``trials`` times, each at a moment drawn over one run's duration there."""
    rng = random.Random(seed)
    store = home / "runs.duckdb"
    app, client = start_app(home)
    began = time.perf_counter()
    status = wait_for_run(client, ask_for_run(client, draws, 0))
    duration = time.perf_counter() - began
    if status["status"] != "done":
        raise RuntimeError(f"the timing run ended {status}")
    tally = WebCrashTally()
    for trial in range(trials):
        before, _ = store_problems(store)
        ask_for_run(client, draws, trial + 1)
        time.sleep(rng.uniform(0.0, 1.0) * duration)
        stop(app, client)
        after, problems = store_problems(store)
        tally.defects += [f"trial {trial}: {p}" for p in problems]
        tally.trials += 1
        if after == before:
            tally.before_record += 1
        elif after == before + 1:  # recorded: killed after the commit, or the run had ended
            tally.after_record += 1
        else:
            tally.defects.append(f"trial {trial}: {before} runs before the kill, {after} after")
        app, client = start_app(home)  # the next app on the same store must take a run
        status = wait_for_run(client, ask_for_run(client, 200, trial))
        if status["status"] == "done" and store_problems(store) == (after + 1, []):
            tally.next_run_ok += 1
        else:
            tally.defects.append(f"trial {trial}: the next run ended {status}")
    stop(app, client)
    return tally


def main() -> None:
    args = experiment_arguments(__doc__, trials=50, draws=100_000, trials_help="web apps started and killed")
    with tempfile.TemporaryDirectory() as folder:
        began = time.perf_counter()
        tally = web_crash_trials(Path(folder), args.trials, args.draws, args.seed)
        print(
            f"{tally.trials} web apps killed with SIGKILL at random moments after a "
            f"{args.draws:,}-draw run was asked for ({time.perf_counter() - began:.0f} s):"
        )
        print(f"  killed before the run was recorded:     {tally.before_record}")
        print(f"  killed when the run was recorded whole: {tally.after_record}")
        print(f"  the next app took and recorded a run:   {tally.next_run_ok} of {args.trials}")
    exit_with(tally.defects, "stores not whole, or runs lost:        ")


if __name__ == "__main__":
    main()
