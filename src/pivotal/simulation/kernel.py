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

from pivotal.model import RESPONSES, StageParameters, StageSolution, posterior_resolve
from pivotal.model.parameters import LARGEST, PARAMETER_NAMES
from pivotal.model.period_game import (
    ANSWERS,
    CRISIS_ONLY,
    FIRST_MOVES,
    POSTURES,
    PROVOKE,
    REIN,
    Context,
    GameOptions,
    PeriodSolution,
    solve_period,
)
from pivotal.model.stage_game import STAGE_NAMES
from pivotal.scenario.schema import ParameterPiece, RecordEntry, Scenario
from pivotal.scenario.timeline import Period
from pivotal.simulation.fitted import FittedValues
from pivotal.simulation.sampling import piece_groups, piece_values, pivot_groups, quantile_row

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
    "p_provoke",
    "p_concede",
    "p_rein",
    "p_lean_target",
    "p_lean_challenger",
    "alignment",
    "belief",
    "belief_after",
)

NO_CHALLENGE = 0
NO_RESPONSE = -1
#: The record's words for the challenger's move, as codes into CHALLENGES.
RECORDED_CHALLENGE = {"none": 0, "probe": 1, "offensive": 2}
#: Uniforms each draw uses per period: pivot type, challenge, response, turnover, new type,
#: posture, the target's first move, the pivot's answer to it, and the target's hedging.
UNIFORMS_PER_PERIOD = 9


@dataclass(frozen=True)
class Recorded:
    """The record of one period, as codes; None where the record is silent."""

    challenge: int
    response: int  # NO_RESPONSE when none
    posture: int | None = None
    first_move: int | None = None
    answer: int | None = None
    hedged: bool | None = None

    def admits(self, context: Context) -> bool:
        """Whether ``context`` agrees with the early moves the record gives."""
        return (
            (self.posture is None or self.posture == context.posture)
            and (self.first_move is None or self.first_move == context.move)
            and (self.answer is None or self.answer == context.answer)
        )


@dataclass(frozen=True)
class PeriodPlan:
    """What one period needs: where its parameters are, and the record if it is used."""

    period: Period
    rows: dict[str, int]  # parameter name -> row of the piece table
    recorded: Recorded | None  # the record, when the run uses it
    pivot: int = 0  # the period's pivot, numbered in order of first appearance
    absent: bool = False  # no pivot stands between the rivals this period


@dataclass(frozen=True)
class RunPlan:
    """A scenario laid out for the engine: its parameter pieces and its periods."""

    pieces: tuple[tuple[int, ParameterPiece], ...]  # (quantile row, piece) per table row
    steps: tuple[PeriodPlan, ...]
    options: GameOptions = CRISIS_ONLY
    pivots: int = 1  # distinct pivots: each has its own quantiles of the pivot's parameters
    fitted: FittedValues | None = None  # values a fit estimated, in place of some parameters' ranges

    @property
    def periods(self) -> list[Period]:
        return [step.period for step in self.steps]

    @property
    def belief_source(self) -> list[str]:
        return ["record" if step.recorded else "simulated" for step in self.steps]

    @property
    def uniform_rows(self) -> int:
        """Uniforms per draw: one quantile per parameter, then UNIFORMS_PER_PERIOD per period, then
        one quantile per parameter for each pivot after the first (after the rest, so that a
        scenario with one pivot draws what it always drew)."""
        return self.quantile_rows + UNIFORMS_PER_PERIOD * len(self.steps)

    @property
    def quantile_rows(self) -> int:
        """Parameter quantiles per draw: one per parameter and pivot."""
        return len(PARAMETER_NAMES) * self.pivots


