"""Parameter draws: from uniform quantiles to values, piece by piece.

Each parameter gets one uniform quantile per draw, shared by all its period
pieces (a draw high on a parameter in one era is high in the others).  Working
from quantiles makes runs pair by common random numbers and gives sensitivity
analysis one input dimension per parameter.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from pivotal.model.parameters import PARAMETER_NAMES
from pivotal.scenario.schema import ParameterPiece, Scenario


def draw_quantiles(rng: np.random.Generator, draws: int) -> np.ndarray:
    """Uniform quantiles, shape (n_parameters, draws), in ``PARAMETER_NAMES`` order."""
    return rng.random((len(PARAMETER_NAMES), draws))


def piece_values(piece: ParameterPiece, q: np.ndarray) -> np.ndarray:
    """Inverse CDF of a piece's distribution at quantiles ``q``."""
    low, high = piece.low, piece.high
    width = high - low
    if width == 0:
        return np.full_like(q, low, dtype=float)
    if piece.dist == "uniform":
        return low + width * q
    if piece.dist == "triangular":
        mode = piece.mode
        split = (mode - low) / width
        left = low + np.sqrt(q * width * (mode - low))
        right = high - np.sqrt((1.0 - q) * width * (high - mode))
        return np.where(q < split, left, right)
    if piece.dist == "pert":
        a = 1.0 + 4.0 * (piece.mode - low) / width
        b = 1.0 + 4.0 * (high - piece.mode) / width
    else:
        a, b = piece.alpha, piece.beta
    return low + width * special.betaincinv(a, b, q)


def parameter_values(scenario: Scenario, quantiles: np.ndarray) -> dict[str, np.ndarray]:
    """Values of every parameter, each of shape (n_periods, draws); defaults for those left out."""
    years = scenario.years
    first = years[0]
    values: dict[str, np.ndarray] = {}
    for name in PARAMETER_NAMES:
        table = np.empty((len(years), quantiles.shape[1]))
        for piece in scenario.pieces_of(name):
            rows = slice(piece.periods.start - first, piece.periods.end - first + 1)
            table[rows] = piece_values(piece, quantiles[PARAMETER_NAMES.index(piece.quantile_of(name))])
        values[name] = table
    return values
