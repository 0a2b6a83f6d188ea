r"""The likelihood of pivotal's game on the recorded history of one or many cases.

In each period of a case the challenger chose, the pivot answered, the target hedged or held, and
observers updated their belief that the pivot is resolved.  Given parameters :math:`\theta`
(:mod:`pivotal.estimation.terms`), the probability of the record factorises over periods,

.. math::

    \log L(\theta) = \sum_t \log \sum_{k \in A_t} w_k\, \pi_C(c_t \mid k)\,
        \bar\pi(r_t \mid c_t, k)\, \pi_T(h_t \mid c_t, r_t, k)\, \chi_k^{[r_t = M]},

    \bar\pi(r \mid c, k) = \mu_t\, \pi^1_k(r \mid c) + (1 - \mu_t)\, \pi^0_k(r \mid c),

over the contexts :math:`k` that the record's early moves admit (:math:`w_k` their probability),
with each factor 1 where the record is silent.  The pivot's type is hidden, so the probability of a
response mixes the two types at :math:`\mu_t`, the probability that the pivot is resolved given the
record before :math:`t`.  That is the observers' belief: Bayes' rule on each recorded challenge and
response, then turnover toward the prior with probability :math:`q`, as the engine moves it
(:mod:`pivotal.simulation.kernel`).  The walk over periods is therefore the forward filter of a
hidden Markov chain over the pivot's type on the recorded challenges and responses; nothing is
simulated.  Like the engine, it learns nothing about the type from a hedge or a ceasefire, and
where hedging is not coded it erodes alignment by its expected value.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from pivotal.estimation.record import SILENT
from pivotal.estimation.terms import Design
from pivotal.model import StageParameters, posterior_resolve
from pivotal.model.parameters import PARAMETER_NAMES, PARAMETERS_BY_NAME
from pivotal.model.period_game import GameOptions, solve_period
from pivotal.model.stage_game import STAGE_NAMES
from pivotal.simulation.kernel import ABSENT_PIVOT

jax.config.update("jax_enable_x64", True)

#: Beliefs are kept this far from 0 and 1 inside logarithms.
BELIEF_FLOOR = 1e-12
#: Probabilities of a hedge or a ceasefire's holding are kept this far from 0 and 1 in logarithms.
PROBABILITY_FLOOR = 1e-300

_INDEX = {name: i for i, name in enumerate(PARAMETER_NAMES)}
_LARGEST = np.array([PARAMETERS_BY_NAME[name].largest for name in PARAMETER_NAMES])


@dataclass(frozen=True)
class Walk:
    """What the filter gives for each period of a case: its log-likelihood, the belief it started
    from, and the forecast of the challenge given the recorded early moves (status quo, probe,
    offensive)."""

    log_likelihood: np.ndarray  # (T,)
    belief: np.ndarray  # (T,)
    challenge: np.ndarray  # (T, 3)
    response: np.ndarray  # (T, 3): restrain, mediate, acquiesce, given the recorded challenge (NaN: none)
    # The same two forecasts before any of the period's moves: not given its recorded early moves.
    challenge_before: np.ndarray  # (T, 3)
    response_before: np.ndarray  # (T, 3)


class Likelihood:
    """The log-likelihood of every case's record as a function of the terms' coefficients, with its
    exact gradient and Hessian.

    JAX differentiates the filter with respect to the parameters' values in every period, compiled
    once per shape of case (its game's early moves and its length, padded to a power of two) and
    kept for the life of the process, whatever terms a fit names; the chain rule through the link
    functions, a few small arrays, is done here.  So a second fit, a profile, a posterior sample or
    a recovery study's hundred refits compile nothing new.
    """

    def __init__(self, design: Design) -> None:
        self.design = design
        self.cases = [_padded(design, c) for c in range(len(design.cases))]

    @property
    def size(self) -> int:
        return len(self.design.terms)

    def value_and_gradient(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        total, gradient = 0.0, np.zeros(self.size)
        for case in self.cases:
            values, first, _ = case.values(theta)
            value, by_value = _value_and_gradient(jnp.asarray(values), *case.data, options=case.options)
            total += float(value)
            gradient += np.tensordot(first, np.asarray(by_value), axes=([1, 2], [0, 1]))
        return total, gradient

    def value(self, theta: np.ndarray) -> float:
        return self.value_and_gradient(theta)[0]

    def hessian(self, theta: np.ndarray) -> np.ndarray:
        k = self.size
        hessian = np.zeros((k, k))
        for case in self.cases:
            values, first, second = case.values(theta)
            _, by_value = _value_and_gradient(jnp.asarray(values), *case.data, options=case.options)
            for j in range(k):
                product = np.asarray(
                    _hessian_product(
                        jnp.asarray(values), jnp.asarray(first[j]), *case.data, options=case.options
                    )
                )
                hessian[j] += np.tensordot(first, product, axes=([1, 2], [0, 1]))
            loadings = case.loadings
            curvature = np.asarray(by_value) * second  # (N, T)
            hessian += np.einsum("jnt,knt,nt->jk", loadings, loadings, curvature)
        return (hessian + hessian.T) / 2

    def scores(self, theta: np.ndarray) -> np.ndarray:
        """Each coded period's gradient, (periods, k), case after case."""
        blocks = []
        for case in self.cases:
            values, first, _ = case.values(theta)
            columns = [
                np.asarray(
                    _row_derivative(
                        jnp.asarray(values), jnp.asarray(first[j]), *case.data, options=case.options
                    )
                )
                for j in range(self.size)
            ]
            blocks.append(np.stack(columns, axis=1)[: case.length] if columns else np.zeros((case.length, 0)))
        return np.concatenate(blocks)

    def clusters(self) -> list[str]:
        """The case of every period :meth:`scores` gives a row for."""
        return [case.name for case in self.cases for _ in range(case.length)]


@dataclass(frozen=True, eq=False)
class _Padded:
    """One case's arrays, padded with silent periods to a length shared by cases of its size."""

    name: str
    length: int
    options: GameOptions
    data: tuple[Any, Any, Any]  # codes, admitted, first, as device arrays
    center: np.ndarray  # (N, T')
    offset: np.ndarray  # (N, T')
    loadings: np.ndarray  # (J, N, T')
    moved: np.ndarray  # (N,) bool
    logit: np.ndarray  # (N,) bool

    def values(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The parameters at ``theta`` (N, T'), their first derivatives in theta (J, N, T') and the
        second derivatives of the inverse links (N, T')."""
        eta = self.offset + np.tensordot(theta, self.loadings, axes=1)
        with np.errstate(over="ignore", invalid="ignore"):
            sig = 1.0 / (1.0 + np.exp(-eta))
            inverse = np.where(self.logit[:, None], sig, np.exp(eta))
            slope = np.where(self.logit[:, None], sig * (1.0 - sig), inverse)
            bend = np.where(self.logit[:, None], sig * (1.0 - sig) * (1.0 - 2.0 * sig), inverse)
        ceiling = _LARGEST[:, None]
        clipped = inverse >= ceiling
        inside = self.moved[:, None] & ~clipped & np.isfinite(slope)
        values = np.where(self.moved[:, None], np.minimum(inverse, ceiling), self.center)
        slope, bend = np.where(inside, slope, 0.0), np.where(inside, bend, 0.0)
        return values, slope[None] * self.loadings, bend


def _padded(design: Design, c: int) -> _Padded:
    case = design.cases[c]
    length = len(case.periods)
    size = 1 << max(3, (length - 1).bit_length())

    def pad(array: np.ndarray, fill: Any = None) -> np.ndarray:
        extra = size - array.shape[-1]
        edge = array[..., -1:] if fill is None else np.full((*array.shape[:-1], 1), fill, dtype=array.dtype)
        return np.concatenate([array, np.repeat(edge, extra, axis=-1)], axis=-1)

    codes = np.stack(
        [
            pad(case.challenge, SILENT),
            pad(case.response, SILENT),
            pad(case.hedged, SILENT),
            pad(case.held, SILENT),
            pad(case.pivot),
            pad(case.absent.astype(np.int32)),
            pad(case.coded.astype(np.int32), 0),
        ],
        axis=1,
    )
    admitted = pad(case.admitted.T).T
    return _Padded(
        name=case.name,
        length=length,
        options=case.options,
        data=(jnp.asarray(codes), jnp.asarray(admitted), jnp.asarray(case.first)),
        center=pad(case.center),
        offset=pad(design.offsets[c]),
        loadings=pad(design.loadings[c]),
        moved=design.moved,
        logit=design.logit_rows,
    )


def walk_case(theta: np.ndarray, design: Design, c: int) -> Walk:
    """The filter's path through case ``c`` at ``theta``, as NumPy arrays."""
    case = _padded(design, c)
    values, _, _ = case.values(np.asarray(theta, dtype=float))
    rows, belief, challenge, response, before, response_before = _walked(
        jnp.asarray(values), *case.data, options=case.options
    )
    n = case.length
    challenged = case_challenged(design, c)[:, None]
    return Walk(
        np.asarray(rows)[:n],
        np.asarray(belief)[:n],
        np.asarray(challenge)[:n],
        np.where(challenged, np.asarray(response)[:n], np.nan),
        np.asarray(before)[:n],
        np.where(challenged, np.asarray(response_before)[:n], np.nan),
    )


def case_challenged(design: Design, c: int) -> np.ndarray:
    """Whether the record shows a challenge in each period of case ``c``."""
    return design.cases[c].challenge > 0


def _total(values: Any, codes: Any, admitted: Any, first: Any, *, options: GameOptions) -> Any:
    return _walk(values, codes, admitted, first, options=options)[0].sum()


@partial(jax.jit, static_argnames=("options",))
def _value_and_gradient(values: Any, codes: Any, admitted: Any, first: Any, *, options: GameOptions) -> Any:
    return jax.value_and_grad(_total)(values, codes, admitted, first, options=options)


@partial(jax.jit, static_argnames=("options",))
def _hessian_product(
    values: Any, tangent: Any, codes: Any, admitted: Any, first: Any, *, options: GameOptions
) -> Any:
    def gradient(v: Any) -> Any:
        return jax.grad(_total)(v, codes, admitted, first, options=options)

    return jax.jvp(gradient, (values,), (tangent,))[1]


@partial(jax.jit, static_argnames=("options",))
def _row_derivative(
    values: Any, tangent: Any, codes: Any, admitted: Any, first: Any, *, options: GameOptions
) -> Any:
    def rows(v: Any) -> Any:
        return _walk(v, codes, admitted, first, options=options)[0]

    return jax.jvp(rows, (values,), (tangent,))[1]


def _bernoulli_log(p: Any, outcome: Any) -> Any:
    """log P(outcome) for a binary outcome with P(1) = p; 0 where the outcome is SILENT."""
    p = jnp.clip(p, PROBABILITY_FLOOR, 1.0 - 1e-16)
    return jnp.where(outcome == SILENT, 0.0, jnp.where(outcome == 1, jnp.log(p), jnp.log1p(-p)))


def _walk(
    values: Any, codes: Any, admitted: Any, first: Any, *, options: GameOptions
) -> tuple[Any, Any, Any]:
    """Filter one case's periods: log-likelihood, starting belief and challenge forecast of each."""
    priors = values[_INDEX["prior_resolve"], first]
    pivots = priors.shape[0]
    stage_rows = jnp.asarray([_INDEX[name] for name in STAGE_NAMES])

    def step(carry: tuple[Any, Any], x: tuple[Any, Any, Any]) -> tuple[tuple[Any, Any], tuple[Any, ...]]:
        beliefs, erosions = carry
        v, code, allowed = x
        c, r, hedged, held, pivot, absent, coded = (code[i] for i in range(7))
        belief = beliefs[pivot]
        erosion = erosions[pivot]
        stage = {name: v[stage_rows[i]][None] for i, name in enumerate(STAGE_NAMES)}
        for name, value in ABSENT_PIVOT.items():
            if name in stage:
                stage[name] = jnp.where(absent == 1, value, stage[name])
        stage["target_alignment"] = stage["target_alignment"] * erosion
        rate = jnp.where(absent == 1, 0.0, v[_INDEX["hedge_erosion"]])
        turnover = jnp.where(absent == 1, 0.0, v[_INDEX["resolve_turnover"]])
        solution = solve_period(StageParameters(**stage), belief[None], options, jnp)
        joint = solution.joint  # draws axis = contexts
        mu = jnp.clip(belief, BELIEF_FLOOR, 1.0 - BELIEF_FLOOR)
        # Floored, so that a context whose probability underflows stays possible, as in the engine.
        log_w = jnp.where(allowed > 0, jnp.log(jnp.clip(solution.weights[:, 0], PROBABILITY_FLOOR)), -jnp.inf)
        challenge = jnp.clip(c, 0, 2)
        move = jnp.clip(c - 1, 0, 1)
        response = jnp.clip(r, 0, 2)
        log_c = joint.log_challenger_by_move[challenge]  # (K,)
        log_r1 = joint.log_resolved_by_move[response, move]
        log_r0 = joint.log_irresolute_by_move[response, move]
        answered = (c > 0) & (r != SILENT)
        log_r = jnp.where(answered, jnp.logaddexp(jnp.log(mu) + log_r1, jnp.log1p(-mu) + log_r0), 0.0)
        mixed_hedge = (joint.response_by_move[:, move] * joint.hedge_by_move[:, move]).sum(axis=0)
        p_hedge = jnp.where(
            c == 0,
            joint.hedge_after_status_quo,
            jnp.where(answered, joint.hedge_by_move[response, move], mixed_hedge),
        )
        log_held = jnp.where(answered & (r == 1), _bernoulli_log(joint.ceasefire_holds, held), 0.0)
        log_chance = log_w + log_c + log_r
        # The target's hedge in logarithms, exact where its probability underflows: a logit choice on
        # (w - l) - mu' v at the target's precision, mu' the belief it hedges at.
        seen_belief = jnp.where(c == 0, mu, joint.posterior_by_move[response, move])
        advantage = stage["precision_target"] * (
            stage["alt_patron_support"] - stage["pivot_leverage"] - seen_belief * stage["protection_value"]
        )
        log_hedge = jnp.where(hedged == 1, jax.nn.log_sigmoid(advantage), jax.nn.log_sigmoid(-advantage))
        exact = (c == 0) | answered
        log_hedged = jnp.where(
            hedged == SILENT, 0.0, jnp.where(exact, log_hedge, _bernoulli_log(p_hedge, hedged))
        )
        terms = log_chance + log_hedged + log_held
        row = jnp.where(coded == 1, jax.nn.logsumexp(terms), 0.0)
        # Bayes' rule on the recorded challenge and response, over the contexts the record admits.
        seen = log_w + log_c
        posterior = posterior_resolve(
            belief, jax.nn.logsumexp(seen + log_r1), jax.nn.logsumexp(seen + log_r0), jnp
        )
        after = jnp.where(answered & (coded == 1) & jnp.isfinite(posterior), posterior, belief)
        log_prior = jnp.log(jnp.clip(solution.weights[:, 0], PROBABILITY_FLOOR))  # no early move seen
        # The alignment the target keeps: its recorded hedging, else the chance of it at the record.
        weights = jax.nn.softmax(jnp.where(coded == 1, log_chance, log_prior))
        expected = jnp.where(coded == 1, p_hedge, joint.p_hedge)
        hedging = jnp.where(hedged == SILENT, (weights * expected).sum(), hedged.astype(float))
        next_belief = jnp.clip((1.0 - turnover) * after + turnover * priors[pivot], 0.0, 1.0)
        beliefs = beliefs.at[pivot].set(next_belief)
        erosions = erosions.at[pivot].set(erosion * (1.0 - rate * hedging))
        forecast = (jax.nn.softmax(log_w) * joint.challenger_by_move).sum(axis=1)
        mixed_types = mu * joint.resolved_by_move[:, move] + (1.0 - mu) * joint.irresolute_by_move[:, move]
        answer = (jax.nn.softmax(seen) * mixed_types).sum(axis=1)  # (3,) given the recorded challenge
        before = (jax.nn.softmax(log_prior) * joint.challenger_by_move).sum(axis=1)
        answer_before = (jax.nn.softmax(log_prior + log_c) * mixed_types).sum(axis=1)
        return (beliefs, erosions), (row, belief, forecast, answer, before, answer_before)

    carry = (priors, jnp.ones(pivots))
    _, outputs = jax.lax.scan(step, carry, (values.T, codes, admitted))
    return outputs


_walked = jax.jit(_walk, static_argnames=("options",))
