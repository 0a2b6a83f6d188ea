r"""The whole period: the pivot's posture and the target's first move, around the crisis.

Sequence (``docs/model.md`` section 2): the pivot takes a posture (ambiguous, leaning to the
target, leaning to the challenger); the target, seeing it, concedes, holds or provokes; after a
provocation the pivot reins the target in or tolerates it; then the crisis of
:mod:`pivotal.model.stage_game` is played in the *context* these moves leave.

The pivot's type is its resolve under fire: it is settled only when a challenge comes, so the
posture and the answer to a provocation are chosen by the pivot before it knows it, and carry no
information about it.  Every earlier agent therefore faces the crisis at the observers' belief,
and the whole period is still solved exactly by one backward pass: first the crisis in each
context, then the pivot's answer, the target's move and the posture, each a logit response to the
expected payoffs of what follows.

A scenario switches either early move on (``game.target_moves_first``, ``game.pivot_posture``);
with both off the period is the crisis alone, in the one context (ambiguous, hold).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np

from pivotal.model.stage_game import (
    StageParameters,
    StageSolution,
    _capacity,
    _challenger_payoffs,
    _gains,
    _kept_shares,
    _logit,
    _pivot_payoffs,
    solve_stage,
)

POSTURES: tuple[str, ...] = ("ambiguous", "lean_target", "lean_challenger")
FIRST_MOVES: tuple[str, ...] = ("concede", "hold", "provoke")
ANSWERS: tuple[str, ...] = ("restrain_target", "tolerate")
AMBIGUOUS, LEAN_TARGET, LEAN_CHALLENGER = range(3)
CONCEDE, HOLD, PROVOKE = range(3)
REIN, TOLERATE = range(2)


@dataclass(frozen=True)
class Context:
    """What the period's earlier moves were: indices into POSTURES, FIRST_MOVES and ANSWERS."""

    posture: int
    move: int
    answer: int | None  # only after a provocation

    @property
    def label(self) -> str:
        words = [POSTURES[self.posture], FIRST_MOVES[self.move]]
        if self.answer is not None:
            words.append(ANSWERS[self.answer])
        return ", ".join(words)


@dataclass(frozen=True)
class GameOptions:
    """Which early moves a period has."""

    target_moves_first: bool = False
    pivot_posture: bool = False

    @property
    def contexts(self) -> tuple[Context, ...]:
        postures = range(3) if self.pivot_posture else (AMBIGUOUS,)
        moves = [(CONCEDE, None), (HOLD, None), (PROVOKE, REIN), (PROVOKE, TOLERATE)]
        if not self.target_moves_first:
            moves = [(HOLD, None)]
        return tuple(Context(z, m, q) for z in postures for m, q in moves)

    @property
    def crisis_only(self) -> bool:
        return not (self.target_moves_first or self.pivot_posture)


CRISIS_ONLY = GameOptions()


def context_stage(p: StageParameters, context: Context) -> StageParameters:
    r"""The crisis's inputs in ``context``.

    A concession leaves :math:`(1 - c_T) V` contested; a provocation left standing adds
    :math:`\psi` to every challenge, one reined in adds :math:`\delta\psi` (the pivot undoes the
    share of it its free capacity allows); a tilt toward the target adds :math:`\kappa_t` to the
    pivot's payoffs of acting, a tilt toward the challenger takes it away.
    """
    changes: dict[str, Any] = {}
    if context.move == CONCEDE:
        changes["prize"] = (1.0 - p.concession_share) * p.prize
    if context.move == PROVOKE:
        standing = 1.0 if context.answer == TOLERATE else p.pivot_distraction
        changes["pressure"] = standing * p.provocation_pressure
    if context.posture != AMBIGUOUS:
        sign = 1.0 if context.posture == LEAN_TARGET else -1.0
        changes["tilt"] = sign * p.tilt_commitment
    return dataclasses.replace(p, **changes) if changes else p


@dataclass(frozen=True)
class EarlyPayoffs:
    """Each player's payoff from the moves before the crisis in one context, arrays (n,)."""

    challenger: Any
    pivot: Any
    target: Any


def early_payoffs(p: StageParameters, context: Context, xp: ModuleType = np) -> EarlyPayoffs:
    r"""Transfers and costs of the earlier moves.

    A concession hands :math:`c_T V` to the challenger, which the pivot weighs at its stake
    :math:`s`; the side the pivot leans against pays it :math:`x` (the double ultimatum); a
    provocation is worth :math:`p_T` to the target if it stands and :math:`\delta p_T` if reined
    in; reining in costs the pivot :math:`c_Q / \tilde\kappa`.
    """
    zero = xp.zeros_like(p.prize)
    challenger, pivot, target = zero, zero, zero
    if context.move == CONCEDE:
        given = p.concession_share * p.prize
        challenger = challenger + given
        target = target - given
        pivot = pivot - p.pivot_stake_target * p.target_alignment * given
    if context.move == PROVOKE:
        standing = 1.0 if context.answer == TOLERATE else p.pivot_distraction
        target = target + standing * p.provocation_value
        if context.answer == REIN:
            pivot = pivot - p.target_restraint_cost / _capacity(p, xp)
    if context.posture == LEAN_TARGET:
        challenger, pivot = challenger - p.ultimatum_gain, pivot + p.ultimatum_gain
    elif context.posture == LEAN_CHALLENGER:
        target, pivot = target - p.ultimatum_gain, pivot + p.ultimatum_gain
    return EarlyPayoffs(challenger=challenger, pivot=pivot, target=target)


