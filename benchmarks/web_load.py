"""Load on the web app: many clients on the read endpoints while a long run computes.

Run: ``python benchmarks/web_load.py [--clients 50] [--seconds 30] [--draws 1000000]``.

Starts ``pivotal serve`` on a free loopback port over an empty store, records two
small runs for the run endpoints to read and compare, then

1. the reference, measured in the same run: the same clients on an idle server for
   a third of the time;
2. the load: a long run is started and the clients read for ``--seconds``.

Each client sends one request at a time, cycling over the read endpoints (meta,
scenarios, the runs list, one run, its chart, its CSV, a comparison, the long run's
job).  Prints requests, errors, throughput and latency percentiles for both phases,
the ratio of loaded to idle latency, and what became of the long run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

import httpx2
import numpy as np


@dataclass
class Phase:
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def line(self, name: str) -> str:
        ms = np.array(self.latencies) * 1000
        p50, p90, p99 = np.percentile(ms, [50, 90, 99]) if len(ms) else (np.nan,) * 3
        return (
            f"{name:<22} {len(ms):>7,} {sum(self.errors.values()):>6} {len(ms) / self.seconds:>8.0f} "
            f"{p50:>7.1f} {p90:>7.1f} {p99:>7.1f} {ms.max() if len(ms) else np.nan:>8.1f}"
        )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(base: str, process: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"pivotal serve exited with {process.returncode}")
        try:
            if httpx2.get(f"{base}/api/meta", timeout=2).status_code == 200:
                return
        except httpx2.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("pivotal serve did not answer within a minute")


def run_to_end(client: httpx2.Client, body: dict) -> str:
    job = client.post("/api/runs", json=body).json()["job_id"]
    while (status := client.get(f"/api/jobs/{job}").json())["status"] not in ("done", "failed", "cancelled"):
        time.sleep(0.1)
    if status["status"] != "done":
        raise SystemExit(f"the setup run ended {status['status']}: {status}")
    return status["run_id"]


async def read_for(base: str, paths: list[str], clients: int, seconds: float) -> Phase:
    phase = Phase()
    stop = time.monotonic() + seconds
    limits = httpx2.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def one_client(offset: int, client: httpx2.AsyncClient) -> None:
        i = offset
        while time.monotonic() < stop:
            path = paths[i % len(paths)]
            i += 1
            began = time.perf_counter()
            try:
                response = await client.get(path)
                ok = response.status_code == 200
                why = str(response.status_code)
            except httpx2.HTTPError as err:
                ok, why = False, type(err).__name__
            phase.latencies.append(time.perf_counter() - began)
            if not ok:
                phase.errors[why] = phase.errors.get(why, 0) + 1

    began = time.perf_counter()
    async with httpx2.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
        await asyncio.gather(*(one_client(k, client) for k in range(clients)))
    phase.seconds = time.perf_counter() - began
    return phase


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--draws", type=int, default=1_000_000)
    args = parser.parse_args()

    home = tempfile.mkdtemp(prefix="pivotal-load-")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PIVOTAL_HOME": home, "MPLCONFIGDIR": os.path.join(home, "mpl")}
    server = subprocess.Popen(
        [sys.executable, "-m", "pivotal", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up(base, server)
        with httpx2.Client(base_url=base, timeout=60) as client:
            run_a = run_to_end(client, {"scenario": "south-caucasus", "draws": 2000, "seed": 1})
            run_b = run_to_end(client, {"scenario": "south-caucasus", "draws": 2000, "seed": 2})
            paths = [
                "/api/meta",
                "/api/scenarios",
                "/api/runs",
                f"/api/runs/{run_a}",
                f"/api/runs/{run_a}/charts/probabilities.svg",
                f"/api/runs/{run_a}/results.csv",
                f"/api/compare?a={run_a}&b={run_b}&metric=p_offensive",
            ]
            for path in paths:  # warm caches (the chart, the scenario) before timing anything
                client.get(path).raise_for_status()
            idle = asyncio.run(read_for(base, paths, args.clients, args.seconds / 3))
            job = client.post(
                "/api/runs", json={"scenario": "south-caucasus", "draws": args.draws, "seed": 3}
            ).json()["job_id"]
            started = time.perf_counter()
            loaded = asyncio.run(read_for(base, [*paths, f"/api/jobs/{job}"], args.clients, args.seconds))
            status = client.get(f"/api/jobs/{job}").json()
            while status["status"] in ("queued", "running"):
                time.sleep(0.2)
                status = client.get(f"/api/jobs/{job}").json()
            finished = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(home, ignore_errors=True)

    print(
        f"pivotal serve on loopback, {args.clients} clients, one request at a time each; "
        f"{os.cpu_count()} CPUs"
    )
    print(
        f"{'phase':<22} {'requests':>7} {'errors':>6} {'req/s':>8} {'p50 ms':>7} {'p90 ms':>7} "
        f"{'p99 ms':>7} {'max ms':>8}"
    )
    print(idle.line(f"idle ({args.seconds / 3:.0f} s, reference)"))
    print(loaded.line(f"during a run ({args.seconds:.0f} s)"))
    for name, phase in (("idle", idle), ("loaded", loaded)):
        if phase.errors:
            print(f"  errors {name}: {phase.errors}")
    p50 = np.percentile(loaded.latencies, 50) / np.percentile(idle.latencies, 50)
    p99 = np.percentile(loaded.latencies, 99) / np.percentile(idle.latencies, 99)
    print(f"loaded / idle: p50 x{p50:.2f}, p99 x{p99:.2f}")
    print(
        f"the {args.draws:,}-draw run: {status['status']} after {finished:.1f} s "
        f"({status['done']:,} of {status['total']:,} draws)"
    )


if __name__ == "__main__":
    main()
