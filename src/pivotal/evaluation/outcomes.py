"""What is scored: the observable outcomes of a period and the model's forecast of each.

A period's forecast comes from a run that updates beliefs on the record
(``use_record=True``): the stage game of period *t* is solved at the belief
left by the record of periods before *t*, so the forecast never sees its own
outcome or a later one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pivotal.scenario.schema import RecordEntry
from pivotal.simulation.engine import SimulationResult

#: Per-period predictive quantities kept from a run; the outcome forecasts
#: below are functions of these.
PREDICTIVE_COLUMNS = (
    "p_status_quo",
    "p_probe",
    "p_offensive",
    "p_intervene_probe",
    "p_intervene_offensive",
    "p_act_probe",
    "p_act_offensive",
    "p_mediate_probe",
    "p_mediate_offensive",
    "p_ceasefire_holds_probe",
    "p_ceasefire_holds_offensive",
    "p_hedge",
    "p_provoke",
    "p_concede",
    "p_rein",
    "p_lean_target",
    "p_lean_challenger",
)


@dataclass(frozen=True)
class Outcome:
    """A binary outcome the record can show and the model can forecast."""

    name: str
    label: str
    conditional: bool  # forecast given the period's recorded challenge

    def observed(self, entry: RecordEntry | None) -> float:
        """1.0 / 0.0 when the record settles it for the period, NaN otherwise."""
        if entry is None:
            return np.nan
        if self.name == "hedge":
            return np.nan if entry.target_hedged is None else float(entry.target_hedged)
        if self.name in ("provoke", "concede"):
            return np.nan if entry.target_move is None else float(entry.target_move == self.name)
        if self.name == "rein":
            if entry.target_move != "provoke" or entry.pivot_answer is None:
                return np.nan
            return float(entry.pivot_answer == "restrain_target")
        if self.name in ("lean_target", "lean_challenger"):
            return np.nan if entry.pivot_posture is None else float(entry.pivot_posture == self.name)
        if self.name == "offensive":
            return float(entry.challenge == "offensive")
        if self.name == "probe":
            return float(entry.challenge == "probe")
        if entry.challenge == "none":
            return np.nan
        if self.name == "intervention":
            if entry.pivot_response is None:
                return np.nan
            return float(entry.pivot_response in ("restrain", "mediate"))
        if self.name == "appeal_answered":
            if entry.appeal_answered is None or entry.appeal_answered == "partial":
                return np.nan  # a partial answer is neither an answer nor a refusal: not scored
            return float(entry.appeal_answered)
        if self.name == "ceasefire_held":
            if entry.pivot_response != "mediate" or entry.ceasefire_held is None:
                return np.nan
            return float(entry.ceasefire_held)
        raise ValueError(f"unknown outcome {self.name}")


#: Outcomes that are the pivot's choices, undefined in a period without a pivot.
OF_THE_PIVOT = ("intervention", "appeal_answered", "ceasefire_held", "rein", "lean_target", "lean_challenger")

OUTCOMES: tuple[Outcome, ...] = (
    Outcome("offensive", "major offensive", conditional=False),
    Outcome("probe", "limited probe", conditional=False),
    Outcome("intervention", "pivot intervenes (restrains or mediates)", conditional=True),
    Outcome("appeal_answered", "target's appeal answered (pivot acts for it)", conditional=True),
    Outcome("ceasefire_held", "brokered ceasefire holds", conditional=True),
    Outcome("hedge", "target hedges", conditional=False),
    Outcome("provoke", "target provokes", conditional=False),
    Outcome("concede", "target concedes", conditional=False),
    Outcome("rein", "pivot reins in a provocation", conditional=True),
    Outcome("lean_target", "pivot leans to the target", conditional=False),
    Outcome("lean_challenger", "pivot leans to the challenger", conditional=False),
)


def predictive_table(result: SimulationResult) -> pd.DataFrame:
    r"""Per period, the run's predictive probabilities averaged over parameter draws.

    Conditional response probabilities are ratios of means,
    :math:`P(I \mid a) = \bar{E}[p_a\, p_{I|a}] / \bar{E}[p_a]`, which is what
    the mixture over draws implies once a challenge of kind *a* is seen; a ceasefire's
    holding is conditioned on a mediation of kind *a* in the same way.
    """
    m = result.metrics
    frame = pd.DataFrame(
        {
            "period": result.periods,
            "p_status_quo": m["p_deterred"].mean(axis=1),
            "p_probe": m["p_probe"].mean(axis=1),
            "p_offensive": m["p_offensive"].mean(axis=1),
        }
    )
    for kind in ("probe", "offensive"):
        marginal = m[f"p_{kind}"].mean(axis=1)
        for response in ("intervene", "act", "mediate"):
            joint = (m[f"p_{kind}"] * m[f"p_{response}_{kind}"]).mean(axis=1)
            frame[f"p_{response}_{kind}"] = _ratio(joint, marginal)
        # A ceasefire is seen only after a mediation of that kind of challenge.
        mediated = m[f"p_{kind}"] * m[f"p_mediate_{kind}"]
        held = (mediated * m["p_ceasefire_holds"]).mean(axis=1)
        frame[f"p_ceasefire_holds_{kind}"] = _ratio(held, mediated.mean(axis=1))
    for column in ("p_hedge", "p_provoke", "p_concede", "p_lean_target", "p_lean_challenger"):
        frame[column] = m[column].mean(axis=1)
    frame["p_rein"] = _ratio((m["p_provoke"] * m["p_rein"]).mean(axis=1), m["p_provoke"].mean(axis=1))
    return frame


def _ratio(joint: np.ndarray, marginal: np.ndarray) -> np.ndarray:
    """A conditional probability as a ratio of means; 1/2 where the condition has probability 0."""
    return np.where(marginal > 0, joint / np.where(marginal > 0, marginal, 1.0), 0.5)


def observed_table(result: SimulationResult) -> pd.DataFrame:
    """Per period, the recorded challenge and each outcome's observed value (NaN if unsettled)."""
    scenario = result.scenario
    rows = []
    for period in result.periods:
        entry = scenario.record_for(period)
        row: dict[str, object] = {"period": period, "challenge": entry.challenge if entry else None}
        absent = scenario.roles_in(period).pivot is None
        for outcome in OUTCOMES:
            # Where no pivot stands, what the pivot does is not a forecast at all: not scored.
            row[outcome.name] = np.nan if absent and outcome.name in OF_THE_PIVOT else outcome.observed(entry)
        rows.append(row)
    return pd.DataFrame(rows)


