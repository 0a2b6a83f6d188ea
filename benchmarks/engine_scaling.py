"""Engine throughput and peak memory from 1e4 to 1e7 draws, with references measured in the same run.

Run: ``python benchmarks/engine_scaling.py [--draws 10000 100000 1000000 10000000]
[--plot FILE.png] [--scenario NAME_OR_PATH]``.

Each size runs in a fresh process (so its peak resident memory is its own) and
streams the draws as ``pivotal run`` does, on ``--backend`` (default: the compiled engine).  Two
references solve the same crises (stage games) one at a time in the same run: pivotal's own NumPy
solver called on one game, and Gambit's logit path tracer (``pivotal[verify]``), if installed,
each game built from its .efg text, with the share of Gambit's time that writing and parsing the
text takes.  A period of a scenario with moves before the crisis solves one crisis per context,
so the ratios compare crises solved per second.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

import pivotal
from pivotal.model import solve_stage
from pivotal.simulation.engine import default_threads, stage_for_draw
from pivotal.simulation.kernel import make_plan


def child(scenario_name: str | None, draws: int, backend: str) -> None:
    """Measure one run in this process and print its figures as JSON."""
    import resource

    from pivotal.simulation import get_backend
    from pivotal.simulation.random import BLOCK_DRAWS
    from pivotal.simulation.streaming import simulate_summary

    scenario = pivotal.resolve_scenario(scenario_name)
    # Warm up on one full chunk, so that JAX compiles for the shape the run uses.
    simulate_summary(scenario, draws=get_backend(backend).chunk_blocks * BLOCK_DRAWS, seed=0, backend=backend)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    simulate_summary(scenario, draws=draws, seed=1, backend=backend)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "draws": draws,
                "periods": len(scenario.timeline),
                "seconds": seconds,
                "backend": backend,
                "peak_mib": peak / 1024,
                "baseline_mib": before / 1024,
            }
        )
    )


def measure(scenario_name: str | None, draws: int, backend: str) -> dict:
    command = [sys.executable, __file__, "--child", str(draws), "--backend", backend]
    if scenario_name:
        command += ["--scenario", scenario_name]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def sample_games(scenario: pivotal.Scenario, count: int) -> list[tuple]:
    """``count`` (stage, belief) pairs: random draws in random periods of a recorded run."""
    result = pivotal.simulate(scenario, draws=count, seed=2)
    rng = np.random.default_rng(3)
    periods = [result.periods[i] for i in rng.integers(len(result.periods), size=count)]
    return [stage_for_draw(result, period, draw) for draw, period in enumerate(periods)]


def one_by_one_rate(games: list[tuple]) -> float:
    start = time.perf_counter()
    for stage, belief in games:
        solve_stage(stage, np.array([belief]))
    return len(games) / (time.perf_counter() - start)


def gambit_rate(games: list[tuple]) -> tuple[float, float] | None:
    """Games per second with Gambit's logit solver, building each game from its .efg text, and the
    share of that time spent writing and parsing the text (not solving)."""
    try:
        from pivotal.verify.efg import stage_efg
        from pivotal.verify.gambit import read_game, require_pygambit, solve_with_gambit

        require_pygambit()
    except ImportError:
        return None
    start = time.perf_counter()
    for stage, belief in games:
        solve_with_gambit(stage, belief)
    total = time.perf_counter() - start
    start = time.perf_counter()
    for stage, belief in games:
        read_game(stage_efg(stage, belief))
    text = time.perf_counter() - start
    return len(games) / total, text / total


def plot(rows: list[dict], path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    draws = [r["draws"] for r in rows]
    rates = [r["draws"] * r["periods"] / r["seconds"] for r in rows]
    fig, speed = plt.subplots(figsize=(6.4, 4.0), layout="constrained")
    speed.loglog(draws, rates, "o-", color="#0072B2", label="draw-periods per second")
    speed.set_xlabel("draws in the run")
    speed.set_ylabel("draw-periods per second", color="#0072B2")
    memory = speed.twinx()
    memory.semilogx(
        draws, [r["peak_mib"] for r in rows], "s--", color="#D55E00", label="peak resident memory"
    )
    memory.set_ylabel("peak resident memory (MiB)", color="#D55E00")
    memory.set_ylim(bottom=0)
    speed.set_title(f"pivotal engine on the built-in scenario ({rows[0].get('backend', 'numba')} backend)")
    lines = speed.get_legend_handles_labels()[0] + memory.get_legend_handles_labels()[0]
    labels = speed.get_legend_handles_labels()[1] + memory.get_legend_handles_labels()[1]
    speed.legend(lines, labels, loc="lower right", fontsize="small")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, nargs="+", default=[10_000, 100_000, 1_000_000, 10_000_000])
    parser.add_argument("--scenario", default=None)
    parser.add_argument("--backend", default="numba")
    parser.add_argument("--reference-games", type=int, default=300)
    parser.add_argument("--plot", default=None, help="write the scaling figure to this PNG file")
    parser.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        child(args.scenario, args.child, args.backend)
        return

    scenario = pivotal.resolve_scenario(args.scenario)
    contexts = len(make_plan(scenario).options.contexts)
    print(
        f"scenario {scenario.id}: {len(scenario.timeline)} periods, {contexts} crises a period; backend "
        f"{args.backend}; {default_threads()} CPUs; numpy {np.__version__}; pid {os.getpid()}"
    )
    games = sample_games(scenario, args.reference_games)
    reference = one_by_one_rate(games)
    gambit = gambit_rate(games)
    print(
        f"reference: pivotal's NumPy solver called on one game at a time ({len(games)} crises): "
        f"{reference:,.0f} games/s"
    )
    if gambit is None:
        print('reference: Gambit not installed (pip install "pivotal[verify]"); no Gambit ratio')
    else:
        print(
            f"reference: Gambit's logit path tracer, one game at a time from its .efg text ({len(games)} "
            f"crises): {gambit[0]:,.1f} games/s, {gambit[1]:.0%} of it writing and parsing the text"
        )
    rows = []
    print(
        "Ratios compare crises solved per second: the engine's draw-periods/s times the crises a period "
        "solves."
    )
    print(
        f"{'draws':>12} {'seconds':>9} {'draw-periods/s':>16} {'crises/s':>14} {'peak MiB':>9} "
        f"{'x one-by-one':>13} {'x Gambit':>10}"
    )
    for draws in args.draws:
        row = measure(args.scenario, draws, args.backend)
        rows.append(row)
        rate = row["draws"] * row["periods"] / row["seconds"]
        crises = rate * contexts
        versus_gambit = f"{crises / gambit[0]:,.0f}" if gambit else "-"
        print(
            f"{draws:>12,} {row['seconds']:>9.2f} {rate:>16,.0f} {crises:>14,.0f} {row['peak_mib']:>9.0f} "
            f"{crises / reference:>13,.0f} {versus_gambit:>10}",
            flush=True,
        )
    if args.plot:
        plot(rows, args.plot)
        print(f"figure written to {args.plot}")


if __name__ == "__main__":
    main()
