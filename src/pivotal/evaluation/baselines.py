"""Reference forecasts a model must beat, each using only earlier periods when rolling.

* **base rate**: the share of earlier periods with the outcome, smoothed by
  Laplace's rule, (k + 1) / (n + 2);
* **persistence**: the outcome of the last settled period, as 0.9 or 0.1;
* **logistic regression**: L2-penalised (C = 1) on the standardised means of
  the scenario's parameters in each period.

A rolling forecast for period *t* is fitted on settled periods before *t*; an
in-sample one on all settled periods, *t* included.
"""

from __future__ import annotations

import warnings
from contextlib import AbstractContextManager as ContextManager

import numpy as np

from pivotal.model.parameters import PARAMETER_NAMES
from pivotal.scenario.schema import Scenario
from pivotal.simulation.sampling import parameter_values

#: Persistence forecasts this instead of 1, and one minus it instead of 0.
PERSISTENCE_CONFIDENCE = 0.9


def base_rate(observed: np.ndarray, rolling: bool = True) -> np.ndarray:
    """Laplace-smoothed frequency of the outcome among settled periods (before each one when rolling)."""
    settled = ~np.isnan(observed)
    y = np.where(settled, observed, 0.0)
    if not rolling:
        return np.full(observed.shape, (y.sum() + 1.0) / (settled.sum() + 2.0))
    events = np.concatenate([[0.0], np.cumsum(y)[:-1]])
    counts = np.concatenate([[0.0], np.cumsum(settled)[:-1]])
    return (events + 1.0) / (counts + 2.0)


def persistence(observed: np.ndarray) -> np.ndarray:
    """The last settled outcome before each period (0.5 before the first)."""
    forecast = np.full(observed.shape, 0.5)
    last = np.nan
    for t, value in enumerate(observed):
        if not np.isnan(last):
            forecast[t] = PERSISTENCE_CONFIDENCE if last == 1.0 else 1.0 - PERSISTENCE_CONFIDENCE
        if not np.isnan(value):
            last = value
    return forecast


def parameter_features(scenario: Scenario) -> np.ndarray:
    """Mean of each parameter's distribution per period, shape (n_periods, n_parameters); a parameter
    left to follow another is not repeated."""
    grid = (np.arange(401) + 0.5) / 401
    quantiles = np.broadcast_to(grid, (len(PARAMETER_NAMES), grid.size))
    values = parameter_values(scenario, quantiles)
    own = [name for name in PARAMETER_NAMES if scenario.follows(name) == name]  # no copies of precision
    return np.stack([values[name].mean(axis=1) for name in own], axis=1)


def logistic(features: np.ndarray, observed: np.ndarray, rolling: bool = True) -> np.ndarray:
    """Logistic-regression forecasts; with one class only in the training periods, the base rate."""
    settled = ~np.isnan(observed)
    fallback = base_rate(observed, rolling)
    forecast = np.empty(observed.shape)
    with one_blas_thread():
        for t in range(len(observed)):
            train = settled & (np.arange(len(observed)) < t) if rolling else settled
            forecast[t] = _fit_predict(features[train], observed[train], features[t], fallback[t])
    return forecast


def one_blas_thread() -> ContextManager[object]:
    """Linear algebra on one thread while it lasts.

    The regressions here have tens of rows: a BLAS library's thread pool only costs, and when the
    other cores are busy its threads wait on one another (``benchmarks/score_threads.py``: with
    another process busy on the second of two cores, ``pivotal score`` of the built-in scenario
    took 1.6 times as long without the cap; with the cores free, the same).
    """
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")


def _fit_predict(x: np.ndarray, y: np.ndarray, row: np.ndarray, fallback: float) -> float:
    # Imported here: scikit-learn takes most of a second to import, and only scoring needs it.
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    if len(np.unique(y)) < 2:
        return fallback
    varying = x.std(axis=0) > 0
    if not varying.any():
        return fallback
    scaler = StandardScaler().fit(x[:, varying])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = LogisticRegression(C=1.0, max_iter=2000).fit(scaler.transform(x[:, varying]), y.astype(int))
    return float(model.predict_proba(scaler.transform(row[varying][None, :]))[0, 1])