def make_plan(
    scenario: Scenario,
    *,
    use_record: bool = True,
    record_periods: Collection[Period] | None = None,
    fitted: FittedValues | None = None,
) -> RunPlan:
    """Lay ``scenario`` out: one table row per parameter piece, one step per period; ``fitted``
    values, when given, stand in for their parameters' ranges (:mod:`pivotal.simulation.fitted`)."""
    pieces: list[tuple[int, ParameterPiece]] = []
    row_of: dict[tuple[str, Period], int] = {}
    groups = pivot_groups(scenario)
    for name in PARAMETER_NAMES:
        for piece in scenario.pieces_of(name):
            for group, years in piece_groups(scenario, name, piece, groups).items():
                for year in years:
                    row_of[(name, year)] = len(pieces)
                pieces.append((quantile_row(piece.quantile_of(name), group), piece))
    steps = []
    for period in scenario.timeline:
        rows = {name: row_of[(name, period)] for name in PARAMETER_NAMES}
        recorded = None
        if use_record and (record_periods is None or period in record_periods):
            entry = scenario.record_for(period)
            if entry is not None:
                recorded = recorded_codes(entry)
        steps.append(
            PeriodPlan(
                period=period,
                rows=rows,
                recorded=recorded,
                pivot=groups[period],
                absent=scenario.roles_in(period).pivot is None,
            )
        )
    options = GameOptions(
        target_moves_first=scenario.game.target_moves_first, pivot_posture=scenario.game.pivot_posture
    )
    if fitted is not None:
        wrong = {
            name: v.shape
            for name, v in fitted.values.items()
            if name not in PARAMETER_NAMES or v.shape[0] != len(steps)
        }
        if wrong:
            raise ValueError(
                f"fitted values must name parameters and have one row per period ({len(steps)}): {wrong}"
            )
    return RunPlan(
        pieces=tuple(pieces),
        steps=tuple(steps),
        options=options,
        pivots=max(groups.values()) + 1,
        fitted=fitted,
    )


def recorded_codes(entry: RecordEntry) -> Recorded:
    """A record entry as the codes the kernel uses."""

    def index(words: tuple[str, ...], word: str | None) -> int | None:
        return None if word is None else words.index(word)

    return Recorded(
        challenge=RECORDED_CHALLENGE[entry.challenge],
        response=RESPONSES.index(entry.pivot_response) if entry.pivot_response else NO_RESPONSE,
        posture=index(POSTURES, entry.pivot_posture),
        first_move=index(FIRST_MOVES, entry.target_move),
        answer=index(ANSWERS, entry.pivot_answer),
        hedged=entry.target_hedged,
    )


def piece_table(plan: RunPlan, quantiles: np.ndarray) -> np.ndarray:
    """Every piece's value for every draw, shape (n_pieces, n), from quantiles (plan.quantile_rows, n)."""
    table = np.empty((len(plan.pieces), quantiles.shape[1]))
    for row, (index, piece) in enumerate(plan.pieces):
        table[row] = piece_values(piece, quantiles[index])
    return table


#: A period without a pivot is played as one whose pivot cannot act: acting costs it more than any
#: payoff in the model and it chooses precisely, nothing rewards a resolved type, no one values its
#: protection, an open tilt means nothing, and the target's tie to the absent pivot does not erode.
#: It then acquiesces with probability 1, both types alike, so the challenger faces the target and
#: the patrons alone and nothing is learnt about any pivot.
ABSENT_PIVOT = {
    "restraint_cost": LARGEST,
    "mediation_cost": LARGEST,
    "target_restraint_cost": LARGEST,
    "pivot_punishment": 0.0,
    "peacekeepers": 0.0,
    "resolve_value": 0.0,
    "protection_value": 0.0,
    "pivot_stake_target": 0.0,
    "pivot_stake_challenger": 0.0,
    "peacekeeper_tripwire": 0.0,
    "tilt_commitment": 0.0,
    "ultimatum_gain": 0.0,
    "pivot_leverage": 0.0,
    # A precise choice, so the prohibitive costs decide it whatever the file's precision; and no
    # erosion of the target's tie to a pivot that is not there.
    "precision_pivot": LARGEST,
    "hedge_erosion": 0.0,
}
#: Outputs about the pivot's choices, zero in a period without one (a posture chosen between
#: options of equal worth would otherwise read as a one-in-three chance of leaning).
ABSENT_METRICS = ("p_lean_target", "p_lean_challenger")
PRESENT_ONLY = np.array([0.0 if name in ABSENT_METRICS else 1.0 for name in METRICS])