def crisis_values(p: StageParameters, s: StageSolution, xp: ModuleType = np) -> tuple[Any, Any]:
    r"""What the crisis is worth, before it, to the pivot (not yet knowing its type) and the target.

    .. math::
        W_P = \sum_a \pi_C(a) \bigl[\mu \textstyle\sum_r \pi^1(r|a) u^1_P(a,r)
              + (1-\mu) \sum_r \pi^0(r|a) u^0_P(a,r)\bigr]

        W_T = -\sum_a \pi_C(a) \sum_r \bar\pi(r|a)\, \kappa_r G_a + E[\eta\,((w-\ell) - \mu' v)]

    The target loses what the challenger takes; its hedging pays :math:`(w-\ell) - \mu' v` where it
    hedges.  The status quo pays the pivot 0 and the target only its hedging there.
    """
    base, bonus = _pivot_payoffs(p, xp)
    mu = s.belief
    by_type = mu * (s.resolved_by_move * (base + bonus)).sum(axis=0) + (1.0 - mu) * (
        s.irresolute_by_move * base
    ).sum(axis=0)  # (2, n)
    moves = s.challenger_by_move
    pivot = moves[1] * by_type[0] + moves[2] * by_type[1]
    taken = _kept_shares(p, xp)[:, None, :] * _gains(p, xp)[None, :, :]  # (3, 2, n)
    lost = (s.response_by_move * taken).sum(axis=0)
    advantage = p.alt_patron_support - p.pivot_leverage
    hedging_sq = s.hedge_after_status_quo * (advantage - mu * p.protection_value)
    hedging = (
        s.response_by_move * s.hedge_by_move * (advantage - s.posterior_by_move * p.protection_value)
    ).sum(axis=0)
    target = moves[0] * hedging_sq + moves[1] * (hedging[0] - lost[0]) + moves[2] * (hedging[1] - lost[1])
    return pivot, target


