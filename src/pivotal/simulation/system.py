"""Run a system of dyads that share one pivot: their periods in step, period by period, each dyad's
observers hearing part of what the others saw.

Each dyad is played as on its own (:class:`~pivotal.simulation.kernel.Walk`).  After each period,
the evidence about the pivot's resolve that each dyad's events gave its observers, as a
log-likelihood ratio, is passed to every other dyad's observers scaled by the period's
``contagion`` ω:

    logit μ_d ← logit μ_d + ω Σ_{e ≠ d} λ_e ,

added to the belief after the dyad's own events, before its turnover (a dyad not playing that period,
before its first period, takes it directly).  Within a period the dyads' events count as
simultaneous; a year a dyad plays whole comes before the episodes another plays that year.
With ω = 0 no dyad's observers hear the others, and the first dyad is its scenario run alone on
the same random numbers wherever the other dyads' records teach nothing (below).

The pivot is one power with one type.  Its simulated type is a variable of the whole system,
drawn where any dyad first plays a simulated period, from the belief of an observer who counts
every dyad's evidence in full (ω = 1), and carried to every dyad.  It turns over on the first
dyad's clock (that dyad's turnover and prior, in the periods it plays; outside the years it plays,
the first dyad that plays).  It is drawn again after a period of record in the first dyad, as its
scenario alone draws it again after its record, and, draw by draw, after a period of record in
another dyad that taught its observers something.  Random numbers: the first dyad draws what its
scenario alone would with the same seed; each other dyad, and ω, draw from their own streams,
spawned from the seed.  The numbers that draw the type, its turnover and a new type are the first
dyad's in its periods and the system's own in the others.  The dyads take the first dyad's
quantiles of the pivot's own attributes (``OF_PIVOT_ITSELF``: its distraction, resolve value,
prior, turnover and precision; a ``precision_pivot`` a file leaves to follow ``precision``
follows that dyad's); what depends on the theatre (its stakes, costs and leverage there, the
patrons' shield) and the rivals' parameters are drawn independently for each dyad.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import cast

import numpy as np

from pivotal.model.parameters import OF_PIVOT_ITSELF, PARAMETER_NAMES
from pivotal.scenario.overlay import Overlay, apply_overlay
from pivotal.scenario.schema import Scenario
from pivotal.scenario.system import LoadedSystem
from pivotal.scenario.timeline import Period, year_of
from pivotal.simulation.backends import DEFAULT_BACKEND, Backend, get_backend
from pivotal.simulation.engine import SimulationResult
from pivotal.simulation.kernel import (
    BELIEF_AFTER,
    BELIEF_FLOOR,
    METRICS,
    UNIFORMS_PER_PERIOD,
    RunPlan,
    Walk,
    evidence_of,
    make_plan,
)
from pivotal.simulation.random import BLOCK_DRAWS, SeedLike, draw_uniforms, root_sequence
from pivotal.simulation.sampling import piece_values

#: Spawn-key entry that marks a system's own random streams (a run's blocks use small integers).
SYSTEM_STREAMS = 1 << 31
#: The rows of the pivot's own attributes among a draw's quantiles, shared by every dyad.
PIVOT_ROWS = [PARAMETER_NAMES.index(name) for name in sorted(OF_PIVOT_ITSELF)]


@dataclass(frozen=True, repr=False)
class SystemResult:
    """Per-draw outputs of every dyad of a system run, and the draws' contagion per period."""

    loaded: LoadedSystem
    draws: int
    seed: int | None
    dyads: tuple[SimulationResult, ...]
    contagion: np.ndarray  # (n_periods, draws)
    #: (n_periods, draws) int8, the pivot's type where a dyad simulated the period: 1 resolved,
    #: 0 irresolute, -1 where every dyad playing it followed the record
    pivot_type: np.ndarray

    def __repr__(self) -> str:
        return (
            f"SystemResult(system={self.loaded.system.id!r}, dyads={len(self.dyads)}, "
            f"draws={self.draws}, seed={self.seed})"
        )

    def dyad(self, scenario_id: str) -> SimulationResult:
        """The result of the dyad whose scenario has this id."""
        for result in self.dyads:
            if result.scenario.id == scenario_id:
                return result
        known = ", ".join(r.scenario.id for r in self.dyads)
        raise KeyError(f"no dyad {scenario_id!r} in system {self.loaded.system.id!r} (dyads: {known})")