def without_pivot(stage: dict[str, Any], xp: ModuleType = np) -> dict[str, Any]:
    """The stage parameters of a period without a pivot (see :data:`ABSENT_PIVOT`)."""
    return {
        name: xp.full_like(value, ABSENT_PIVOT[name]) if name in ABSENT_PIVOT else value
        for name, value in stage.items()
    }


def period_step(
    stage: dict[str, Any],
    belief: Any,
    resolved: Any,
    erosion: Any,
    uniforms: Any,
    turnover: Any,
    prior: Any,
    *,
    recorded: Recorded | None,
    type_drawn: bool,
    options: GameOptions = CRISIS_ONLY,
    xp: ModuleType = np,
) -> tuple[Any, Any, Any, Any, Any, Any]:
    """Solve one period for every draw and move the observers' belief and the target's alignment on.

    Parameters
    ----------
    stage : the stage parameters and ``hedge_erosion``, arrays (n,).
    belief : (n,) observers' belief that the pivot is resolved, at the start.
    resolved : (n,) bool, the pivot's simulated type; ignored unless ``type_drawn``.
    erosion : (n,) share of its scenario alignment the target keeps after its hedging so far.
    uniforms : (UNIFORMS_PER_PERIOD, n) this period's uniforms.
    turnover, prior : (n,) type turnover and first-period belief.
    recorded : the period's record when the run uses it, else None.
    type_drawn : whether ``resolved`` holds a type drawn in an earlier period.
    options : the period's early moves.

    Returns
    -------
    metrics : (len(METRICS), n)
    challenge, response : (n,) int8 codes (response -1 when none).
    next_belief : (n,) belief at the start of the next period.
    next_resolved : (n,) bool, the simulated type carried on.
    next_erosion : (n,) the alignment kept into the next period.
    """
    stage = dict(stage)
    erosion_rate = stage.pop("hedge_erosion")
    params = StageParameters(**{**stage, "target_alignment": stage["target_alignment"] * erosion})
    solution = solve_period(params, belief, options, xp)

    def mixed(part: Callable[[StageSolution], Any], weights: Any) -> Any:
        return _mixed(solution, weights, part)

    if recorded is not None:
        admitted = xp.asarray(np.array([[float(recorded.admits(c))] for c in solution.contexts]))
        weights = _normalised(solution.weights * admitted, admitted, xp)
        code, response_code = recorded.challenge, recorded.response
        challenge = xp.full(belief.shape, code, dtype=xp.int8)
        response = xp.full(belief.shape, response_code, dtype=xp.int8)
        if code != NO_CHALLENGE and response_code != NO_RESPONSE:
            belief_after = _recorded_posterior(solution, weights, belief, code, response_code, xp)
        else:
            belief_after = belief
        hedged = (
            _hedge_at_record(solution, weights, code, response_code, xp)
            if recorded.hedged is None
            else xp.full(belief.shape, float(recorded.hedged))
        )
    else:
        if not type_drawn:
            resolved = uniforms[0] < belief
        # The period's forecasts are over the early moves (as in a record period that does not
        # code them); the path goes on from the moves drawn.
        weights = solution.weights
        drawn = _drawn_context(solution, uniforms, xp)
        moves = mixed(lambda s: s.challenger_by_move, drawn)
        challenge = (uniforms[1] >= moves[0]).astype(xp.int8) + (uniforms[1] >= moves[0] + moves[1]).astype(
            xp.int8
        )
        offensive = challenge == 2
        by_type = xp.where(
            resolved, mixed(lambda s: s.resolved_by_move, drawn), mixed(lambda s: s.irresolute_by_move, drawn)
        )
        offered = xp.where(offensive, by_type[:, 1], by_type[:, 0])
        chosen = (uniforms[2] >= offered[0]).astype(xp.int8) + (
            uniforms[2] >= offered[0] + offered[1]
        ).astype(xp.int8)
        response = xp.where(challenge == NO_CHALLENGE, xp.int8(NO_RESPONSE), chosen)
        seen = _at_response(mixed(lambda s: s.posterior_by_move, drawn), offensive, chosen, xp)
        hedge_p = _at_response(mixed(lambda s: s.hedge_by_move, drawn), offensive, chosen, xp)
        belief_after = xp.where(challenge == NO_CHALLENGE, belief, seen)
        hedge_p = xp.where(
            challenge == NO_CHALLENGE, mixed(lambda s: s.hedge_after_status_quo, drawn), hedge_p
        )
        hedged = (uniforms[8] < hedge_p).astype(belief.dtype)
    posture = solution.posture
    if recorded is not None and recorded.posture is not None:
        posture = xp.stack([xp.full(belief.shape, float(z == recorded.posture)) for z in range(3)])
    metrics = _period_metrics(solution, weights, posture, params.target_alignment, belief, belief_after, xp)
    next_belief = ((1.0 - turnover) * belief_after + turnover * prior).clip(0.0, 1.0)  # rounding past 1
    next_resolved = xp.where(uniforms[3] < turnover, uniforms[4] < prior, resolved)
    next_erosion = erosion * (1.0 - erosion_rate * hedged)
    return metrics, challenge, response, next_belief, next_resolved, next_erosion


