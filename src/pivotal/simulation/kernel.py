"""The engine's inner loop: one chunk of draws through every period, for any array namespace.

Everything here keeps draws on the last axis.  :func:`period_step` is a pure
function of arrays (plus a few flags fixed by the scenario's record), so the
NumPy engine calls it directly and the JAX backend compiles it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np

from pivotal.model import RESPONSES, StageParameters, solve_stage
from pivotal.model.parameters import PARAMETER_NAMES
from pivotal.model.stage_game import STAGE_NAMES
from pivotal.scenario.schema import ParameterPiece, Scenario
from pivotal.simulation.sampling import piece_values

#: Per-draw outputs of each period, in the order they are reported.
METRICS: tuple[str, ...] = (
    "p_challenge",
    "p_offensive",
    "p_probe",
    "p_intervene",
    "p_restrain",
    "p_deterred",
    "p_hedge",
    "p_intervene_probe",
    "p_intervene_offensive",
    "p_act",
    "p_act_probe",
    "p_act_offensive",
    "p_ceasefire_holds",
    "p_mediate_probe",
    "p_mediate_offensive",
    "belief",
    "belief_after",
)

NO_CHALLENGE = 0
NO_RESPONSE = -1
#: The record's words for the challenger's move, as codes into CHALLENGES.
RECORDED_CHALLENGE = {"none": 0, "probe": 1, "offensive": 2}
#: Uniforms each draw uses per period: pivot type, challenge, response, turnover, new type.
UNIFORMS_PER_PERIOD = 5


@dataclass(frozen=True)
class PeriodPlan:
    """What one period needs: where its parameters are, and the record if it is used."""

    period: int
    rows: dict[str, int]  # parameter name -> row of the piece table
    recorded: tuple[int, int] | None  # (challenge code, response code) when the record is used


@dataclass(frozen=True)
class RunPlan:
    """A scenario laid out for the engine: its parameter pieces and its periods."""

    pieces: tuple[tuple[int, ParameterPiece], ...]  # (parameter index, piece) per table row
    steps: tuple[PeriodPlan, ...]

    @property
    def periods(self) -> list[int]:
        return [step.period for step in self.steps]

    @property
    def belief_source(self) -> list[str]:
        return ["record" if step.recorded else "simulated" for step in self.steps]

    @property
    def uniform_rows(self) -> int:
        """Uniforms per draw: one quantile per parameter, then five per period."""
        return len(PARAMETER_NAMES) + UNIFORMS_PER_PERIOD * len(self.steps)


def make_plan(
    scenario: Scenario, *, use_record: bool = True, record_periods: Collection[int] | None = None
) -> RunPlan:
    """Lay ``scenario`` out: one table row per parameter piece, one step per period."""
    pieces: list[tuple[int, ParameterPiece]] = []
    row_of: dict[tuple[str, int], int] = {}
    for name in PARAMETER_NAMES:
        for piece in scenario.pieces_of(name):
            index = PARAMETER_NAMES.index(piece.quantile_of(name))
            for year in range(piece.periods.start, piece.periods.end + 1):
                row_of[(name, year)] = len(pieces)
            pieces.append((index, piece))
    steps = []
    for period in scenario.years:
        rows = {name: row_of[(name, period)] for name in PARAMETER_NAMES}
        recorded = None
        if use_record and (record_periods is None or period in record_periods):
            entry = scenario.record_for(period)
            if entry is not None:
                response = RESPONSES.index(entry.pivot_response) if entry.pivot_response else NO_RESPONSE
                recorded = (RECORDED_CHALLENGE[entry.challenge], response)
        steps.append(PeriodPlan(period=period, rows=rows, recorded=recorded))
    return RunPlan(pieces=tuple(pieces), steps=tuple(steps))


def piece_table(plan: RunPlan, quantiles: np.ndarray) -> np.ndarray:
    """Every piece's value for every draw, shape (n_pieces, n), from quantiles (n_parameters, n)."""
    table = np.empty((len(plan.pieces), quantiles.shape[1]))
    for row, (index, piece) in enumerate(plan.pieces):
        table[row] = piece_values(piece, quantiles[index])
    return table


