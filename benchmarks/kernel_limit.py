"""How close the compiled kernel comes to what its arithmetic costs on this machine.

Run: ``python benchmarks/kernel_limit.py [--draws 16384] [--repeats 5] [--scenario NAME]``.

Three figures, measured in the same run on one thread:

* the kernel's own rate: one chunk through every period (``fused_walk.run_chunk``), in
  draw-periods per second, beside NumPy's ``kernel.run_chunk`` on the same numbers;
* the cost of one exponential in a vectorised loop (the kernel's inline ``_exp`` over a long
  array, with the logit's maximum and division around it as in the kernel);
* the exponentials one draw-period needs, counted from the game's contexts: per variant and
  challenge, six for the two types' responses and three for the target's hedges; per context,
  five for the challenger; the early moves' logits; one for the hedge after the status quo.

Their product is a floor on the kernel's time that counts nothing but its exponentials; the ratio
of the kernel's time to it says how much of the kernel is exponentials and how much everything
else (divisions, the mixing over contexts, memory traffic, sampling, the record).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from numba import njit

from pivotal.scenario import resolve_scenario
from pivotal.simulation import fused, fused_walk
from pivotal.simulation.kernel import UNIFORMS_PER_PERIOD, make_plan, run_chunk


@njit(nogil=True, error_model="numpy")
def _logit_rows(u0, u1, u2, out0, out1, out2):  # pragma: no cover - compiled
    for i in range(u0.shape[0]):
        top = max(max(u0[i], u1[i]), u2[i])
        w0, w1, w2 = fused._exp(u0[i] - top), fused._exp(u1[i] - top), fused._exp(u2[i] - top)
        total = w0 + w1 + w2
        out0[i], out1[i], out2[i] = w0 / total, w1 / total, w2 / total


def exp_cost(repeats: int) -> float:
    """Seconds per exponential in a vectorised three-way logit, the best of ``repeats``."""
    rng = np.random.default_rng(0)
    n = 1 << 16
    rows = [rng.normal(0.0, 5.0, n) for _ in range(3)]
    outs = [np.empty(n) for _ in range(3)]
    _logit_rows(*rows, *outs)
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(50):
            _logit_rows(*rows, *outs)
        best = min(best, (time.perf_counter() - start) / (50 * 3 * n))
    return best


def exponentials_per_draw_period(plan) -> int:
    """The exponentials the kernel computes per draw and period (record and underflow aside)."""
    contexts = plan.options.contexts
    variants = len({(c.posture, c.move == 0) for c in contexts})
    crisis = variants * 2 * (6 + 3) + 1 + len(contexts) * 5
    if plan.options.crisis_only:
        return crisis
    postures = 3 if plan.options.pivot_posture else 1
    early = postures * (2 + 3) if plan.options.target_moves_first else 0
    return crisis + early + (3 if plan.options.pivot_posture else 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=16384)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--scenario", default="south-caucasus")
    args = parser.parse_args()
    plan = make_plan(resolve_scenario(args.scenario))
    rng = np.random.default_rng(1)
    quantiles = rng.random((plan.quantile_rows, args.draws))
    uniforms = rng.random((len(plan.steps), UNIFORMS_PER_PERIOD, args.draws))
    fused_walk.run_chunk(plan, quantiles[:, :300].copy(), np.ascontiguousarray(uniforms[:, :, :300]))
    draw_periods = args.draws * len(plan.steps)

    def best(function) -> float:
        times = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            function()
            times.append(time.perf_counter() - start)
        return min(times)

    compiled = best(lambda: fused_walk.run_chunk(plan, quantiles, uniforms))
    reference = best(lambda: run_chunk(plan, quantiles, uniforms))
    per_exp = exp_cost(args.repeats)
    count = exponentials_per_draw_period(plan)
    floor = count * per_exp
    per_draw_period = compiled / draw_periods
    print(
        f"{args.scenario}: {len(plan.steps)} periods, {len(plan.options.contexts)} contexts a period, "
        f"{args.draws:,} draws, one thread, best of {args.repeats}"
    )
    print(
        f"compiled kernel: {draw_periods / compiled:,.0f} draw-periods/s "
        f"({per_draw_period * 1e9:,.0f} ns each)"
    )
    print(
        f"NumPy kernel (reference): {draw_periods / reference:,.0f} draw-periods/s; "
        f"compiled / NumPy = {reference / compiled:.1f}x"
    )
    print(
        f"one exponential in a vectorised logit: {per_exp * 1e9:.2f} ns; {count} exponentials a "
        f"draw-period: floor {floor * 1e9:,.0f} ns, {1 / floor:,.0f} draw-periods/s"
    )
    print(f"the kernel takes {per_draw_period / floor:.1f}x its exponentials' floor")


if __name__ == "__main__":
    main()