def _normalised(weights: Any, fallback: Any, xp: ModuleType) -> Any:
    """``weights`` (K, n) scaled to sum to 1 over contexts; where they are all 0 (the record shows a
    move the model gave no chance), ``fallback`` (K, 1) spread evenly instead."""
    total = weights.sum(axis=0)
    fallback = xp.asarray(fallback, dtype=weights.dtype)
    count = fallback.sum(axis=0)
    even = fallback / xp.where(count > 0, count, 1.0)
    return xp.where(total > 0, weights / xp.where(total > 0, total, 1.0), even)


def _mixed(solution: PeriodSolution, weights: Any, part: Callable[[StageSolution], Any]) -> Any:
    """A crisis quantity mixed over the period's contexts with ``weights`` (K, n)."""
    value = part(solution.joint)
    if len(solution.contexts) == 1:
        return value
    return (solution.by_context(value) * weights).sum(axis=-2)


def _given(
    solution: PeriodSolution,
    weights: Any,
    condition: Callable[[StageSolution], Any],
    part: Callable[[StageSolution], Any],
    xp: ModuleType,
) -> Any:
    """A crisis quantity conditional on ``condition``, mixed over contexts by Bayes' rule."""
    value = part(solution.joint)
    if len(solution.contexts) == 1:
        return value
    seen = solution.by_context(condition(solution.joint)) * weights
    value = solution.by_context(value)
    total = seen.sum(axis=-2)
    mean = (value * weights).sum(axis=-2)
    return xp.where(total > 0, (seen * value).sum(axis=-2) / xp.where(total > 0, total, 1.0), mean).clip(
        0.0, 1.0
    )


def _at_response(table: Any, offensive: Any, chosen: Any, xp: ModuleType) -> Any:
    """The entry of a (3 responses, 2 challenges, n) table at each draw's challenge and response."""
    column = xp.where(offensive, table[:, 1], table[:, 0])
    return xp.where(chosen == 0, column[0], xp.where(chosen == 1, column[1], column[2]))


def _recorded_posterior(
    solution: PeriodSolution, weights: Any, belief: Any, code: int, response: int, xp: ModuleType
) -> Any:
    """Bayes' rule on the recorded challenge and response, over the contexts the record admits.

    The likelihood of each type is the response's probability mixed over contexts, each weighted by
    its probability and by the chance of the recorded challenge in it; the mixture is taken in
    logarithms, so the posterior stays exact when a response's probability underflows.
    """
    joint = solution.joint
    if len(solution.contexts) == 1:
        return joint.posterior_by_move[response, code - 1]
    seen = _normalised(weights * solution.by_context(joint.challenger_by_move[code]), weights > 0, xp)
    log_seen = xp.log(xp.where(seen > 0, seen, 1.0)) + xp.where(seen > 0, 0.0, -xp.inf)

    def log_likelihood(log_probabilities: Any) -> Any:
        terms = log_seen + solution.by_context(log_probabilities[response, code - 1])
        top = terms.max(axis=0)
        return top + xp.log(xp.exp(terms - top).sum(axis=0))

    return posterior_resolve(
        belief, log_likelihood(joint.log_resolved_by_move), log_likelihood(joint.log_irresolute_by_move), xp
    )