def simulate_system(
    loaded: LoadedSystem,
    draws: int = 2000,
    seed: SeedLike = None,
    *,
    use_record: bool = True,
    record_periods: Collection[Period] | Mapping[str, Collection[Period]] | None = None,
    overlays: Mapping[str, Overlay] | None = None,
    contagion: float | None = None,
    progress: Callable[[int, int], None] | None = None,
    backend: str = DEFAULT_BACKEND,
) -> SystemResult:
    """Simulate every dyad of a system in step, with observers sharing evidence by ``contagion``.

    Parameters
    ----------
    use_record, record_periods : as for :func:`~pivotal.simulation.engine.simulate`, for every dyad;
        ``record_periods`` may also map a dyad's scenario id to its own (a dyad left out uses none).
    overlays : changes to apply to dyads, by scenario id (a what-if within the system).
    contagion : a fixed ω for every period and draw instead of the system's distribution.
    progress : told (draws done, draws) after each block of draws.
    backend : "numba" (the default) or "numpy": the engine each dyad is played on.
    """
    if draws < 1:
        raise ValueError(f"draws must be at least 1, got {draws}")
    if contagion is not None and not 0.0 <= contagion <= 1.0:
        raise ValueError(f"contagion must lie in [0, 1], got {contagion}")
    if backend not in ("numba", "numpy"):
        raise ValueError(f"a system runs on the numba or numpy engine, not {backend!r}")
    engine = get_backend(backend)
    ids = [s.id for s in loaded.scenarios]
    unknown = sorted(set(overlays or {}) - set(ids))
    if unknown:
        raise ValueError(f"no dyad {unknown[0]!r} in system {loaded.system.id!r} (dyads: {', '.join(ids)})")
    scenarios = [
        apply_overlay(s, overlays[s.id]) if overlays and s.id in overlays else s for s in loaded.scenarios
    ]
    plans = [
        make_plan(s, use_record=use_record, record_periods=_own(record_periods, s.id)) for s in scenarios
    ]
    root = root_sequence(seed)
    roots = [root] + [_stream(root, d) for d in range(1, len(plans))]
    timeline = loaded.timeline
    first_years = {year_of(p) for p in plans[0].periods}  # the type turns over on the first dyad's clock
    outputs: list[list] = [[] for _ in plans]
    quantiles: list[list] = [[] for _ in plans]
    omega = np.empty((len(timeline), draws))
    types = np.full((len(timeline), draws), -1, dtype=np.int8)
    for start in range(0, draws, BLOCK_DRAWS):
        stop = min(draws, start + BLOCK_DRAWS)
        system_rows = draw_uniforms(_stream(root, 0), 1 + len(TYPE_DRAWS) * len(timeline), start, stop)
        shared = system_rows[1:].reshape(len(timeline), len(TYPE_DRAWS), stop - start)
        walks, drawn = _walks(plans, roots, start, stop, timeline, shared, engine)
        omega[:, start:stop] = _contagion(loaded, system_rows[0], contagion)
        pivot = PivotType(
            belief=walks[0].prior,
            resolved=np.zeros(stop - start, dtype=bool),
            drawn=np.zeros(stop - start, dtype=bool),
        )
        for t, period in enumerate(timeline):
            played_as = _play_period(
                plans,
                walks,
                period,
                omega[t, start:stop],
                pivot,
                shared[t],
                own_clock=year_of(period) in first_years,
            )
            if played_as is not None:
                types[t, start:stop] = played_as
        for d, walk in enumerate(walks):
            outputs[d].append(walk.output())
            quantiles[d].append(drawn[d])
        if progress is not None:
            progress(stop, draws)
    # The first dyad's numbers are its scenario's with this seed; the others' come from streams
    # spawned from it, which no seed of a run alone reproduces.
    pairs = enumerate(zip(scenarios, plans, strict=True))
    dyads = tuple(
        _result(scenario, plan, outputs[d], quantiles[d], draws, seed if d == 0 else None, use_record)
        for d, (scenario, plan) in pairs
    )
    return SystemResult(
        loaded=loaded,
        draws=draws,
        seed=seed if isinstance(seed, int) else None,
        dyads=dyads,
        contagion=omega,
        pivot_type=types,
    )


