"""Solve one draw's stage game with Gambit and compare the answer with pivotal's.

pivotal computes the agent logit QRE by one backward pass
(:func:`pivotal.model.solve_stage`).  Gambit reaches the same equilibrium by a
different road: it follows the branch of logit equilibria from
:math:`\\lambda = 0` (uniform play) up to the requested precision with a
predictor-corrector path tracer (Turocy 2010), on the game tree written by
:func:`pivotal.verify.efg.stage_efg`.  Agreement of two unrelated methods on
the same tree checks the backward pass, the payoffs and Bayes' rule at once.

Version: pygambit 17.0.0b2, pinned exactly in the ``verify`` extra.  pygambit
16.7.0 has no wheel for Python 3.11 and builds from source for about ten
minutes; 17.0.0b2 ships one.  Its API differs from 16.x: players are plain
labels, a node is named by the action labels leading to it (``pygambit.H``),
and a profile's beliefs are a vector keyed by ``History``.

Two limits of Gambit's floating-point solver, both far outside the built-in
scenario's range, are reported rather than hidden:

* where a node's probability of being reached underflows to zero (choice
  probabilities of :math:`10^{-200}` and less multiplied along a path), the
  tracer stops short of the requested precision and still returns its last
  point; :func:`solve_efg` raises :class:`TracerStoppedShort` instead;
* Gambit leaves the belief at an information set it reaches with probability
  exactly zero undefined; those beliefs, and the target's choices there, are
  NaN in :class:`GambitSolution` and left out of the comparison.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from pivotal.model.stage_game import RESPONSES, StageParameters, StageSolution
from pivotal.verify.efg import CHALLENGE_LABELS, TYPES, stage_efg

INSTALL_HINT = 'pip install "pivotal[verify]"'
#: The pygambit release this module is written and tested against.
PYGAMBIT_VERSION = "17.0.0b2"
#: How far, relative to the precision asked for, Gambit's last point may lie.
#: Its tracer stops within about 2e-8 of the target, or gives up far earlier.
LAMBDA_TOLERANCE = 1e-6


class GambitUnavailable(ImportError):
    """pygambit is not installed; the message says how to install it."""


class TracerStoppedShort(RuntimeError):
    """Gambit's path tracer ended before the requested precision; its point is no answer."""

    def __init__(self, requested: float, reached: float) -> None:
        super().__init__(
            f"Gambit's logit path tracer stopped at lambda = {reached:.6g}, short of the requested "
            f"{requested:.6g}: some node of the game is reached with a probability that underflows "
            f"to zero, and the tracer cannot go on from there"
        )
        self.requested = requested
        self.reached = reached


def require_pygambit() -> Any:
    """pygambit, imported on first use so that the rest of pivotal runs without it."""
    try:
        import pygambit
    except ImportError as error:
        raise GambitUnavailable(
            f"checking against Gambit needs pygambit {PYGAMBIT_VERSION}: {INSTALL_HINT}"
        ) from error
    return pygambit


@dataclass(frozen=True)
class GambitSolution:
    """Gambit's logit QRE of one stage game, shaped like one draw of :class:`StageSolution`.

    Challenges ``a`` are (probe, offensive) and responses ``r`` (restrain,
    mediate, acquiesce), as in :mod:`pivotal.model.stage_game`.  NaN marks a
    belief Gambit leaves undefined and the target's choice that rests on it.
    """

    challenger: np.ndarray  # (3,): status quo, probe, offensive
    pivot_resolved: np.ndarray  # (2, 3): response given challenge, resolved type
    pivot_irresolute: np.ndarray  # (2, 3)
    posterior: np.ndarray  # (2, 3): Gambit's belief in resolve at the target's information sets
    hedge_after_status_quo: np.ndarray  # (): target hedges after the status quo
    hedge_after_response: np.ndarray  # (2, 3)
    belief_after_status_quo: np.ndarray  # (): Gambit's belief in resolve after the status quo
    lam: float  # the precision at which Gambit's path tracer stopped


def read_game(text: str) -> Any:
    """Parse ``.efg`` text with pygambit; ``pygambit.read_efg`` takes a path or a file-like object."""
    return require_pygambit().read_efg(io.StringIO(text))


def solve_efg_profile(
    text: str, precision: float, *, first_step: float = 0.03, max_accel: float = 1.1
) -> tuple[Any, float]:
    """Gambit's logit QRE of ``.efg`` text at ``precision``: its behaviour profile and the precision
    its tracer reached.

    Raises
    ------
    GambitUnavailable : pygambit is not installed.
    TracerStoppedShort : Gambit's tracer ended before ``precision``.
    """
    precision = float(precision)
    if not precision >= 0.0:
        raise ValueError(f"precision must be a non-negative number, found {precision!r}")
    gbt = require_pygambit()
    game = read_game(text)
    if precision == 0.0:
        # Uniform play is the logit QRE at lambda = 0.  Asked for 0, Gambit's tracer, which
        # reports points it crosses on the way out, runs to the far end of the branch instead.
        return game.mixed_behavior_profile(), 0.0
    qre = gbt.qre.logit_solve_lambda(
        game, lam=precision, use_strategic=False, first_step=first_step, max_accel=max_accel
    )[0]
    if abs(float(qre.lam) - precision) > LAMBDA_TOLERANCE * precision:
        raise TracerStoppedShort(precision, float(qre.lam))
    return qre.profile, float(qre.lam)