def _hedge_at_record(solution: PeriodSolution, weights: Any, code: int, response: int, xp: ModuleType) -> Any:
    """The target's chance of hedging at the recorded challenge and response, mixed over contexts."""
    joint = solution.joint
    if code == NO_CHALLENGE:
        chance, hedge = joint.challenger_by_move[0], joint.hedge_after_status_quo
    elif response == NO_RESPONSE:
        chance = joint.challenger_by_move[code]
        hedge = (joint.response_by_move[:, code - 1] * joint.hedge_by_move[:, code - 1]).sum(axis=0)
    else:
        chance = joint.challenger_by_move[code] * joint.response_by_move[response, code - 1]
        hedge = joint.hedge_by_move[response, code - 1]
    if len(solution.contexts) == 1:
        return hedge
    seen = _normalised(weights * solution.by_context(chance), weights > 0, xp)
    return (seen * solution.by_context(hedge)).sum(axis=0)


def _drawn_context(solution: PeriodSolution, uniforms: Any, xp: ModuleType) -> Any:
    """One-hot weights (K, n) of the context each draw's early moves land in."""
    if len(solution.contexts) == 1:
        return xp.ones_like(uniforms[:1])
    posture = solution.posture
    z = (uniforms[5] >= posture[0]).astype(xp.int8) + (uniforms[5] >= posture[0] + posture[1]).astype(xp.int8)
    first = sum(xp.where(z == k, 1.0, 0.0) * solution.first_move[k] for k in range(3))
    m = (uniforms[6] >= first[0]).astype(xp.int8) + (uniforms[6] >= first[0] + first[1]).astype(xp.int8)
    answer = sum(xp.where(z == k, 1.0, 0.0) * solution.answer[k] for k in range(3))
    q = (uniforms[7] >= answer[0]).astype(xp.int8)
    rows = []
    for c in solution.contexts:
        landed = (z == c.posture) & (m == c.move)
        if c.answer is not None:
            landed = landed & (q == c.answer)
        rows.append(xp.where(landed, 1.0, 0.0))
    return xp.stack(rows)


def _period_metrics(
    solution: PeriodSolution,
    weights: Any,
    posture: Any,
    alignment: Any,
    belief: Any,
    belief_after: Any,
    xp: ModuleType,
) -> Any:
    """Every metric of METRICS, mixed over the period's contexts with ``weights``; the target's
    first move and the pivot's answer given ``posture`` (the model's, or the recorded one)."""

    def mixed(part: Callable[[StageSolution], Any]) -> Any:
        return _mixed(solution, weights, part)

    def given(condition: Callable[[StageSolution], Any], part: Callable[[StageSolution], Any]) -> Any:
        return _given(solution, weights, condition, part, xp)

    challenged = lambda s: s.p_challenge  # noqa: E731
    probe, offensive = (lambda s: s.p_probe), (lambda s: s.p_offensive)
    intervention = lambda s: s.intervention_by_challenge()  # noqa: E731
    acts = lambda s: s.acts_by_challenge()  # noqa: E731
    first, answer = solution.first_move, solution.answer
    provoke = sum(posture[z] * first[z][PROVOKE] for z in range(3))
    rein = sum(posture[z] * first[z][PROVOKE] * answer[z][REIN] for z in range(3))
    n = belief.shape[-1]
    return xp.stack(
        [
            mixed(challenged),
            mixed(offensive),
            mixed(probe),
            given(challenged, lambda s: s.p_intervene),
            given(challenged, lambda s: s.p_restrain),
            mixed(lambda s: s.p_deterred),
            mixed(lambda s: s.p_hedge),
            given(probe, lambda s: intervention(s)[0]),
            given(offensive, lambda s: intervention(s)[1]),
            given(challenged, lambda s: s.p_act),
            given(probe, lambda s: acts(s)[0]),
            given(offensive, lambda s: acts(s)[1]),
            solution.joint.ceasefire_holds[..., :n],
            given(probe, lambda s: s.response_by_move[1, 0]),
            given(offensive, lambda s: s.response_by_move[1, 1]),
            provoke,
            sum(posture[z] * first[z][0] for z in range(3)),
            xp.where(provoke > 0, rein / xp.where(provoke > 0, provoke, 1.0), 0.0),
            solution.posture[1],
            solution.posture[2],
            alignment,
            belief,
            belief_after,
        ]
    )