def period_step(
    stage: dict[str, Any],
    belief: Any,
    resolved: Any,
    uniforms: Any,
    turnover: Any,
    prior: Any,
    *,
    recorded: tuple[int, int] | None,
    type_drawn: bool,
    xp: ModuleType = np,
) -> tuple[Any, Any, Any, Any, Any]:
    """Solve one period's stage game for every draw and move the observers' belief on.

    Parameters
    ----------
    stage : the stage parameters, arrays (n,).
    belief : (n,) observers' belief that the pivot is resolved, at the start.
    resolved : (n,) bool, the pivot's simulated type; ignored unless ``type_drawn``.
    uniforms : (5, n) this period's uniforms (type, challenge, response,
        turnover, new type).
    turnover, prior : (n,) type turnover and first-period belief.
    recorded : (challenge, response) codes when the record is used, else None.
    type_drawn : whether ``resolved`` holds a type drawn in an earlier period.

    Returns
    -------
    metrics : (len(METRICS), n)
    challenge, response : (n,) int8 codes (response -1 when none).
    next_belief : (n,) belief at the start of the next period.
    next_resolved : (n,) bool, the simulated type carried on (unused after a
        recorded period, where the type is drawn afresh when next needed).
    """
    s = solve_stage(StageParameters(**stage), belief, xp)
    if recorded is not None:
        code, response_code = recorded
        challenge = xp.full(belief.shape, code, dtype=xp.int8)
        response = xp.full(belief.shape, response_code, dtype=xp.int8)
        learnt = code != NO_CHALLENGE and response_code != NO_RESPONSE
        belief_after = s.posterior_by_move[response_code, code - 1] if learnt else belief
    else:
        if not type_drawn:
            resolved = uniforms[0] < belief
        moves = s.challenger_by_move
        challenge = ((uniforms[1] >= moves[0]).astype(xp.int8)
                     + (uniforms[1] >= moves[0] + moves[1]).astype(xp.int8))
        offensive = challenge == 2
        by_type = xp.where(resolved, s.resolved_by_move, s.irresolute_by_move)
        offered = xp.where(offensive, by_type[:, 1], by_type[:, 0])
        chosen = ((uniforms[2] >= offered[0]).astype(xp.int8)
                  + (uniforms[2] >= offered[0] + offered[1]).astype(xp.int8))
        response = xp.where(challenge == NO_CHALLENGE, xp.int8(NO_RESPONSE), chosen)
        posterior = xp.where(offensive, s.posterior_by_move[:, 1], s.posterior_by_move[:, 0])
        seen = xp.where(chosen == 0, posterior[0], xp.where(chosen == 1, posterior[1], posterior[2]))
        belief_after = xp.where(challenge == NO_CHALLENGE, belief, seen)
    intervention = s.intervention_by_challenge()
    acts = s.acts_by_challenge()
    metrics = xp.stack([
        s.p_challenge, s.p_offensive, s.p_probe, s.p_intervene, s.p_restrain, s.p_deterred,
        s.p_hedge, intervention[0], intervention[1], s.p_act, acts[0], acts[1], s.ceasefire_holds,
        s.response_by_move[1, 0], s.response_by_move[1, 1], s.belief, belief_after,
    ])
    next_belief = ((1.0 - turnover) * belief_after + turnover * prior).clip(0.0, 1.0)  # rounding past 1
    next_resolved = xp.where(uniforms[3] < turnover, uniforms[4] < prior, resolved)
    return metrics, challenge, response, next_belief, next_resolved


Step = Callable[..., tuple[Any, Any, Any, Any, Any]]


@dataclass(frozen=True)
class ChunkOutput:
    """Per-draw outputs of one chunk: metrics (n_periods, len(METRICS), n), codes (n_periods, n)."""

    metrics: np.ndarray
    challenge: np.ndarray
    response: np.ndarray


def run_chunk(
    plan: RunPlan, quantiles: np.ndarray, uniforms: np.ndarray, step: Step = period_step,
    xp: ModuleType = np,
) -> ChunkOutput:
    """Run one chunk of draws through every period.

    Parameters
    ----------
    quantiles : (n_parameters, n) parameter quantiles.
    uniforms : (n_periods, 5, n) the simulation's other uniforms.
    step : :func:`period_step` or a compiled version of it.
    """
    table = xp.asarray(piece_table(plan, quantiles))
    uniforms = xp.asarray(uniforms)
    first = plan.steps[0].rows
    prior = table[first["prior_resolve"]]
    belief = prior
    resolved = xp.zeros(prior.shape, dtype=bool)
    type_drawn = False
    metrics, challenges, responses = [], [], []
    for t, plan_step in enumerate(plan.steps):
        stage = {name: table[plan_step.rows[name]] for name in STAGE_NAMES}
        turnover = table[plan_step.rows["resolve_turnover"]]
        out, challenge, response, belief, resolved = step(
            stage, belief, resolved, uniforms[t], turnover, prior,
            recorded=plan_step.recorded, type_drawn=type_drawn,
        )
        type_drawn = plan_step.recorded is None
        metrics.append(out)
        challenges.append(challenge)
        responses.append(response)
    return ChunkOutput(
        metrics=np.asarray(xp.stack(metrics)),
        challenge=np.asarray(xp.stack(challenges)),
        response=np.asarray(xp.stack(responses)),
    )
