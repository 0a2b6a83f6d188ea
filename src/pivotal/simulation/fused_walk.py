"""The compiled backend's walk over periods: a run plan as flat arrays, and one chunk played.

:mod:`pivotal.simulation.fused` solves one period for every draw; this module lays a
:class:`~pivotal.simulation.kernel.RunPlan` out as the integer arrays it reads, and plays it in a
:class:`~pivotal.simulation.kernel.Walk` that carries the state between periods as the NumPy walk
does.  Two ways to play a chunk: keep every period's outputs (:func:`run_chunk`, the backend
interface), or reduce each period as it is played to sums, extremes and histogram counts
(:func:`chunk_statistics`), so that a chunk never holds more than one period's outputs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from pivotal.model.period_game import GameOptions
from pivotal.model.stage_game import CAPACITY_FLOOR
from pivotal.simulation import fused
from pivotal.simulation.kernel import (
    ABSENT_METRICS,
    ABSENT_PIVOT,
    METRICS,
    UNIFORMS_PER_PERIOD,
    ChunkOutput,
    RunPlan,
    Walk,
)

#: The outputs a period without a pivot reports as 0.
_ABSENT_ROWS = [METRICS.index(name) for name in ABSENT_METRICS]


@dataclass(frozen=True)
class FlatPlan:
    """A run plan as the arrays the compiled kernel reads."""

    rows: np.ndarray  # (T, N_KERNEL) each period's piece-table row of each kernel parameter
    prior_rows: np.ndarray  # (T,) the row of prior_resolve
    records: np.ndarray  # (T, 7) record codes (see fused.RECORDED)
    overrides: np.ndarray  # (T, N_KERNEL) values replacing the drawn ones, NaN where none
    absent: np.ndarray  # (T,) bool, no pivot stands between the rivals
    pivots: tuple[int, ...]
    contexts: np.ndarray  # (K, 4)
    variants: np.ndarray  # (V,)
    options: GameOptions
    fitted_names: tuple[str, ...]  # the parameters a fit sets, in the order of its rows
    slots: np.ndarray  # (N_KERNEL,) each kernel parameter's fitted row, -1 when drawn


def flat_plan(plan: RunPlan) -> FlatPlan:
    """Lay ``plan`` out for :func:`pivotal.simulation.fused.play_period`."""
    names = fused.KERNEL_NAMES
    rows = np.array([[step.rows[name] for name in names] for step in plan.steps], dtype=np.int64)
    prior_rows = np.array([step.rows["prior_resolve"] for step in plan.steps], dtype=np.int64)
    records = np.full((len(plan.steps), 7), -1, dtype=np.int64)
    for t, step in enumerate(plan.steps):
        r = step.recorded
        records[t, fused.RECORDED] = 0 if r is None else 1
        if r is not None:
            records[t, 1:] = [
                r.challenge,
                r.response,
                _code(r.posture),
                _code(r.first_move),
                _code(r.answer),
                _code(r.hedged),
            ]
    absent = np.full(len(names), np.nan)
    for name, value in ABSENT_PIVOT.items():
        if name in names:
            absent[names.index(name)] = value
    absent[fused.TURNOVER] = 0.0  # no pivot: no type to turn over
    overrides = np.array([absent if step.absent else np.full(len(names), np.nan) for step in plan.steps])
    contexts = plan.options.contexts
    variant_of: dict[tuple[int, bool], int] = {}
    table = []
    for c in contexts:
        variant = variant_of.setdefault((c.posture, c.move == fused.CONCEDE), len(variant_of))
        table.append((c.posture, c.move, -1 if c.answer is None else c.answer, variant))
    firsts = [next(k for k, row in enumerate(table) if row[3] == v) for v in range(len(variant_of))]
    fitted_names = tuple(
        name
        for name in (plan.fitted.values if plan.fitted else {})
        if name in names or name == "prior_resolve"
    )
    slots = np.array(
        [fitted_names.index(name) if name in fitted_names else -1 for name in names], dtype=np.int64
    )
    return FlatPlan(
        rows=rows,
        prior_rows=prior_rows,
        records=records,
        overrides=overrides,
        absent=np.array([step.absent for step in plan.steps], dtype=bool),
        pivots=tuple(step.pivot for step in plan.steps),
        contexts=np.array(table, dtype=np.int64),
        variants=np.array(firsts, dtype=np.int64),
        options=plan.options,
        fitted_names=fitted_names,
        slots=slots,
    )


def _code(value: int | bool | None) -> int:
    return -1 if value is None else int(value)


class CompiledWalk(Walk):
    """A :class:`~pivotal.simulation.kernel.Walk` whose periods the compiled kernel plays.

    It carries the same state as the NumPy walk, switches pivots the same way and hears other
    dyads' evidence the same way (a system of dyads plays it as it plays the NumPy one).
    """

    def __init__(
        self,
        plan: RunPlan,
        quantiles: np.ndarray,
        uniforms: np.ndarray | None,
        fitted: dict[str, np.ndarray] | None = None,
        keep: bool = True,
    ) -> None:
        n = quantiles.shape[1]
        super().__init__(
            plan,
            quantiles,
            np.empty((0, UNIFORMS_PER_PERIOD, n)) if uniforms is None else np.ascontiguousarray(uniforms),
            fitted=fitted,
            keep=keep,
        )
        self.flat = flat = flat_plan(plan)
        # (T, F, n): each period's fitted values in one block, in the order of flat.fitted_names
        self.fitted_rows = (
            np.ascontiguousarray(np.stack([self.fitted[name] for name in flat.fitted_names], axis=1))
            if flat.fitted_names
            else np.empty((len(plan.steps), 0, n))
        )

    def play(
        self,
        t: int,
        uniforms: np.ndarray | None = None,
        metrics: np.ndarray | None = None,
        challenge: np.ndarray | None = None,
        response: np.ndarray | None = None,
    ) -> np.ndarray:
        """Play period ``t`` (in order); returns its outputs, (len(METRICS), n), written into
        ``metrics`` (and the moves into ``challenge`` and ``response``) when given, else into the
        walk's own arrays.  ``uniforms``: the period's, when the walk was made without them."""
        flat, options = self.flat, self.flat.options
        self.enter(t)
        if metrics is None:
            metrics, challenge, response = self.metrics[t], self.challenges[t], self.responses[t]
        # The kernel moves the state on in place: copies, since another walk may share these arrays
        # (a system's dyads share the pivot's type).
        belief, resolved, erosion = self.belief.copy(), self.resolved.copy(), self.erosion.copy()
        fused.play_period(
            self.table,
            flat.rows[t],
            self.fitted_rows[t],
            flat.slots,
            flat.overrides[t],
            belief,
            resolved,
            erosion,
            self.prior,
            self.type_drawn,
            self.uniforms[t] if uniforms is None else uniforms,
            flat.records[t],
            flat.contexts,
            flat.variants,
            options.crisis_only,
            options.target_moves_first,
            options.pivot_posture,
            CAPACITY_FLOOR,
            metrics,
            challenge,
            response,
        )
        self.belief, self.resolved, self.erosion = belief, resolved, erosion
        self.turnover = np.zeros_like(self.prior) if flat.absent[t] else self.value(t, "resolve_turnover")
        self.type_drawn = bool(flat.records[t, fused.RECORDED] == 0)
        if flat.absent[t]:  # no pivot: its posture reads as 0, not as a tie
            metrics[_ABSENT_ROWS] *= 0.0
        return metrics


def run_chunk(
    plan: RunPlan, quantiles: np.ndarray, uniforms: np.ndarray, fitted: dict[str, np.ndarray] | None = None
) -> ChunkOutput:
    """Every period's outputs for one chunk, as :func:`pivotal.simulation.kernel.run_chunk` gives them."""
    walk = CompiledWalk(plan, quantiles, uniforms, fitted)
    for t in range(len(plan.steps)):
        walk.play(t)
    return walk.output()


