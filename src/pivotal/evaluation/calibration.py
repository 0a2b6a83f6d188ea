r"""Fitting the quantal-response precision to the record, by Bayes' rule on a grid.

The scenario states a range for the logit precision :math:`\lambda`.  What is
fitted is one multiplier :math:`\kappa` on every draw of it
(:math:`\lambda' = \kappa\lambda`), with prior
:math:`\ln\kappa \sim N(0, 1)` (the scenario's own range is the prior's
centre) on a grid of 25 points from 0.1 to 10.  The posterior after periods
:math:`s < t` is

.. math:: w_k(t) \propto \pi_k \prod_{s<t} P(\text{record}_s \mid \kappa_k),

and the forecast for period *t* mixes the grid's forecasts with :math:`w(t)`.
Every grid point is one run with the same seed, so the runs differ only by
:math:`\kappa` (common random numbers).  A forecast for *t* from run *k* uses
only the record before *t*, so the whole rolling-origin sequence costs one run
per grid point.

A system of dyads sharing one pivot has one multiplier too (:func:`fit_system_precision`): it
scales the precision of the one pivot every dyad shares, and says how far the model's stated
ranges are off rather than anything about one theatre, so every dyad's record is evidence about it.  Grid
point *k* is one run of the whole system with every dyad's precision scaled by
:math:`\kappa_k`, and the posterior behind dyad *d*'s forecast for period *t* multiplies in the
record likelihood of every dyad's periods before *t*, its own and the others'.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from pivotal.evaluation.outcomes import PREDICTIVE_COLUMNS, log_likelihood, observed_table, predictive_table
from pivotal.scenario.schema import Scenario
from pivotal.scenario.system import LoadedSystem
from pivotal.scenario.timeline import Period, is_year
from pivotal.simulation.engine import simulate
from pivotal.simulation.system import simulate_system

#: The grid of precision multipliers; the middle point, 1, is the scenario as written.
PRECISION_SCALES = np.exp(np.linspace(-np.log(10.0), np.log(10.0), 25))
#: Standard deviation of the normal prior on the log multiplier.
PRIOR_SD = 1.0
AS_SPECIFIED = int(np.argmin(np.abs(np.log(PRECISION_SCALES))))


#: Every precision a scenario can set: the common one and the per-role ones.
PRECISIONS = ("precision", "precision_challenger", "precision_pivot", "precision_target")


def scale_precision(scenario: Scenario, factor: float) -> Scenario:
    """The scenario with every precision piece it gives multiplied by ``factor`` (an exact rescaling
    of draws); per-role precisions left to follow the common one follow it scaled."""
    scaled = {
        name: [
            piece.model_copy(
                update={
                    "low": piece.low * factor,
                    "high": piece.high * factor,
                    "mode": None if piece.mode is None else piece.mode * factor,
                }
            )
            for piece in scenario.parameters[name]
        ]
        for name in PRECISIONS
        if name in scenario.parameters
    }
    return scenario.model_copy(update={"parameters": {**scenario.parameters, **scaled}})


@dataclass(frozen=True)
class PrecisionFit:
    """Forecasts and record likelihoods of every grid point, and the posteriors they imply.

    ``other_periods`` and ``other_loglik`` hold evidence about the same multiplier from records
    this fit does not forecast: in a system, the other dyads' periods (one column each, a period
    repeated where two dyads share it) and their record log-likelihoods under each grid point's
    run.  They enter the posterior and nothing else; a scenario alone has none, and its fit is
    exactly what it was without them.
    """

    periods: list[Period]
    scales: np.ndarray  # (K,)
    prior: np.ndarray  # (K,), sums to 1
    predictive: list[pd.DataFrame]  # K tables, one row per period
    loglik: np.ndarray  # (K, n_periods)
    observed: pd.DataFrame
    other_periods: tuple[Period, ...] = ()
    other_loglik: np.ndarray = field(default_factory=lambda: np.zeros((len(PRECISION_SCALES), 0)))  # (K, m)

    def posterior(self, before: Period | None = None) -> np.ndarray:
        """Grid weights after the record of periods strictly before ``before`` (None: all periods),
        the other dyads' included: their periods strictly before ``before`` too, since a period
        the dyads share is played by them at once and none of it is known before it."""
        used = np.array([before is None or p < before for p in self.periods])
        log_w = np.log(self.prior) + self.loglik[:, used].sum(axis=1)
        if self.other_periods:  # only then, so that a fit alone is computed as it always was
            heard = np.array([before is None or p < before for p in self.other_periods])
            log_w = log_w + self.other_loglik[:, heard].sum(axis=1)
        w = np.exp(log_w - log_w.max())
        return w / w.sum()

    def mixture(self, weights: np.ndarray) -> pd.DataFrame:
        """The predictive table of the grid mixed with ``weights``.

        Conditional columns mix with weights proportional to ``w_k P_k(a)``:
        seeing a challenge of kind *a* is itself evidence about the multiplier.
        """
        stacked = {c: np.stack([t[c].to_numpy() for t in self.predictive]) for c in PREDICTIVE_COLUMNS}
        frame = pd.DataFrame({"period": self.periods})
        for column in (
            "p_status_quo",
            "p_probe",
            "p_offensive",
            "p_hedge",
            "p_provoke",
            "p_concede",
            "p_lean_target",
            "p_lean_challenger",
        ):
            frame[column] = weights @ stacked[column]
        provoked = weights @ stacked["p_provoke"]
        reined = weights @ (stacked["p_provoke"] * stacked["p_rein"])
        frame["p_rein"] = reined / np.where(provoked > 0, provoked, 1.0)
        for kind in ("probe", "offensive"):
            marginal = weights @ stacked[f"p_{kind}"]
            for response in ("intervene", "act", "mediate"):
                joint = weights @ (stacked[f"p_{kind}"] * stacked[f"p_{response}_{kind}"])
                frame[f"p_{response}_{kind}"] = joint / np.where(marginal > 0, marginal, 1.0)
            mediated = stacked[f"p_{kind}"] * stacked[f"p_mediate_{kind}"]
            held, seen = weights @ (mediated * stacked[f"p_ceasefire_holds_{kind}"]), weights @ mediated
            frame[f"p_ceasefire_holds_{kind}"] = held / np.where(seen > 0, seen, 1.0)
        return frame

    def rolling(self) -> pd.DataFrame:
        """Each period forecast with the posterior from the periods before it (rolling origin)."""
        rows = [self.mixture(self.posterior(before=p)).iloc[[t]] for t, p in enumerate(self.periods)]
        return pd.concat(rows, ignore_index=True)

    def in_sample(self) -> pd.DataFrame:
        """Every period forecast with the posterior from all periods, its own included."""
        return self.mixture(self.posterior())

    def path(self) -> pd.DataFrame:
        """Per period, the posterior median and 90% interval of the multiplier fitted before it
        (in a system, on every dyad's record before it); the last row, ``before`` empty, is the
        posterior on the whole record."""
        rows = []
        for p in [*self.periods, None]:
            w = self.posterior(before=p)
            cdf = np.cumsum(w)
            low, median, high = (float(self.scales[np.searchsorted(cdf, q)]) for q in (0.05, 0.5, 0.95))
            rows.append(
                {
                    "before": p,
                    "scale_low": low,
                    "scale_median": median,
                    "scale_high": high,
                    "scale_map": float(self.scales[np.argmax(w)]),
                }
            )
        frame = pd.DataFrame(rows)
        if all(is_year(p) for p in self.periods):  # whole years: an integer column, as before episodes
            frame["before"] = frame["before"].astype("Int64")
        return frame


def fit_precision(
    scenario: Scenario,
    draws: int,
    seed: int,
    progress: Callable[[int, int], None] | None = None,
) -> PrecisionFit:
    """Run the scenario once per grid multiplier (same seed) and keep its forecasts and likelihoods."""
    tables, logliks = [], []
    observed = None
    for k, factor in enumerate(PRECISION_SCALES):
        result = simulate(scale_precision(scenario, float(factor)), draws=draws, seed=seed)
        observed = observed_table(result) if observed is None else observed
        table = predictive_table(result)
        tables.append(table)
        logliks.append(log_likelihood(table, observed))
        if progress is not None:
            progress(k + 1, len(PRECISION_SCALES))
    return PrecisionFit(
        periods=scenario.timeline,
        scales=PRECISION_SCALES,
        prior=_prior(),
        predictive=tables,
        loglik=np.stack(logliks),
        observed=observed,
    )


def fit_system_precision(
    loaded: LoadedSystem,
    draws: int,
    seed: int,
    progress: Callable[[int, int], None] | None = None,
    *,
    contagion: float | None = None,
) -> dict[str, PrecisionFit]:
    """Fit one precision multiplier on a whole system: one system run per grid point.

    The dyads share one pivot, whose precision the multiplier scales, and the multiplier says how
    sharply the model's actors answer payoffs next to what the scenarios' ranges guess; fitting it
    dyad by dyad would give one power a different precision in each theatre.  So each grid point
    scales every dyad's precisions by the same factor and runs the system once with the same seed
    (common random numbers across the grid, as for a scenario alone), and each dyad's fit carries
    the others' record likelihoods as evidence for its posterior.

    Parameters
    ----------
    loaded : the system; every dyad's record is used by the runs and weighs in the posterior.
    draws : parameter draws per run.
    seed : random seed shared by all runs.
    progress : told (grid points done, grid points) after each run.
    contagion : a fixed contagion for every run, as :func:`~pivotal.simulation.system.simulate_system`
        takes it (None: drawn from the system file).

    Returns
    -------
    One :class:`PrecisionFit` per dyad, by scenario id, in the system's order.  Dyad *d*'s
    ``predictive`` and ``loglik`` are its own; ``other_periods`` and ``other_loglik`` are every
    other dyad's, so that its posterior before period *t* uses the whole system's record before *t*.
    """
    ids = [s.id for s in loaded.scenarios]
    tables: dict[str, list[pd.DataFrame]] = {i: [] for i in ids}
    logliks: dict[str, list[np.ndarray]] = {i: [] for i in ids}
    observed: dict[str, pd.DataFrame] = {}
    for k, factor in enumerate(PRECISION_SCALES):
        scaled = replace(loaded, scenarios=tuple(scale_precision(s, float(factor)) for s in loaded.scenarios))
        result = simulate_system(scaled, draws=draws, seed=seed, contagion=contagion)
        for scenario_id, dyad in zip(ids, result.dyads, strict=True):
            if scenario_id not in observed:
                observed[scenario_id] = observed_table(dyad)
            table = predictive_table(dyad)
            tables[scenario_id].append(table)
            logliks[scenario_id].append(log_likelihood(table, observed[scenario_id]))
        if progress is not None:
            progress(k + 1, len(PRECISION_SCALES))
    prior = _prior()
    own = {i: np.stack(logliks[i]) for i in ids}
    fits = {}
    for scenario in loaded.scenarios:
        others = [s for s in loaded.scenarios if s.id != scenario.id]
        fits[scenario.id] = PrecisionFit(
            periods=scenario.timeline,
            scales=PRECISION_SCALES,
            prior=prior,
            predictive=tables[scenario.id],
            loglik=own[scenario.id],
            observed=observed[scenario.id],
            other_periods=tuple(p for s in others for p in s.timeline),
            other_loglik=np.concatenate([own[s.id] for s in others], axis=1),
        )
    return fits


def _prior() -> np.ndarray:
    """The prior on the grid: ln(multiplier) ~ Normal(0, PRIOR_SD), normalised."""
    log_prior = -0.5 * (np.log(PRECISION_SCALES) / PRIOR_SD) ** 2
    prior = np.exp(log_prior - log_prior.max())
    return prior / prior.sum()
