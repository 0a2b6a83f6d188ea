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
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pivotal.evaluation.outcomes import PREDICTIVE_COLUMNS, log_likelihood, observed_table, predictive_table
from pivotal.scenario.schema import Scenario
from pivotal.scenario.timeline import Period, is_year
from pivotal.simulation.engine import simulate

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
        name: [piece.model_copy(update={"low": piece.low * factor, "high": piece.high * factor,
                                        "mode": None if piece.mode is None else piece.mode * factor})
               for piece in scenario.parameters[name]]
        for name in PRECISIONS if name in scenario.parameters
    }
    return scenario.model_copy(update={"parameters": {**scenario.parameters, **scaled}})


@dataclass(frozen=True)
class PrecisionFit:
    """Forecasts and record likelihoods of every grid point, and the posteriors they imply."""

    periods: list[Period]
    scales: np.ndarray  # (K,)
    prior: np.ndarray  # (K,), sums to 1
    predictive: list[pd.DataFrame]  # K tables, one row per period
    loglik: np.ndarray  # (K, n_periods)
    observed: pd.DataFrame

    def posterior(self, before: int | None = None) -> np.ndarray:
        """Grid weights after the record of periods strictly before ``before`` (None: all periods)."""
        used = np.array([before is None or p < before for p in self.periods])
        log_w = np.log(self.prior) + self.loglik[:, used].sum(axis=1)
        w = np.exp(log_w - log_w.max())
        return w / w.sum()

    def mixture(self, weights: np.ndarray) -> pd.DataFrame:
        """The predictive table of the grid mixed with ``weights``.

        Conditional columns mix with weights proportional to ``w_k P_k(a)``:
        seeing a challenge of kind *a* is itself evidence about the multiplier.
        """
        stacked = {c: np.stack([t[c].to_numpy() for t in self.predictive]) for c in PREDICTIVE_COLUMNS}
        frame = pd.DataFrame({"period": self.periods})
        for column in ("p_status_quo", "p_probe", "p_offensive", "p_hedge", "p_provoke", "p_concede",
                       "p_lean_target", "p_lean_challenger"):
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
        """Per period, the posterior median and 90% interval of the multiplier fitted before it."""
        rows = []
        for p in [*self.periods, None]:
            w = self.posterior(before=p)
            cdf = np.cumsum(w)
            low, median, high = (float(self.scales[np.searchsorted(cdf, q)]) for q in (0.05, 0.5, 0.95))
            rows.append({"before": p, "scale_low": low, "scale_median": median, "scale_high": high,
                         "scale_map": float(self.scales[np.argmax(w)])})
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
    log_prior = -0.5 * (np.log(PRECISION_SCALES) / PRIOR_SD) ** 2
    prior = np.exp(log_prior - log_prior.max())
    return PrecisionFit(periods=scenario.timeline, scales=PRECISION_SCALES, prior=prior / prior.sum(),
                        predictive=tables, loglik=np.stack(logliks), observed=observed)