@dataclass(frozen=True)
class PeriodSums:
    """What a chunk leaves of its outputs besides histogram counts: sums, minima and maxima per
    (period, metric), and its draws."""

    draws: int
    sums: np.ndarray
    minimum: np.ndarray
    maximum: np.ndarray


def streamed_bytes_per_draw(plan: RunPlan) -> int:
    """What one draw of a chunk played by :func:`chunk_statistics` holds: its quantiles and parameter
    pieces, its fitted values, one period's uniforms and outputs, and its carried state."""
    fitted = len(plan.fitted.values) * len(plan.steps) if plan.fitted is not None else 0
    return 8 * (plan.quantile_rows + len(plan.pieces) + fitted + UNIFORMS_PER_PERIOD + len(METRICS) + 8) + 2


def chunk_statistics(
    plan: RunPlan,
    quantiles: np.ndarray,
    next_uniforms: Callable[[], np.ndarray],
    counts: np.ndarray,
    lock: threading.Lock,
    fitted: dict[str, np.ndarray] | None = None,
) -> PeriodSums:
    """Play one chunk, reducing each period as it is played.

    ``next_uniforms()`` gives the next period's uniforms, (UNIFORMS_PER_PERIOD, n); ``counts``
    (n_periods, len(METRICS), bins) is the run's histogram, to which each period's counts are
    added under ``lock`` (integers: the order of the additions does not matter).  Sums are taken
    by NumPy over the chunk, as :class:`~pivotal.simulation.streaming.ChunkStats` takes them.
    """
    walk = CompiledWalk(plan, quantiles, None, fitted, keep=False)
    n_periods, n = len(plan.steps), quantiles.shape[1]
    metrics = np.empty((len(METRICS), n))
    challenge = np.empty(n, dtype=np.int8)
    response = np.empty(n, dtype=np.int8)
    bins = counts.shape[-1]
    sums = np.empty((n_periods, len(METRICS)))
    minimum, maximum = np.empty_like(sums), np.empty_like(sums)
    period_counts = np.empty((len(METRICS), bins), dtype=counts.dtype)
    for t in range(n_periods):
        uniforms = next_uniforms()
        if uniforms.shape != (UNIFORMS_PER_PERIOD, n):
            raise ValueError(
                f"period {t}: expected uniforms of shape {(UNIFORMS_PER_PERIOD, n)}, got {uniforms.shape}"
            )
        walk.play(t, uniforms, metrics, challenge, response)
        sums[t] = metrics.sum(axis=1)
        fused.extremes_and_counts(metrics, minimum[t], maximum[t], period_counts)
        with lock:
            np.add(counts[t], period_counts, out=counts[t])
    return PeriodSums(draws=n, sums=sums, minimum=minimum, maximum=maximum)
