"""The inputs the pivotal-deterrence model needs, with their bounds and defaults.

The model core owns this list.  Scenario files must supply every *required*
name and may supply the optional ones; an optional parameter left out takes its
documented default, which either switches its channel off or, for the per-role
precisions, follows the common ``precision``.  Payoffs are in units of the
reference prize.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

LARGEST = 1e6
"""Ceiling on every parameter without a natural upper bound: a payoff a million times the prize,
or a precision that makes every choice a best response.  Above it, products of payoffs and
precision would overflow double precision and the model's probabilities would turn to NaN."""


@dataclass(frozen=True)
class ParameterSpec:
    """One model input: its name, symbol, admissible interval and meaning."""

    name: str
    symbol: str
    lower: float
    upper: float
    meaning: str
    lower_open: bool = False
    default: float | None = None
    """Value used when a scenario leaves the parameter out; None for a required parameter."""
    default_from: str | None = None
    """Name of the parameter whose values, draw by draw, stand in when this one is left out."""
    default_note: str = ""
    """What the default means, for ``pivotal validate`` and the docs."""

    @property
    def required(self) -> bool:
        return self.default is None and self.default_from is None

    @property
    def largest(self) -> float:
        """The largest admissible value: the upper bound, or :data:`LARGEST` where there is none."""
        return min(self.upper, LARGEST)

    def contains(self, value: float) -> bool:
        if math.isnan(value):
            return False
        above = value > self.lower if self.lower_open else value >= self.lower
        return above and value <= self.largest

    def describe_bounds(self) -> str:
        left = "(" if self.lower_open else "["
        return f"{left}{self.lower:g}, {self.largest:g}]"


INF = math.inf

#: Parameters that describe the pivot (its capacity, stakes, costs, resolve and the observers'
#: prior about it) or the target's tie to it.  When the pivot changes, the next pivot's values of
#: these are drawn independently of the last one's; the rivals' parameters keep one draw.
OF_PIVOT = frozenset(
    {
        "pivot_distraction",
        "pivot_punishment",
        "patron_shield",
        "pivot_stake_target",
        "target_alignment",
        "pivot_stake_challenger",
        "restraint_cost",
        "mediation_cost",
        "mediated_share",
        "peacekeepers",
        "resolve_value",
        "mediation_credit",
        "prior_resolve",
        "resolve_turnover",
        "protection_value",
        "pivot_leverage",
        "peacekeeper_tripwire",
        "ceasefire_fragility",
        "target_restraint_cost",
        "tilt_commitment",
        "ultimatum_gain",
        "hedge_erosion",
        "precision_pivot",
    }
)
#: The pivot's own attributes, whichever rivals it stands between: its capacity tied up elsewhere,
#: what resolve is worth to it, the observers' prior about it, how often its type turns over and
#: how precisely it chooses.  The dyads of a system share one draw of these.
OF_PIVOT_ITSELF = frozenset(
    {
        "pivot_distraction",
        "resolve_value",
        "mediation_credit",
        "prior_resolve",
        "resolve_turnover",
        "precision_pivot",
    }
)

