"""Questions put to a scenario: counterfactuals and sensitivity."""

from pivotal.analysis.counterfactual import WhatIf, what_if
from pivotal.analysis.sensitivity import SobolResult, sobol_indices

__all__ = ["SobolResult", "WhatIf", "sobol_indices", "what_if"]
