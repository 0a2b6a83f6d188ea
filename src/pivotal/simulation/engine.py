"""Run a scenario period by period: Monte Carlo over parameters, beliefs carried forward.

For each draw the engine solves every period's stage game at the observers'
current belief, then updates that belief by Bayes' rule:

* from the **record** where the scenario says what the challenger and pivot did
  (the observers saw it; using it is what makes the run a hindcast), and
* from the **simulation** where the record is silent or ``use_record`` is off
  (a challenge and a response are drawn from the equilibrium, the pivot
  acting on a type drawn from the observers' current belief).

Random numbers are drawn in the same order whatever the mode, so two runs with
the same seed and the same number of draws pair draw by draw (common random
numbers).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field

import numpy as np

from pivotal.model import RESPONSES, StageParameters, carry_forward, solve_stage
from pivotal.scenario.schema import Scenario
from pivotal.simulation.random import SeedLike, as_generator
from pivotal.simulation.sampling import draw_quantiles, parameter_values

#: Per-draw outputs of each period, in the order they are reported.
METRICS: tuple[str, ...] = (
    "p_challenge",
    "p_offensive",
    "p_probe",
    "p_intervene",
    "p_restrain",
    "p_deterred",
    "p_hedge",
    "p_intervene_probe",
    "p_intervene_offensive",
    "belief",
    "belief_after",
)

NO_CHALLENGE = 0
#: The record's words for the challenger's move, as codes into CHALLENGES.
RECORDED_CHALLENGE = {"none": 0, "probe": 1, "offensive": 2}
NO_RESPONSE = -1

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class SimulationResult:
    """Per-draw outputs of a run: ``metrics[name]`` has shape (n_periods, draws)."""

    scenario: Scenario
    draws: int
    seed: int | None
    use_record: bool
    periods: list[int]
    metrics: dict[str, np.ndarray]
    challenge: np.ndarray  # (n_periods, draws) codes into CHALLENGES
    response: np.ndarray  # (n_periods, draws) codes into RESPONSES, -1 when none
    belief_source: list[str] = field(default_factory=list)
    quantiles: np.ndarray | None = None  # (n_parameters, draws), the draws' parameter quantiles


def simulate(
    scenario: Scenario,
    draws: int = 2000,
    seed: SeedLike = None,
    *,
    use_record: bool = True,
    record_periods: Collection[int] | None = None,
    quantiles: np.ndarray | None = None,
    progress: Progress | None = None,
) -> SimulationResult:
    """Simulate ``scenario`` with ``draws`` parameter draws.

    Parameters
    ----------
    scenario : a validated Scenario.
    draws : number of Monte Carlo parameter draws (>= 1).
    seed : int, SeedSequence, Generator or None; same seed, same numbers.
    use_record : update beliefs from the observed record where it exists.
    record_periods : the periods whose record is used (None: all); the
        others are simulated.  Counterfactuals diverge where the record stops.
    quantiles : parameter quantiles, shape (n_parameters, draws), in
        ``PARAMETER_NAMES`` order; drawn from ``seed`` when omitted.  The
        simulation's other random numbers still come from ``seed``.
    progress : called as ``progress(done, total)`` after each period.
    """
    if draws < 1:
        raise ValueError(f"draws must be at least 1, got {draws}")
    rng = as_generator(seed)
    periods = scenario.years
    drawn = draw_quantiles(rng, draws)
    if quantiles is not None:
        if quantiles.shape != drawn.shape:
            raise ValueError(f"quantiles must have shape {drawn.shape}, got {quantiles.shape}")
        drawn = quantiles
    values = parameter_values(scenario, drawn)
    prior = values["prior_resolve"][0]
    belief = prior.copy()
    pivot_resolved: np.ndarray | None = None

    metrics = {name: np.empty((len(periods), draws)) for name in METRICS}
    challenge_codes = np.empty((len(periods), draws), dtype=np.int8)
    response_codes = np.empty((len(periods), draws), dtype=np.int8)
    sources: list[str] = []
    columns = np.arange(draws)

    for t, period in enumerate(periods):
        u_type, u_challenge, u_response, u_turnover, u_new_type = rng.random((5, draws))
        stage = StageParameters.from_mapping({k: v[t] for k, v in values.items()})
        solution = solve_stage(stage, belief)
        recorded = use_record and (record_periods is None or period in record_periods)
        entry = scenario.record_for(period) if recorded else None

        if entry is not None:
            sources.append("record")
            pivot_resolved = None
            challenge = np.full(draws, RECORDED_CHALLENGE[entry.challenge], dtype=np.int8)
            response_code = RESPONSES.index(entry.pivot_response) if entry.pivot_response else -1
            response = np.full(draws, response_code, dtype=np.int8)
        else:
            sources.append("simulated")
            if pivot_resolved is None:
                pivot_resolved = u_type < belief
            challenge = _sample(solution.challenger, u_challenge)
            by_type = np.where(pivot_resolved[:, None, None], solution.pivot_resolved,
                               solution.pivot_irresolute)
            offered = np.maximum(challenge - 1, 0)
            response = np.where(
                challenge == NO_CHALLENGE, NO_RESPONSE,
                _sample(by_type[columns, offered], u_response),
            ).astype(np.int8)

        acted = (challenge != NO_CHALLENGE) & (response != NO_RESPONSE)
        posterior = solution.posterior[columns, np.maximum(challenge - 1, 0), np.maximum(response, 0)]
        belief_after = np.where(acted, posterior, belief)

        for name in METRICS[:-4]:
            metrics[name][t] = getattr(solution, name)
        answered = solution.response[:, :, :2].sum(axis=2)
        metrics["p_intervene_probe"][t] = answered[:, 0]
        metrics["p_intervene_offensive"][t] = answered[:, 1]
        metrics["belief"][t] = belief
        metrics["belief_after"][t] = belief_after
        challenge_codes[t] = challenge
        response_codes[t] = response

        turnover = values["resolve_turnover"][t]
        belief = carry_forward(belief_after, turnover, prior)
        if pivot_resolved is not None:
            redraw = u_turnover < turnover
            pivot_resolved = np.where(redraw, u_new_type < prior, pivot_resolved)
        if progress is not None:
            progress(t + 1, len(periods))

    return SimulationResult(
        scenario=scenario,
        draws=draws,
        seed=seed if isinstance(seed, int) else None,
        use_record=use_record,
        periods=periods,
        metrics=metrics,
        challenge=challenge_codes,
        response=response_codes,
        belief_source=sources,
        quantiles=drawn,
    )


def stage_for_draw(result: SimulationResult, period: int, draw: int) -> tuple[StageParameters, float]:
    """The stage game one draw of a run played in ``period``: its parameters and the belief.

    Returns the parameters as arrays of length one and the observers' belief
    at the start of the period, so that the game can be solved, exported or
    checked on its own.
    """
    if period not in result.periods:
        raise ValueError(f"period {period} is not in the run ({result.periods[0]}-{result.periods[-1]})")
    if not 0 <= draw < result.draws:
        raise ValueError(f"draw must be between 0 and {result.draws - 1}, got {draw}")
    if result.quantiles is None:
        raise ValueError("this result does not keep its parameter draws")
    t = result.periods.index(period)
    values = parameter_values(result.scenario, result.quantiles[:, draw : draw + 1])
    stage = StageParameters.from_mapping({k: v[t] for k, v in values.items()})
    return stage, float(result.metrics["belief"][t, draw])


def _sample(probabilities: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
    """Index of the category each uniform falls in, by inverse CDF over the last axis."""
    cumulative = np.cumsum(probabilities, axis=-1)
    return (uniforms[:, None] >= cumulative[:, :-1]).sum(axis=-1).astype(np.int8)
