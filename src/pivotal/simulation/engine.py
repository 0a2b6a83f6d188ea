"""Run a scenario period by period: Monte Carlo over parameters, beliefs carried forward.

For each draw the engine solves every period's stage game at the observers'
current belief, then updates that belief by Bayes' rule:

* from the **record** where the scenario says what the challenger and pivot did
  (the observers saw it; using it is what makes the run a hindcast), and
* from the **simulation** where the record is silent or ``use_record`` is off
  (a challenge and a response are drawn from the equilibrium, the pivot
  acting on a type drawn from the observers' current belief).

Draws are processed in chunks, on several threads, each chunk from its own
fixed blocks of random numbers (see :mod:`pivotal.simulation.random`): the
numbers do not depend on the chunking, the thread count or the backend, and
memory stays bounded however many draws are asked for when the per-draw
outputs are streamed (:func:`iter_chunks`) rather than kept (:func:`simulate`).
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Collection, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import numpy as np

from pivotal.model import StageParameters
from pivotal.model.parameters import PARAMETER_NAMES
from pivotal.scenario.schema import Scenario
from pivotal.scenario.timeline import Period
from pivotal.simulation.backends import DEFAULT_BACKEND, Backend, get_backend
from pivotal.simulation.fitted import FittedValues
from pivotal.simulation.kernel import (
    ABSENT_PIVOT,
    METRICS,
    NO_CHALLENGE,
    NO_RESPONSE,
    RECORDED_CHALLENGE,
    UNIFORMS_PER_PERIOD,
    ChunkOutput,
    RunPlan,
    make_plan,
)
from pivotal.simulation.random import (
    BLOCK_DRAWS,
    ROWS_PER_PIECE,
    SeedLike,
    draw_uniforms,
    root_sequence,
)
from pivotal.simulation.sampling import parameter_values

__all__ = [
    "METRICS",
    "NO_CHALLENGE",
    "NO_RESPONSE",
    "RECORDED_CHALLENGE",
    "Chunk",
    "SimulationResult",
    "iter_chunks",
    "simulate",
    "stage_for_draw",
]

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Chunk:
    """Draws ``start`` to ``stop`` of a run: their quantiles and per-draw outputs."""

    start: int
    stop: int
    quantiles: np.ndarray  # (n_parameters x pivots, n)
    output: ChunkOutput


@dataclass(frozen=True, repr=False)
class SimulationResult:
    """Per-draw outputs of a run: ``metrics[name]`` has shape (n_periods, draws)."""

    scenario: Scenario
    draws: int
    seed: int | None
    use_record: bool
    periods: list[Period]
    metrics: dict[str, np.ndarray]
    challenge: np.ndarray  # (n_periods, draws) codes into CHALLENGES
    response: np.ndarray  # (n_periods, draws) codes into RESPONSES, -1 when none
    belief_source: list[str] = field(default_factory=list)
    quantiles: np.ndarray | None = None  # (n_parameters x pivots, draws), the draws' parameter quantiles

    def __repr__(self) -> str:  # its arrays hold periods x draws numbers each: say their shape
        return (
            f"SimulationResult(scenario={self.scenario.id!r}, draws={self.draws}, seed={self.seed}, "
            f"periods={self.periods[0]}-{self.periods[-1]}, metrics={len(self.metrics)} arrays of "
            f"shape {self.challenge.shape})"
        )


def default_threads() -> int:
    """Threads for the NumPy backend: the CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


#: Bytes a run may hold: the chunks it has in flight (computed and waiting to be reduced) and
#: what the reduction keeps; chunks shrink as periods grow, and fewer are in flight, so that a
#: run stays near this whatever the core count.
MEMORY_BUDGET = 768 << 20
#: Draws below which a chunk is not cut: a scenario too long for the budget still runs, one
#: chunk of this size at a time.
SMALLEST_CHUNK = 256
#: Draws below which fewer chunks are kept in flight rather than smaller ones: each period's
#: array operations have a fixed cost, which short arrays pay more often than parallel chunks win.
EFFICIENT_CHUNK = 1024


def bytes_per_draw(plan: RunPlan) -> int:
    """What one draw of a chunk holds at once, in bytes: its random numbers, its outputs for every
    period, and one period's working arrays, which grow with the contexts the period solves.

    The working arrays' size was measured (peak resident memory of one 16,384-draw chunk of the
    built-in scenario: 16.1 kB a draw as the crisis alone, 24.9 kB with its twelve contexts)."""
    periods = len(plan.steps)
    random_numbers = plan.uniform_rows
    outputs = (len(METRICS) + 1) * periods
    working = 760 + 100 * len(plan.options.contexts)
    return 8 * (random_numbers + outputs + working)


