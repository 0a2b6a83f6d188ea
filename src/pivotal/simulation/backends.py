"""Backends for the engine's inner loop: compiled (Numba), NumPy, and JAX when installed.

All run the same equations.  NumPy runs :func:`pivotal.simulation.kernel.period_step`, the
reference; JAX compiles that step with XLA, in float64, on a GPU when one is present; the compiled
backend (the default) runs :mod:`pivotal.simulation.fused`, the period loop in compiled code, and
can reduce each period as it plays it (``streams``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from types import ModuleType

import numpy as np

from pivotal.simulation.kernel import ChunkOutput, RunPlan, Step, Walk, period_step, run_chunk

BACKENDS: tuple[str, ...] = ("numba", "numpy", "jax")
#: The backend a run uses unless told otherwise.
DEFAULT_BACKEND = "numba"


class BackendUnavailable(RuntimeError):
    """The backend asked for is not installed."""


@dataclass(frozen=True)
class Backend:
    """An array namespace and the period step compiled for it."""

    name: str
    xp: ModuleType
    step: Step
    threaded: bool  # whether chunks gain from running on several threads
    chunk_blocks: int  # random-number blocks per chunk
    streams: bool = False  # whether it reduces each period as it plays it (fused_walk.chunk_statistics)

    def run_chunk(
        self,
        plan: RunPlan,
        quantiles: np.ndarray,
        uniforms: np.ndarray,
        fitted: dict[str, np.ndarray] | None = None,
    ) -> ChunkOutput:
        if self.name == "numba":
            from pivotal.simulation.fused_walk import run_chunk as compiled

            return compiled(plan, quantiles, uniforms, fitted)
        return run_chunk(plan, quantiles, uniforms, self.step, self.xp, fitted)

    def walk(
        self,
        plan: RunPlan,
        quantiles: np.ndarray,
        uniforms: np.ndarray,
        fitted: dict[str, np.ndarray] | None = None,
    ) -> Walk:
        """A walk over ``plan``'s periods on this backend (a system of dyads plays several)."""
        if self.name == "numba":
            from pivotal.simulation.fused_walk import CompiledWalk

            return CompiledWalk(plan, quantiles, uniforms, fitted)
        return Walk(plan, quantiles, uniforms, self.step, self.xp, fitted)

    @property
    def device(self) -> str:
        if self.name in ("numpy", "numba"):
            return "cpu"
        import jax

        return str(jax.devices()[0])


def get_backend(name: str) -> Backend:
    """The backend called ``name``; raises BackendUnavailable with the install command."""
    if name == "numba":
        return _numba_backend()
    if name == "numpy":
        # Large enough to amortise Python's overhead, small enough to stay near the caches.
        return Backend("numpy", np, period_step, threaded=True, chunk_blocks=4)
    if name == "jax":
        return _jax_backend()
    raise ValueError(f"unknown backend {name!r}; expected one of {', '.join(BACKENDS)}")


@cache
def _numba_backend() -> Backend:
    try:
        import pivotal.simulation.fused  # noqa: F401  (imports Numba)
    except ImportError as error:
        raise BackendUnavailable("the compiled backend needs Numba: pip install numba") from error
    # Chunks as NumPy's, so that the two sum a run's outputs in the same order.
    return Backend("numba", np, period_step, threaded=True, chunk_blocks=4, streams=True)


@cache
def _jax_backend() -> Backend:
    try:
        import jax
    except ImportError as error:
        raise BackendUnavailable('the JAX backend needs JAX: pip install "pivotal[jax]"') from error
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    def step(*args, recorded, type_drawn, options):
        return period_step(*args, recorded=recorded, type_drawn=type_drawn, options=options, xp=jnp)

    compiled = jax.jit(step, static_argnames=("recorded", "type_drawn", "options"))
    # Large chunks keep an accelerator busy; each period is one compiled call.
    return Backend("jax", jnp, compiled, threaded=False, chunk_blocks=64)
