"""How close the NumPy engine comes to this machine's memory bandwidth.

Run: ``python benchmarks/memory_bandwidth.py [--scenario NAME_OR_PATH]``.

1. Bandwidth: NumPy copies on every CPU at once, for arrays that stay in the
   core's L2 cache, and for arrays far larger than the last-level cache.
2. The engine's traffic: the bytes its array operations read and write per
   draw-period, counted by running one chunk on arrays of an ndarray subclass
   that adds up the sizes of every operation's inputs and outputs.
3. Bandwidth divided by traffic is the rate at which the engine would run if
   memory were its only limit; the measured rate is printed beside it.
"""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

import pivotal
from pivotal.model.parameters import PARAMETER_NAMES
from pivotal.model.stage_game import STAGE_NAMES
from pivotal.simulation.engine import default_threads, iter_chunks
from pivotal.simulation.kernel import UNIFORMS_PER_PERIOD, make_plan, period_step, piece_table
from pivotal.simulation.random import BLOCK_DRAWS, block_uniforms, root_sequence


def copy_bandwidth(elements: int, repeats: int, threads: int) -> float:
    """Bytes per second read plus written by ``threads`` concurrent copies."""
    pairs = [(np.random.rand(elements), np.empty(elements)) for _ in range(threads)]

    def work(pair: tuple[np.ndarray, np.ndarray]) -> None:
        source, target = pair
        for _ in range(repeats):
            np.copyto(target, source)

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(work, pairs))  # warm up
        start = time.perf_counter()
        list(pool.map(work, pairs))
        seconds = time.perf_counter() - start
    return threads * repeats * elements * 16 / seconds


class Counted(np.ndarray):
    """An ndarray that adds the bytes of every operation's operands and results to a tally."""

    tally = 0

    @staticmethod
    def _plain(value: Any) -> Any:
        if isinstance(value, Counted):
            return value.view(np.ndarray)
        if isinstance(value, list | tuple):
            return type(value)(Counted._plain(v) for v in value)
        return value

    @staticmethod
    def _count(values: Any) -> int:
        if isinstance(values, np.ndarray):
            return values.nbytes
        if isinstance(values, list | tuple):
            return sum(Counted._count(v) for v in values)
        return 0

    @classmethod
    def _wrap(cls, result: Any) -> Any:
        if isinstance(result, np.ndarray) and result.ndim > 0:
            return result.view(cls)
        if isinstance(result, tuple):
            return tuple(cls._wrap(r) for r in result)
        return result

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):  # type: ignore[no-untyped-def]
        plain = self._plain(inputs)
        result = getattr(ufunc, method)(*plain, **kwargs)
        Counted.tally += self._count(plain) + self._count(result)
        return self._wrap(result)

    def __array_function__(self, func, types, args, kwargs):  # type: ignore[no-untyped-def]
        plain_args = self._plain(args)
        plain_kwargs = {k: self._plain(v) for k, v in kwargs.items()}
        result = func(*plain_args, **plain_kwargs)
        Counted.tally += self._count(plain_args) + self._count(result)
        return self._wrap(result)


def bytes_per_draw_period(scenario: pivotal.Scenario, draws: int = BLOCK_DRAWS) -> float:
    """Bytes the NumPy kernel's operations read and write per draw-period, over one chunk."""
    plan = make_plan(scenario)
    rows = block_uniforms(root_sequence(0), 0, plan.uniform_rows)[:, :draws]
    n_parameters = len(PARAMETER_NAMES)
    table = piece_table(plan, rows[:n_parameters]).view(Counted)
    uniforms = rows[n_parameters:].reshape(len(plan.steps), UNIFORMS_PER_PERIOD, draws).view(Counted)
    prior = table[plan.steps[0].rows["prior_resolve"]]
    belief, resolved = prior, np.zeros(draws, dtype=bool).view(Counted)
    erosion = np.ones(draws).view(Counted)
    Counted.tally = 0
    type_drawn = False
    for t, step in enumerate(plan.steps):
        stage = {name: table[step.rows[name]] for name in (*STAGE_NAMES, "hedge_erosion")}
        _, _, _, belief, resolved, erosion = period_step(
            stage, belief, resolved, erosion, uniforms[t], table[step.rows["resolve_turnover"]], prior,
            recorded=step.recorded, type_drawn=type_drawn, options=plan.options)
        type_drawn = step.recorded is None
    return Counted.tally / (draws * len(plan.steps))


def engine_rate(scenario: pivotal.Scenario, draws: int) -> float:
    plan = make_plan(scenario)
    start = time.perf_counter()
    for _ in iter_chunks(plan, draws, 0):
        pass
    return draws * len(plan.steps) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default=None)
    parser.add_argument("--draws", type=int, default=1_000_000)
    args = parser.parse_args()
    scenario = pivotal.resolve_scenario(args.scenario)
    threads = default_threads()
    cache = copy_bandwidth(16_384, 2_000, threads)  # 2 x 128 KiB per thread: in L2
    dram = copy_bandwidth(32_000_000, 5, threads)  # 2 x 256 MB per thread: far beyond L3
    traffic = bytes_per_draw_period(scenario)
    rate = engine_rate(scenario, args.draws)
    print(f"{threads} threads; scenario {scenario.id}, {len(scenario.timeline)} periods")
    print(f"copy bandwidth, L2-resident arrays: {cache / 1e9:8.1f} GB/s")
    print(f"copy bandwidth, arrays beyond L3:   {dram / 1e9:8.1f} GB/s")
    print(f"engine traffic: {traffic:,.0f} bytes read + written per draw-period (NumPy kernel)")
    print(f"memory-bound rate: {cache / traffic:,.0f} draw-periods/s at L2 bandwidth, "
          f"{dram / traffic:,.0f} at DRAM bandwidth")
    print(f"measured engine rate ({args.draws:,} draws): {rate:,.0f} draw-periods/s = "
          f"{rate / (cache / traffic):.0%} of the L2 bound, {rate / (dram / traffic):.0%} of the DRAM bound")


if __name__ == "__main__":
    main()
