r"""Maximum likelihood with exact derivatives: JAX differentiates the log-likelihood, SciPy climbs it.

The estimate maximises :math:`\ell(\theta) = \sum_i \log \Pr(y_i \mid x_i, \theta)`; its
standard errors are the square roots of the diagonal of :math:`(-\nabla^2 \ell(\hat\theta))^{-1}`,
the inverse observed information, as the field's packages report them (Kenkel and Signorino
2014).  Gradient and Hessian are JAX's automatic derivatives of the same function, not finite
differences, so the optimiser's stopping rule and the standard errors do not depend on a step size.
The climb starts from a fixed point (zeros unless told otherwise), so a fit does not depend on luck.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np
from scipy.optimize import minimize

jax.config.update("jax_enable_x64", True)  # likelihoods are summed over many rows: double precision

#: Largest gradient (in absolute value) accepted at a maximum.
GRADIENT_TOLERANCE = 1e-6


@dataclass(frozen=True)
class MaximumLikelihood:
    """A maximum-likelihood fit: the estimates, their standard errors and how the climb went."""

    names: tuple[str, ...]
    estimates: np.ndarray
    std_errors: np.ndarray
    log_likelihood: float
    covariance: np.ndarray
    iterations: int
    gradient_evaluations: int
    max_gradient: float
    converged: bool
    message: str

    def table(self) -> list[dict[str, float | str]]:
        """One row per parameter: name, estimate, standard error and z = estimate / error."""
        return [
            {"term": name, "estimate": float(b), "std_error": float(s), "z": float(b / s)}
            for name, b, s in zip(self.names, self.estimates, self.std_errors, strict=True)
        ]


@dataclass(frozen=True)
class Objective:
    """A log-likelihood to climb: its value and gradient together, its Hessian, and optionally each
    row's gradient (for clustered standard errors), all as functions of a NumPy parameter vector."""

    value_and_gradient: Callable[[np.ndarray], tuple[float, np.ndarray]]
    hessian: Callable[[np.ndarray], np.ndarray]
    scores: Callable[[np.ndarray], np.ndarray] | None = None

    def fixing(self, index: int, value: float) -> Objective:
        """The same log-likelihood with parameter ``index`` held at ``value``, over the others."""

        def full(rest: np.ndarray) -> np.ndarray:
            return np.insert(np.asarray(rest, dtype=float), index, value)

        def value_and_gradient(rest: np.ndarray) -> tuple[float, np.ndarray]:
            total, gradient = self.value_and_gradient(full(rest))
            return total, np.delete(gradient, index)

        def hessian(rest: np.ndarray) -> np.ndarray:
            return np.delete(np.delete(self.hessian(full(rest)), index, axis=0), index, axis=1)

        return Objective(value_and_gradient, hessian)


def jax_objective(
    log_likelihood: Callable[[jax.Array], jax.Array], rows: Callable[[jax.Array], jax.Array] | None = None
) -> Objective:
    """An :class:`Objective` from a JAX-traceable log-likelihood, with JAX's exact derivatives."""
    value_and_gradient = jax.jit(jax.value_and_grad(log_likelihood))
    hessian = jax.jit(jax.hessian(log_likelihood))
    scores = None if rows is None else jax.jit(jax.jacfwd(rows))  # forward mode: k passes, not n

    def both(theta: np.ndarray) -> tuple[float, np.ndarray]:
        value, gradient = value_and_gradient(jnp.asarray(theta))
        return float(value), np.asarray(gradient)

    return Objective(
        both,
        lambda theta: np.asarray(hessian(jnp.asarray(theta))),
        None if scores is None else lambda theta: np.asarray(scores(jnp.asarray(theta))),
    )


def maximise(
    log_likelihood: Callable[[jax.Array], jax.Array],
    names: Sequence[str],
    start: np.ndarray | None = None,
    *,
    rows: Callable[[jax.Array], jax.Array] | None = None,
    clusters: Sequence | None = None,
) -> MaximumLikelihood:
    """Maximise ``log_likelihood(theta)`` (a JAX-traceable scalar function) by Newton steps in a
    trust region, with its exact gradient and Hessian.

    Parameters
    ----------
    log_likelihood : the sum of log probabilities of the observed choices, as a function of the
        parameter vector.
    names : one name per parameter, in order.
    start : where the climb starts (default: zeros).
    rows, clusters : each row's log-likelihood as a function of the parameters, and one cluster
        label per row (e.g. the dyad): the standard errors are then clustered on them
        (:func:`sandwich`) instead of the inverse information; ``rows`` is used only
        with ``clusters``.

    Returns
    -------
    MaximumLikelihood : see :func:`climb`.
    """
    if clusters is not None and rows is None:
        raise ValueError("clustered standard errors need each row's log-likelihood (rows=...)")
    return climb(
        jax_objective(log_likelihood, rows if clusters is not None else None), names, start, clusters=clusters
    )