def _own(
    record_periods: Collection[Period] | Mapping[str, Collection[Period]] | None, scenario_id: str
) -> Collection[Period] | None:
    """A dyad's record periods: the same for every dyad, or given per dyad by scenario id."""
    if isinstance(record_periods, Mapping):
        return record_periods.get(scenario_id, ())
    return record_periods


def _stream(root: np.random.SeedSequence, index: int) -> np.random.SeedSequence:
    """A system's own stream: 0 for ω, d for dyad d (the first dyad uses the run's own numbers)."""
    return np.random.SeedSequence(
        root.entropy, spawn_key=(*root.spawn_key, SYSTEM_STREAMS, index), pool_size=root.pool_size
    )


#: Of a period's uniforms, those that draw the pivot's type, its turnover and the new type.
TYPE_DRAWS = [0, 3, 4]


@dataclass
class PivotType:
    """The pivot's one simulated type for the whole system, per draw, and the belief it is drawn
    from: every dyad's evidence counted in full, turning over on the first dyad's clock."""

    belief: np.ndarray  # (n,)
    resolved: np.ndarray  # (n,) bool
    drawn: np.ndarray  # (n,) bool: ``resolved`` holds a type drawn since the record last taught something


def _walks(
    plans: list[RunPlan],
    roots: list,
    start: int,
    stop: int,
    timeline: list[Period],
    shared: np.ndarray,
    engine: Backend,
) -> tuple[list[Walk], list[np.ndarray]]:
    """Each dyad's walk over draws ``start`` to ``stop``, the pivot's own quantiles shared; fills
    ``shared`` (periods, 3, n), the numbers that draw the pivot's type and its turnover, with the
    first dyad's in its periods (the system's own stay in the others)."""
    n = len(PARAMETER_NAMES)
    drawn: list[np.ndarray] = []
    uniforms: list[np.ndarray] = []
    for d, (plan, root) in enumerate(zip(plans, roots, strict=True)):
        rows = draw_uniforms(root, plan.uniform_rows, start, stop)
        end = n + UNIFORMS_PER_PERIOD * len(plan.steps)
        q = np.concatenate([rows[:n], rows[end:]])
        if d > 0:  # one pivot: its own attributes' draws are the first dyad's
            q[PIVOT_ROWS] = drawn[0][PIVOT_ROWS]
        drawn.append(q)
        uniforms.append(rows[n:end].reshape(len(plan.steps), UNIFORMS_PER_PERIOD, stop - start))
    first = plans[0].periods
    for t, period in enumerate(timeline):
        if period in first:
            shared[t] = uniforms[0][first.index(period)][TYPE_DRAWS]
    walks = [engine.walk(plan, q, u) for plan, q, u in zip(plans, drawn, uniforms, strict=True)]
    return walks, drawn


def _contagion(loaded: LoadedSystem, q: np.ndarray, fixed: float | None) -> np.ndarray:
    """ω per period for a block of draws: one quantile ``q`` a draw, through each period's piece."""
    timeline = loaded.timeline
    if fixed is not None:
        return np.full((len(timeline), q.size), float(fixed))
    values = np.empty((len(timeline), q.size))
    for piece in loaded.system.contagion:
        for t, period in enumerate(timeline):
            if period in piece.periods:
                values[t] = piece_values(piece, q)
    return values


