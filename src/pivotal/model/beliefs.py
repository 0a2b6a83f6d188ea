"""How observers' belief in the pivot's resolve moves between periods."""

from __future__ import annotations

import numpy as np


def carry_forward(posterior: np.ndarray, turnover: np.ndarray, prior: np.ndarray) -> np.ndarray:
    r"""Belief entering the next period when the pivot's type may be redrawn.

    With probability :math:`q` the pivot's type is drawn anew from the base rate
    :math:`\mu_0` (a new leadership, a new strategic situation), so

    .. math:: \mu_{t+1} = (1 - q)\,\mu_t^{+} + q\,\mu_0 .

    This keeps beliefs from locking at 0 or 1 after a long run of observations.
    """
    return (1.0 - turnover) * posterior + turnover * prior