PARAMETERS: tuple[ParameterSpec, ...] = (
    ParameterSpec("prize", "V", 0, INF, "value to the challenger of what is contested now"),
    ParameterSpec("balance", "b", 0, 1, "challenger's share of the rivals' military capability"),
    ParameterSpec("war_cost", "c_O", 0, INF, "challenger's cost of a major offensive"),
    ParameterSpec("probe_gain", "g", 0, 1, "share of the prize a limited probe takes"),
    ParameterSpec("probe_cost", "c_P", 0, INF, "challenger's cost of a limited probe"),
    ParameterSpec(
        "third_party_deterrence",
        "d_W",
        0,
        INF,
        "cost other powers impose on a major offensive",
    ),
    ParameterSpec("pivot_distraction", "delta", 0, 1, "share of the pivot's capacity tied up"),
    ParameterSpec("pivot_punishment", "k", 0, INF, "harm a restraining pivot inflicts"),
    ParameterSpec("patron_shield", "sigma", 0, 1, "share of coercion the patron neutralises"),
    ParameterSpec("pivot_stake_target", "s_T", 0, INF, "pivot's stake in the target"),
    ParameterSpec("target_alignment", "alpha", 0, 1, "target's alignment with the pivot"),
    ParameterSpec("pivot_stake_challenger", "s_C", 0, INF, "pivot's stake in the challenger"),
    ParameterSpec("restraint_cost", "c_R", 0, INF, "pivot's cost of restraining"),
    ParameterSpec("mediation_cost", "c_M", 0, INF, "pivot's cost of brokering a ceasefire"),
    ParameterSpec("mediated_share", "phi", 0, 1, "share of gains kept under a ceasefire"),
    ParameterSpec("peacekeepers", "tau", 0, INF, "pivot's extra cost of acquiescing"),
    ParameterSpec("resolve_value", "rho", 0, INF, "what a resolved pivot gains by restraining"),
    ParameterSpec("mediation_credit", "h", 0, 1, "share of resolve credited to mediation"),
    ParameterSpec("prior_resolve", "mu_0", 0, 1, "first-period belief the pivot is resolved"),
    ParameterSpec("resolve_turnover", "q", 0, 1, "chance per period the pivot's type is redrawn"),
    ParameterSpec("protection_value", "v", 0, INF, "target's value of a resolved pivot"),
    ParameterSpec("alt_patron_support", "w", 0, INF, "target's value of hedging"),
    ParameterSpec("pivot_leverage", "l", 0, INF, "cost the pivot imposes on a hedging target"),
    ParameterSpec("precision", "lambda", 0, INF, "logit precision of every player", True),
    # Optional since 0.2.0: each default switches its channel off or follows `precision`.
    ParameterSpec(
        "status_quo_value",
        "nu",
        0,
        1,
        "share of the prize the challenger expects from keeping the peace (talks, time)",
        default=0.0,
        default_note="0: the status quo pays the challenger nothing",
    ),
    ParameterSpec(
        "force_cost",
        "f",
        0,
        INF,
        "challenger's cost of being seen to use force at all (standing, sanctions risk)",
        default=0.0,
        default_note="0: using force costs nothing beyond the fighting",
    ),
    ParameterSpec(
        "peacekeeper_tripwire",
        "c_tau",
        0,
        INF,
        "challenger's extra cost of a challenge where the pivot's peacekeepers stand",
        default=0.0,
        default_note="0: no peacekeepers in the challenger's way",
    ),
    ParameterSpec(
        "ceasefire_fragility",
        "beta",
        0,
        1,
        "chance a brokered ceasefire breaks when the pivot has no leverage left",
        default=0.0,
        default_note="0: every brokered ceasefire holds",
    ),
    # Optional since 0.3.0: the double edge (the target's first move, the pivot's answer to it and
    # its posture) and hedging that erodes alignment.  Each default switches its channel off.
    ParameterSpec(
        "concession_share",
        "c_T",
        0,
        1,
        "share of the contested prize the target gives up when it concedes",
        default=0.0,
        default_note="0: a concession gives nothing up",
    ),
    ParameterSpec(
        "provocation_pressure",
        "psi",
        0,
        INF,
        "what a provocation by the target, left standing, adds to the challenger's payoff of using force",
        default=0.0,
        default_note="0: provocations do not move the challenger",
    ),
    ParameterSpec(
        "provocation_value",
        "p_T",
        0,
        INF,
        "what a provocation is worth to the target's government",
        default=0.0,
        default_note="0: provoking gains the target nothing",
    ),
    ParameterSpec(
        "target_restraint_cost",
        "c_Q",
        0,
        INF,
        "pivot's cost of pressing a provocative target to retract, at full capacity",
        default=0.0,
        default_note="0: reining in the target costs the pivot nothing",
    ),
    ParameterSpec(
        "tilt_commitment",
        "kappa_t",
        0,
        INF,
        "what an open tilt toward a side adds to (or, toward the other, takes from) the pivot's "
        "payoff of acting for the target",
        default=0.0,
        default_note="0: a tilt commits the pivot to nothing",
    ),
    ParameterSpec(
        "ultimatum_gain",
        "x",
        0,
        INF,
        "what the pivot extracts in a period from the side it leans against",
        default=0.0,
        default_note="0: leaning extracts nothing",
    ),
    ParameterSpec(
        "hedge_erosion",
        "h",
        0,
        1,
        "share of its alignment with the pivot a target loses for each period it hedges",
        default=0.0,
        default_note="0: hedging leaves alignment where the scenario puts it",
    ),
    ParameterSpec(
        "precision_challenger",
        "lambda_C",
        0,
        INF,
        "logit precision of the challenger",
        True,
        default_from="precision",
        default_note="the common `precision`",
    ),
    ParameterSpec(
        "precision_pivot",
        "lambda_P",
        0,
        INF,
        "logit precision of the pivot",
        True,
        default_from="precision",
        default_note="the common `precision`",
    ),
    ParameterSpec(
        "precision_target",
        "lambda_T",
        0,
        INF,
        "logit precision of the target",
        True,
        default_from="precision",
        default_note="the common `precision`",
    ),
)

PARAMETER_NAMES: tuple[str, ...] = tuple(p.name for p in PARAMETERS)
PARAMETERS_BY_NAME: dict[str, ParameterSpec] = {p.name: p for p in PARAMETERS}
REQUIRED_NAMES: tuple[str, ...] = tuple(p.name for p in PARAMETERS if p.required)
OPTIONAL_NAMES: tuple[str, ...] = tuple(p.name for p in PARAMETERS if not p.required)