def climb(
    objective: Objective,
    names: Sequence[str],
    start: np.ndarray | None = None,
    *,
    clusters: Sequence | None = None,
) -> MaximumLikelihood:
    """Maximise ``objective`` by Newton steps in a trust region (SciPy's ``trust-exact``).

    Returns
    -------
    MaximumLikelihood : estimates, standard errors (inverse information, or clustered on
        ``clusters``, one label per row of ``objective.scores``), the maximised log-likelihood and
        the optimiser's report; ``converged`` is false when the optimiser stopped early, the
        gradient at the end exceeds ``GRADIENT_TOLERANCE``, or the information is singular there
        (then the standard errors are NaN and ``message`` says that a parameter is not identified).
    """
    k = len(names)
    theta0 = np.zeros(k) if start is None else np.asarray(start, dtype=float)
    if theta0.shape != (k,):
        raise ValueError(f"start must have {k} values, one per parameter, got shape {theta0.shape}")
    counted = {"gradients": 0}

    def negative(theta: np.ndarray) -> tuple[float, np.ndarray]:
        counted["gradients"] += 1
        value, gradient = objective.value_and_gradient(theta)
        return -value, -gradient

    result = minimize(
        negative,
        theta0,
        jac=True,
        hess=lambda t: -objective.hessian(t),
        method="trust-exact",
        options={"gtol": GRADIENT_TOLERANCE / 10, "maxiter": 500},
    )
    information = -objective.hessian(result.x)
    max_gradient = float(np.max(np.abs(objective.value_and_gradient(result.x)[1]), initial=0.0))
    converged = bool(result.success) and max_gradient < GRADIENT_TOLERANCE
    message = str(result.message)
    if not _positive_definite(information):
        # A flat direction: some parameter (or combination) is not identified by these data.
        covariance = np.full((k, k), np.nan)
        converged = False
        message = (
            "the information matrix is singular at the estimate: some parameter, or a "
            "combination of them, is not identified by these data (standard errors not finite)"
        )
    else:
        covariance = np.linalg.inv(information)
        if clusters is not None:
            if objective.scores is None:
                raise ValueError("clustered standard errors need each row's gradient (Objective.scores)")
            covariance = sandwich(objective.scores(result.x), covariance, clusters)
    return MaximumLikelihood(
        names=tuple(names),
        estimates=np.asarray(result.x),
        std_errors=np.sqrt(np.diag(covariance)),
        log_likelihood=-float(result.fun),
        covariance=covariance,
        iterations=int(result.nit),
        gradient_evaluations=counted["gradients"],
        max_gradient=max_gradient,
        converged=converged,
        message=message,
    )


#: Smallest eigenvalue of the information, relative to its largest, taken as positive.
CONDITION_FLOOR = 1e-10


def _positive_definite(information: np.ndarray) -> bool:
    """Whether the observed information is positive definite and not nearly singular."""
    if not np.all(np.isfinite(information)):
        return False
    eigenvalues = np.linalg.eigvalsh((information + information.T) / 2)
    return bool(eigenvalues[0] > CONDITION_FLOOR * max(eigenvalues[-1], 0.0))


def clustered_covariance(
    rows: Callable[[jax.Array], jax.Array],
    theta: np.ndarray,
    inverse_information: np.ndarray,
    clusters: Sequence,
) -> np.ndarray:
    """:func:`sandwich` with each row's gradient from JAX's forward-mode derivative of ``rows``."""
    scores = np.asarray(jax.jacfwd(rows)(jnp.asarray(theta)))  # (n, k); forward mode: k passes, not n
    return sandwich(scores, inverse_information, clusters)


def sandwich(scores: np.ndarray, inverse_information: np.ndarray, clusters: Sequence) -> np.ndarray:
    r"""The cluster-robust ("sandwich") covariance of a maximum-likelihood estimate.

    .. math:: V = \frac{G}{G-1}\, I^{-1} \Big(\sum_g s_g s_g'\Big) I^{-1}, \qquad
              s_g = \sum_{i \in g} \nabla_\theta \log p_i(\hat\theta),

    with :math:`G` clusters: rows of one cluster (one dyad's years) may be dependent, rows of
    different clusters are not (Huber 1967; White 1980; the :math:`G/(G-1)` correction of Stata's
    ``cluster`` option, without the further :math:`(n-1)/(n-k)` some packages add).  With each
    row its own cluster this is the heteroskedasticity-robust covariance times :math:`n/(n-1)`.
    ``scores`` is (n, k): each row's gradient at the estimate.
    """
    labels = np.asarray(list(clusters))
    if labels.shape[0] != scores.shape[0]:
        raise ValueError(f"clusters must give one label per row ({scores.shape[0]}), got {labels.shape[0]}")
    groups, index = np.unique(labels, return_inverse=True)
    if len(groups) < 2:
        raise ValueError("clustered standard errors need at least two clusters")
    summed = np.zeros((len(groups), scores.shape[1]))
    np.add.at(summed, index, scores)
    meat = summed.T @ summed
    return len(groups) / (len(groups) - 1) * inverse_information @ meat @ inverse_information


def profile_likelihood(
    log_likelihood: Callable[[jax.Array], jax.Array] | Objective,
    fitted: MaximumLikelihood,
    index: int,
    values: Sequence[float],
) -> np.ndarray:
    """The profile log-likelihood of parameter ``index``: at each of ``values``, the largest
    log-likelihood over the other parameters.  Its drop of 1.92 below the maximum marks a 95 %
    likelihood-ratio interval.  The values are climbed in order, each from the previous one's
    optimum (the first from the fit's estimates); a value whose climb does not converge gives NaN.
    """
    if not 0 <= index < len(fitted.names):
        raise ValueError(f"index must be 0 to {len(fitted.names) - 1}, got {index}")
    objective = log_likelihood if isinstance(log_likelihood, Objective) else jax_objective(log_likelihood)
    others = [i for i in range(len(fitted.names)) if i != index]
    names = [fitted.names[i] for i in others]
    profile, start = [], fitted.estimates[others]
    for value in values:
        if not others:
            profile.append(objective.value_and_gradient(np.array([float(value)]))[0])
            continue
        climbed = climb(objective.fixing(index, float(value)), names, start)
        profile.append(climbed.log_likelihood if climbed.converged else np.nan)
        if climbed.converged:
            start = climbed.estimates
    return np.array(profile)
