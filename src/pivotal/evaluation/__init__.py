"""Evaluation: scoring rules, baselines, fitting the precision and scoring a scenario or a system."""

from pivotal.evaluation.calibration import PrecisionFit, fit_precision, fit_system_precision, scale_precision
from pivotal.evaluation.outcomes import OUTCOMES, Outcome
from pivotal.evaluation.score import ScoreReport, score_scenario
from pivotal.evaluation.system_score import score_system

__all__ = [
    "OUTCOMES",
    "Outcome",
    "PrecisionFit",
    "ScoreReport",
    "fit_precision",
    "fit_system_precision",
    "scale_precision",
    "score_scenario",
    "score_system",
]
