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
    child = np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, block), pool_size=root.pool_size)
    return np.random.default_rng(child)


#: Rows of a block drawn at a time when only some of its columns are kept (2 MiB of numbers).
ROWS_PER_PIECE = 64


def block_uniforms(
    root: np.random.SeedSequence, block: int, rows: int, columns: slice = slice(None)
) -> np.ndarray:
    """A block's uniforms, shape (rows, BLOCK_DRAWS), or the given columns of them.

    The generator fills the block row after row, so drawing it a few rows at a time gives the
    same numbers as one call; keeping only ``columns`` of each piece means a chunk that needs a
    few draws of a long scenario's block never holds the whole block.
    """
    generator = block_generator(root, block)
    if columns == slice(None):
        return generator.random((rows, BLOCK_DRAWS))
    width = len(range(*columns.indices(BLOCK_DRAWS)))
    kept = np.empty((rows, width))
    piece = np.empty((min(ROWS_PER_PIECE, rows), BLOCK_DRAWS))
    for first in range(0, rows, ROWS_PER_PIECE):
        last = min(first + ROWS_PER_PIECE, rows)
        generator.random(out=piece[: last - first])
        kept[first:last] = piece[: last - first, columns]
    return kept


def draw_uniforms(root: np.random.SeedSequence, rows: int, start: int, stop: int) -> np.ndarray:
    """The uniforms of draws ``start`` to ``stop``, shape (rows, stop - start), from their blocks.

    Filled block by block, so that no more than the draws asked for (and one piece of a block)
    is held at a time.
    """
    kept = np.empty((rows, stop - start))
    for block in range(start // BLOCK_DRAWS, (stop - 1) // BLOCK_DRAWS + 1):
        first = max(start, block * BLOCK_DRAWS)
        last = min(stop, (block + 1) * BLOCK_DRAWS)
        columns = slice(first - block * BLOCK_DRAWS, last - block * BLOCK_DRAWS)
        kept[:, first - start : last - start] = block_uniforms(root, block, rows, columns)
    return kept


class PeriodStream:
    """The uniforms of draws ``start`` to ``stop`` laid out as :func:`draw_uniforms` gives them (a
    block's rows one after another), drawn as they are needed rather than all at once.

    A run's rows are ``head`` rows of quantiles, then ``per_period`` rows for each of ``periods``
    periods, then ``tail`` rows (the quantiles of later pivots).  :meth:`head_and_tail` gives the
    quantile rows; :meth:`next_period` the next period's rows.  Only one period's rows of each block
    are held at a time, so a long scenario's chunk holds what one period needs: its generator is
    moved on past the periods (PCG64 ``advance``) to read the tail without drawing them.
    """

    def __init__(
        self,
        root: np.random.SeedSequence,
        start: int,
        stop: int,
        *,
        head: int,
        per_period: int,
        periods: int,
        tail: int,
    ) -> None:
        self.start, self.stop = start, stop
        self.head, self.per_period, self.periods, self.tail = head, per_period, periods, tail
        self.blocks: list[tuple[np.random.Generator, slice]] = []
        for block in range(start // BLOCK_DRAWS, (stop - 1) // BLOCK_DRAWS + 1):
            first = max(start, block * BLOCK_DRAWS) - block * BLOCK_DRAWS
            last = min(stop, (block + 1) * BLOCK_DRAWS) - block * BLOCK_DRAWS
            self.blocks.append((block_generator(root, block), slice(first, last)))
        self.played = 0

    def _rows(self, generator: np.random.Generator, rows: int, columns: slice) -> np.ndarray:
        return generator.random((rows, BLOCK_DRAWS))[:, columns]

    def head_and_tail(self) -> np.ndarray:
        """The quantile rows, (head + tail, stop - start); call before the first period."""
        if self.played:
            raise RuntimeError("the quantile rows come before the periods' rows")
        parts = []
        for generator, columns in self.blocks:
            source = generator.bit_generator
            if not isinstance(source, np.random.PCG64):
                raise TypeError(f"a block's generator must be PCG64 to advance, not {type(source).__name__}")
            state = source.state
            head = self._rows(generator, self.head, columns)
            bits = np.random.PCG64()
            bits.state = state
            bits.advance((self.head + self.per_period * self.periods) * BLOCK_DRAWS)
            later = np.random.Generator(bits)
            parts.append(np.concatenate([head, self._rows(later, self.tail, columns)]))
        return np.concatenate(parts, axis=1)

    def next_period(self) -> np.ndarray:
        """The next period's rows, (per_period, stop - start)."""
        if self.played >= self.periods:
            raise RuntimeError(f"all {self.periods} periods have been drawn")
        self.played += 1
        return np.ascontiguousarray(
            np.concatenate(
                [self._rows(generator, self.per_period, columns) for generator, columns in self.blocks],
                axis=1,
            )
        )