def _play_period(
    plans: list[RunPlan],
    walks: list[Walk],
    period: Period,
    omega: np.ndarray,
    pivot: PivotType,
    numbers: np.ndarray,
    own_clock: bool,
) -> np.ndarray | None:
    """Every dyad that has ``period`` plays it, with the system's type of the pivot; then each
    dyad hears the others' evidence, and the type and its belief move on.

    ``numbers``: (3, n), the period's uniforms for the type, its turnover and a new type;
    ``own_clock``: whether the period lies in a year the first dyad plays (then only its periods
    turn the type over).  Returns the type the pivot played with where a dyad simulated the
    period (None where none did).
    """
    playing = [d for d, plan in enumerate(plans) if period in plan.periods]
    steps = {d: plans[d].steps[plans[d].periods.index(period)] for d in playing}
    simulated = any(steps[d].recorded is None for d in playing)
    if simulated:
        pivot.resolved = np.where(pivot.drawn, pivot.resolved, numbers[0] < pivot.belief)
        pivot.drawn = np.ones_like(pivot.drawn)
    played: dict[int, np.ndarray] = {}
    evidence: dict[int, np.ndarray] = {}
    for d in playing:
        walks[d].resolved, walks[d].type_drawn = pivot.resolved, simulated
        out = walks[d].play(plans[d].periods.index(period))
        played[d], evidence[d] = out, evidence_of(out)
    if not evidence:
        return None
    total = cast(np.ndarray, sum(evidence.values()))  # not the 0 of an empty sum: there is evidence
    for d, (plan, walk) in enumerate(zip(plans, walks, strict=True)):
        if period > plan.periods[-1]:
            continue  # a dyad whose periods are over
        heard = omega * (total - evidence.get(d, 0.0))
        walk.hear(heard, after=played[d][BELIEF_AFTER] if d in played else None)
    pivot.belief = _moved(pivot.belief, total)
    clock = 0 if own_clock else playing[0]
    if clock in played:  # the type turns over on one dyad's clock, as in its scenario alone
        turnover, prior = walks[clock].turnover, walks[clock].prior
        pivot.belief = ((1.0 - turnover) * pivot.belief + turnover * prior).clip(0.0, 1.0)
        pivot.resolved = np.where(numbers[1] < turnover, numbers[2] < prior, pivot.resolved)
    for d in playing:  # drawn again from what the record taught, as a scenario alone does
        if steps[d].recorded is not None:
            pivot.drawn = np.zeros_like(pivot.drawn) if d == 0 else pivot.drawn & (evidence[d] == 0)
    return pivot.resolved.astype(np.int8) if simulated else None


def _moved(belief: np.ndarray, evidence: np.ndarray) -> np.ndarray:
    """``belief`` moved by ``evidence`` in log-odds, exactly unchanged where there is none."""
    p = np.clip(belief, BELIEF_FLOOR, 1.0 - BELIEF_FLOOR)
    return np.where(evidence == 0, belief, 1.0 / (1.0 + np.exp(-(np.log(p) - np.log1p(-p) + evidence))))


def _result(
    scenario: Scenario,
    plan: RunPlan,
    outputs: list,
    quantiles: list,
    draws: int,
    seed: SeedLike,
    use_record: bool,
) -> SimulationResult:
    metrics = np.concatenate([o.metrics for o in outputs], axis=2)  # (n_periods, n_metrics, draws)
    return SimulationResult(
        scenario=scenario,
        draws=draws,
        seed=seed if isinstance(seed, int) else None,
        use_record=use_record,
        periods=plan.periods,
        metrics={name: metrics[:, i, :] for i, name in enumerate(METRICS)},
        challenge=np.concatenate([o.challenge for o in outputs], axis=1),
        response=np.concatenate([o.response for o in outputs], axis=1),
        belief_source=plan.belief_source,
        quantiles=np.concatenate(quantiles, axis=1),
    )
