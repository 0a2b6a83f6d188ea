"""One period of the pivotal-deterrence game, solved in logit quantal response.

Sequence (see ``docs/model.md``): Nature draws the pivot's type (resolved with
probability ``belief``); the challenger, not knowing it, keeps the status quo,
probes or launches a major offensive; the pivot, knowing its type, restrains,
mediates or acquiesces; the target, seeing what happened but not the type,
holds to the pivot or hedges toward another patron.

No player's payoff depends on a later mover's choice in a way that feeds back
(the pivot's and challenger's payoffs do not depend on the target's move), so
the agent quantal-response equilibrium is found exactly by one backward pass.
Every function is vectorised over a leading axis of parameter draws.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields

import numpy as np

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
    precision: np.ndarray

    @classmethod
    def from_mapping(cls, values: Mapping[str, np.ndarray | float]) -> StageParameters:
        """Build from any mapping holding at least the stage parameters."""
        arrays = {f.name: np.atleast_1d(np.asarray(values[f.name], dtype=float)) for f in fields(cls)}
        shape = np.broadcast_shapes(*(a.shape for a in arrays.values()))
        return cls(**{k: np.broadcast_to(v, shape) for k, v in arrays.items()})

    def replace(self, **changes: np.ndarray | float) -> StageParameters:
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return StageParameters.from_mapping(values)


@dataclass(frozen=True)
class StageSolution:
    """Equilibrium choice probabilities and beliefs of one stage game.

    Shapes use ``n`` draws; challenge axis ``a`` is (probe, offensive) and the
    response axis ``r`` is (restrain, mediate, acquiesce).
    """

    challenger: np.ndarray  # (n, 3): status quo, probe, offensive
    challenge_mix: np.ndarray  # (n, 2): probe vs offensive, given that a challenge happens
    pivot_resolved: np.ndarray  # (n, 2, 3): response given challenge, resolved type
    pivot_irresolute: np.ndarray  # (n, 2, 3)
    posterior: np.ndarray  # (n, 2, 3): belief in resolve after (challenge, response)
    hedge_after_status_quo: np.ndarray  # (n,)
    hedge_after_response: np.ndarray  # (n, 2, 3)
    belief: np.ndarray  # (n,): prior belief the stage was solved at

    @property
    def response(self) -> np.ndarray:
        """Response probabilities given a challenge, mixed over types, (n, 2, 3)."""
        mu = self.belief[:, None, None]
        return mu * self.pivot_resolved + (1.0 - mu) * self.pivot_irresolute

    @property
    def p_challenge(self) -> np.ndarray:
        return self.challenger[:, 1] + self.challenger[:, 2]

    @property
    def p_probe(self) -> np.ndarray:
        return self.challenger[:, 1]

    @property
    def p_offensive(self) -> np.ndarray:
        return self.challenger[:, 2]

    @property
    def p_deterred(self) -> np.ndarray:
        """Deterrence success: the challenger keeps the status quo."""
        return self.challenger[:, 0]

    def _given_challenge(self, responses: list[int]) -> np.ndarray:
        weights = self.challenge_mix
        chosen = self.response[:, :, responses].sum(axis=2)
        return (weights * chosen).sum(axis=1)

    @property
    def p_intervene(self) -> np.ndarray:
        """Pivot restrains or mediates, given that a challenge happens."""
        return self._given_challenge([0, 1])

    @property
    def p_restrain(self) -> np.ndarray:
        """Pivot restrains by force or coercion, given that a challenge happens."""
        return self._given_challenge([0])

    @property
    def p_hedge(self) -> np.ndarray:
        """Target hedges, over everything that can happen in the period."""
        after_challenge = (self.response * self.hedge_after_response).sum(axis=2)
        return self.challenger[:, 0] * self.hedge_after_status_quo + (
            self.challenger[:, 1:] * after_challenge
        ).sum(axis=1)


def log_logit_choice(utilities: np.ndarray, precision: np.ndarray) -> np.ndarray:
    r"""Logarithms of the logit choice probabilities over the last axis.

    .. math:: \log \pi_j = \lambda u_j - \log \sum_k \exp(\lambda u_k)

    Kept in logs so that Bayes' rule stays exact for choices whose
    probabilities underflow (a costly restraint at high precision).

    Parameters
    ----------
    utilities : array (n, ..., k)
    precision : array (n,), the logit precision :math:`\lambda` of each draw.
    """
    lam = precision.reshape(precision.shape + (1,) * (utilities.ndim - precision.ndim))
    scaled = lam * utilities
    scaled = scaled - scaled.max(axis=-1, keepdims=True)
    return scaled - np.log(np.exp(scaled).sum(axis=-1, keepdims=True))


def logit_choice(utilities: np.ndarray, precision: np.ndarray) -> np.ndarray:
    r"""Logit (quantal-response) choice probabilities over the last axis.

    .. math:: \pi_j = \exp(\lambda u_j) / \sum_k \exp(\lambda u_k)

    Parameters
    ----------
    utilities : array (n, ..., k)
    precision : array (n,), the logit precision :math:`\lambda` of each draw.
    """
    return np.exp(log_logit_choice(utilities, precision))


def _gains(p: StageParameters) -> np.ndarray:
    """Gross gain of (probe, offensive) to the challenger if unopposed, (n, 2)."""
    return np.stack([p.probe_gain * p.prize, p.balance * p.prize], axis=1)


def _effective_coercion(p: StageParameters) -> np.ndarray:
    """Share of a challenger's gain a restraining pivot undoes: e = (1 - delta)(1 - sigma)."""
    return (1.0 - p.pivot_distraction) * (1.0 - p.patron_shield)


