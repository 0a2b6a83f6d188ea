"""Draw-periods per second of the engine, against a plain-Python reference in the same run.

Run: ``python benchmarks/engine_throughput.py [SCENARIO] [--draws N ...]``.  The
reference solves the same stage games one draw at a time with the same
functions, so the ratio is the gain from vectorising over draws.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import pivotal
from pivotal.model import StageParameters, solve_stage
from pivotal.simulation.sampling import draw_quantiles, parameter_values


def engine_rate(scenario: pivotal.Scenario, draws: int) -> float:
    start = time.perf_counter()
    pivotal.simulate(scenario, draws=draws, seed=0)
    elapsed = time.perf_counter() - start
    return draws * len(scenario.years) / elapsed


def one_by_one_rate(scenario: pivotal.Scenario, draws: int) -> float:
    values = parameter_values(scenario, draw_quantiles(np.random.default_rng(0), draws))
    start = time.perf_counter()
    for t in range(len(scenario.years)):
        for i in range(draws):
            stage = StageParameters.from_mapping({k: v[t, i : i + 1] for k, v in values.items()})
            solve_stage(stage, values["prior_resolve"][0, i : i + 1])
    elapsed = time.perf_counter() - start
    return draws * len(scenario.years) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("scenario", nargs="?", default=None)
    parser.add_argument("--draws", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--reference-draws", type=int, default=200)
    args = parser.parse_args()
    scenario = pivotal.resolve_scenario(args.scenario)
    reference = one_by_one_rate(scenario, args.reference_draws)
    print(f"scenario {scenario.id}: {len(scenario.years)} periods")
    print(f"reference, one draw at a time ({args.reference_draws} draws): "
          f"{reference:,.0f} draw-periods/s")
    for draws in args.draws:
        rate = engine_rate(scenario, draws)
        ratio = rate / reference
        print(f"engine, {draws:>10,} draws: {rate:>14,.0f} draw-periods/s  ({ratio:,.0f}x reference)")


if __name__ == "__main__":
    main()
