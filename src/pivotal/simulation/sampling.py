"""Parameter draws: from uniform quantiles to values, piece by piece.

Each parameter gets one uniform quantile per draw, shared by all its period
pieces (a draw high on a parameter in one era is high in the others).  Working
from quantiles makes runs pair by common random numbers and gives sensitivity
analysis one input dimension per parameter.

A scenario whose pivot changes has one set of quantiles per pivot for the
parameters that describe the pivot (:data:`OF_PIVOT`): a mediator that takes
over from another power is not forced to be as distracted or as resolved as it.
Pivots are numbered in order of first appearance; the first pivot's quantiles
are rows ``0 .. n_parameters - 1``, the next pivot's the next ``n_parameters``
rows, so a scenario with one pivot draws exactly what it always drew.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from pivotal.model.parameters import OF_PIVOT, PARAMETER_NAMES
from pivotal.scenario.schema import ParameterPiece, Scenario
from pivotal.scenario.timeline import Period


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
        mode = _shape(piece.mode, "mode", piece)
        split = (mode - low) / width
        left = low + np.sqrt(q * width * (mode - low))
        right = high - np.sqrt((1.0 - q) * width * (high - mode))
        return np.where(q < split, left, right)
    if piece.dist == "pert":
        mode = _shape(piece.mode, "mode", piece)
        a = 1.0 + 4.0 * (mode - low) / width
        b = 1.0 + 4.0 * (high - mode) / width
    else:
        a, b = _shape(piece.alpha, "alpha", piece), _shape(piece.beta, "beta", piece)
    return low + width * special.betaincinv(a, b, q)


def _shape(value: float | None, field: str, piece: ParameterPiece) -> float:
    """A shape value the piece's distribution needs; the scenario checks make sure it is given."""
    if value is None:
        raise ValueError(f"a {piece.dist} parameter piece needs `{field}`")
    return value


def pivot_groups(scenario: Scenario) -> dict[Period, int]:
    """Each period's pivot as a number: 0 for the first pivot, 1 for the next one to appear, ...; a
    period without a pivot keeps the number of the pivot before it (what is known of that pivot
    waits through it)."""
    order: dict[str, int] = {}
    groups: dict[Period, int] = {}
    last = 0
    for period in scenario.timeline:
        pivot = scenario.roles_in(period).pivot
        if pivot is not None:
            last = order.setdefault(pivot, len(order))
        groups[period] = last
    return groups


def quantile_row(owner: str, group: int) -> int:
    """The row of ``owner``'s quantile for the pivot numbered ``group``."""
    index = PARAMETER_NAMES.index(owner)
    return index + group * len(PARAMETER_NAMES) if owner in OF_PIVOT else index


def piece_groups(
    scenario: Scenario, name: str, piece: ParameterPiece, groups: dict[Period, int]
) -> dict[int, list[Period]]:
    """The periods of a piece, by the pivot whose quantile they use (one group for a rival's parameter)."""
    split = piece.quantile_of(name) in OF_PIVOT
    found: dict[int, list[Period]] = {}
    for period in scenario.periods_in(piece.periods):
        found.setdefault(groups.get(period, 0) if split else 0, []).append(period)
    return found


def parameter_values(scenario: Scenario, quantiles: np.ndarray) -> dict[str, np.ndarray]:
    """Values of every parameter, each of shape (n_periods, draws); defaults for those left out.

    ``quantiles`` has a row per parameter and pivot (see the module's notes), or a row per
    parameter, which every pivot then shares.
    """
    timeline = scenario.timeline
    row_of = {period: t for t, period in enumerate(timeline)}
    groups = pivot_groups(scenario)
    shared = quantiles.shape[0] == len(PARAMETER_NAMES)
    values: dict[str, np.ndarray] = {}
    for name in PARAMETER_NAMES:
        table = np.empty((len(timeline), quantiles.shape[1]))
        for piece in scenario.pieces_of(name):
            owner = piece.quantile_of(name)
            for group, held in piece_groups(scenario, name, piece, groups).items():
                rows = [row_of[period] for period in held]
                table[rows] = piece_values(piece, quantiles[quantile_row(owner, 0 if shared else group)])
        values[name] = table
    return values