def challenger_payoffs(p: StageParameters) -> np.ndarray:
    r"""Challenger's payoff of (challenge, response), shape (n, 2, 3).

    .. math::
        u_C(a, A) = G_a - c_a,\quad u_C(a, M) = \varphi G_a - c_a,\quad
        u_C(a, R) = (1 - e)\varphi G_a - c_a - k e

    with :math:`G_P = gV`, :math:`G_O = bV`, :math:`c_P` and
    :math:`c_O + d_W`.  Status quo pays 0.  Because :math:`u_C(a,R) \le u_C(a,M)
    \le u_C(a,A)`, anything that moves the pivot toward restraint hurts the
    challenger.
    """
    gain = _gains(p)
    cost = np.stack([p.probe_cost, p.war_cost + p.third_party_deterrence], axis=1)
    e = _effective_coercion(p)[:, None]
    phi = p.mediated_share[:, None]
    restrain = (1.0 - e) * phi * gain - cost - (p.pivot_punishment[:, None] * e)
    mediate = phi * gain - cost
    acquiesce = gain - cost
    return np.stack([restrain, mediate, acquiesce], axis=2)


def pivot_payoffs(p: StageParameters) -> tuple[np.ndarray, np.ndarray]:
    r"""Pivot's payoffs of (challenge, response), irresolute type, and the resolve bonus.

    .. math::
        u_P(a, A) &= -s G_a - \tau \\
        u_P(a, M) &= -s \varphi G_a - c_M + \theta h \rho \\
        u_P(a, R) &= -s (1-e)\varphi G_a - s_C - c_R (1+\sigma)/\tilde\kappa + \theta\rho

    with :math:`s = s_T \alpha`, :math:`\tilde\kappa = \max(1-\delta, 0.05)` and
    :math:`\theta = 1` for the resolved type.

    Returns
    -------
    base : array (n, 2, 3), the irresolute type's payoffs.
    bonus : array (n, 1, 3), added for the resolved type; zero on acquiesce, so
        a resolved pivot acquiesces no more often than an irresolute one.
    """
    gain = _gains(p)
    stake = (p.pivot_stake_target * p.target_alignment)[:, None]
    e = _effective_coercion(p)[:, None]
    phi = p.mediated_share[:, None]
    capacity = np.maximum(1.0 - p.pivot_distraction, CAPACITY_FLOOR)
    restraint_cost = (p.restraint_cost * (1.0 + p.patron_shield) / capacity)[:, None]
    restrain = -stake * (1.0 - e) * phi * gain - p.pivot_stake_challenger[:, None] - restraint_cost
    mediate = -stake * phi * gain - p.mediation_cost[:, None]
    acquiesce = -stake * gain - p.peacekeepers[:, None]
    base = np.stack([restrain, mediate, acquiesce], axis=2)
    rho = p.resolve_value
    bonus = np.stack([rho, p.mediation_credit * rho, np.zeros_like(rho)], axis=1)[:, None, :]
    return base, bonus


def posterior_resolve(
    belief: np.ndarray, log_likelihood_resolved: np.ndarray, log_likelihood_irresolute: np.ndarray
) -> np.ndarray:
    r"""Bayes' rule for the belief that the pivot is resolved, from log-likelihoods.

    .. math:: \mu' = \mu / (\mu + (1-\mu) \exp(\log L_0 - \log L_1))

    Working with the likelihood ratio keeps the posterior exact when both
    likelihoods underflow.  ``belief`` broadcasts against the likelihood arrays.
    """
    ratio = np.exp(np.clip(log_likelihood_irresolute - log_likelihood_resolved, -700.0, 700.0))
    return belief / (belief + (1.0 - belief) * ratio)


def hedge_probability(posterior: np.ndarray, p: StageParameters, extra_dims: int) -> np.ndarray:
    r"""Target hedges with logit probability on :math:`(w - \ell) - \mu' v`."""
    expand = (slice(None),) + (None,) * extra_dims
    advantage = (p.alt_patron_support - p.pivot_leverage)[expand] - posterior * p.protection_value[expand]
    utilities = np.stack([np.zeros_like(advantage), advantage], axis=-1)
    return logit_choice(utilities, p.precision)[..., 1]


def solve_stage(p: StageParameters, belief: np.ndarray) -> StageSolution:
    """Solve one stage game at the observers' belief by backward induction.

    Parameters
    ----------
    p : StageParameters, arrays of shape (n,).
    belief : array (n,), probability that the pivot is resolved.
    """
    belief = np.broadcast_to(np.asarray(belief, dtype=float), p.precision.shape)
    base, bonus = pivot_payoffs(p)
    log_irresolute = log_logit_choice(base, p.precision)
    log_resolved = log_logit_choice(base + bonus, p.precision)
    irresolute, resolved = np.exp(log_irresolute), np.exp(log_resolved)

    mu = belief[:, None, None]
    expected_response = mu * resolved + (1.0 - mu) * irresolute
    value_of_challenge = (expected_response * challenger_payoffs(p)).sum(axis=2)
    options = np.concatenate([np.zeros((belief.shape[0], 1)), value_of_challenge], axis=1)
    challenger = logit_choice(options, p.precision)
    # Computed on its own so it stays exact when challenges are vanishingly rare.
    challenge_mix = logit_choice(value_of_challenge, p.precision)

    posterior = posterior_resolve(mu, log_resolved, log_irresolute)
    return StageSolution(
        challenger=challenger,
        challenge_mix=challenge_mix,
        pivot_resolved=resolved,
        pivot_irresolute=irresolute,
        posterior=posterior,
        hedge_after_status_quo=hedge_probability(belief, p, 0),
        hedge_after_response=hedge_probability(posterior, p, 2),
        belief=belief,
    )
