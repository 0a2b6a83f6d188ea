"""One period of the pivotal-deterrence game, solved in logit quantal response.

Sequence (see ``docs/model.md``): Nature draws the pivot's type (resolved with
probability ``belief``); the challenger, not knowing it, keeps the status quo,
probes or launches a major offensive; the pivot, knowing its type, restrains,
mediates or acquiesces; the target, seeing what happened but not the type,
holds to the pivot or hedges toward another patron.  After a mediation, chance
settles whether the brokered ceasefire holds; the target chooses before it
knows, so that chance move enters payoffs only through its expectation.

Each player has its own logit precision.  No player's payoff depends on a
later mover's choice in a way that feeds back (the pivot's and challenger's
payoffs do not depend on the target's move), so
the agent quantal-response equilibrium is found exactly by one backward pass.

Every function is vectorised over parameter draws.  Inside, arrays keep the
draws on the **last** axis and choices on the first, so that sums and maxima
over a handful of choices are plain element-wise operations on long
contiguous rows; the public :class:`StageSolution` arrays are views with draws
first.  The functions take an array namespace ``xp`` (NumPy by default) so the
same equations run under JAX.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import cached_property
from types import ModuleType
from typing import Any

import numpy as np

from pivotal.model.parameters import PARAMETERS

CHALLENGES: tuple[str, ...] = ("status_quo", "probe", "offensive")
RESPONSES: tuple[str, ...] = ("restrain", "mediate", "acquiesce")
TARGET_MOVES: tuple[str, ...] = ("hold", "hedge")

#: Capacity below which the pivot's restraint cost stops growing, so that a
#: fully distracted pivot faces a large but finite cost.
CAPACITY_FLOOR = 0.05


@dataclass(frozen=True)
class StageParameters:
    """The per-period inputs of one stage game, each an array over draws."""

    prize: np.ndarray
    balance: np.ndarray
    war_cost: np.ndarray
    probe_gain: np.ndarray
    probe_cost: np.ndarray
    third_party_deterrence: np.ndarray
    pivot_distraction: np.ndarray
    pivot_punishment: np.ndarray
    patron_shield: np.ndarray
    pivot_stake_target: np.ndarray
    target_alignment: np.ndarray
    pivot_stake_challenger: np.ndarray
    restraint_cost: np.ndarray
    mediation_cost: np.ndarray
    mediated_share: np.ndarray
    peacekeepers: np.ndarray
    resolve_value: np.ndarray
    mediation_credit: np.ndarray
    protection_value: np.ndarray
    alt_patron_support: np.ndarray
    pivot_leverage: np.ndarray
    status_quo_value: np.ndarray
    force_cost: np.ndarray
    peacekeeper_tripwire: np.ndarray
    ceasefire_fragility: np.ndarray
    precision_challenger: np.ndarray
    precision_pivot: np.ndarray
    precision_target: np.ndarray
    # Inputs of the moves before the crisis (pivotal.model.period_game); unused by the crisis itself.
    concession_share: np.ndarray
    provocation_pressure: np.ndarray
    provocation_value: np.ndarray
    target_restraint_cost: np.ndarray
    tilt_commitment: np.ndarray
    ultimatum_gain: np.ndarray
    # What the period's earlier moves leave for the crisis (see pivotal.model.period_game); zero
    # when the period begins with the crisis.
    pressure: Any = 0.0  # added to the challenger's payoff of every challenge (a provocation left standing)
    tilt: Any = 0.0  # added to the pivot's payoffs of restraining and mediating (its posture)

    @classmethod
    def from_mapping(cls, values: Mapping[str, np.ndarray | float]) -> StageParameters:
        """Build from any mapping holding at least the required stage parameters.

        Optional parameters left out take their defaults (:mod:`pivotal.model.parameters`):
        the per-role precisions follow ``precision``, the rest switch their channel off.
        """
        values = {**dict.fromkeys(CONTEXT_NAMES, 0.0), **with_defaults(values)}
        arrays = {f.name: np.atleast_1d(np.asarray(values[f.name], dtype=float)) for f in fields(cls)}
        shape = np.broadcast_shapes(*(a.shape for a in arrays.values()))
        return cls(**{k: np.broadcast_to(v, shape) for k, v in arrays.items()})

    def replace(self, **changes: np.ndarray | float) -> StageParameters:
        """A copy with ``changes``; ``precision`` sets every role's precision not changed by name."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        if "precision" in changes:
            common = changes.pop("precision")
            values.update({name: common for name in ROLE_PRECISIONS})
        unknown = set(changes) - set(values)
        if unknown:
            raise TypeError(f"not a stage parameter: {', '.join(sorted(unknown))}")
        values.update(changes)
        return StageParameters.from_mapping(values)

    @property
    def precision(self) -> np.ndarray:
        """The largest of the three roles' precisions: the one common scale a single-lambda solver uses."""
        return np.maximum(np.maximum(self.precision_challenger, self.precision_pivot), self.precision_target)


