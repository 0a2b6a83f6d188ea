"""One random-number argument, normalised once."""

from __future__ import annotations

import numpy as np

SeedLike = int | np.random.SeedSequence | np.random.Generator | None


def as_generator(seed: SeedLike) -> np.random.Generator:
    """Turn an int, SeedSequence, Generator or None into a Generator.

    ``None`` gives fresh entropy; the global NumPy state is never touched.
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or isinstance(seed, int | np.random.SeedSequence):
        return np.random.default_rng(seed)
    raise TypeError(f"seed must be an int, SeedSequence, Generator or None, not {type(seed).__name__}")