Step = Callable[..., tuple[Any, Any, Any, Any, Any, Any]]


@dataclass(frozen=True)
class ChunkOutput:
    """Per-draw outputs of one chunk: metrics (n_periods, len(METRICS), n), codes (n_periods, n)."""

    metrics: np.ndarray
    challenge: np.ndarray
    response: np.ndarray


def run_chunk(
    plan: RunPlan,
    quantiles: np.ndarray,
    uniforms: np.ndarray,
    step: Step = period_step,
    xp: ModuleType = np,
    fitted: dict[str, np.ndarray] | None = None,
) -> ChunkOutput:
    """Run one chunk of draws through every period.

    Parameters
    ----------
    quantiles : (plan.quantile_rows, n) parameter quantiles.
    uniforms : (n_periods, UNIFORMS_PER_PERIOD, n) the simulation's other uniforms.
    step : :func:`period_step` or a compiled version of it.
    fitted : the chunk's fitted values, (n_periods, n) per parameter, in place of its draws.
    """
    walk = Walk(plan, quantiles, uniforms, step, xp, fitted)
    for t in range(len(plan.steps)):
        walk.play(t)
    return walk.output()


BELIEF = METRICS.index("belief")
BELIEF_AFTER = METRICS.index("belief_after")


class Walk:
    """One scenario's periods for a chunk of draws, played one at a time.

    It carries what links the periods: the observers' belief in the current pivot, the pivot's
    simulated type, the target's erosion of alignment, and what is known of each pivot met before.
    A system of dyads plays several walks side by side and moves each one's belief with what the
    others' observers saw (:meth:`hear`).
    """

    def __init__(
        self,
        plan: RunPlan,
        quantiles: np.ndarray,
        uniforms: np.ndarray,
        step: Step = period_step,
        xp: ModuleType = np,
        fitted: dict[str, np.ndarray] | None = None,
        keep: bool = True,
    ) -> None:
        self.plan, self.step, self.xp = plan, step, xp
        self.table = xp.asarray(piece_table(plan, quantiles))
        self.fitted = {name: xp.asarray(v) for name, v in (fitted or {}).items()}
        self.uniforms = xp.asarray(uniforms)
        self.pivot = plan.steps[0].pivot
        self.prior = self.value(0, "prior_resolve")
        self.belief = self.prior
        self.resolved = xp.zeros(self.prior.shape, dtype=bool)
        self.erosion = xp.ones_like(self.prior)
        self.type_drawn = False
        self.turnover = xp.zeros_like(self.prior)  # of the period last played
        # What the observers know of each pivot met so far, kept while another pivot holds the role.
        self.known: dict[int, tuple[Any, Any, Any, Any, bool]] = {}
        # NumPy writes each period into arrays made once (stacking a list would hold the outputs
        # twice); an accelerator keeps its periods on the device and stacks them at the end.  A walk
        # that does not ``keep`` its outputs (they are reduced as they are played) holds none.
        self.in_place = xp is np
        n_periods, n = len(plan.steps), self.prior.shape[0]
        listed = [None] * n_periods
        if keep:
            self.metrics: Any = np.empty((n_periods, len(METRICS), n)) if self.in_place else listed
            self.challenges: Any = np.empty((n_periods, n), dtype=np.int8) if self.in_place else list(listed)
            self.responses: Any = np.empty((n_periods, n), dtype=np.int8) if self.in_place else list(listed)

    def enter(self, t: int) -> None:
        """Make period ``t``'s pivot the current one: a pivot met before gets back what its observers
        knew of it, one met for the first time starts from its prior."""
        xp, plan_step = self.xp, self.plan.steps[t]
        if plan_step.pivot != self.pivot:  # another pivot: its own reputation, prior and type
            self.known[self.pivot] = (self.prior, self.belief, self.resolved, self.erosion, self.type_drawn)
            self.pivot = plan_step.pivot
            if self.pivot in self.known:
                self.prior, self.belief, self.resolved, self.erosion, self.type_drawn = self.known.pop(
                    self.pivot
                )
            else:
                self.prior = self.value(t, "prior_resolve")
                self.belief, self.resolved = self.prior, xp.zeros(self.prior.shape, dtype=bool)
                self.erosion, self.type_drawn = xp.ones_like(self.prior), False

    def play(self, t: int) -> Any:
        """Play period ``t`` (in order); returns its outputs, (len(METRICS), n)."""
        xp, plan_step = self.xp, self.plan.steps[t]
        self.enter(t)
        stage = {name: self.value(t, name) for name in (*STAGE_NAMES, "hedge_erosion")}
        turnover = self.value(t, "resolve_turnover")
        if plan_step.absent:
            stage, turnover = without_pivot(stage, xp), xp.zeros_like(turnover)
        out, challenge, response, self.belief, self.resolved, self.erosion = self.step(
            stage,
            self.belief,
            self.resolved,
            self.erosion,
            self.uniforms[t],
            turnover,
            self.prior,
            recorded=plan_step.recorded,
            type_drawn=self.type_drawn,
            options=self.plan.options,
        )
        self.turnover = turnover
        self.type_drawn = plan_step.recorded is None
        if plan_step.absent:
            out = out * xp.asarray(PRESENT_ONLY)[:, None]
        self.metrics[t], self.challenges[t], self.responses[t] = out, challenge, response
        return out

    def value(self, t: int, name: str) -> Any:
        """Parameter ``name`` in period ``t`` for every draw: the fit's value, or the drawn one."""
        if name in self.fitted:
            return self.fitted[name][t]
        return self.table[self.plan.steps[t].rows[name]]

    def hear(self, evidence: Any, after: Any = None) -> None:
        """Move the belief by ``evidence``, log-likelihood ratios of resolve seen elsewhere.

        ``after``: the belief after this walk's own period just played, to which the evidence is
        added before the period's turnover (as the walk's own evidence was); None between the
        walk's periods, when the evidence moves the current belief directly.
        """
        xp = self.xp
        silent = evidence == 0  # nothing heard: the belief stays exactly as it was
        if after is None:
            self.belief = xp.where(silent, self.belief, _sigmoid(_logit(self.belief, xp) + evidence, xp))
            return
        moved = xp.where(silent, after, _sigmoid(_logit(after, xp) + evidence, xp))
        self.belief = xp.where(
            silent, self.belief, ((1.0 - self.turnover) * moved + self.turnover * self.prior).clip(0.0, 1.0)
        )

    def output(self) -> ChunkOutput:
        if self.in_place:
            return ChunkOutput(metrics=self.metrics, challenge=self.challenges, response=self.responses)
        xp = self.xp
        return ChunkOutput(
            metrics=np.asarray(xp.stack(self.metrics)),
            challenge=np.asarray(xp.stack(self.challenges)),
            response=np.asarray(xp.stack(self.responses)),
        )


#: Beliefs are kept this far from 0 and 1 when turned into log-odds.
BELIEF_FLOOR = 1e-12


def _logit(p: Any, xp: ModuleType) -> Any:
    p = xp.clip(p, BELIEF_FLOOR, 1.0 - BELIEF_FLOOR)
    return xp.log(p) - xp.log1p(-p)


def _sigmoid(x: Any, xp: ModuleType) -> Any:
    return 1.0 / (1.0 + xp.exp(-x))


def evidence_of(out: Any, xp: ModuleType = np) -> Any:
    """The log-likelihood ratio of resolve a period's events gave its observers: how far they moved
    the belief, in log-odds (0 where nothing was learnt)."""
    return _logit(out[BELIEF_AFTER], xp) - _logit(out[BELIEF], xp)