def with_defaults(values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` with every optional parameter it lacks set to its default."""
    filled = dict(values)
    for spec in PARAMETERS:
        if spec.name in filled or spec.required:
            continue
        if spec.default_from is not None:
            if spec.default_from in filled:
                filled[spec.name] = filled[spec.default_from]
        else:
            filled[spec.name] = spec.default
    return filled


#: Inputs set by the period's earlier moves, not by the scenario.
CONTEXT_NAMES: tuple[str, ...] = ("pressure", "tilt")
#: The scenario parameters a stage game takes.
STAGE_NAMES: tuple[str, ...] = tuple(f.name for f in fields(StageParameters) if f.name not in CONTEXT_NAMES)
#: The per-role precisions, each following ``precision`` unless given.
ROLE_PRECISIONS: tuple[str, ...] = ("precision_challenger", "precision_pivot", "precision_target")


@dataclass(frozen=True)
class StageSolution:
    """Equilibrium choice probabilities and beliefs of one stage game.

    Stored draws-last: response axis ``r`` (restrain, mediate, acquiesce)
    first, challenge axis ``a`` (probe, offensive) next, ``n`` draws last.  The
    properties without a leading underscore give the same numbers draws-first,
    as views.
    """

    challenger_by_move: Any  # (3, n): status quo, probe, offensive
    challenge_mix_by_move: Any  # (2, n): probe vs offensive, given that a challenge happens
    resolved_by_move: Any  # (3, 2, n): response given challenge, resolved type
    irresolute_by_move: Any  # (3, 2, n)
    posterior_by_move: Any  # (3, 2, n): belief in resolve after (challenge, response)
    hedge_after_status_quo: Any  # (n,)
    hedge_by_move: Any  # (3, 2, n): target hedges after (challenge, response)
    belief: Any  # (n,): prior belief the stage was solved at
    ceasefire_holds: Any  # (n,): chance a brokered ceasefire holds
    log_resolved_by_move: Any  # (3, 2, n): logarithms of resolved_by_move, exact where it underflows
    log_irresolute_by_move: Any  # (3, 2, n)
    log_challenger_by_move: Any  # (3, n): logarithms of challenger_by_move, exact where it underflows

    @property
    def challenger(self) -> np.ndarray:
        """(n, 3): status quo, probe, offensive."""
        return self.challenger_by_move.T

    @property
    def challenge_mix(self) -> np.ndarray:
        """(n, 2): probe vs offensive, given that a challenge happens."""
        return self.challenge_mix_by_move.T

    @property
    def pivot_resolved(self) -> np.ndarray:
        """(n, 2, 3): response given challenge, resolved type."""
        return self.resolved_by_move.transpose(2, 1, 0)

    @property
    def pivot_irresolute(self) -> np.ndarray:
        """(n, 2, 3): response given challenge, irresolute type."""
        return self.irresolute_by_move.transpose(2, 1, 0)

    @property
    def posterior(self) -> np.ndarray:
        """(n, 2, 3): belief in resolve after (challenge, response)."""
        return self.posterior_by_move.transpose(2, 1, 0)

    @property
    def hedge_after_response(self) -> np.ndarray:
        """(n, 2, 3): target hedges after (challenge, response)."""
        return self.hedge_by_move.transpose(2, 1, 0)

    @cached_property
    def response_by_move(self) -> Any:
        """Response probabilities given a challenge, mixed over types, (3, 2, n)."""
        mu = self.belief
        return mu * self.resolved_by_move + (1.0 - mu) * self.irresolute_by_move

    @property
    def response(self) -> np.ndarray:
        """Response probabilities given a challenge, mixed over types, (n, 2, 3)."""
        return self.response_by_move.transpose(2, 1, 0)

    @property
    def p_challenge(self) -> Any:
        return _probability(self.challenger_by_move[1] + self.challenger_by_move[2])

    @property
    def p_probe(self) -> Any:
        return self.challenger_by_move[1]

    @property
    def p_offensive(self) -> Any:
        return self.challenger_by_move[2]

    @property
    def p_deterred(self) -> Any:
        """Deterrence success: the challenger keeps the status quo."""
        return self.challenger_by_move[0]

    def intervention_by_challenge(self) -> Any:
        """Pivot restrains or mediates, given each challenge, (2, n)."""
        response = self.response_by_move
        return _probability(response[0] + response[1])

    def acts_by_challenge(self) -> Any:
        """Pivot acts for the target, given each challenge, (2, n): it restrains, or brokers a
        ceasefire that holds."""
        response = self.response_by_move
        return _probability(response[0] + response[1] * self.ceasefire_holds)

    def _given_challenge(self, chosen: Any) -> Any:
        mix = self.challenge_mix_by_move
        return _probability(mix[0] * chosen[0] + mix[1] * chosen[1])

    @property
    def p_intervene(self) -> Any:
        """Pivot restrains or mediates, given that a challenge happens."""
        return self._given_challenge(self.intervention_by_challenge())

    @property
    def p_restrain(self) -> Any:
        """Pivot restrains by force or coercion, given that a challenge happens."""
        return self._given_challenge(self.response_by_move[0])

    @property
    def p_act(self) -> Any:
        """Pivot acts for the target (restrains, or brokers a ceasefire that holds), given a challenge."""
        return self._given_challenge(self.acts_by_challenge())

    @property
    def p_hedge(self) -> Any:
        """Target hedges, over everything that can happen in the period."""
        after_challenge = (self.response_by_move * self.hedge_by_move).sum(axis=0)
        moves = self.challenger_by_move
        return _probability(
            moves[0] * self.hedge_after_status_quo
            + moves[1] * after_challenge[0]
            + moves[2] * after_challenge[1]
        )


def _probability(mixture: Any) -> Any:
    """A sum of products of probabilities, kept in [0, 1] against rounding (1 + 2e-16 otherwise)."""
    return mixture.clip(0.0, 1.0)


def log_logit_choice(utilities: np.ndarray, precision: np.ndarray) -> np.ndarray:
    r"""Logarithms of the logit choice probabilities over the last axis.

    .. math:: \log \pi_j = \lambda u_j - \log \sum_k \exp(\lambda u_k)

    Parameters
    ----------
    utilities : array (n, ..., k)
    precision : array (n,), the logit precision :math:`\lambda` of each draw.
    """
    moved = np.moveaxis(utilities, -1, 0)
    moved = np.moveaxis(moved, 1, -1)
    _, logs = _logit(moved, precision, np)
    return np.moveaxis(np.moveaxis(logs, -1, 1), 0, -1)


def logit_choice(utilities: np.ndarray, precision: np.ndarray) -> np.ndarray:
    r"""Logit (quantal-response) choice probabilities over the last axis.

    .. math:: \pi_j = \exp(\lambda u_j) / \sum_k \exp(\lambda u_k)

    Parameters
    ----------
    utilities : array (n, ..., k)
    precision : array (n,), the logit precision :math:`\lambda` of each draw.
    """
    return np.exp(log_logit_choice(utilities, precision))


def _logit(utilities: Any, precision: Any, xp: ModuleType) -> tuple[Any, Any]:
    """Probabilities and their logarithms for a logit choice over the first axis; draws last.

    The logarithms keep Bayes' rule exact for choices whose probabilities
    underflow (a costly restraint at high precision).
    """
    scaled = precision * utilities
    scaled = scaled - scaled.max(axis=0)
    weights = xp.exp(scaled)
    total = weights.sum(axis=0)
    return weights / total, scaled - xp.log(total)


def _logistic(x: Any, xp: ModuleType) -> Any:
    r"""Two-option logit :math:`1 / (1 + e^{-x})`, computed without overflow."""
    z = xp.exp(-xp.abs(x))
    return xp.where(x >= 0.0, 1.0, z) / (1.0 + z)


def _gains(p: StageParameters, xp: ModuleType = np) -> Any:
    """Gross gain of (probe, offensive) to the challenger if unopposed, (2, n)."""
    return xp.stack([p.probe_gain * p.prize, p.balance * p.prize])


def coercive_leverage(p: StageParameters) -> Any:
    r"""The pivot's power to coerce, :math:`L = (1 - \delta)(1 - \sigma)`: what it can still bring
    to bear with part of its capacity tied up elsewhere and part of its pressure blunted by the
    challenger's other patron.  Every response's effect on the challenger scales with it."""
    return (1.0 - p.pivot_distraction) * (1.0 - p.patron_shield)


def ceasefire_hold_probability(p: StageParameters) -> Any:
    r"""Chance that a brokered ceasefire holds, :math:`\chi = 1 - \beta (1 - L)`."""
    return 1.0 - p.ceasefire_fragility * (1.0 - coercive_leverage(p))


def _capacity(p: StageParameters, xp: ModuleType) -> Any:
    r"""Floored capacity :math:`\tilde\kappa = \max(1 - \delta, 0.05)`, which divides the costs of acting."""
    return xp.maximum(1.0 - p.pivot_distraction, CAPACITY_FLOOR)


def _kept_shares(p: StageParameters, xp: ModuleType, holds: Any = None) -> Any:
    r"""Share of its gain the challenger keeps after (restrain, mediate, acquiesce), (3, n).

    .. math:: 1 - L, \qquad 1 - (1 - \varphi) L \chi, \qquad 1

    ``holds`` replaces :math:`\chi` (1 for a ceasefire known to hold, 0 for one known to break).
    """
    leverage = coercive_leverage(p)
    chi = ceasefire_hold_probability(p) if holds is None else holds
    mediate = 1.0 - (1.0 - p.mediated_share) * leverage * chi
    return xp.stack([1.0 - leverage, mediate, xp.ones_like(leverage)])


def challenge_costs(p: StageParameters, xp: ModuleType = np) -> Any:
    r"""The challenger's cost of (probe, offensive), (2, n):
    :math:`\bar c_P = c_P + f + c_\tau` and :math:`\bar c_O = c_O + d_W + f + c_\tau`."""
    shared = p.force_cost + p.peacekeeper_tripwire
    return xp.stack([p.probe_cost + shared, p.war_cost + p.third_party_deterrence + shared])


def status_quo_payoff(p: StageParameters) -> Any:
    r"""The challenger's payoff of keeping the peace, :math:`u_C(S) = \nu V`."""
    return p.status_quo_value * p.prize


def challenger_payoffs(p: StageParameters) -> np.ndarray:
    """Challenger's payoff of (challenge, response), draws first, shape (n, 2, 3)."""
    return _challenger_payoffs(p, np).transpose(2, 1, 0)


def pivot_payoffs(p: StageParameters) -> tuple[np.ndarray, np.ndarray]:
    """Pivot's payoffs, draws first: base (n, 2, 3) and resolve bonus (n, 1, 3)."""
    base, bonus = _pivot_payoffs(p, np)
    return base.transpose(2, 1, 0), bonus.transpose(2, 1, 0)


def ceasefire_payoffs(p: StageParameters, holds: bool) -> tuple[np.ndarray, np.ndarray]:
    """Challenger's and pivot's (irresolute) payoffs after mediation when the ceasefire is known
    to hold or to break, draws first, each (n, 2): the two ends of the chance move whose
    expectation :func:`challenger_payoffs` and :func:`pivot_payoffs` give."""
    chi = np.ones_like(np.asarray(p.ceasefire_fragility, dtype=float)) * float(holds)
    challenger = _challenger_payoffs(p, np, holds=chi)[1]
    pivot = _pivot_payoffs(p, np, holds=chi)[0][1]
    return challenger.T, pivot.T


def _challenger_payoffs(p: StageParameters, xp: ModuleType, holds: Any = None) -> Any:
    r"""Challenger's payoff of (response, challenge), draws last, shape (3, 2, n).

    .. math::
        u_C(a, R) = (1 - L) G_a - \bar c_a - k L,\quad
        u_C(a, M) = [1 - (1-\varphi) L \chi] G_a - \bar c_a,\quad
        u_C(a, A) = G_a - \bar c_a

    with :math:`G_P = gV`, :math:`G_O = bV`, and the pressure :math:`\psi_k` of a provocation
    left standing added to every challenge (zero unless the period's context sets it).  Because
    :math:`u_C(a,R) \le u_C(a,M) \le u_C(a,A)`, anything that moves the pivot
    toward restraint hurts the challenger.
    """
    gain = _gains(p, xp)
    cost = challenge_costs(p, xp) - p.pressure
    kept = _kept_shares(p, xp, holds)
    payoffs = kept[:, None, :] * gain[None, :, :] - cost[None, :, :]
    punishment = p.pivot_punishment * coercive_leverage(p)
    return xp.stack([payoffs[0] - punishment, payoffs[1], payoffs[2]])


def _pivot_payoffs(p: StageParameters, xp: ModuleType, holds: Any = None) -> tuple[Any, Any]:
    r"""Pivot's payoffs of (response, challenge), draws last, irresolute type, and the resolve bonus.

    .. math::
        u_P(a, R) &= -s (1 - L) G_a - s_C - c_R (1+\sigma)/\tilde\kappa + \theta\rho \\
        u_P(a, M) &= -s [1 - (1-\varphi) L \chi] G_a - c_M/\tilde\kappa + \theta h \rho \\
        u_P(a, A) &= -s G_a - \tau

    plus the posture's tilt :math:`t_k` on restraint and mediation (zero unless the period's
    context sets it), with :math:`s = s_T \alpha`, :math:`\tilde\kappa = \max(1-\delta, 0.05)` and
    :math:`\theta = 1` for the resolved type.

    Returns
    -------
    base : array (3, 2, n), the irresolute type's payoffs.
    bonus : array (3, 1, n), added for the resolved type; zero on acquiesce, so
        a resolved pivot acquiesces no more often than an irresolute one.
    """
    gain = _gains(p, xp)
    stake = p.pivot_stake_target * p.target_alignment
    kept = _kept_shares(p, xp, holds)
    lost = -stake * kept[:, None, :] * gain[None, :, :]
    capacity = _capacity(p, xp)
    restraint_cost = p.pivot_stake_challenger + p.restraint_cost * (1.0 + p.patron_shield) / capacity
    mediation_cost = p.mediation_cost / capacity
    base = xp.stack(
        [lost[0] - restraint_cost + p.tilt, lost[1] - mediation_cost + p.tilt, lost[2] - p.peacekeepers]
    )
    rho = p.resolve_value
    bonus = xp.stack([rho, p.mediation_credit * rho, xp.zeros_like(rho)])[:, None, :]
    return base, bonus


def posterior_resolve(
    belief: Any, log_likelihood_resolved: Any, log_likelihood_irresolute: Any, xp: ModuleType = np
) -> Any:
    r"""Bayes' rule for the belief that the pivot is resolved, from log-likelihoods.

    .. math:: \mu' = \mu / (\mu + (1-\mu) \exp(\log L_0 - \log L_1))

    Working with the likelihood ratio keeps the posterior exact when both
    likelihoods underflow.  ``belief`` broadcasts against the likelihood arrays.
    """
    ratio = xp.exp(xp.clip(log_likelihood_irresolute - log_likelihood_resolved, -700.0, 700.0))
    return belief / (belief + (1.0 - belief) * ratio)


def hedge_probability(posterior: Any, p: StageParameters, xp: ModuleType = np) -> Any:
    r"""Target hedges with logit probability on :math:`(w - \ell) - \mu' v`, at the target's precision.

    ``posterior`` has draws on its last axis.
    """
    advantage = (p.alt_patron_support - p.pivot_leverage) - posterior * p.protection_value
    return _logistic(p.precision_target * advantage, xp)


def solve_stage(p: StageParameters, belief: Any, xp: ModuleType = np) -> StageSolution:
    """Solve one stage game at the observers' belief by backward induction.

    Parameters
    ----------
    p : StageParameters, arrays of shape (n,).
    belief : array (n,), probability that the pivot is resolved.
    xp : the array namespace (``numpy`` or ``jax.numpy``).
    """
    lam_c, lam_p = p.precision_challenger, p.precision_pivot
    belief = xp.broadcast_to(xp.asarray(belief, dtype=lam_c.dtype), lam_c.shape)
    base, bonus = _pivot_payoffs(p, xp)
    irresolute, log_irresolute = _logit(base, lam_p, xp)
    resolved, log_resolved = _logit(base + bonus, lam_p, xp)

    expected_response = belief * resolved + (1.0 - belief) * irresolute
    value_of_challenge = (expected_response * _challenger_payoffs(p, xp)).sum(axis=0)
    options = xp.concatenate([status_quo_payoff(p)[None], value_of_challenge])
    challenger, log_challenger = _logit(options, lam_c, xp)
    # Computed on its own so it stays exact when challenges are vanishingly rare.
    challenge_mix, _ = _logit(value_of_challenge, lam_c, xp)

    posterior = posterior_resolve(belief, log_resolved, log_irresolute, xp)
    return StageSolution(
        challenger_by_move=challenger,
        challenge_mix_by_move=challenge_mix,
        resolved_by_move=resolved,
        irresolute_by_move=irresolute,
        posterior_by_move=posterior,
        hedge_after_status_quo=hedge_probability(belief, p, xp),
        hedge_by_move=hedge_probability(posterior, p, xp),
        belief=belief,
        ceasefire_holds=ceasefire_hold_probability(p),
        log_resolved_by_move=log_resolved,
        log_irresolute_by_move=log_irresolute,
        log_challenger_by_move=log_challenger,
    )
