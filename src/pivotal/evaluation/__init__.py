"""Evaluation: scoring rules, baselines, fitting the precision and scoring a scenario."""

from pivotal.evaluation.calibration import PrecisionFit, fit_precision, scale_precision
from pivotal.evaluation.outcomes import OUTCOMES, Outcome
from pivotal.evaluation.score import ScoreReport, score_scenario

__all__ = ["OUTCOMES", "Outcome", "PrecisionFit", "ScoreReport", "fit_precision", "scale_precision",
           "score_scenario"]
