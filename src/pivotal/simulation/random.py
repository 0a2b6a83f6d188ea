"""Random numbers in fixed blocks of draws, so a draw's numbers never depend on the run's size.

Draw ``i`` takes its numbers from block ``i // BLOCK_DRAWS``, whose generator is
spawned from the run's seed by the block's index.  Two runs with the same seed
therefore pair draw by draw (common random numbers) even when they have
different numbers of draws, and a run gives the same numbers however its
blocks are grouped into chunks or spread over threads.
"""

from __future__ import annotations

import numpy as np

SeedLike = int | np.random.SeedSequence | np.random.Generator | None

#: Draws per random-number block.
BLOCK_DRAWS = 4096


def root_sequence(seed: SeedLike) -> np.random.SeedSequence:
    """Normalise an int, SeedSequence, Generator or None to a SeedSequence.

    ``None`` gives fresh entropy; a Generator is asked for one number, so the
    same generator state gives the same run.  The global NumPy state is never
    touched.
    """
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, np.random.Generator):
        return np.random.SeedSequence(int(seed.integers(2**63)))
    if seed is None or isinstance(seed, int):
        return np.random.SeedSequence(seed)
    raise TypeError(f"seed must be an int, SeedSequence, Generator or None, not {type(seed).__name__}")


def as_generator(seed: SeedLike) -> np.random.Generator:
    """Turn an int, SeedSequence, Generator or None into a Generator."""
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(root_sequence(seed))


def block_generator(root: np.random.SeedSequence, block: int) -> np.random.Generator:
    """The generator of block ``block`` of a run seeded by ``root``."""
    child = np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, block),
                                   pool_size=root.pool_size)
    return np.random.default_rng(child)


def block_uniforms(root: np.random.SeedSequence, block: int, rows: int) -> np.ndarray:
    """All of a block's uniforms, shape (rows, BLOCK_DRAWS), drawn in one call."""
    return block_generator(root, block).random((rows, BLOCK_DRAWS))