@dataclass(frozen=True)
class PeriodSolution:
    """The period's equilibrium: the crisis in each context, and the early moves' probabilities.

    Arrays keep draws last.  ``joint`` is the crisis of every context at once, its draws laid
    context after context (K x n); :meth:`by_context` gives any of its arrays as (..., K, n).
    ``posture`` is (3, n); ``first_move`` (3 postures, 3 moves, n); ``answer`` (3 postures, 2, n),
    the pivot's answer to a provocation; ``weights`` (K, n) the probability of each context.
    Postures and moves a game does not have get probability 0.
    """

    options: GameOptions
    contexts: tuple[Context, ...]
    joint: StageSolution
    posture: Any
    first_move: Any
    answer: Any
    weights: Any

    def by_context(self, array: Any) -> Any:
        """A (..., K x n) array of ``joint`` as (..., K, n)."""
        k = len(self.contexts)
        return array.reshape((*array.shape[:-1], k, array.shape[-1] // k))

    @property
    def stages(self) -> tuple[StageSolution, ...]:
        """The crisis of each context on its own."""
        n = self.joint.belief.shape[-1] // len(self.contexts)
        return tuple(_part(self.joint, k * n, (k + 1) * n) for k in range(len(self.contexts)))

    @property
    def crisis(self) -> StageSolution:
        """The crisis of the only context, for a period that begins with it."""
        if len(self.contexts) != 1:
            raise ValueError("this period has early moves; pick a context's stage")
        return self.joint


def _indicators(contexts: tuple[Context, ...], dtype: Any, xp: ModuleType) -> dict[str, Any]:
    """Which contexts have each early move, as (K, 1) arrays of 0 and 1."""

    def column(test) -> Any:
        return xp.asarray(np.array([[float(test(c))] for c in contexts]), dtype=dtype)

    return {
        "concede": column(lambda c: c.move == CONCEDE),
        "rein": column(lambda c: c.answer == REIN),
        "tolerate": column(lambda c: c.answer == TOLERATE),
        "lean_target": column(lambda c: c.posture == LEAN_TARGET),
        "lean_challenger": column(lambda c: c.posture == LEAN_CHALLENGER),
    }


def _joint_inputs(p: StageParameters, on: dict[str, Any], k: int, xp: ModuleType) -> StageParameters:
    """The crisis inputs of every context side by side (K x n draws), as :func:`context_stage` sets them."""

    def wide(array: Any) -> Any:
        return xp.broadcast_to(xp.asarray(array, dtype=p.prize.dtype), (k, p.prize.shape[-1]))

    changed = {
        "prize": (1.0 - on["concede"] * p.concession_share) * p.prize,
        "pressure": (on["tolerate"] + on["rein"] * p.pivot_distraction) * p.provocation_pressure,
        "tilt": (on["lean_target"] - on["lean_challenger"]) * p.tilt_commitment,
    }
    return StageParameters(
        **{
            f.name: wide(changed.get(f.name, getattr(p, f.name))).reshape(-1)
            for f in dataclasses.fields(StageParameters)
        }
    )


def _joint_early(p: StageParameters, on: dict[str, Any], xp: ModuleType) -> tuple[Any, Any]:
    """The pivot's and the target's payoffs from the early moves in every context, (K, n) each;
    the same sums as :func:`early_payoffs`."""
    given = on["concede"] * p.concession_share * p.prize
    leaning = on["lean_target"] + on["lean_challenger"]
    pivot = (
        -p.pivot_stake_target * p.target_alignment * given
        - on["rein"] * p.target_restraint_cost / _capacity(p, xp)
        + leaning * p.ultimatum_gain
    )
    standing = on["tolerate"] + on["rein"] * p.pivot_distraction
    target = -given + standing * p.provocation_value - on["lean_challenger"] * p.ultimatum_gain
    return pivot, target


def solve_period(
    p: StageParameters, belief: Any, options: GameOptions = CRISIS_ONLY, xp: ModuleType = np
) -> PeriodSolution:
    """Solve the whole period by backward induction: each context's crisis, then the early moves.

    Parameters
    ----------
    p : StageParameters, arrays of shape (n,).
    belief : array (n,), the observers' belief that the pivot is resolved.
    options : which early moves the period has.
    xp : the array namespace.
    """
    contexts = options.contexts
    zero, one = xp.zeros_like(p.prize), xp.ones_like(p.prize)
    if options.crisis_only:
        crisis = solve_stage(p, belief, xp)
        return PeriodSolution(
            options,
            contexts,
            crisis,
            xp.stack([one, zero, zero]),
            xp.stack([xp.stack([zero, one, zero])] * 3),
            xp.stack([xp.stack([zero, zero])] * 3),
            one[None],
        )
    k = len(contexts)
    on = _indicators(contexts, p.prize.dtype, xp)
    inputs = _joint_inputs(p, on, k, xp)
    joint = solve_stage(inputs, xp.concatenate([belief] * k, axis=-1), xp)
    crisis_pivot, crisis_target = crisis_values(inputs, joint, xp)
    early_pivot, early_target = _joint_early(p, on, xp)
    pivot = crisis_pivot.reshape(k, -1) + early_pivot
    target = crisis_target.reshape(k, -1) + early_target
    row = {(c.posture, c.move, c.answer): i for i, c in enumerate(contexts)}
    lam_p, lam_t = p.precision_pivot, p.precision_target
    posture_value, first_rows, answer_rows = {}, {}, {}
    for z in range(3):
        if (z, HOLD, None) not in row:
            posture_value[z], first_rows[z], answer_rows[z] = zero, xp.stack([zero] * 3), xp.stack([zero] * 2)
            continue
        if options.target_moves_first:
            rein, tolerate = row[(z, PROVOKE, REIN)], row[(z, PROVOKE, TOLERATE)]
            answer, _ = _logit(xp.stack([pivot[rein], pivot[tolerate]]), lam_p, xp)
            provoke_p = answer[0] * pivot[rein] + answer[1] * pivot[tolerate]
            provoke_t = answer[0] * target[rein] + answer[1] * target[tolerate]
            concede, hold = row[(z, CONCEDE, None)], row[(z, HOLD, None)]
            first, _ = _logit(xp.stack([target[concede], target[hold], provoke_t]), lam_t, xp)
            posture_value[z] = first[0] * pivot[concede] + first[1] * pivot[hold] + first[2] * provoke_p
        else:
            answer = xp.stack([zero, zero])
            first = xp.stack([zero, one, zero])
            posture_value[z] = pivot[row[(z, HOLD, None)]]
        first_rows[z], answer_rows[z] = first, answer
    if options.pivot_posture:
        chosen, _ = _logit(xp.stack([posture_value[z] for z in range(3)]), lam_p, xp)
    else:
        chosen = xp.stack([one, zero, zero])
    weights = []
    for c in contexts:
        w = chosen[c.posture] * first_rows[c.posture][c.move]
        if c.answer is not None:
            w = w * answer_rows[c.posture][c.answer]
        weights.append(w)
    return PeriodSolution(
        options,
        contexts,
        joint,
        chosen,
        xp.stack([first_rows[z] for z in range(3)]),
        xp.stack([answer_rows[z] for z in range(3)]),
        xp.stack(weights),
    )


def _part(s: StageSolution, start: int, stop: int) -> StageSolution:
    """The draws ``start`` to ``stop`` of a solution."""
    return StageSolution(**{f.name: getattr(s, f.name)[..., start:stop] for f in dataclasses.fields(s)})


def challenger_payoffs_in(p: StageParameters, context: Context) -> np.ndarray:
    """The challenger's crisis payoffs in ``context``, draws first (n, 2, 3), for the game's export."""
    return _challenger_payoffs(context_stage(p, context), np).transpose(2, 1, 0)
