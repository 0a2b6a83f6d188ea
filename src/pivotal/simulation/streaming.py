"""Summaries of runs too large to keep: means and 90% intervals streamed chunk by chunk.

Every metric is a probability or a belief in [0, 1], so a fixed histogram per
(period, metric) merges exactly across chunks and threads.  Means are exact
(up to the order of summation); interval ends are read off the histogram by
interpolating inside the bin, so each lies within ``1 / HISTOGRAM_BINS`` of the
two order statistics that bracket the exact sample quantile, and they are
clamped to the exact minimum and maximum (a constant metric gets its exact
value).  Memory is independent of the number of draws.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace

import numpy as np

from pivotal.model.parameters import PARAMETER_NAMES
from pivotal.scenario.schema import Scenario
from pivotal.scenario.timeline import Period
from pivotal.simulation.backends import DEFAULT_BACKEND, Backend, get_backend
from pivotal.simulation.engine import Chunk, iter_chunks
from pivotal.simulation.fitted import FittedValues
from pivotal.simulation.kernel import METRICS, UNIFORMS_PER_PERIOD, RunPlan, make_plan
from pivotal.simulation.random import BLOCK_DRAWS, PeriodStream, SeedLike

HISTOGRAM_BINS = 4096
#: A run's histogram counts: a run has at most 100 million draws, well within 32 bits.
COUNT_TYPE = np.int32
#: A chunk's counts: 16 bits while no bin can hold more than 65,535 of its draws, which halves
#: what a long scenario's chunk in flight holds.
CHUNK_COUNT_TYPE = np.uint16


def chunk_count_type(draws: int) -> type[np.integer]:
    """The smallest count type that holds a chunk of ``draws`` draws falling all in one bin."""
    return CHUNK_COUNT_TYPE if draws <= np.iinfo(CHUNK_COUNT_TYPE).max else COUNT_TYPE


def histogram_bytes(n_periods: int, count_type: type[np.integer] = COUNT_TYPE) -> int:
    """What one histogram of every metric in every period holds, in bytes."""
    return n_periods * len(METRICS) * HISTOGRAM_BINS * np.dtype(count_type).itemsize


@dataclass(frozen=True)
class ChunkStats:
    """Mergeable statistics of one chunk, shaped (n_periods, len(METRICS)[, bins])."""

    draws: int
    sums: np.ndarray
    minimum: np.ndarray
    maximum: np.ndarray
    counts: np.ndarray

    @classmethod
    def of(cls, chunk: Chunk) -> ChunkStats:
        values = chunk.output.metrics  # (n_periods, n_metrics, n)
        n_periods, n_metrics, n = values.shape
        offsets = (np.arange(n_metrics) * HISTOGRAM_BINS)[:, None]
        counts = np.empty((n_periods, n_metrics, HISTOGRAM_BINS), dtype=chunk_count_type(n))
        for t in range(n_periods):  # one period at a time keeps the temporaries small
            bins = np.minimum((values[t] * HISTOGRAM_BINS).astype(np.int32), HISTOGRAM_BINS - 1)
            bins += offsets
            counts[t] = np.bincount(bins.ravel(), minlength=n_metrics * HISTOGRAM_BINS).reshape(
                n_metrics, HISTOGRAM_BINS
            )
        return cls(
            draws=n,
            sums=values.sum(axis=2),
            minimum=values.min(axis=2),
            maximum=values.max(axis=2),
            counts=counts,
        )

    def widened(self) -> ChunkStats:
        """These statistics with counts of :data:`COUNT_TYPE`, wide enough for a whole run."""
        if self.counts.dtype == COUNT_TYPE:
            return self
        return replace(self, counts=self.counts.astype(COUNT_TYPE))

    def absorb(self, other: ChunkStats) -> ChunkStats:
        """The merge of the two, adding ``other``'s histogram into this one's in place.

        A long scenario's histograms are large, and a third copy would be needed otherwise; this
        one's counts must be of :data:`COUNT_TYPE` (see :meth:`widened`).
        """
        if self.counts.dtype != COUNT_TYPE:
            raise ValueError("absorb into widened statistics (ChunkStats.widened)")
        np.add(self.counts, other.counts, out=self.counts)
        return ChunkStats(
            draws=self.draws + other.draws,
            sums=self.sums + other.sums,
            minimum=np.minimum(self.minimum, other.minimum),
            maximum=np.maximum(self.maximum, other.maximum),
            counts=self.counts,
        )

    def quantile(self, q: float) -> np.ndarray:
        r"""Sample quantile ``q`` of each (period, metric) from the histogram.

        The ``k``-th smallest of ``N`` values, :math:`k = q (N - 1)`, is placed
        inside its bin by assuming the bin's values are spread evenly.  Computed a
        period at a time, so that no copy of the whole histogram is made.
        """
        rank = q * (self.draws - 1)
        estimate = np.empty(self.counts.shape[:2])
        for t, counts in enumerate(self.counts):
            cumulative = np.cumsum(counts, axis=-1, dtype=COUNT_TYPE)
            bin_index = np.minimum((cumulative <= rank).sum(axis=-1), HISTOGRAM_BINS - 1)
            inside = np.take_along_axis(counts, bin_index[:, None], -1)[:, 0]
            before = np.take_along_axis(cumulative, bin_index[:, None], -1)[:, 0] - inside
            fraction = (rank - before + 0.5) / np.maximum(inside, 1)
            estimate[t] = (bin_index + np.clip(fraction, 0.0, 1.0)) / HISTOGRAM_BINS
        return np.clip(estimate, self.minimum, self.maximum)


@dataclass(frozen=True, repr=False)
class RunSummary:
    """Per-period means and 90% intervals of every metric, shape (n_periods, len(METRICS))."""

    scenario: Scenario
    draws: int
    periods: list[Period]
    belief_source: list[str]
    mean: np.ndarray
    low: np.ndarray
    high: np.ndarray

    def __repr__(self) -> str:
        return (
            f"RunSummary(scenario={self.scenario.id!r}, draws={self.draws}, "
            f"periods={self.periods[0]}-{self.periods[-1]})"
        )


def simulate_summary(
    scenario: Scenario,
    draws: int = 2000,
    seed: SeedLike = None,
    *,
    use_record: bool = True,
    record_periods: Collection[Period] | None = None,
    interval: tuple[float, float] = (0.05, 0.95),
    progress: Callable[[int, int], None] | None = None,
    backend: str | Backend = DEFAULT_BACKEND,
    threads: int | None = None,
    memory_budget: int | None = None,
    fitted: FittedValues | None = None,
) -> RunSummary:
    """Simulate ``scenario`` as :func:`~pivotal.simulation.simulate` does, keeping only summaries.

    The draws are the same as ``simulate``'s for the same seed; memory does
    not grow with ``draws`` and stays within ``memory_budget`` bytes (see
    :func:`~pivotal.simulation.engine.chunk_plan`; default ``MEMORY_BUDGET``).
    """
    plan = make_plan(scenario, use_record=use_record, record_periods=record_periods, fitted=fitted)
    engine = backend if isinstance(backend, Backend) else get_backend(backend)
    if engine.streams:
        total = _played_statistics(plan, draws, seed, engine, threads, memory_budget, progress)
    else:
        total = _chunk_statistics(plan, draws, seed, engine, threads, memory_budget, progress)
    return RunSummary(
        scenario=scenario,
        draws=draws,
        periods=plan.periods,
        belief_source=plan.belief_source,
        mean=total.sums / total.draws,
        low=total.quantile(interval[0]),
        high=total.quantile(interval[1]),
    )


def _chunk_statistics(
    plan: RunPlan,
    draws: int,
    seed: SeedLike,
    engine: Backend,
    threads: int | None,
    memory_budget: int | None,
    progress: Callable[[int, int], None] | None,
) -> ChunkStats:
    """A run's statistics from its chunks' outputs, each chunk reduced on its worker and merged in order."""
    total: ChunkStats | None = None
    largest_chunk = engine.chunk_blocks * BLOCK_DRAWS
    for stats in iter_chunks(
        plan,
        draws,
        seed,
        backend=engine,
        threads=threads,
        digest=ChunkStats.of,
        digest_bytes=histogram_bytes(len(plan.steps), chunk_count_type(largest_chunk)),
        held_bytes=histogram_bytes(len(plan.steps)),
        memory_budget=memory_budget,
    ):
        # The first chunk's counts are widened at once, and each chunk is let go as soon as it is
        # absorbed, so that no histogram outlives its turn while the next chunks are computed.
        total = stats.widened() if total is None else total.absorb(stats)
        del stats
        if progress is not None:
            progress(total.draws, draws)
    assert total is not None  # iter_chunks yields at least one chunk
    return total


#: What the compiled engine's chunks in flight may hold, beside the run's histogram: they need about
#: 2 kB a draw (no period's outputs are kept), so this keeps as many in flight as cores can use
#: and the run's peak flat in the number of threads; a smaller budget given to the run still applies.
PLAYED_BUDGET = 96 << 20


def _played_statistics(
    plan: RunPlan,
    draws: int,
    seed: SeedLike,
    engine: Backend,
    threads: int | None,
    memory_budget: int | None,
    progress: Callable[[int, int], None] | None,
) -> ChunkStats:
    """A run's statistics from the compiled backend, which reduces each period as it plays it.

    A chunk draws each period's random numbers when it plays the period and adds the period's
    histogram counts straight into the run's (integers, so the order of the additions does not
    matter); nothing it holds grows with the number of periods but its sums and extremes.  Sums are
    merged in the order of the chunks, as on the other backends.
    """
    from pivotal.simulation.fused_walk import chunk_statistics, streamed_bytes_per_draw

    n_periods = len(plan.steps)
    counts = np.zeros((n_periods, len(METRICS), HISTOGRAM_BINS), dtype=COUNT_TYPE)
    lock = threading.Lock()
    head = len(PARAMETER_NAMES)

    def play(root: np.random.SeedSequence, start: int, stop: int) -> ChunkStats:
        stream = PeriodStream(
            root,
            start,
            stop,
            head=head,
            per_period=UNIFORMS_PER_PERIOD,
            periods=n_periods,
            tail=plan.quantile_rows - head,
        )
        fitted = None if plan.fitted is None else plan.fitted.columns(start, stop)
        part = chunk_statistics(plan, stream.head_and_tail(), stream.next_period, counts, lock, fitted)
        return ChunkStats(
            draws=part.draws, sums=part.sums, minimum=part.minimum, maximum=part.maximum, counts=counts
        )

    budget = histogram_bytes(n_periods) + PLAYED_BUDGET
    if memory_budget is not None:
        budget = min(budget, memory_budget)
    total: ChunkStats | None = None
    for part in iter_chunks(
        plan,
        draws,
        seed,
        backend=engine,
        threads=threads,
        play=play,
        play_bytes=streamed_bytes_per_draw(plan),
        digest_bytes=24 * n_periods * len(METRICS) + histogram_bytes(1),
        held_bytes=histogram_bytes(n_periods),
        memory_budget=budget,
    ):
        total = (
            part
            if total is None
            else ChunkStats(
                draws=total.draws + part.draws,
                sums=total.sums + part.sums,
                minimum=np.minimum(total.minimum, part.minimum),
                maximum=np.maximum(total.maximum, part.maximum),
                counts=counts,
            )
        )
        if progress is not None:
            progress(total.draws, draws)
    assert total is not None  # iter_chunks yields at least one chunk
    return total


__all__ = ["HISTOGRAM_BINS", "METRICS", "RunSummary", "simulate_summary"]