def chunk_plan(
    plan: RunPlan,
    largest: int,
    workers: int,
    digest_bytes: int = 0,
    held_bytes: int = 0,
    budget: int | None = None,
    per_draw: int | None = None,
) -> tuple[int, int]:
    """Draws per chunk and chunks in flight, so that a run stays within ``budget`` bytes.

    The reduction holds ``held_bytes`` throughout (streamed summaries: one histogram per output
    and period).  Each chunk in flight holds its draws' arrays (:func:`bytes_per_draw`), one
    piece of a random-number block while it draws them, and what ``digest`` keeps of it
    (``digest_bytes``).  Up to 2 x ``workers`` chunks are in flight, fewer when that is what the
    budget allows, and one at a time rather than chunks below :data:`EFFICIENT_CHUNK` draws; a
    chunk is never below :data:`SMALLEST_CHUNK` draws, so a scenario too long for the budget still
    runs, one small chunk at a time.  ``per_draw`` replaces :func:`bytes_per_draw` for a chunk
    that is played otherwise (the compiled backend's streamed statistics).
    """
    budget = MEMORY_BUDGET if budget is None else budget
    fixed = 8 * ROWS_PER_PIECE * BLOCK_DRAWS + digest_bytes
    per_draw = bytes_per_draw(plan) if per_draw is None else per_draw
    for in_flight in range(2 * workers, 0, -1):
        draws = ((budget - held_bytes) // in_flight - fixed) // per_draw
        if draws >= min(EFFICIENT_CHUNK, largest):
            return int(min(largest, draws)), in_flight
    return int(max(SMALLEST_CHUNK, min(largest, draws))), 1


def iter_chunks(
    plan: RunPlan,
    draws: int,
    seed: SeedLike,
    *,
    quantiles: np.ndarray | None = None,
    backend: str | Backend = DEFAULT_BACKEND,
    threads: int | None = None,
    chunk_blocks: int | None = None,
    digest: Callable[[Chunk], Any] | None = None,
    digest_bytes: int = 0,
    held_bytes: int = 0,
    memory_budget: int | None = None,
    first_draw: int = 0,
    play: Callable[[np.random.SeedSequence, int, int], Any] | None = None,
    play_bytes: int | None = None,
) -> Iterator[Any]:
    """Yield a run's chunks in order, computing a few ahead on worker threads.

    Parameters
    ----------
    plan : the scenario laid out by :func:`make_plan`.
    draws : number of Monte Carlo draws (>= 1).
    seed : int, SeedSequence, Generator or None; same seed, same numbers.
    quantiles : parameter quantiles to use instead of the drawn ones (sensitivity analysis):
        (n_parameters, draws), every pivot sharing them, or (n_parameters x pivots, draws); the
        other random numbers are drawn.
    backend : "numba" (compiled, the default), "numpy" (the reference), "jax" or a Backend.
    threads : worker threads (default: the CPUs available; 1 for JAX).
    chunk_blocks : random-number blocks per chunk (default: the backend's).
    digest : applied to each chunk on its worker thread; its results are
        yielded instead of the chunks (to reduce a chunk where it was computed).
    digest_bytes, held_bytes : what one digested chunk holds, and what the caller holds while it
        reduces them, for the memory budget (see :func:`chunk_plan`).
    memory_budget : bytes the run may hold (default :data:`MEMORY_BUDGET`); a process that runs
        several at once gives each its share.
    first_draw : index of the first draw: draws ``first_draw`` to ``first_draw + draws - 1`` are
        run, with the numbers they have in any run (to extend a run already made).  ``quantiles``
        and the chunks' ``start`` and ``stop`` count from ``first_draw``.
    play : plays a chunk in place of drawing its numbers and running the backend, called on a
        worker as ``play(root, start, stop)`` with the run's root seed sequence and the chunk's
        draws (counted from draw 0); what it returns is yielded.  ``play_bytes``: what it holds
        per draw, for the memory budget.
    """
    if draws < 1:
        raise ValueError(f"draws must be at least 1, got {draws}")
    if first_draw < 0:
        raise ValueError(f"first_draw must be 0 or more, got {first_draw}")
    if quantiles is not None and quantiles.shape not in (
        (len(PARAMETER_NAMES), draws),
        (plan.quantile_rows, draws),
    ):
        raise ValueError(
            f"quantiles must have shape {(len(PARAMETER_NAMES), draws)} or "
            f"{(plan.quantile_rows, draws)}, got {quantiles.shape}"
        )
    engine = backend if isinstance(backend, Backend) else get_backend(backend)
    root = root_sequence(seed)
    workers = threads or (default_threads() if engine.threaded else 1)
    chunk_draws, in_flight = chunk_plan(
        plan,
        engine.chunk_blocks * BLOCK_DRAWS,
        workers,
        digest_bytes,
        held_bytes,
        memory_budget,
        play_bytes if play else None,
    )
    if chunk_draws >= BLOCK_DRAWS:  # whole blocks: no block's numbers drawn twice, one shape to compile
        chunk_draws -= chunk_draws % BLOCK_DRAWS
    if chunk_blocks is not None:
        chunk_draws = chunk_blocks * BLOCK_DRAWS
    workers = min(workers, in_flight)
    # Chunks cut at multiples of their size counted from draw 0 (whole blocks when chunks are),
    # whatever the first draw; bounds are given from the first draw.
    last = first_draw + draws
    cuts = [first_draw, *range((first_draw // chunk_draws + 1) * chunk_draws, last, chunk_draws), last]
    bounds = [(a - first_draw, b - first_draw) for a, b in pairwise(cuts)]

    def compute(start: int, stop: int) -> Any:
        if play is not None:
            return play(root, first_draw + start, first_draw + stop)
        rows = draw_uniforms(root, plan.uniform_rows, first_draw + start, first_draw + stop)
        n_parameters = len(PARAMETER_NAMES)
        periods = n_parameters + UNIFORMS_PER_PERIOD * len(plan.steps)
        if quantiles is None:  # the first pivot's quantiles, then the later pivots' (a copy, so
            # that the chunk does not keep every period's uniforms alive through a view)
            drawn = np.concatenate([rows[:n_parameters], rows[periods:]])
        elif quantiles.shape[0] == n_parameters:  # one quantile a parameter: every pivot shares it
            drawn = np.tile(quantiles[:, start:stop], (plan.pivots, 1))
        else:
            drawn = quantiles[:, start:stop]
        uniforms = rows[n_parameters:periods].reshape(len(plan.steps), UNIFORMS_PER_PERIOD, stop - start)
        fitted = None if plan.fitted is None else plan.fitted.columns(first_draw + start, first_draw + stop)
        output = engine.run_chunk(plan, drawn, uniforms, fitted)
        del rows, uniforms
        chunk = Chunk(start, stop, drawn, output)
        return chunk if digest is None else digest(chunk)

    if workers == 1 or len(bounds) == 1:
        for start, stop in bounds:
            yield compute(start, stop)
        return
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="pivotal") as pool:
        pending: deque[Future[Any]] = deque()
        remaining = iter(bounds)
        try:
            for start, stop in remaining:
                pending.append(pool.submit(compute, start, stop))
                if len(pending) >= in_flight:
                    break
            while pending:
                chunk = pending.popleft().result()
                yield chunk
                del chunk  # consumed: the next chunk may take its memory
                for start, stop in remaining:
                    pending.append(pool.submit(compute, start, stop))
                    break
        finally:
            for future in pending:
                future.cancel()


def simulate(
    scenario: Scenario,
    draws: int = 2000,
    seed: SeedLike = None,
    *,
    use_record: bool = True,
    record_periods: Collection[Period] | None = None,
    quantiles: np.ndarray | None = None,
    progress: Progress | None = None,
    backend: str | Backend = DEFAULT_BACKEND,
    threads: int | None = None,
    first_draw: int = 0,
    fitted: FittedValues | None = None,
) -> SimulationResult:
    """Simulate ``scenario`` with ``draws`` parameter draws and keep every draw's outputs.

    Memory grows as ``11 x periods x draws`` numbers; for summaries of very
    large runs use :func:`pivotal.simulation.streaming.simulate_summary`.

    Parameters
    ----------
    scenario : a validated Scenario.
    draws : number of Monte Carlo parameter draws (>= 1).
    seed : int, SeedSequence, Generator or None; same seed, same numbers.
    use_record : update beliefs from the observed record where it exists.
    record_periods : the periods whose record is used (None: all); the
        others are simulated.  Counterfactuals diverge where the record stops.
    quantiles : parameter quantiles, shape (n_parameters, draws), in
        ``PARAMETER_NAMES`` order (every pivot of the scenario sharing them), or
        (n_parameters x pivots, draws); drawn from ``seed`` when omitted.  The
        simulation's other random numbers still come from ``seed``.
    progress : called as ``progress(done, total)`` in draws after each chunk.
    backend, threads, first_draw : see :func:`iter_chunks`.
    fitted : values a fit estimated, in place of their parameters' ranges.

    Returns
    -------
    SimulationResult
        Every draw's outputs: ``metrics[name]`` for each name in :data:`METRICS`, and the
        challenge and response codes, each of shape (periods, draws); ``summarise`` reduces them
        to one row per period.

    Examples
    --------
    >>> import pivotal
    >>> scenario = pivotal.builtin_scenario("south-caucasus")
    >>> result = pivotal.simulate(scenario, draws=200, seed=1)
    >>> result.metrics["p_offensive"].shape  # (periods, draws)
    (40, 200)

    Russia let Azerbaijan's probe of 2010 pass; the observers' belief in its resolve falls:

    >>> t = result.periods.index(2010)
    >>> belief = result.metrics["belief"]  # at the start of each period
    >>> print(f"{belief[t].mean():.3f} -> {belief[t + 1].mean():.3f}")
    0.712 -> 0.299

    The NumPy reference gives the same numbers to rounding:

    >>> reference = pivotal.simulate(scenario, draws=200, seed=1, backend="numpy")
    >>> bool(abs(reference.metrics["belief"] - belief).max() < 1e-12)
    True
    """
    plan = make_plan(scenario, use_record=use_record, record_periods=record_periods, fitted=fitted)
    n_periods = len(plan.steps)
    metrics = np.empty((len(METRICS), n_periods, max(draws, 0)))
    challenge = np.empty((n_periods, max(draws, 0)), dtype=np.int8)
    response = np.empty((n_periods, max(draws, 0)), dtype=np.int8)
    drawn = np.empty((plan.quantile_rows, max(draws, 0)))
    for chunk in iter_chunks(
        plan, draws, seed, quantiles=quantiles, backend=backend, threads=threads, first_draw=first_draw
    ):
        part = slice(chunk.start, chunk.stop)
        metrics[:, :, part] = chunk.output.metrics.transpose(1, 0, 2)
        challenge[:, part] = chunk.output.challenge
        response[:, part] = chunk.output.response
        drawn[:, part] = chunk.quantiles
        if progress is not None:
            progress(chunk.stop, draws)
    return SimulationResult(
        scenario=scenario,
        draws=draws,
        seed=seed if isinstance(seed, int) else None,
        use_record=use_record,
        periods=plan.periods,
        metrics={name: metrics[i] for i, name in enumerate(METRICS)},
        challenge=challenge,
        response=response,
        belief_source=plan.belief_source,
        quantiles=drawn,
    )


def stage_for_draw(result: SimulationResult, period: Period, draw: int) -> tuple[StageParameters, float]:
    """The stage game one draw of a run played in ``period``: its parameters and the belief.

    Returns the parameters as arrays of length one and the observers' belief
    at the start of the period, so that the game can be solved, exported or
    checked on its own.
    """
    if period not in result.periods:
        raise ValueError(f"period {period} is not in the run ({result.periods[0]}-{result.periods[-1]})")
    if not 0 <= draw < result.draws:
        raise ValueError(f"draw must be between 0 and {result.draws - 1}, got {draw}")
    if result.quantiles is None:
        raise ValueError("this result does not keep its parameter draws")
    t = result.periods.index(period)
    values = parameter_values(result.scenario, result.quantiles[:, draw : draw + 1])
    values = {k: v[t] for k, v in values.items()}
    if result.scenario.roles_in(period).pivot is None:  # the game of a period without a pivot
        values.update({name: np.full(1, value) for name, value in ABSENT_PIVOT.items()})
    if "alignment" in result.metrics:  # the alignment the run played, after any erosion by hedging
        values["target_alignment"] = result.metrics["alignment"][t, draw : draw + 1]
    stage = StageParameters.from_mapping(values)
    return stage, float(result.metrics["belief"][t, draw])
