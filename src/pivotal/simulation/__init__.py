"""Simulation: parameter draws, the period-by-period engine and its summaries."""

from pivotal.simulation.backends import BACKENDS, DEFAULT_BACKEND, BackendUnavailable, get_backend
from pivotal.simulation.engine import METRICS, SimulationResult, iter_chunks, simulate
from pivotal.simulation.random import as_generator
from pivotal.simulation.summary import summarise

__all__ = [
    "BACKENDS",
    "DEFAULT_BACKEND",
    "METRICS",
    "BackendUnavailable",
    "SimulationResult",
    "as_generator",
    "get_backend",
    "iter_chunks",
    "simulate",
    "summarise",
]
