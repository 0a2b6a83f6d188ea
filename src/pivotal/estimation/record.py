r"""A case's record as data for the likelihood of pivotal's game.

Every period of a case is laid out as arrays: the scenario's central value of each parameter (the
median of its sourced range), the recorded moves as codes (-1 where the record is silent), which
of the period's contexts the record admits, and which pivot stands between the rivals.  The
likelihood (:mod:`pivotal.estimation.structural`) walks these arrays period by period.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pivotal.model import RESPONSES
from pivotal.model.parameters import PARAMETER_NAMES
from pivotal.model.period_game import ANSWERS, FIRST_MOVES, POSTURES, GameOptions
from pivotal.scenario.schema import Scenario
from pivotal.scenario.timeline import Period
from pivotal.simulation.kernel import RECORDED_CHALLENGE
from pivotal.simulation.sampling import parameter_values, pivot_groups

#: Code of a move the record does not give.
SILENT = -1


@dataclass(frozen=True, eq=False)
class CaseRecord:
    """One case laid out for the likelihood: T periods, K contexts, the scenario's medians.

    ``center`` is (len(PARAMETER_NAMES), T): each parameter's median in each period.  The move
    codes are (T,) integers, :data:`SILENT` where the record does not say: ``challenge`` indexes
    status quo / probe / offensive, ``response`` restrain / mediate / acquiesce, ``hedged`` and
    ``held`` (a brokered ceasefire held) are 0 or 1.  ``admitted`` (T, K) is 1 for each context the
    record's early moves allow.  ``pivot`` (T,) numbers the pivot standing in each period,
    ``absent`` marks the periods without one, ``first`` (P,) is each pivot's first period.
    """

    name: str
    periods: tuple[Period, ...]
    options: GameOptions
    center: np.ndarray
    challenge: np.ndarray
    response: np.ndarray
    hedged: np.ndarray
    held: np.ndarray
    admitted: np.ndarray
    pivot: np.ndarray
    absent: np.ndarray
    first: np.ndarray
    coded: np.ndarray  # (T,) bool: the record has an entry for the period

    @property
    def cluster(self) -> str:
        """The label its periods share for clustered standard errors: the case."""
        return self.name

    def value(self, name: str) -> np.ndarray:
        """The median of parameter ``name`` in each period, (T,)."""
        return self.center[PARAMETER_NAMES.index(name)]


def case_record(scenario: Scenario) -> CaseRecord:
    """Lay ``scenario``'s record out as :class:`CaseRecord` arrays, at the medians of its ranges.

    A period the record does not code gives nothing to the likelihood and teaches the observers
    nothing (its belief only turns over); every period of the shipped cases is coded.
    """
    periods = tuple(scenario.timeline)
    options = GameOptions(
        target_moves_first=scenario.game.target_moves_first, pivot_posture=scenario.game.pivot_posture
    )
    contexts = options.contexts
    groups = pivot_groups(scenario)
    values = parameter_values(scenario, np.full((len(PARAMETER_NAMES) * (max(groups.values()) + 1), 1), 0.5))
    center = np.stack([values[name][:, 0] for name in PARAMETER_NAMES])
    t_count = len(periods)
    codes = {
        key: np.full(t_count, SILENT, dtype=np.int32) for key in ("challenge", "response", "hedged", "held")
    }
    admitted = np.ones((t_count, len(contexts)))
    coded = np.zeros(t_count, dtype=bool)

    def index(words: tuple[str, ...], word: str | None) -> int | None:
        return None if word is None else words.index(word)

    for t, period in enumerate(periods):
        entry = scenario.record_for(period)
        if entry is None:
            continue
        coded[t] = True
        codes["challenge"][t] = RECORDED_CHALLENGE[entry.challenge]
        if entry.pivot_response is not None and entry.challenge != "none":
            codes["response"][t] = RESPONSES.index(entry.pivot_response)
        if entry.target_hedged is not None:
            codes["hedged"][t] = int(entry.target_hedged)
        if entry.pivot_response == "mediate" and entry.ceasefire_held is not None:
            codes["held"][t] = int(entry.ceasefire_held)
        posture, move = index(POSTURES, entry.pivot_posture), index(FIRST_MOVES, entry.target_move)
        answer = index(ANSWERS, entry.pivot_answer)
        admitted[t] = [
            float(
                (posture is None or posture == c.posture)
                and (move is None or move == c.move)
                and (answer is None or answer == c.answer)
            )
            for c in contexts
        ]
    pivot = np.array([groups[period] for period in periods], dtype=np.int32)
    first = np.array([int(np.argmax(pivot == p)) for p in range(int(pivot.max()) + 1)], dtype=np.int32)
    absent = np.array([scenario.roles_in(period).pivot is None for period in periods])
    return CaseRecord(
        name=scenario.id,
        periods=periods,
        options=options,
        center=center,
        admitted=admitted,
        pivot=pivot,
        absent=absent,
        first=first,
        coded=coded,
        **codes,
    )


def simulated_records(scenario: Scenario, histories: int, seed: int) -> list[CaseRecord]:
    """``histories`` records of ``scenario`` drawn from the model at the medians of its ranges: each
    a history the engine simulates (no record used), coded as challenges and responses only.

    The truth behind them is known (every coefficient 0), so fitting them shows what a fit can
    recover from histories of this length (``scripts/recovery.py``).  Only a game that begins with
    the crisis: where the engine draws early moves its observers see them, which records coding
    no early moves would not match.
    """
    from dataclasses import replace

    from pivotal.simulation.engine import simulate

    case = case_record(scenario)
    if not case.options.crisis_only:
        raise ValueError(f"{scenario.id} has moves before the crisis: simulated records would not code them")
    quantiles = np.full((len(PARAMETER_NAMES), histories), 0.5)
    run = simulate(scenario, draws=histories, seed=seed, use_record=False, quantiles=quantiles, threads=1)
    silent = np.full(len(case.periods), SILENT, dtype=np.int32)
    return [
        replace(
            case,
            name=f"{case.name}#{i}",
            challenge=run.challenge[:, i].astype(np.int32),
            response=np.where(run.challenge[:, i] > 0, run.response[:, i], SILENT).astype(np.int32),
            hedged=silent,
            held=silent,
            admitted=np.ones_like(case.admitted),
            coded=np.ones(len(case.periods), dtype=bool),
        )
        for i in range(histories)
    ]
