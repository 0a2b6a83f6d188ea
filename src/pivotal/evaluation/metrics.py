"""Proper scoring rules and calibration tables for binary forecasts."""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Forecasts are kept this far from 0 and 1 inside the log loss, so one
#: confident miss costs about 13.8 nats instead of infinity.
LOG_FLOOR = 1e-6


def brier(forecast: np.ndarray, observed: np.ndarray) -> float:
    r"""Mean squared error of probability forecasts, :math:`\frac1n\sum (p_i - y_i)^2`."""
    return float(np.mean((np.asarray(forecast) - np.asarray(observed)) ** 2))


def log_loss(forecast: np.ndarray, observed: np.ndarray) -> float:
    r"""Mean negative log likelihood in nats, :math:`-\frac1n\sum y_i\ln p_i + (1-y_i)\ln(1-p_i)`."""
    p = np.clip(np.asarray(forecast, dtype=float), LOG_FLOOR, 1.0 - LOG_FLOOR)
    y = np.asarray(observed, dtype=float)
    return float(-np.mean(y * np.log(p) + (1.0 - y) * np.log1p(-p)))


def roc_auc(forecast: np.ndarray, observed: np.ndarray) -> float | None:
    """Area under the ROC curve (Mann-Whitney form, ties count half); None with one class only."""
    from scipy.stats import rankdata  # imported here: scipy.stats is slow to import

    y = np.asarray(observed).astype(bool)
    positives, negatives = int(y.sum()), int((~y).sum())
    if positives == 0 or negatives == 0:
        return None
    ranks = rankdata(forecast)
    return float((ranks[y].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def reliability(forecast: np.ndarray, observed: np.ndarray, bins: int = 5) -> pd.DataFrame:
    """Calibration table: per forecast bin, the count, mean forecast and observed frequency.

    Bins are equal-width on [0, 1]; empty bins are left out.
    """
    p = np.asarray(forecast, dtype=float)
    y = np.asarray(observed, dtype=float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    index = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    rows = []
    for b in range(bins):
        inside = index == b
        if inside.any():
            rows.append(
                {
                    "bin_low": edges[b],
                    "bin_high": edges[b + 1],
                    "count": int(inside.sum()),
                    "mean_forecast": float(p[inside].mean()),
                    "observed_rate": float(y[inside].mean()),
                }
            )
    return pd.DataFrame(rows, columns=["bin_low", "bin_high", "count", "mean_forecast", "observed_rate"])
