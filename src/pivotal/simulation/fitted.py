"""Parameter values a fit estimated, standing in for a scenario's hand ranges in a run.

A fit (``pivotal fit``) gives draws of its coefficients; for a scenario they become, for each
parameter the fit moved, one value per period and per draw of the fit.  Draw ``i`` of a run takes
the fit's draw ``i mod S``, so the values a draw gets do not depend on how the run is cut into
chunks, and paired runs (a what-if) give a draw the same values.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class FittedValues:
    """``values[name]`` is (T, S): the parameter in each of the scenario's T periods under each of
    the fit's S draws; ``fit_id`` names the fit they came from, ``cases`` what it was fitted on."""

    values: dict[str, np.ndarray]
    fit_id: str | None = None
    cases: tuple[str, ...] = ()  # the scenarios whose records the fit was made from

    def __post_init__(self) -> None:
        sizes = {v.shape[1] for v in self.values.values()}
        if len(sizes) != 1 or 0 in sizes:
            raise ValueError("every fitted parameter needs the same number (> 0) of draws")

    @property
    def draws(self) -> int:
        return next(iter(self.values.values())).shape[1]

    def columns(self, start: int, stop: int) -> dict[str, np.ndarray]:
        """Each parameter's values for run draws ``start`` to ``stop``, (T, stop - start)."""
        index = np.arange(start, stop) % self.draws
        return {name: v[:, index] for name, v in self.values.items()}
