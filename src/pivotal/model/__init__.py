"""The model core: pure, vectorised NumPy functions of the pivotal-deterrence game.

Nothing here reads files, prints or stores; outer layers import this package,
never the reverse.
"""

from pivotal.model.beliefs import carry_forward
from pivotal.model.parameters import PARAMETER_NAMES, PARAMETERS, PARAMETERS_BY_NAME, ParameterSpec
from pivotal.model.stage_game import (
    CHALLENGES,
    RESPONSES,
    TARGET_MOVES,
    StageParameters,
    StageSolution,
    challenger_payoffs,
    log_logit_choice,
    logit_choice,
    pivot_payoffs,
    posterior_resolve,
    solve_stage,
)

__all__ = [
    "CHALLENGES",
    "PARAMETERS",
    "PARAMETERS_BY_NAME",
    "PARAMETER_NAMES",
    "RESPONSES",
    "TARGET_MOVES",
    "ParameterSpec",
    "StageParameters",
    "StageSolution",
    "carry_forward",
    "challenger_payoffs",
    "log_logit_choice",
    "logit_choice",
    "pivot_payoffs",
    "posterior_resolve",
    "solve_stage",
]
