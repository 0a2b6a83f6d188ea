r"""Fitting pivotal's game to the record of one or many cases: maximum likelihood, or a posterior.

Maximum likelihood (the default) climbs :class:`~pivotal.estimation.structural.Likelihood` by
Newton steps with its exact gradient and Hessian.  Its standard errors are the inverse
information's: the likelihood is the whole history's (each period's probability given the record
before it), so the periods' scores are martingale differences and the inverse information is the
estimate's covariance when the model holds, dependence within a case included.  Errors clustered by
case (``cluster=True``) guard against a wrong model instead, but need many cases: the recovery study
(docs/estimation.md) found them far too small with six.

The Bayesian fit puts on each coefficient the normal prior the scenarios' sourced ranges imply
(:func:`pivotal.estimation.terms.design`) and samples the posterior with NumPyro's NUTS; R-hat and
effective sample sizes come from ArviZ, and a fit whose chains disagree or mix poorly says so and
what to do.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np

from pivotal.estimation.mle import MaximumLikelihood, Objective, climb
from pivotal.estimation.record import case_record
from pivotal.estimation.structural import Likelihood
from pivotal.estimation.terms import Design, design, parse_terms, range_spreads, term_values
from pivotal.scenario.schema import Scenario
from pivotal.simulation.fitted import FittedValues

Method = Literal["mle", "nuts"]
METHODS: tuple[str, ...] = ("mle", "nuts")
#: |coefficient| beyond which a parameter is taken to sit at a bound of its link scale: a factor
#: of e^8 (about 3,000) on the parameter, or on the odds of a share.
AT_BOUND = 8.0
#: Largest acceptable R-hat, and smallest acceptable bulk and tail effective sample size
#: (Vehtari et al. 2021).
RHAT_LIMIT = 1.01
ESS_FLOOR = 400


@dataclass(frozen=True)
class StructuralFit:
    """A fit of chosen coefficients to the cases' records, as stored and shown.

    ``estimates`` are posterior means for a Bayesian fit; ``draws`` (S, k) its posterior draws
    (for maximum likelihood, draws from the normal approximation at the estimate, so that runs
    can use either alike).
    """

    method: str
    terms: tuple[str, ...]
    cases: tuple[str, ...]
    periods: int
    estimates: tuple[float, ...]
    std_errors: tuple[float, ...]
    log_likelihood: float
    prior_scale: tuple[float, ...]
    converged: bool
    message: str
    iterations: int = 0
    gradient_evaluations: int = 0
    lower: tuple[float, ...] = ()  # 5 % posterior quantile, or estimate - 1.645 se
    upper: tuple[float, ...] = ()
    diagnostics: dict[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    draws: tuple[tuple[float, ...], ...] = ()
    covariates: dict[str, tuple[float, float]] = field(default_factory=dict)  # mean, sd of each covariate

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StructuralFit:
        tuples = {"terms", "cases", "estimates", "std_errors", "prior_scale", "lower", "upper", "warnings"}
        values: dict[str, Any] = {
            k: tuple(v) if k in tuples else v for k, v in data.items() if k in cls.__dataclass_fields__
        }
        values["draws"] = tuple(tuple(row) for row in data.get("draws", ()))
        values["covariates"] = {k: tuple(v) for k, v in data.get("covariates", {}).items()}
        return cls(**values)

    def table(self) -> list[dict[str, Any]]:
        """One row per term: estimate, error, interval, and the factor it puts on the parameter."""
        return [
            {
                "term": term,
                "estimate": b,
                "std_error": s,
                "lower": lo,
                "upper": hi,
                "factor": float(np.exp(b)),
                "prior_scale": p,
            }
            for term, b, s, lo, hi, p in zip(
                self.terms,
                self.estimates,
                self.std_errors,
                self.lower,
                self.upper,
                self.prior_scale,
                strict=True,
            )
        ]


def fit_scenarios(
    scenarios: Sequence[Scenario],
    free: Sequence[str],
    method: Method = "mle",
    *,
    chains: int = 4,
    warmup: int = 500,
    samples: int = 500,
    seed: int = 0,
    keep: int = 1000,
    cluster: bool = False,
) -> StructuralFit:
    """Estimate the coefficients ``free`` names (``NAME`` or ``NAME~COVARIATE``) from the records of
    ``scenarios``.

    Parameters
    ----------
    scenarios : the cases, each with a record.
    free : the terms, as on the command line.
    method : ``mle`` (maximum likelihood) or ``nuts`` (posterior by NumPyro's NUTS).
    chains, warmup, samples, seed : the sampler's settings (``nuts`` only).
    keep : posterior draws kept with the fit (thinned evenly), or normal draws for ``mle``.
    cluster : maximum-likelihood errors clustered by case, where there are more cases than terms
        plus one (else the inverse information's, with a warning).
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    cases = [case_record(scenario) for scenario in scenarios]
    laid = design(parse_terms(free), cases, [range_spreads(scenario) for scenario in scenarios])
    likelihood = Likelihood(laid)
    objective = Objective(likelihood.value_and_gradient, likelihood.hessian, likelihood.scores)
    # A clustered covariance has rank at most (cases - 1): with too few cases it is not a measure.
    clustered = cluster and len(cases) - 1 > len(laid.terms)
    fitted = climb(objective, laid.labels, clusters=likelihood.clusters() if clustered else None)
    if method == "mle":
        return _from_maximum(laid, fitted, keep, seed, clustered, asked=cluster)
    return _posterior(
        laid, likelihood, fitted, chains=chains, warmup=warmup, samples=samples, seed=seed, keep=keep
    )


def _common(laid: Design) -> dict[str, Any]:
    return {
        "terms": laid.labels,
        "cases": tuple(case.name for case in laid.cases),
        "periods": int(sum(case.coded.sum() for case in laid.cases)),
        "prior_scale": tuple(float(x) for x in laid.prior_scale),
        "covariates": laid.covariates,
    }


def _edge_warnings(laid: Design, estimates: np.ndarray) -> list[str]:
    found = []
    for term, value in zip(laid.terms, estimates, strict=True):
        if abs(value) > AT_BOUND and term.covariate is None:
            side = "0" if value < 0 else ("1" if term.link == "logit" else "its ceiling")
            found.append(
                f"{term.label} = {value:+.2f}: the records push it toward {side}, the edge of its "
                "range; its standard error describes a flat ridge, not a measurement (fix it, or "
                "use --method nuts, whose prior keeps it within the sourced range)"
            )
    return found


def _from_maximum(
    laid: Design, fitted: MaximumLikelihood, keep: int, seed: int, clustered: bool, asked: bool = False
) -> StructuralFit:
    notes = _edge_warnings(laid, fitted.estimates)
    if asked and not clustered:
        notes.append(
            f"{len(laid.cases)} cases for {len(laid.terms)} terms: too few to cluster the standard "
            "errors by case; these are the inverse information's"
        )
    elif clustered and len(laid.cases) < 30:
        notes.append(
            f"errors clustered on {len(laid.cases)} cases: with few clusters they tend to be too "
            "small (docs/estimation.md, the recovery study)"
        )
    if not fitted.converged:
        notes.insert(0, f"not converged: {fitted.message}")
    errors = fitted.std_errors
    draws: tuple[tuple[float, ...], ...] = ()
    if np.all(np.isfinite(fitted.covariance)):
        rng = np.random.default_rng(seed)
        sample = rng.multivariate_normal(fitted.estimates, fitted.covariance, size=keep)
        draws = tuple(tuple(float(x) for x in row) for row in sample)
    return StructuralFit(
        method="mle",
        **_common(laid),
        estimates=tuple(float(x) for x in fitted.estimates),
        std_errors=tuple(float(x) for x in errors),
        log_likelihood=fitted.log_likelihood,
        converged=fitted.converged,
        message=fitted.message,
        iterations=fitted.iterations,
        gradient_evaluations=fitted.gradient_evaluations,
        lower=tuple(float(x) for x in fitted.estimates - 1.645 * errors),
        upper=tuple(float(x) for x in fitted.estimates + 1.645 * errors),
        diagnostics={"max_gradient": fitted.max_gradient, "clustered": clustered},
        warnings=tuple(notes),
        draws=draws,
    )


def _posterior(
    laid: Design,
    likelihood: Likelihood,
    fitted: MaximumLikelihood,
    *,
    chains: int,
    warmup: int,
    samples: int,
    seed: int,
    keep: int,
) -> StructuralFit:
    """Sample the posterior with NUTS, from the maximum (or 0 where the climb failed)."""
    import jax
    import jax.numpy as jnp
    from numpyro.infer import MCMC, NUTS

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # ArviZ announces its refactor on import
        import arviz

    scale = jnp.asarray(laid.prior_scale)
    k = len(laid.terms)
    shape = jax.ShapeDtypeStruct((), jnp.float64)

    @jax.custom_vjp
    def log_likelihood(theta: Any) -> Any:
        return jax.pure_callback(lambda t: np.float64(likelihood.value(np.asarray(t))), shape, theta)

    def forward(theta: Any) -> tuple[Any, Any]:
        def both(t: Any) -> tuple[Any, Any]:
            value, gradient = likelihood.value_and_gradient(np.asarray(t))
            return np.float64(value), gradient.astype(np.float64)

        value, gradient = jax.pure_callback(both, (shape, jax.ShapeDtypeStruct((k,), jnp.float64)), theta)
        return value, gradient

    def backward(gradient: Any, cotangent: Any) -> tuple[Any]:
        return (cotangent * gradient,)

    log_likelihood.defvjp(forward, backward)

    def potential(theta: Any) -> Any:
        return -(log_likelihood(theta) - 0.5 * jnp.sum((theta / scale) ** 2))

    start = fitted.estimates if np.all(np.isfinite(fitted.estimates)) and fitted.converged else np.zeros(k)
    start = np.clip(start, -3 * laid.prior_scale, 3 * laid.prior_scale)
    mcmc = MCMC(
        NUTS(potential_fn=potential),
        num_warmup=warmup,
        num_samples=samples,
        num_chains=chains,
        chain_method="sequential",
        progress_bar=False,
    )
    mcmc.run(jax.random.PRNGKey(seed), init_params=jnp.tile(jnp.asarray(start), (chains, 1)))
    chains_draws = np.asarray(mcmc.get_samples(group_by_chain=True))  # (chains, samples, k)
    divergences = int(np.asarray(mcmc.get_extra_fields()["diverging"]).sum())
    data = arviz.convert_to_dataset({label: chains_draws[..., j] for j, label in enumerate(laid.labels)})
    rhat = arviz.rhat(data)
    bulk, tail = arviz.ess(data, method="bulk"), arviz.ess(data, method="tail")
    diagnostics = {
        "chains": chains,
        "warmup": warmup,
        "samples": samples,
        "divergences": divergences,
        "rhat": {lab: float(rhat[lab]) for lab in laid.labels},
        "ess_bulk": {lab: float(bulk[lab]) for lab in laid.labels},
        "ess_tail": {lab: float(tail[lab]) for lab in laid.labels},
    }
    flat = chains_draws.reshape(-1, k)
    means = flat.mean(axis=0)
    notes = _sampler_warnings(diagnostics, chains)
    step = max(1, len(flat) // keep)
    return StructuralFit(
        method="nuts",
        **_common(laid),
        estimates=tuple(float(x) for x in means),
        std_errors=tuple(float(x) for x in flat.std(axis=0, ddof=1)),
        log_likelihood=float(likelihood.value(means)),
        converged=not notes,
        message="sampled",
        lower=tuple(float(x) for x in np.quantile(flat, 0.05, axis=0)),
        upper=tuple(float(x) for x in np.quantile(flat, 0.95, axis=0)),
        diagnostics=diagnostics,
        warnings=tuple(notes),
        draws=tuple(tuple(float(x) for x in row) for row in flat[::step][:keep]),
    )


def _sampler_warnings(diagnostics: dict[str, Any], chains: int) -> list[str]:
    """What is wrong with a sample, each with what to do about it."""
    notes = []
    if chains < 2:
        notes.append("one chain: R-hat cannot compare chains; run --chains 4")
    bad = [lab for lab, r in diagnostics["rhat"].items() if not r <= RHAT_LIMIT]
    if chains >= 2 and bad:
        notes.append(
            f"R-hat above {RHAT_LIMIT} for {', '.join(bad)}: the chains disagree; run longer "
            "(--warmup, --samples) or estimate fewer terms"
        )
    thin = [
        lab
        for lab in diagnostics["rhat"]
        if min(diagnostics["ess_bulk"][lab], diagnostics["ess_tail"][lab]) < ESS_FLOOR
    ]
    if thin:
        notes.append(
            f"effective sample size below {ESS_FLOOR} for {', '.join(thin)}: intervals are rough; "
            "draw more samples (--samples)"
        )
    if diagnostics["divergences"]:
        notes.append(
            f"{diagnostics['divergences']} divergent transitions: the posterior has regions the "
            "sampler cannot follow; estimate fewer terms or look at the profile of each"
        )
    return notes


def fitted_values(fit: StructuralFit, scenario: Scenario, fit_id: str | None = None) -> FittedValues:
    """The fit's draws as values of the parameters it moved, period by period, for a run of
    ``scenario`` (one of the cases fitted or any other): :class:`FittedValues` for the engine.
    The parameters the fit did not estimate are not among them: a run draws those from their
    ranges, where the fit held them at their medians."""
    if not fit.draws:
        raise ValueError(
            "the fit kept no draws (its information was singular): it cannot stand in for "
            "the scenario's ranges"
        )
    missing = sorted({t.partition("~")[2] for t in fit.terms if "~" in t} - set(fit.covariates))
    if missing:
        raise ValueError(
            f"the fit does not keep how it standardised {', '.join(missing)}: make it again "
            "with `pivotal fit`"
        )
    case = case_record(scenario)
    draws = np.asarray(fit.draws, dtype=float)
    return FittedValues(
        term_values(fit.terms, draws, case, dict(fit.covariates)), fit_id=fit_id, cases=fit.cases
    )