def outcome_forecast(predictive: pd.DataFrame, challenge: pd.Series, outcome: Outcome) -> np.ndarray:
    """The forecast of ``outcome`` per period from a predictive table and the recorded challenges."""
    if outcome.name == "offensive":
        return predictive["p_offensive"].to_numpy()
    if outcome.name == "probe":
        return predictive["p_probe"].to_numpy()
    if not outcome.conditional or outcome.name == "rein":
        return predictive[f"p_{outcome.name}"].to_numpy()
    response = {"appeal_answered": "act", "ceasefire_held": "ceasefire_holds"}.get(outcome.name, "intervene")
    return np.where(
        challenge.to_numpy() == "offensive",
        predictive[f"p_{response}_offensive"],
        predictive[f"p_{response}_probe"],
    )


def log_likelihood(predictive: pd.DataFrame, observed: pd.DataFrame) -> np.ndarray:
    """Log probability of each period's record under the run: the challenge, then the response.

    Periods without a record contribute 0.
    """
    challenge = observed["challenge"]
    chosen = np.select(
        [challenge == "none", challenge == "probe", challenge == "offensive"],
        [predictive["p_status_quo"], predictive["p_probe"], predictive["p_offensive"]],
        default=1.0,
    )
    total = np.log(np.clip(chosen, 1e-300, None))
    intervened = observed["intervention"].to_numpy()
    p_int = outcome_forecast(predictive, challenge, OUTCOMES[2])
    settled = ~np.isnan(intervened)
    response = np.where(intervened == 1.0, p_int, 1.0 - p_int)
    total += np.where(settled, np.log(np.clip(response, 1e-300, None)), 0.0)
    return total