def solve_efg(
    text: str, precision: float, *, first_step: float = 0.03, max_accel: float = 1.1
) -> GambitSolution:
    """Read ``.efg`` text written by :func:`~pivotal.verify.efg.stage_efg` and solve it with Gambit.

    Parameters
    ----------
    text : the game, as written by ``stage_efg``.
    precision : the logit precision :math:`\\lambda \\ge 0` to solve at.
    first_step, max_accel : passed to ``pygambit.qre.logit_solve_lambda``:
        the tracer's first step along the path and the most it may lengthen a
        step by (Gambit's defaults).  Neither changes where it stops short.

    Raises
    ------
    GambitUnavailable : pygambit is not installed.
    TracerStoppedShort : Gambit's tracer ended before ``precision``.
    """
    gbt = require_pygambit()
    profile, lam = solve_efg_profile(text, precision, first_step=first_step, max_accel=max_accel)
    beliefs = {history.actions: value for history, value in profile.beliefs}

    def probs(*history: str, actions: tuple[str, ...]) -> np.ndarray:
        mixed = profile[gbt.H.path(*history)]
        return np.array([float(mixed[action]) for action in actions])

    def belief(*history: str) -> float:
        value = beliefs[history]
        return np.nan if value is None else float(value)

    def hedge(*history: str) -> float:
        return np.nan if np.isnan(belief(*history)) else float(probs(*history, actions=("hedge",))[0])

    resolved, irresolute = TYPES
    status_quo, *challenges = CHALLENGE_LABELS
    return GambitSolution(
        challenger=probs(resolved, actions=CHALLENGE_LABELS),
        pivot_resolved=np.array([probs(resolved, a, actions=RESPONSES) for a in challenges]),
        pivot_irresolute=np.array([probs(irresolute, a, actions=RESPONSES) for a in challenges]),
        posterior=np.array([[belief(resolved, a, r) for r in RESPONSES] for a in challenges]),
        hedge_after_status_quo=np.asarray(hedge(resolved, status_quo)),
        hedge_after_response=np.array([[hedge(resolved, a, r) for r in RESPONSES] for a in challenges]),
        belief_after_status_quo=np.asarray(belief(resolved, status_quo)),
        lam=lam,
    )


def solve_with_gambit(
    params: StageParameters, belief: float, *, first_step: float = 0.03, max_accel: float = 1.1
) -> GambitSolution:
    """Solve one draw's stage game with Gambit at the draw's largest role precision.

    The game goes through the ``.efg`` text, as a user's exported file would.

    Parameters
    ----------
    params : StageParameters of one draw (every array of size 1).
    belief : the prior that the pivot is resolved.
    first_step, max_accel : see :func:`solve_efg`.
    """
    precision = float(np.asarray(params.precision).reshape(()))
    return solve_efg(stage_efg(params, belief), precision, first_step=first_step, max_accel=max_accel)


def pivotal_quantities(solution: StageSolution, draw: int = 0) -> dict[str, np.ndarray]:
    """One draw of pivotal's solution, under the names and shapes of :class:`GambitSolution`."""
    return {
        "challenger": np.asarray(solution.challenger[draw]),
        "pivot_resolved": np.asarray(solution.pivot_resolved[draw]),
        "pivot_irresolute": np.asarray(solution.pivot_irresolute[draw]),
        "posterior": np.asarray(solution.posterior[draw]),
        "hedge_after_status_quo": np.asarray(solution.hedge_after_status_quo[draw]),
        "hedge_after_response": np.asarray(solution.hedge_after_response[draw]),
        "belief_after_status_quo": np.asarray(solution.belief[draw]),
    }


def largest_differences(gambit: GambitSolution, solution: StageSolution, draw: int = 0) -> dict[str, float]:
    """Largest absolute difference between Gambit's and pivotal's answer, per quantity.

    Parameters
    ----------
    gambit : Gambit's solution of one draw.
    solution : pivotal's solution; ``draw`` picks the draw that was exported.

    Returns
    -------
    dict from each quantity of :class:`GambitSolution` (all but ``lam``) to
    :math:`\\max |x_{\\text{Gambit}} - x_{\\text{pivotal}}|` over its entries,
    leaving out entries Gambit does not define (NaN if it defines none); a
    NaN in pivotal's answer makes the difference NaN.
    """
    ours = pivotal_quantities(solution, draw)
    differences = {}
    for f in fields(gambit):
        if f.name == "lam":
            continue
        theirs = np.asarray(getattr(gambit, f.name), dtype=float)
        defined = ~np.isnan(theirs)  # a NaN of pivotal's own stays in, and shows
        gap = np.abs(theirs - ours[f.name])[defined]
        differences[f.name] = float(np.max(gap)) if gap.size else float("nan")
    return differences
