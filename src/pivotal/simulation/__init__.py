"""Simulation: parameter draws, the period-by-period engine and its summaries."""

from pivotal.simulation.engine import METRICS, SimulationResult, simulate
from pivotal.simulation.random import as_generator
from pivotal.simulation.summary import summarise

__all__ = ["METRICS", "SimulationResult", "as_generator", "simulate", "summarise"]
